// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_detect_state.c: the registry's save, load and reconfigure. A detector
 * that learned (synflood, through the generic table layout) is saved, restored
 * into a fresh registry on another clock, and judges at once; SIGHUP settings
 * change thresholds without dropping baselines; bad input is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detharn.h"
#include "testlib.h"

#define T1 (1700000000ULL * NS)
#define T2 (1800000000ULL * NS)	/* the restart: a different clock entirely */
#define HOST IP4(10, 0, 0, 1)

static const char *yaml = "sensor: {home_net: [10.0.0.0/8]}\n"
			  "detectors: {synflood: {learning_s: 30}}\n";
#define CLIENT IP4(10, 0, 0, 2)

/* 60 s of five handshakes a second from CLIENT to HOST, each completed */
static void calm(struct harn *h, uint64_t t0)
{
	unsigned int s, i;

	for (s = 0; s < 60; s++)
		for (i = 0; i < 5; i++) {
			uint64_t t = t0 + s * NS + i * (NS / 5);
			uint16_t port = (uint16_t)(40000 + s * 5 + i);

			harn_pkt(h, t, 6, CLIENT, HOST, port, 443, 0x02, 60, NULL, 0);
			harn_pkt(h, t + 1000000, 6, HOST, CLIENT, 443, port, 0x12, 60, NULL, 0);
			harn_pkt(h, t + 2000000, 6, CLIENT, HOST, port, 443, 0x10, 60, NULL, 0);
		}
}

/* n SYNs in one second towards HOST from spoofed sources, never completed */
static void burst_n(struct harn *h, uint64_t t0, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		harn_pkt(h, t0 + i * (NS / n), 6, IP4(100, 64, i / 250, i % 250 + 1), HOST, (uint16_t)(30000 + i), 443,
			 0x02, 60, NULL, 0);
	detect_tick(h->d, t0 + 3 * NS);
}

static void burst(struct harn *h, uint64_t t0)
{
	burst_n(h, t0, 40);
}

static unsigned int starts(const struct harn *h, enum detect_id id, bool *learning)
{
	unsigned int i, n = 0;

	for (i = 0; i < h->n; i++)
		if (h->inc[i].det == id && h->inc[i].state == DETECT_START) {
			if (learning)
				*learning = h->inc[i].learning;
			n++;
		}
	return n;
}

/*
 * newservice and beacon keep their own formats: a learned port set with the
 * learning age, and per-pair intervals. Saved on one clock, restored on an
 * earlier one (another clock): the new service is reported at once, and the
 * beacon's three earlier contacts count; damaged sections are refused.
 */
