/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_incidents.h: the console's read side of the store. An incident is
 * every stored alert or incident event with the same sensor and
 * vigil.incident_id, whatever its event_type (docs/events.md: the start is an
 * `alert`, updates and the end `incident` events; older sensors sent all as
 * `alert`). Answers as json-c objects for /api/ (docs/console.md). Reads
 * SQLite through its own read-only connection: one per thread.
 */
#ifndef VIGIL_COLLECTOR_INCIDENTS_H
#define VIGIL_COLLECTOR_INCIDENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define COLLECTOR_INCIDENTS_LIMIT 100		/* incidents listed when no limit is asked */
#define COLLECTOR_INCIDENTS_LIMIT_MAX 1000	/* the most one answer lists */
#define COLLECTOR_INCIDENTS_EVENTS_MAX 1000	/* events of one incident read for its page */

struct collector_incidents;

/* An address or a CIDR prefix ("10.1.0.0/16", "2001:db8::/32", "192.0.2.7"). */
struct collector_cidr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned int bits;
};

/* Parse s into c. 0 or -EINVAL. */
int collector_cidr_parse(const char *s, struct collector_cidr *c);

/* true when the address text ip lies inside c. */
bool collector_cidr_match(const struct collector_cidr *c, const char *ip);

struct collector_incidents_filter {
	const char *sensor;		/* exact sensor name; NULL: all */
	const char *detector;		/* vigil.detector; NULL: all */
	int severity;			/* keep severities 1..severity (1 the most severe); 0: all */
	const struct collector_cidr *host;	/* src_ip, dest_ip or a vigil.hosts entry inside it; NULL: all */
	const char *community_id;	/* an event of the incident has this community_id; NULL: all */
	bool has_since, has_until;	/* incidents seen at some time in [since, until) */
	int64_t since_us, until_us;
	uint32_t limit;			/* 0: COLLECTOR_INCIDENTS_LIMIT; at most COLLECTOR_INCIDENTS_LIMIT_MAX */
};

/* Open the database read-only. 0 or -errno (-ENOENT: no such file), why says what failed. */
int collector_incidents_open(const char *db_path, struct collector_incidents **out, char *why, size_t whylen);

/* NULL-safe. */
void collector_incidents_close(struct collector_incidents *ci);

/*
 * {"incidents": [row...], "more": bool}: newest first (by first seen), the
 * filters ANDed. A row: docs/console.md. 0 or -errno (-EIO: SQLite).
 */
int collector_incidents_list(struct collector_incidents *ci, const struct collector_incidents_filter *f,
			     struct json_object **out);

/*
 * An incident id from a URL: "SENSOR:N" (split at the last ':'), or "N" alone
 * when one sensor reported N. 0 with sensor (64 bytes) and *id, -EINVAL (not
 * an id), -ENOENT (unknown), -EEXIST (N alone and several sensors have it).
 */
int collector_incidents_resolve(struct collector_incidents *ci, const char *text, char *sensor, int64_t *id);

/*
 * One incident: its row, with "events" (each stored event in seq order, as
 * the sensor wrote it, with "vigil_seq") and flows.conversations (each
 * community_id of its events, with "related": other incidents that share
 * it). 0, -ENOENT, -EIO.
 */
int collector_incidents_get(struct collector_incidents *ci, const char *sensor, int64_t id,
			    struct json_object **out);

/*
 * A host: {"addr", "incidents": [row...] (it is src, dest or in vigil.hosts),
 * "baselines": [the latest expected value of each sensor/detector/metric of
 * those incidents]}. addr must be an address. 0, -EINVAL, -EIO.
 */
int collector_incidents_host(struct collector_incidents *ci, const char *addr, struct json_object **out);

/*
 * {"sensors": [...]}: per sensor its newest event (timestamp, when stored, its
 * age at now_us), incidents, and from its newest stats event uptime, packets,
 * capture loss, spool and version. 0, -EIO.
 */
int collector_incidents_sensors(struct collector_incidents *ci, int64_t now_us, struct json_object **out);

#endif
