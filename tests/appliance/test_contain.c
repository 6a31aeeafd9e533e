// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_contain.c: the containment rules without a kernel. One table row per
 * incident event fed in time order, each with the verdict and blocklist size
 * expected; then TTL expiry, renewal, capacity, forget and drain.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "contain.h"
#include "testlib.h"

#define NS 1000000000ULL

static void v4(uint8_t a[16], uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = x;
	a[13] = y;
	a[14] = z;
	a[15] = w;
}

static struct config_cidr cidr4(uint8_t x, uint8_t y, uint8_t z, uint8_t w, uint8_t len)
{
	struct config_cidr c;

	v4(c.addr, x, y, z, w);
	c.prefix_len = (uint8_t)(96 + len);
	return c;
}

struct row {
	const char *name;
	uint64_t t_s;			/* event time */
	enum detect_id det;
	enum detect_state state;
	uint64_t id;
	enum config_action action;
	uint8_t src_last;		/* 198.51.100.<n>; 0: 0.0.0.0 */
	bool spread;			/* incident.src_spread: no source sent most of it */
	enum contain_verdict want;
	uint32_t active;		/* blocks in force afterwards */
};

static const struct row rows[] = {
	{ "action alert: nothing", 0, DETECT_PORTSCAN, DETECT_START, 1, CONFIG_ACTION_ALERT, 7, false,
	  CONTAIN_NONE, 0 },
	{ "action block: the source is blocked", 1, DETECT_PORTSCAN, DETECT_START, 2, CONFIG_ACTION_BLOCK, 7, false,
	  CONTAIN_BLOCK, 1 },
	{ "update of that incident: still blocked", 2, DETECT_PORTSCAN, DETECT_UPDATE, 2, CONFIG_ACTION_BLOCK, 7,
	  false, CONTAIN_ACTIVE, 1 },
	{ "update of an alert-only incident: nothing", 2, DETECT_PORTSCAN, DETECT_UPDATE, 1,
	  CONFIG_ACTION_ALERT, 7, false, CONTAIN_NONE, 1 },
	{ "same source, other detector: renewed, not added", 3, DETECT_FLOOD, DETECT_START, 3,
	  CONFIG_ACTION_BLOCK, 7, false, CONTAIN_ACTIVE, 1 },
	{ "detector allowlist wins", 4, DETECT_PORTSCAN, DETECT_START, 4, CONFIG_ACTION_BLOCK, 66, false,
	  CONTAIN_ALLOWLISTED, 1 },
	{ "never_block wins", 4, DETECT_PORTSCAN, DETECT_START, 5, CONFIG_ACTION_BLOCK, 130, false,
	  CONTAIN_ALLOWLISTED, 1 },
	{ "flood from many sources: no single offender", 5, DETECT_FLOOD, DETECT_START, 6, CONFIG_ACTION_BLOCK,
	  9, true, CONTAIN_NO_OFFENDER, 1 },
	{ "SYN flood from more than one source: no single offender", 5, DETECT_SYNFLOOD, DETECT_START, 11,
	  CONFIG_ACTION_BLOCK, 12, true, CONTAIN_NO_OFFENDER, 1 },
	{ "unspecified source: no offender", 5, DETECT_SYNFLOOD, DETECT_START, 7, CONFIG_ACTION_BLOCK, 0, false,
	  CONTAIN_NO_OFFENDER, 1 },
	{ "inside xdp.blocklist: already dropped, no entry", 6, DETECT_PORTSCAN, DETECT_START, 8,
	  CONFIG_ACTION_BLOCK, 2, false, CONTAIN_ACTIVE, 1 },
	{ "second offender", 10, DETECT_HOSTSWEEP, DETECT_START, 9, CONFIG_ACTION_BLOCK, 8, false, CONTAIN_BLOCK, 2 },
	{ "table full (capacity 2)", 11, DETECT_HOSTSWEEP, DETECT_START, 10, CONFIG_ACTION_BLOCK, 11, false,
	  CONTAIN_FULL, 2 },
	{ "end of the first incident: still blocked", 12, DETECT_FLOOD, DETECT_END, 3, CONFIG_ACTION_BLOCK, 7,
	  false, CONTAIN_ACTIVE, 2 },
};