static void test_newservice_beacon(void)
{
	static const char *y = "sensor: {home_net: [10.0.0.0/8]}\ndetectors: {newservice: {learning_s: 60}}\n";
	struct harn a, b;
	size_t nsz, bsz;
	long nlen, blen;
	void *nbuf = NULL, *bbuf = NULL;
	unsigned int i;
	int rc;

	if (harn_init(&a, y))
		return;
	for (i = 0; i < 70; i++) {	/* 70 s serving 22; three check-ins 30 s apart */
		harn_pkt(&a, T2 + i * NS, 6, HOST, IP4(198, 51, 100, 1), 22, 40000 + i, 0x12, 60, NULL, 0);
		if (i % 30 == 0)
			harn_pkt(&a, T2 + i * NS, 6, HOST, IP4(203, 0, 113, 9), 50000 + i, 8443, 0x02, 60, NULL, 0);
	}
	detect_tick(a.d, T2 + 70 * NS);
	nsz = detect_save_size(a.d, DETECT_NEWSERVICE);
	bsz = detect_save_size(a.d, DETECT_BEACON);
	nbuf = malloc(nsz);
	bbuf = malloc(bsz);
	nlen = nbuf ? detect_save(a.d, DETECT_NEWSERVICE, nbuf, nsz) : -ENOMEM;
	blen = bbuf ? detect_save(a.d, DETECT_BEACON, bbuf, bsz) : -ENOMEM;
	testlib_case("newservice and beacon save what they learned", nlen > 0 && blen > 0, "%ld %ld", nlen, blen);
	harn_done(&a, T2 + 71 * NS);
	if (nlen <= 0 || blen <= 0)
		goto cleanup;

	harn_init(&b, y);
	rc = detect_load(b.d, DETECT_NEWSERVICE, nbuf, (size_t)nlen);
	testlib_case("newservice: learned keys restored", rc >= 1, "rc %d", rc);
	rc = detect_load(b.d, DETECT_BEACON, bbuf, (size_t)blen);
	testlib_case("beacon: pairs restored", rc == 1, "rc %d", rc);
	/* on an earlier clock: 22 is still known, 4444 is new at once (learning age kept) */
	harn_pkt(&b, T1, 6, HOST, IP4(198, 51, 100, 1), 22, 41000, 0x12, 60, NULL, 0);
	harn_pkt(&b, T1 + NS, 6, HOST, IP4(198, 51, 100, 1), 4444, 41001, 0x12, 60, NULL, 0);
	testlib_case("newservice restored: only the new port, at its first answer", b.starts[DETECT_NEWSERVICE] == 1 &&
		     harn_first(&b, DETECT_NEWSERVICE)->dst_port == 4444, "starts %u", b.starts[DETECT_NEWSERVICE]);
	/* saved 10 s after the last check-in, that clock moved to T1: the next comes 30 s after it */
	harn_pkt(&b, T1 + 20 * NS, 6, HOST, IP4(203, 0, 113, 9), 50010, 8443, 0x02, 60, NULL, 0);
	testlib_case("beacon restored: the 4th contact decides (three came before the restart)",
		     b.starts[DETECT_BEACON] == 1 && harn_first(&b, DETECT_BEACON)->count == 4, "starts %u",
		     b.starts[DETECT_BEACON]);
	harn_done(&b, T1 + 100 * NS);

	harn_init(&b, y);
	testlib_case("newservice: truncated is -EINVAL",
		     detect_load(b.d, DETECT_NEWSERVICE, nbuf, (size_t)nlen - 1) == -EINVAL, "%s", "");
	testlib_case("beacon: truncated is -EINVAL", detect_load(b.d, DETECT_BEACON, bbuf, (size_t)blen - 1) == -EINVAL,
		     "%s", "");
	((uint32_t *)bbuf)[0] = 99;
	testlib_case("beacon: another version is -EPROTO", detect_load(b.d, DETECT_BEACON, bbuf, (size_t)blen) == -EPROTO,
		     "%s", "");
	harn_done(&b, T1);
cleanup:
	free(nbuf);
	free(bbuf);
}

