/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_profile.h: traffic profiles of vigil-gen. A profile is a deterministic
 * stream of (time, frame) pairs for one phase: it owns its clock (ns since the
 * phase began) and its PRNG, and reads no wall clock, socket or file.
 */
#ifndef VIGIL_GEN_PROFILE_H
#define VIGIL_GEN_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gen_profile_kind {
	GEN_PROFILE_BENIGN = 0,
	GEN_PROFILE_UDPFLOOD,
	GEN_PROFILE_SYNFLOOD,
	GEN_PROFILE_PORTSCAN,
	GEN_PROFILE_HOSTSWEEP,
	GEN_PROFILE_MAX,
};

/* The addressing plan, host byte order. Prefixes are IPv4 base + length. */
struct gen_net {
	uint32_t internal;
	uint8_t internal_len;
	uint32_t external;
	uint8_t external_len;
	uint32_t victim;
	uint32_t attacker;
	uint8_t src_mac[6];	/* every frame carries these two */
	uint8_t dst_mac[6];
};

/* Internal host numbers used by the benign mix: the resolver and the clients .10 ... .20 */
enum {
	GEN_HOST_RESOLVER = 2,
	GEN_HOST_CLIENT_FIRST = 10,
	GEN_HOST_CLIENT_LAST = 20,
};

/* kind for a name ("benign", "udpflood", ...), or -ENOENT */
int gen_profile_lookup(const char *name);
const char *gen_profile_name(enum gen_profile_kind kind);
/* frames per second used when neither the phase nor --rate gives one */
double gen_profile_default_rate(enum gen_profile_kind kind);
bool gen_profile_is_attack(enum gen_profile_kind kind);

/* host number idx of prefix (base, len), wrapping inside the usable hosts */
uint32_t gen_net_host(uint32_t base, uint8_t len, uint32_t idx);
/* number of usable hosts of the prefix (all but network/broadcast when len < 31) */
uint32_t gen_net_hosts(uint8_t len);

/*
 * A profile for one phase: rate_pps > 0 is the mean frame rate (for portscan and
 * hostsweep the probe rate; replies come in between). net is copied. Returns
 * NULL with errno (EINVAL for a bad kind or rate, ENOMEM).
 */
struct gen_profile *gen_profile_new(enum gen_profile_kind kind, const struct gen_net *net,
				    double rate_pps, uint64_t seed);

/*
 * Build the next frame into buf (cap >= GEN_FRAME_MAX) and set *t_ns to its time
 * since the phase began; times never decrease. Returns the frame length or -errno.
 */
int gen_profile_next(struct gen_profile *p, uint64_t *t_ns, uint8_t *buf, size_t cap);

void gen_profile_free(struct gen_profile *p);

#endif