int main(void)
{
	struct config_cidr allow[1], never[1], fixed[1], key, out[8];
	struct contain_cfg cfg = { .inline_mode = true, .ttl_ns = 60 * NS, .capacity = 2 };
	struct contain *c;
	struct detect_incident inc;
	size_t i, n;

	allow[0] = cidr4(198, 51, 100, 64, 26);		/* .64 - .127 */
	never[0] = cidr4(198, 51, 100, 128, 25);	/* .128 - .255 */
	fixed[0] = cidr4(198, 51, 100, 0, 30);		/* .0 - .3: dropped for good already */
	cfg.never = never;
	cfg.n_never = 1;
	cfg.fixed = fixed;
	cfg.n_fixed = 1;
	c = contain_new(&cfg);
	if (!testlib_case("contain_new", c != NULL, "errno %d", errno))
		return testlib_done();

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		enum contain_verdict v;

		memset(&inc, 0, sizeof(inc));
		inc.det = r->det;
		inc.state = r->state;
		inc.incident_id = r->id;
		inc.action = r->action;
		inc.ts_ns = r->t_s * NS;
		if (r->src_last)
			v4(inc.src, 198, 51, 100, r->src_last);
		inc.src_spread = r->spread;
		v = contain_incident(c, &inc, r->det == DETECT_FLOOD ? NULL : allow, r->det == DETECT_FLOOD ? 0 : 1,
				     r->t_s * NS, &key);
		testlib_case(r->name, v == r->want && contain_active(c) == r->active,
			     "verdict %s (want %s), active %u (want %u)", contain_verdict_name(v),
			     contain_verdict_name(r->want), contain_active(c), r->active);
		if (v == CONTAIN_BLOCK)
			testlib_case("  key is the source's /32 (IPv4-mapped /128)",
				     key.prefix_len == 128 && !memcmp(key.addr, inc.src, 16), "prefix %u", key.prefix_len);
	}

	/* an intel match names the listed side as the offender (dst): that is blocked, not the host */
	{
		struct contain_cfg ic = cfg;
		struct contain *t;
		enum contain_verdict v;

		ic.n_never = 0;
		ic.n_fixed = 0;
		t = contain_new(&ic);
		memset(&inc, 0, sizeof(inc));
		inc.det = DETECT_INTEL;
		inc.action = CONFIG_ACTION_BLOCK;
		inc.incident_id = 1;
		inc.offender_dst = true;
		v4(inc.src, 10, 0, 0, 5);
		v4(inc.dst, 203, 0, 113, 9);
		v = t ? contain_incident(t, &inc, NULL, 0, NS, &key) : CONTAIN_NONE;
		testlib_case("offender_dst: the destination (the listed address) is blocked",
			     v == CONTAIN_BLOCK && key.prefix_len == 128 && !memcmp(key.addr, inc.dst, 16),
			     "verdict %s", contain_verdict_name(v));
		v4(inc.dst, 198, 51, 100, 70);	/* in the detector's allowlist */
		inc.incident_id = 2;
		v = t ? contain_incident(t, &inc, allow, 1, NS, &key) : CONTAIN_NONE;
		testlib_case("offender_dst: the allowlist is checked against the destination", v == CONTAIN_ALLOWLISTED,
			     "verdict %s", contain_verdict_name(v));
		contain_free(t);
	}

	/* tap mode: action block only alerts */
	{
		struct contain_cfg tap = cfg;
		struct contain *t;

		tap.inline_mode = false;
		t = contain_new(&tap);
		memset(&inc, 0, sizeof(inc));
		inc.det = DETECT_PORTSCAN;
		inc.action = CONFIG_ACTION_BLOCK;
		v4(inc.src, 203, 0, 113, 5);
		testlib_case("tap mode: block only alerts",
			     t && contain_incident(t, &inc, NULL, 0, NS, &key) == CONTAIN_TAP && contain_active(t) == 0,
			     "%s", "");
		contain_free(t);
	}

	/* TTL: .7 was renewed at 3 s (ends 63 s), .8 made at 10 s (ends 70 s) */
	n = contain_expired(c, 62 * NS, out, 8);
	testlib_case("nothing expires before its TTL", n == 0 && contain_active(c) == 2, "n=%zu", n);
	n = contain_expired(c, 63 * NS, out, 8);
	testlib_case("the renewed block ends 60 s after its renewal", n == 1 && out[0].addr[15] == 7 &&
		     contain_active(c) == 1, "n=%zu last=%u", n, n ? out[0].addr[15] : 0);
	memset(&inc, 0, sizeof(inc));
	inc.det = DETECT_FLOOD;
	inc.state = DETECT_UPDATE;
	inc.incident_id = 3;
	testlib_case("after expiry an incident's events are no longer 'blocked'",
		     contain_incident(c, &inc, NULL, 0, 64 * NS, &key) == CONTAIN_NONE, "%s", "");
	inc.state = DETECT_START;
	inc.incident_id = 11;
	inc.action = CONFIG_ACTION_BLOCK;
	v4(inc.src, 198, 51, 100, 7);
	testlib_case("a new incident after the TTL blocks again",
		     contain_incident(c, &inc, NULL, 0, 65 * NS, &key) == CONTAIN_BLOCK && contain_active(c) == 2, "%s", "");
	testlib_case("forget undoes a block that could not be applied",
		     contain_forget(c, &key) == 0 && contain_active(c) == 1 && contain_forget(c, &key) == -ENOENT, "%s", "");
	n = contain_expired(c, 1000 * NS, out, 1);
	testlib_case("expiry hands back at most max", n == 1 && out[0].addr[15] == 8 && contain_active(c) == 0,
		     "n=%zu", n);
	testlib_case("blocks made in all", contain_total(c) == 2, "total %llu", (unsigned long long)contain_total(c));

	/* drain at shutdown; new ttl applies to new blocks only */
	cfg.ttl_ns = 5 * NS;
	contain_set_cfg(c, &cfg);
	inc.incident_id = 12;
	contain_incident(c, &inc, NULL, 0, 2000 * NS, &key);
	n = contain_expired(c, 2004 * NS, out, 8);
	testlib_case("SIGHUP: the new TTL applies", n == 0 && contain_expired(c, 2005 * NS, out, 8) == 1, "%s", "");
	contain_incident(c, &inc, NULL, 0, 3000 * NS, &key);
	inc.incident_id = 13;
	v4(inc.src, 198, 51, 100, 9);
	contain_incident(c, &inc, NULL, 0, 3000 * NS, &key);
	n = contain_drain(c, out, 8);
	testlib_case("drain hands back every block", n == 2 && contain_active(c) == 0, "n=%zu", n);
	contain_free(c);
	contain_free(NULL);
	return testlib_done();
}
