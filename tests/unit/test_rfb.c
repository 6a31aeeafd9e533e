// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_rfb.c: the RFB (VNC) handshake follower on scripted conversations of
 * protocol 3.3, 3.7 and 3.8, each fed three ways (as written, one byte per
 * segment, and a side's consecutive messages merged into one segment), which
 * must all end with the same outcome.
 */
#include <stdio.h>
#include <string.h>

#include "det_rfb.h"
#include "testlib.h"

struct msg {
	int server;		/* 1: from the server */
	const char *hex;	/* payload; "close": the client closes */
};

struct conv {
	const char *name;
	struct msg m[12];
	enum det_rfb_outcome want;
};

#define V33 "524642203030332e3030330a"
#define V37 "524642203030332e3030370a"
#define V38 "524642203030332e3030380a"
#define CHAL "435414aa5735603f719e3bab73fd2de5"
#define RESP "50e93126e93f23aeebc83832eb69af52"

static const struct conv convs[] = {
	{ "3.8 VNC auth refused (as zeek's vnc-scanner)",
	  { { 1, V38 }, { 0, V38 }, { 1, "02" }, { 1, "02" }, { 1, "10" }, { 0, "02" }, { 1, CHAL }, { 0, RESP },
	    { 1, "00000001" }, { 1, "00000029" } },
	  DET_RFB_AUTH_FAILED },
	{ "3.8 too many attempts", { { 1, V38 }, { 0, V38 }, { 1, "0102" }, { 0, "02" }, { 1, CHAL }, { 0, RESP },
				     { 1, "00000002" } }, DET_RFB_AUTH_FAILED },
	{ "3.8 VNC auth then ClientInit",
	  { { 1, V38 }, { 0, V38 }, { 1, "0102" }, { 0, "02" }, { 1, CHAL }, { 0, RESP }, { 1, "00000000" },
	    { 0, "01" } },
	  DET_RFB_USED },
	{ "3.8 no password, left before ClientInit",
	  { { 1, V38 }, { 0, V38 }, { 1, "020110" }, { 0, "01" }, { 1, "00000000" }, { 0, "close" } }, DET_RFB_LEFT },
	{ "3.7 no password (no result message), left", { { 1, V38 }, { 0, V37 }, { 1, "0101" }, { 0, "01" }, { 0, "close" } },
	  DET_RFB_LEFT },
	{ "3.3 VNC auth refused", { { 1, V33 }, { 0, V33 }, { 1, "00000002" }, { 1, CHAL }, { 0, RESP }, { 1, "00000001" } },
	  DET_RFB_AUTH_FAILED },
	{ "3.3 no password, ClientInit", { { 1, V33 }, { 0, V33 }, { 1, "00000001" }, { 0, "00" } }, DET_RFB_USED },
	{ "3.3 connection refused before security", { { 1, V33 }, { 0, V33 }, { 1, "00000000" }, { 1, "00000003" } },
	  DET_RFB_LOST },
	{ "3.8 no types offered", { { 1, V38 }, { 0, V38 }, { 1, "00" } }, DET_RFB_LOST },
	{ "3.8 VeNCrypt chosen: not followed", { { 1, V38 }, { 0, V38 }, { 1, "0113" }, { 0, "13" } }, DET_RFB_LOST },
	{ "client speaking out of turn", { { 1, V38 }, { 0, V38 }, { 0, "02" } }, DET_RFB_LOST },
	{ "client closing while authenticating", { { 1, V38 }, { 0, V38 }, { 1, "0102" }, { 0, "02" }, { 1, CHAL },
						   { 0, "close" } }, DET_RFB_PENDING },
	{ "bad client version", { { 1, V38 }, { 0, "524642203030342e3030300a" } }, DET_RFB_LOST },
};

static size_t hex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

struct seg {
	int server;		/* -1: the client closes */
	uint8_t b[256];
	uint32_t n;
	uint64_t t;
};

/* c's messages as segments. mode 0: as written, 1: a byte each, 2: a side's consecutive messages merged */
static size_t segments(const struct conv *c, int mode, struct seg *out, size_t max)
{
	size_t n = 0, i, k;
	uint64_t t = 1000;

	for (i = 0; i < 12 && c->m[i].hex && n < max; i++) {
		const struct msg *m = &c->m[i];
		uint8_t b[256];
		size_t len;

		t += 100000000;	/* 100 ms a message */
		if (!strcmp(m->hex, "close")) {
			out[n++] = (struct seg){ .server = -1, .t = t };
			continue;
		}
		len = hex(m->hex, b);
		if (mode == 2 && n && out[n - 1].server == m->server) {
			memcpy(out[n - 1].b + out[n - 1].n, b, len);
			out[n - 1].n += (uint32_t)len;
			out[n - 1].t = t;
			continue;
		}
		for (k = 0; k < len && n < max; k += mode == 1 ? 1 : len) {
			out[n] = (struct seg){ .server = m->server, .n = mode == 1 ? 1 : (uint32_t)len, .t = t };
			memcpy(out[n].b, b + k, out[n].n);
			n++;
		}
	}
	return n;
}

static enum det_rfb_outcome run(const struct conv *c, int mode, uint64_t *delay)
{
	static struct seg seg[256];
	struct det_rfb r;
	enum det_rfb_outcome out = DET_RFB_PENDING;
	size_t n = segments(c, mode, seg, 256), i;

	for (i = 0; i < n && out == DET_RFB_PENDING; i++) {
		if (seg[i].server < 0)
			out = det_rfb_client_closed(&r);
		else if (!i)
			out = det_rfb_start(&r, seg[i].b, seg[i].n, seg[i].t);
		else
			out = det_rfb_bytes(&r, seg[i].server, seg[i].b, seg[i].n, seg[i].t);
	}
	*delay = r.response_ns - r.challenge_ns;
	return out;
}

int main(void)
{
	static const char *const modes[] = { "as written", "byte by byte", "merged" };
	uint8_t b[16];
	size_t i;
	int mode;

	for (i = 0; i < sizeof(convs) / sizeof(convs[0]); i++)
		for (mode = 0; mode < 3; mode++) {
			uint64_t delay;
			enum det_rfb_outcome got = run(&convs[i], mode, &delay);
			char name[160];

			snprintf(name, sizeof(name), "%s (%s)", convs[i].name, modes[mode]);
			testlib_case(name, got == convs[i].want, "outcome %d, want %d", got, convs[i].want);
			if (i == 0 && mode == 0)
				testlib_case("3.8 refused: the answer came one message after the challenge", delay == 100000000,
					     "delay %llu ns", (unsigned long long)delay);
		}
	testlib_case("a server banner is recognised", det_rfb_is_banner(b, (uint32_t)hex(V38, b)), "no");
	testlib_case("an SSH banner is not", !det_rfb_is_banner((const uint8_t *)"SSH-2.0-OpenSSH\r\n", 17), "yes");
	testlib_case("a short segment is not", !det_rfb_is_banner(b, 11), "yes");
	testlib_case("NULL is not", !det_rfb_is_banner(NULL, 12), "yes");
	return testlib_done();
}
