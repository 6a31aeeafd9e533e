// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_evwire.c: the evidence messages' decoding rules (lib/wire.c), the
 * pcapng completeness check (sensor/publish_evidence.c) and the collector's
 * routing/pending/path rules (collector/collector_evidence.c), one row a case.
 */
#include <stdio.h>
#include <string.h>

#include "wire.h"
#include "publish_evidence.h"
#include "collector_evidence.h"

static int pass, fail;

static void check(const char *name, int ok)
{
	printf("  %-52s %s\n", name, ok ? "ok" : "FAIL");
	ok ? pass++ : fail++;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

int main(void)
{
	uint8_t id1[8], id0[8], st_ok = 0, st_nf = 1, st_bad = 9;
	char hex[65], upper[65];
	struct wire_evreq req;
	struct wire_evrep rep;

	wire_put_u64(id1, 1);
	wire_put_u64(id0, 0);
	memset(hex, 'a', 64);
	hex[64] = 0;
	memset(upper, 'A', 64);
	upper[64] = 0;

	const struct {
		const char *name;
		struct wire_frame f[4];
		size_t n;
		enum wire_verdict want;
	} reqs[] = {
		{ "request: valid", { { "VGE1", 4 }, { id1, 8 }, { id1, 8 } }, 3, WIRE_OK },
		{ "request: 2 frames", { { "VGE1", 4 }, { id1, 8 } }, 2, WIRE_BAD_FRAMES },
		{ "request: 4 frames", { { "VGE1", 4 }, { id1, 8 }, { id1, 8 }, { "", 0 } }, 4, WIRE_BAD_FRAMES },
		{ "request: ack magic", { { "VGA1", 4 }, { id1, 8 }, { id1, 8 } }, 3, WIRE_BAD_MAGIC },
		{ "request: request id 0", { { "VGE1", 4 }, { id0, 8 }, { id1, 8 } }, 3, WIRE_BAD_ID },
		{ "request: incident id 0", { { "VGE1", 4 }, { id1, 8 }, { id0, 8 } }, 3, WIRE_BAD_ID },
		{ "request: 7-byte incident", { { "VGE1", 4 }, { id1, 8 }, { id1, 7 } }, 3, WIRE_BAD_ID },
	};
	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		check(reqs[i].name, wire_evreq_decode(reqs[i].f, reqs[i].n, &req) == reqs[i].want);

	const struct {
		const char *name;
		struct wire_frame f[8];
		size_t n;
		enum wire_verdict want;
	} reps[] = {
		{ "reply: ok", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { "s1-flood-1.pcapng", 17 }, { hex, 64 }, { "x", 1 } }, 7, WIRE_OK },
		{ "reply: not_found, empty", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7, WIRE_OK },
		{ "reply: 8 frames", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 }, { "", 0 } }, 8, WIRE_BAD_FRAMES },
		{ "reply: bad magic", { { "VGRX", 4 }, { "s1", 2 }, { id1, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7, WIRE_BAD_MAGIC },
		{ "reply: empty sensor", { { "VGR1", 4 }, { "", 0 }, { id1, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7, WIRE_BAD_NAME },
		{ "reply: request id 0", { { "VGR1", 4 }, { "s1", 2 }, { id0, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7, WIRE_BAD_ID },
		{ "reply: status 9", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_bad, 1 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7, WIRE_BAD_STATUS },
		{ "reply: 2-byte status", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { "\0\0", 2 }, { "", 0 }, { "", 0 }, { "", 0 } }, 7, WIRE_BAD_STATUS },
		{ "reply: ok without file name", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { "", 0 }, { hex, 64 }, { "x", 1 } }, 7, WIRE_BAD_FILE_NAME },
		{ "reply: name with '/'", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { "../x", 4 }, { hex, 64 }, { "x", 1 } }, 7, WIRE_BAD_FILE_NAME },
		{ "reply: name starting with '.'", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { ".x", 2 }, { hex, 64 }, { "x", 1 } }, 7, WIRE_BAD_FILE_NAME },
		{ "reply: 63 hex digits", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { "x", 1 }, { hex, 63 }, { "x", 1 } }, 7, WIRE_BAD_DIGEST },
		{ "reply: upper-case digest", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { "x", 1 }, { upper, 64 }, { "x", 1 } }, 7, WIRE_BAD_DIGEST },
		{ "reply: digest without a file", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_nf, 1 }, { "", 0 }, { hex, 64 }, { "", 0 } }, 7, WIRE_BAD_DIGEST },
		{ "reply: ok with no bytes", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_ok, 1 }, { "x", 1 }, { hex, 64 }, { "", 0 } }, 7, WIRE_BAD_SIZE },
		{ "reply: not_found with bytes", { { "VGR1", 4 }, { "s1", 2 }, { id1, 8 }, { &st_nf, 1 }, { "", 0 }, { "", 0 }, { "x", 1 } }, 7, WIRE_BAD_SIZE },
	};
	for (size_t i = 0; i < sizeof(reps) / sizeof(reps[0]); i++)
		check(reps[i].name, wire_evrep_decode(reps[i].f, reps[i].n, &rep) == reps[i].want);

	/* pcapng: SHB (28 bytes) + IDB (20 bytes), then cut or corrupt */
	uint8_t pc[48] = { 0 };
	put32(pc, 0x0A0D0D0A);
	put32(pc + 4, 28);
	put32(pc + 8, 0x1A2B3C4D);
	put32(pc + 24, 28);
	put32(pc + 28, 1);
	put32(pc + 32, 20);
	put32(pc + 44, 20);
	check("pcapng: two whole blocks", publish_evidence_pcapng_whole(pc, 48));
	check("pcapng: cut inside the second block", !publish_evidence_pcapng_whole(pc, 44));
	check("pcapng: section header only", publish_evidence_pcapng_whole(pc, 28));
	check("pcapng: empty", !publish_evidence_pcapng_whole(pc, 0));
	put32(pc + 44, 24);
	check("pcapng: trailing length differs", !publish_evidence_pcapng_whole(pc, 48));
	put32(pc + 44, 20);
	put32(pc, 0x12345678);
	check("pcapng: not a section header first", !publish_evidence_pcapng_whole(pc, 48));

	/* collector: paths, routes, pending */
	check("path: sensor 'edge-1'", collector_ev_sensor_path_ok("edge-1"));
	check("path: sensor '..' refused", !collector_ev_sensor_path_ok(".."));
	check("path: sensor 'a/b' refused", !collector_ev_sensor_path_ok("a/b"));

	struct collector_ev_routes *r = collector_ev_routes_new(0);
	size_t len = 0;
	const uint8_t *rid;

	collector_ev_routes_set(r, "s1", "AAAA", 4, 1);
	collector_ev_routes_set(r, "s2", "BBBBB", 5, 2);
	collector_ev_routes_set(r, "s1", "CC", 2, 3);
	rid = collector_ev_routes_get(r, "s1", &len, NULL);
	check("routes: the latest routing id wins", rid && len == 2 && !memcmp(rid, "CC", 2));
	check("routes: unknown sensor", !collector_ev_routes_get(r, "s3", &len, NULL));
	collector_ev_routes_free(r);

	struct collector_ev_pending tab[COLLECTOR_EV_PENDING_MAX] = { 0 }, *p = collector_ev_pending_slot(tab);

	p->used = true;
	p->request_id = 7;
	strcpy(p->sensor, "s1");
	memcpy(p->sensor_rid, "RID", 3);
	p->sensor_rid_len = 3;
	rep = (struct wire_evrep){ .sensor = "s1", .sensor_len = 2, .request_id = 7 };
	check("pending: the asked sensor's answer matches", collector_ev_pending_match(tab, &rep, "RID", 3) == p);
	check("pending: same name, other connection: no", !collector_ev_pending_match(tab, &rep, "XYZ", 3));
	rep.sensor = "s2";
	check("pending: other sensor name: no", !collector_ev_pending_match(tab, &rep, "RID", 3));
	rep.sensor = "s1";
	rep.request_id = 8;
	check("pending: other request id: no", !collector_ev_pending_match(tab, &rep, "RID", 3));

	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
