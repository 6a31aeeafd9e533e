/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * contain.h: containment bookkeeping. Decides, for each incident of a detector
 * configured with `action: block`, whether its offender's address goes into
 * the XDP blocklist (inline mode, not allowlisted, room left) and for how long,
 * and hands back what has expired. Pure: time is an argument; the caller does
 * the map updates (sensor/appliance.c) and undoes a decision it could not apply.
 */
#ifndef VIGIL_SENSOR_CONTAIN_H
#define VIGIL_SENSOR_CONTAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "detect.h"

struct contain_cfg {
	bool inline_mode;		/* false (tap, replay): block only alerts */
	uint64_t ttl_ns;		/* how long a block lasts */
	uint32_t capacity;		/* blocks at once; more are refused (0: 1024) */
	const struct config_cidr *never;	/* never blocked (sensor.never_block); borrowed */
	uint32_t n_never;
	const struct config_cidr *fixed;	/* already dropped for good (xdp.blocklist); borrowed */
	uint32_t n_fixed;
};

enum contain_verdict {
	CONTAIN_NONE = 0,	/* action alert, or an event of an incident that blocked nothing */
	CONTAIN_BLOCK,		/* new: add *key to the blocklist (contain_forget if that fails) */
	CONTAIN_ACTIVE,		/* the offender is blocked already (TTL renewed on a start) */
	CONTAIN_TAP,		/* action block outside inline mode: alert only */
	CONTAIN_ALLOWLISTED,	/* the offender is in the detector's allow_cidrs or never_block */
	CONTAIN_NO_OFFENDER,	/* no single source to block (many sources, spoofed, group or unspecified) */
	CONTAIN_FULL,		/* capacity blocks are active */
};

struct contain;

/* NULL with errno (ENOMEM). cfg's lists are borrowed until the next contain_set_cfg. */
struct contain *contain_new(const struct contain_cfg *cfg);
void contain_free(struct contain *c);

/* New settings (SIGHUP): blocks in force keep their expiry; capacity stays. */
void contain_set_cfg(struct contain *c, const struct contain_cfg *cfg);

/*
 * The verdict for one incident event at now_ns. allow is the detector's own
 * allow_cidrs. Only a start with action block can block; later events of that
 * incident report CONTAIN_ACTIVE while its block lasts. *key gets the prefix
 * (the offender's /128, or /32 as IPv4-mapped /128) for BLOCK and ACTIVE.
 */
enum contain_verdict contain_incident(struct contain *c, const struct detect_incident *inc,
				      const struct config_cidr *allow, uint32_t n_allow, uint64_t now_ns,
				      struct config_cidr *key);

/* Undo a CONTAIN_BLOCK the caller could not apply. 0 or -ENOENT. */
int contain_forget(struct contain *c, const struct config_cidr *key);

/*
 * Blocks whose TTL ended by now_ns: removed here and copied into out (at most
 * max; call again while it returns max). contain_drain: every block (shutdown).
 */
size_t contain_expired(struct contain *c, uint64_t now_ns, struct config_cidr *out, size_t max);
size_t contain_drain(struct contain *c, struct config_cidr *out, size_t max);

/* Blocks in force, and blocks made since start. */
uint32_t contain_active(const struct contain *c);
uint64_t contain_total(const struct contain *c);

/* Short name of a verdict for logs ("blocked", "allowlisted", ...). */
const char *contain_verdict_name(enum contain_verdict v);

#endif
