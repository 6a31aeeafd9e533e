/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_auth.h: who may send what. Each CURVE key in collector.sensor_keys
 * is bound to the sensor names it may use ("KEY edge-1 edge-1b"); a message is
 * checked against the key its connection proved in the handshake (ZAP user id),
 * never against what it says about itself. Also the message rate limits, per
 * key and for the whole collector. Pure: time is an argument, no sockets.
 */
#ifndef VIGIL_COLLECTOR_AUTH_H
#define VIGIL_COLLECTOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define COLLECTOR_AUTH_KEYLESS (-1)	/* plain ZMTP on loopback: no proven identity, any name */
#define COLLECTOR_AUTH_UNKNOWN (-2)	/* a key that is not listed (cannot pass ZAP; refused if seen) */
#define COLLECTOR_AUTH_NAMES_MAX 16	/* names one key may use */

struct collector_auth_cfg {
	uint32_t key_rate;	/* messages per second per identity (burst: one second's worth); 0: no limit */
	uint32_t max_rate;	/* messages per second for the whole collector; 0: no limit */
	uint32_t key_handshakes;	/* connections per second one key may open (burst: one second's worth); 0: no limit */
};

enum collector_auth_verdict {
	COLLECTOR_AUTH_OK = 0,
	COLLECTOR_AUTH_IDENTITY,	/* the name is not bound to this identity */
	COLLECTOR_AUTH_KEY_RATE,	/* the identity's message rate is used up */
	COLLECTOR_AUTH_GLOBAL_RATE,	/* the collector's message rate is used up */
};

struct collector_auth;

/*
 * Parse the allowlist: entries[i] (n of them, each entry_size bytes) is
 * "KEY NAME [NAME ...]": a 40-character Z85 public key, then the sensor names
 * that key may send as, separated by spaces (so a bound name holds no space).
 * A key listed twice, a key without a name, a name bound to two keys or an
 * invalid name is refused: -EINVAL with the reason in err. Returns 0 with *out set.
 */
int collector_auth_new(const char *entries, size_t entry_size, uint32_t n, const struct collector_auth_cfg *cfg,
		       struct collector_auth **out, char *err, size_t errlen);

/* Free; NULL-safe. */
void collector_auth_free(struct collector_auth *a);

/* The identity of a Z85 public key: its index (>= 0), or COLLECTOR_AUTH_UNKNOWN. */
int collector_auth_find(const struct collector_auth *a, const char *key);

/* Number of listed keys. */
uint32_t collector_auth_keys(const struct collector_auth *a);

/* The Z85 key of identity id ("" for keyless/unknown). */
const char *collector_auth_key(const struct collector_auth *a, int id);

/* The names bound to id, ", "-joined, into buf ("any" for keyless). */
void collector_auth_names(const struct collector_auth *a, int id, char *buf, size_t len);

/* true if identity id may send as name[0..len): bound to it, or id is keyless. */
bool collector_auth_may(const struct collector_auth *a, int id, const char *name, size_t len);

/*
 * Check one message from identity id under name at now_us: the binding, then
 * the rate limits (a token is taken only when the message passes). Returns
 * COLLECTOR_AUTH_OK or why not.
 */
enum collector_auth_verdict collector_auth_check(struct collector_auth *a, int id, const char *name, size_t len,
						 int64_t now_us);

/* A handshake by listed key id at now_us: true while the key's connection rate allows one more. */
bool collector_auth_handshake(struct collector_auth *a, int id, int64_t now_us);

#endif