int main(void)
{
	struct harn a, b, c;
	size_t size;
	long len;
	void *buf;
	bool learning = true;
	int rc;

	if (!testlib_case("registry up", harn_init(&a, yaml) == 0, "%s", "bad config"))
		return testlib_done();
	calm(&a, T1);
	detect_tick(a.d, T1 + 61 * NS);
	size = detect_save_size(a.d, DETECT_SYNFLOOD);
	buf = malloc(size);
	len = buf ? detect_save(a.d, DETECT_SYNFLOOD, buf, size) : -ENOMEM;
	testlib_case("synflood saves the hosts it learned", len > 0 && (size_t)len <= size, "len %ld size %zu", len,
		     size);
	testlib_case("a short buffer is -ENOSPC", detect_save(a.d, DETECT_SYNFLOOD, buf, 20) == -ENOSPC, "%s", "");
	testlib_case("no such detector: nothing to save", detect_save_size(a.d, DETECT_MAX) == 0 &&
		     detect_save(a.d, DETECT_MAX, buf, size) == -ENOENT, "%s", "");

	/* restore into a fresh registry on another clock: judged at once, as learned */
	harn_init(&b, yaml);
	rc = detect_load(b.d, DETECT_SYNFLOOD, buf, (size_t)len);
	testlib_case("load: the server and its client restored", rc == 2, "rc %d", rc);
	burst(&b, T2);
	testlib_case("restored: the burst alerts at once, not learning", starts(&b, DETECT_SYNFLOOD, &learning) == 1 &&
		     !learning, "starts %u learning %d", starts(&b, DETECT_SYNFLOOD, NULL), learning);
	testlib_case("load after frames is -EBUSY", detect_load(b.d, DETECT_SYNFLOOD, buf, (size_t)len) == -EBUSY,
		     "%s", "");
	harn_done(&b, T2 + 10 * NS);

	/* control: the same burst without the state alerts as learning (the floor alone) */
	harn_init(&c, yaml);
	burst(&c, T2);
	testlib_case("control: a fresh registry alerts while still learning",
		     starts(&c, DETECT_SYNFLOOD, &learning) == 1 && learning, "starts %u",
		     starts(&c, DETECT_SYNFLOOD, NULL));
	harn_done(&c, T2 + 10 * NS);

	/* damaged sections are refused */
	harn_init(&c, yaml);
	testlib_case("load: truncated is -EINVAL", detect_load(c.d, DETECT_SYNFLOOD, buf, (size_t)len - 1) == -EINVAL,
		     "%s", "");
	((uint32_t *)buf)[0] = 99;
	testlib_case("load: another version is -EPROTO",
		     detect_load(c.d, DETECT_SYNFLOOD, buf, (size_t)len) == -EPROTO, "%s", "");
	testlib_case("load: a detector switched off is -ENOENT",
		     detect_load(c.d, DETECT_MAX, buf, (size_t)len) == -ENOENT, "%s", "");
	harn_done(&c, T2);

	/* SIGHUP: new thresholds, same baselines */
	a.cfg.synflood.floor = 1000;
	rc = detect_reconfigure(a.d, &a.cfg);
	testlib_case("reconfigure applies", rc == 0, "rc %d", rc);
	testlib_case("reconfigure keeps what was learned", detect_save_size(a.d, DETECT_SYNFLOOD) == size,
		     "%zu vs %zu", detect_save_size(a.d, DETECT_SYNFLOOD), size);
	burst(&a, T1 + 100 * NS);
	testlib_case("reconfigure: floor 1000 silences the burst", starts(&a, DETECT_SYNFLOOD, NULL) == 0, "starts %u",
		     starts(&a, DETECT_SYNFLOOD, NULL));
	a.cfg.synflood.floor = 10;
	detect_reconfigure(a.d, &a.cfg);
	burst_n(&a, T1 + 200 * NS, 200);
	testlib_case("reconfigure back: the next burst alerts, learned (no relearning)",
		     starts(&a, DETECT_SYNFLOOD, &learning) == 1 && !learning, "starts %u",
		     starts(&a, DETECT_SYNFLOOD, NULL));
	a.cfg.portscan.n_allow_ports = 1;
	snprintf(a.cfg.portscan.allow_ports[0], sizeof(a.cfg.portscan.allow_ports[0]), "%s", "http");
	testlib_case("reconfigure: a bad allow_ports entry is refused", detect_reconfigure(a.d, &a.cfg) == -EINVAL,
		     "%s", "");
	testlib_case("refused reconfigure changed nothing", detect_save_size(a.d, DETECT_SYNFLOOD) > 0, "%s", "");
	a.cfg.portscan.n_allow_ports = 0;
	a.cfg.synflood.enabled = false;
	testlib_case("reconfigure: a detector switched off is dropped",
		     detect_reconfigure(a.d, &a.cfg) == 0 && detect_save(a.d, DETECT_SYNFLOOD, buf, size) == -ENOENT,
		     "%s", "");
	a.cfg.synflood.enabled = true;
	testlib_case("reconfigure: switched on again, it starts from scratch",
		     detect_reconfigure(a.d, &a.cfg) == 0 && detect_save(a.d, DETECT_SYNFLOOD, buf, size) > 0 &&
		     detect_save_size(a.d, DETECT_SYNFLOOD) < size, "%s", "");
	harn_done(&a, T1 + 300 * NS);
	free(buf);
	test_newservice_beacon();
	return testlib_done();
}
