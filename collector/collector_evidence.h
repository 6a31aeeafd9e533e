/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_evidence.h: the collector's bookkeeping for evidence fetching
 * (docs/transport.md "Evidence"): which routing id reaches each sensor, which
 * requests wait for a sensor's answer and until when, where a fetched file is
 * stored, and the local control protocol between `vigil-collector evidence`
 * and the daemon. No sockets here: collector_serve.c and collector_fetch.c
 * move the frames.
 *
 * Control protocol (CLI ZMQ_DEALER -> daemon ZMQ_ROUTER on collector.control):
 *   request, 3 frames: "VGC1", incident id (8 bytes BE, not 0), sensor name
 *                      (0..63 bytes; empty: the daemon finds the sensor)
 *   reply, 8 frames:   "VGD1", status (1 byte, enum collector_ev_status),
 *                      message (text for the analyst), sensor, file name,
 *                      sha256 (64 hex or empty), stored path, file bytes
 */
#ifndef VIGIL_COLLECTOR_EVIDENCE_H
#define VIGIL_COLLECTOR_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define COLLECTOR_CTL_MAGIC_REQ "VGC1"
#define COLLECTOR_CTL_MAGIC_REP "VGD1"
#define COLLECTOR_CTL_REQ_FRAMES 3
#define COLLECTOR_CTL_REP_FRAMES 8
#define COLLECTOR_EV_RID_MAX 256	/* bytes of a ZeroMQ routing id */
#define COLLECTOR_EV_PENDING_MAX 16	/* requests waiting for sensors at once */
#define COLLECTOR_EV_ROUTES_MAX 4096	/* sensors the collector can address, when not given */

enum collector_ev_status {
	COLLECTOR_EV_OK = 0,
	COLLECTOR_EV_UNKNOWN,		/* no sensor reported that incident, or the sensor has no file */
	COLLECTOR_EV_AMBIGUOUS,		/* several sensors reported it: --sensor needed */
	COLLECTOR_EV_NOT_CONNECTED,	/* the sensor cannot be reached now */
	COLLECTOR_EV_TIMEOUT,		/* the sensor did not answer in time */
	COLLECTOR_EV_DIGEST,		/* the bytes do not hash to the digest announced */
	COLLECTOR_EV_FAILED,		/* anything else; the message says what */
	COLLECTOR_EV_STATUS_MAX,
};

/* A decoded control request. */
struct collector_ctl_req {
	uint64_t incident_id;
	char sensor[WIRE_NAME_MAX + 1];	/* "" = find it */
};

/* Check a control request (frames after the routing id). 0 or -EINVAL. */
int collector_ctl_req_decode(const struct wire_frame *f, size_t n, struct collector_ctl_req *req);

/* A decoded control reply; pointers borrow the frames (NOT NUL-terminated). */
struct collector_ctl_rep {
	enum collector_ev_status status;
	struct wire_frame msg, sensor, file_name, sha256, path, data;
};

/* Check a control reply. 0 or -EINVAL. */
int collector_ctl_rep_decode(const struct wire_frame *f, size_t n, struct collector_ctl_rep *rep);

/* Which routing id reaches each sensor: the one of its latest valid message. */
struct collector_ev_routes;

/* A table for at most max sensors (0: COLLECTOR_EV_ROUTES_MAX); routes are only set for accepted messages. */
struct collector_ev_routes *collector_ev_routes_new(size_t max);
void collector_ev_routes_free(struct collector_ev_routes *r);	/* NULL-safe */

/* Remember rid for sensor at now_ms. -ENOSPC when the table is full (not remembered), else 0. */
int collector_ev_routes_set(struct collector_ev_routes *r, const char *sensor, const void *rid, size_t rid_len,
			    int64_t now_ms);

/* The routing id of sensor (borrowed until the next set), NULL if never seen; *seen_ms when it was. */
const uint8_t *collector_ev_routes_get(const struct collector_ev_routes *r, const char *sensor, size_t *rid_len,
				       int64_t *seen_ms);

/* One request waiting for a sensor. */
struct collector_ev_pending {
	bool used;
	uint64_t request_id;
	uint64_t incident_id;
	char sensor[WIRE_NAME_MAX + 1];
	uint8_t sensor_rid[COLLECTOR_EV_RID_MAX];	/* the answer must come from here */
	size_t sensor_rid_len;
	uint8_t cli_rid[COLLECTOR_EV_RID_MAX];		/* where the answer goes */
	size_t cli_rid_len;
	int64_t deadline_ms;
	char alert_sha256[WIRE_SHA256_HEX + 1];		/* the stored alert's vigil.evidence.sha256, "" if none */
};

/* A free slot of table[COLLECTOR_EV_PENDING_MAX], or NULL when all are in use. */
struct collector_ev_pending *collector_ev_pending_slot(struct collector_ev_pending *table);

/* The slot waiting for request_id from that sensor and routing id, or NULL (an unsolicited reply). */
struct collector_ev_pending *collector_ev_pending_match(struct collector_ev_pending *table, const struct wire_evrep *rep,
							const void *rid, size_t rid_len);

/*
 * true if name can be a directory under collector.evidence_dir: a valid sensor
 * name that is not "." or ".." and holds no '/'.
 */
bool collector_ev_sensor_path_ok(const char *name);

/*
 * Store data as <dir>/<sensor>/<file> (directories created 0750; dir must be
 * owned by this user and not writable by group or others, the sensor's
 * directory is opened without following a link; written through
 * lib/atomic_file, so a reader never sees half a file; not fsync'ed, a power
 * cut can lose it and it is fetched again). path gets the final path.
 * 0 or -errno (-EPERM: why says what is wrong with dir).
 */
int collector_ev_save(const char *dir, const char *sensor, const char *file, const void *data, size_t len,
		      char *path, size_t path_len, char *why, size_t whylen);

/* mkdir -p of path's parent for an ipc:// endpoint (0750). 0 or -errno; other endpoints: 0. */
int collector_ev_ipc_dir(const char *endpoint);

#endif
