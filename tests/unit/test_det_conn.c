// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_det_conn.c: the conversations the detectors share (det_conn.c) and the
 * application facts read from them (det_app.c). Each row is a scripted
 * exchange and the outcome it must have: who is the client, which events
 * came (refused, unanswered, half-open, ended), what the bytes said.
 */
#include <stdlib.h>
#include <string.h>

#include "det_app.h"
#include "det_conn.h"
#include "pkt.h"
#include "testlib.h"

#define NS 1000000000ULL

static const uint32_t A = 0x0a010101, B = 0x0a010102, OUT = 0xc6336407;

struct seen {
	unsigned int ev[DET_CONN_EV_MAX];
	struct det_conn last;
};

static void on_event(void *ctx, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns)
{
	struct seen *s = ctx;

	(void)now_ns;
	s->ev[ev]++;
	s->last = *c;
}

static void ip4(uint8_t a[16], uint32_t v)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(v >> 24);
	a[13] = (uint8_t)(v >> 16);
	a[14] = (uint8_t)(v >> 8);
	a[15] = (uint8_t)v;
}

/* one packet; returns its conversation (NULL: none) and whether it came from the client */
static const struct det_conn *pkt(struct det_conns *c, uint64_t t, uint8_t proto, uint32_t s, uint32_t d, uint16_t sp,
				  uint16_t dp, uint8_t flags, const void *payload, uint32_t len, bool *cli, uint16_t *news)
{
	struct pkt_info pi = { 0 };
	bool fc;
	uint16_t nw;

	ip4(pi.src, s);
	ip4(pi.dst, d);
	pi.proto = proto;
	pi.ip_ver = 4;
	pi.src_port = sp;
	pi.dst_port = dp;
	pi.tcp_flags = flags;
	pi.len = 60 + len;
	return det_conns_packet(c, t, &pi, payload, len, (s >> 24) == 10, (d >> 24) == 10, cli ? cli : &fc,
				news ? news : &nw);
}

static void test_outcomes(void)
{
	struct seen s = { 0 };
	struct det_conns *c = det_conns_new(1024, on_event, &s);
	const struct det_conn *k;
	bool cli;
	uint8_t icmp[36] = { 3, 3, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0,
			     10, 1, 1, 1, 10, 1, 1, 2, 0x9c, 0x40, 0x00, 0x35 };

	/* a refused SYN: the RST is a refusal, then the end */
	pkt(c, 1 * NS, 6, A, B, 40000, 23, 0x02, NULL, 0, NULL, NULL);
	k = pkt(c, 1 * NS + 1000, 6, B, A, 23, 40000, 0x14, NULL, 0, &cli, NULL);
	testlib_case("a RST to a SYN: refused, ended", k && !cli && s.ev[DET_CONN_EV_REFUSED] == 1 &&
		     s.ev[DET_CONN_EV_END] == 1 && (k->status & DET_CONN_REFUSED), "refused %u end %u",
		     s.ev[DET_CONN_EV_REFUSED], s.ev[DET_CONN_EV_END]);
	/* a SYN scan of an open port: SYN, SYN-ACK, the client's RST */
	pkt(c, 2 * NS, 6, A, B, 40001, 80, 0x02, NULL, 0, NULL, NULL);
	pkt(c, 2 * NS + 1000, 6, B, A, 80, 40001, 0x12, NULL, 0, NULL, NULL);
	k = pkt(c, 2 * NS + 2000, 6, A, B, 40001, 80, 0x04, NULL, 0, &cli, NULL);
	testlib_case("SYN, SYN-ACK, client RST: half-open", k && cli && s.ev[DET_CONN_EV_HALFOPEN] == 1 &&
		     (k->status & DET_CONN_ANSWERED), "halfopen %u", s.ev[DET_CONN_EV_HALFOPEN]);
	/* an ACK probe answered by RST: the first packet's sender is the client, refused */
	pkt(c, 3 * NS, 6, A, B, 40002, 50000, 0x10, NULL, 0, NULL, NULL);
	k = pkt(c, 3 * NS + 1000, 6, B, A, 50000, 40002, 0x04, NULL, 0, &cli, NULL);
	testlib_case("bare ACK answered by RST: refused, client is the prober",
		     k && !cli && (k->status & DET_CONN_MIDSTREAM) && s.ev[DET_CONN_EV_REFUSED] == 2 &&
		     k->cport == 40002, "refused %u", s.ev[DET_CONN_EV_REFUSED]);
	/* a UDP probe refused by ICMP port unreachable quoting it */
	pkt(c, 4 * NS, 17, A, B, 40000, 53, 0, "x", 1, NULL, NULL);
	k = pkt(c, 4 * NS + 1000, 1, B, A, 3, 3, 0, icmp, sizeof(icmp), NULL, NULL);
	testlib_case("ICMP port unreachable refuses the UDP probe it quotes", !k && s.ev[DET_CONN_EV_REFUSED] == 3,
		     "refused %u", s.ev[DET_CONN_EV_REFUSED]);
	/* an unanswered SYN to the LAN: unanswered after a second */
	pkt(c, 5 * NS, 6, A, B, 40003, 445, 0x02, NULL, 0, NULL, NULL);
	det_conns_tick(c, 5 * NS + NS / 2);
	testlib_case("unanswered: not before the answer time", s.ev[DET_CONN_EV_UNANSWERED] == 0, "%u",
		     s.ev[DET_CONN_EV_UNANSWERED]);
	det_conns_tick(c, 6 * NS + NS / 10);
	testlib_case("unanswered: after it", s.ev[DET_CONN_EV_UNANSWERED] == 1, "%u", s.ev[DET_CONN_EV_UNANSWERED]);
	/* a DNS answer seen before its query: the client is the lower... the one that asked */
	k = pkt(c, 7 * NS, 17, B, A, 53, 53000, 0, "y", 1, &cli, NULL);
	testlib_case("an answer seen first: its receiver is the client", k && !cli && k->cport == 53000 &&
		     (k->status & DET_CONN_ANSWERED), "cport %u", k ? k->cport : 0);
	/* a multicast destination is never unanswered */
	pkt(c, 8 * NS, 17, A, 0xeffffffa, 50000, 1900, 0, "M-SEARCH", 8, NULL, NULL);
	det_conns_tick(c, 20 * NS);
	testlib_case("multicast: no answer expected", s.ev[DET_CONN_EV_UNANSWERED] == 1, "%u",
		     s.ev[DET_CONN_EV_UNANSWERED]);
	/* a full TCP session: FIN both ways ends it, with both sides' bytes */
	pkt(c, 30 * NS, 6, A, OUT, 41000, 443, 0x02, NULL, 0, NULL, NULL);
	pkt(c, 30 * NS + 1000, 6, OUT, A, 443, 41000, 0x12, NULL, 0, NULL, NULL);
	pkt(c, 30 * NS + 2000, 6, A, OUT, 41000, 443, 0x18, "\x16\x03\x01\x00\x05hello", 10, NULL, NULL);
	pkt(c, 30 * NS + 3000, 6, OUT, A, 443, 41000, 0x18, "\x16\x03\x03world!!", 10, NULL, NULL);
	pkt(c, 30 * NS + 4000, 6, A, OUT, 41000, 443, 0x11, NULL, 0, NULL, NULL);
	k = pkt(c, 30 * NS + 5000, 6, OUT, A, 443, 41000, 0x11, NULL, 0, NULL, NULL);
	testlib_case("FIN both ways: ended, bytes each way, TLS", k && (k->status & DET_CONN_ENDED) &&
		     s.last.bytes[0] == 10 && s.last.bytes[1] == 10 && s.last.app == DET_APP_TLS &&
		     s.last.home == 1, "bytes %llu/%llu app %u home %u", (unsigned long long)s.last.bytes[0],
		     (unsigned long long)s.last.bytes[1], s.last.app, s.last.home);
	/* an SSDP search to the group, answered by a device's unicast from 1900: the searcher is the client */
	pkt(c, 40 * NS, 17, A, 0xeffffffa, 50500, 1900, 0, "M-SEARCH", 8, NULL, NULL);
	k = pkt(c, 40 * NS + 5000000, 17, B, A, 1900, 50500, 0, "HTTP/1.1 200", 12, &cli, NULL);
	testlib_case("a unicast answer to a group request: its receiver is the client, answered",
		     k && !cli && k->cport == 50500 && (k->status & DET_CONN_ANSWERED), "cli %d status %x", cli,
		     k ? k->status : 0);
	/* refused, and the client tries thrice more (as Windows does): one failed attempt of four tries */
	{
		unsigned int before = s.ev[DET_CONN_EV_FAILED];

		for (int i = 0; i < 4; i++) {
			pkt(c, 50 * NS + i * (NS / 2), 6, A, OUT, 41500, 6346, 0x02, NULL, 0, NULL, NULL);
			pkt(c, 50 * NS + i * (NS / 2) + 1000, 6, OUT, A, 6346, 41500, 0x14, NULL, 0, NULL, NULL);
		}
		det_conns_tick(c, 55 * NS);
		testlib_case("retries after a refusal fold into one failed attempt",
			     s.ev[DET_CONN_EV_FAILED] == before + 1 && s.last.pkts[0] == 4, "failed %u tries %u",
			     s.ev[DET_CONN_EV_FAILED] - before, s.last.pkts[0]);
		/* one SYN outside, never answered: failed with one try once the 4 s answer time is up */
		pkt(c, 60 * NS, 6, A, OUT, 41600, 23, 0x02, NULL, 0, NULL, NULL);
		det_conns_tick(c, 63 * NS);
		testlib_case("a single-shot probe outside: not failed before 4 s",
			     s.ev[DET_CONN_EV_FAILED] == before + 1, "%u", s.ev[DET_CONN_EV_FAILED] - before);
		det_conns_tick(c, 64 * NS + NS / 2);
		testlib_case("... failed after, with one try", s.ev[DET_CONN_EV_FAILED] == before + 2 &&
			     s.last.pkts[0] == 1 && s.last.sport == 23, "%u tries %u", s.ev[DET_CONN_EV_FAILED] - before,
			     s.last.pkts[0]);
	}
	det_conns_finish(c, 100 * NS);
	det_conns_free(c);
}

/* Application facts: identification by banner, clear-text verdicts, DCE/RPC and SMB2. */
static void test_app(void)
{
	static const uint8_t krb_err24[] = { 0, 0, 0, 0x2b, 0x7e, 0x29, 0x30, 0x27, 0xa0, 3, 2, 1, 5, 0xa1, 3, 2, 1,
					     30, 0xa4, 0x11, 0x18, 0x0f, '2', '0', '2', '6', '1', '2', '0', '7', '1',
					     '2', '0', '0', '0', '0', 'Z', 0xa5, 3, 2, 1, 0, 0xa6, 3, 2, 1, 24 };
	static const uint8_t krb_err25[] = { 0, 0, 0, 0x2b, 0x7e, 0x29, 0x30, 0x27, 0xa0, 3, 2, 1, 5, 0xa1, 3, 2, 1,
					     30, 0xa4, 0x11, 0x18, 0x0f, '2', '0', '2', '6', '1', '2', '0', '7', '1',
					     '2', '0', '0', '0', '0', 'Z', 0xa5, 3, 2, 1, 0, 0xa6, 3, 2, 1, 25 };
	/* a DCE/RPC bind (little-endian) to svcctl, context 0, NDR transfer syntax */
	uint8_t bind[72] = { 5, 0, 11, 3, 0x10, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0, 0xb8, 0x10, 0xb8, 0x10, 0, 0, 0, 0,
			     1, 0, 0, 0, 0, 0, 1, 0,
			     0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35, 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03,
			     2, 0, 0, 0,
			     0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60,
			     2, 0, 0, 0 };
	/* and a request on that context: opnum 12, CreateServiceW */
	uint8_t req[24] = { 5, 0, 0, 3, 0x10, 0, 0, 0, 24, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0 };
	/* SMB2 TREE_CONNECT to \\h\ADMIN$ (NetBIOS framing, 64-byte header, 8-byte body, the path) */
	uint8_t tc[4 + 64 + 8 + 16] = { 0, 0, 0, 64 + 8 + 16, 0xfe, 'S', 'M', 'B', 64 };
	static const char path[] = "h\\ADMIN$";
	struct det_app_facts f = { 0 };
	unsigned int i;

	testlib_case("identify: SSH on any port", det_app_identify((const uint8_t *)"SSH-2.0-x\r\n", 11, false, 6,
									  2222, 40000) == DET_APP_SSH, "no");
	testlib_case("identify: FTP greeting", det_app_identify((const uint8_t *)"220 FTP ready\r\n", 15, false, 6,
								   21, 40000) == DET_APP_FTP, "no");
	testlib_case("identify: DCE/RPC bind", det_app_identify(bind, sizeof(bind), true, 6, 40000, 49668) ==
		     DET_APP_DCERPC, "no");
	testlib_case("identify: Kerberos over TCP", det_app_identify(krb_err24, sizeof(krb_err24), false, 6, 88,
								   40000) == DET_APP_KRB, "no");
	det_app_segment(&f, DET_APP_KRB, false, krb_err25, sizeof(krb_err25));
	testlib_case("kerberos: PREAUTH_REQUIRED is no refusal", f.auth_fail == 0, "%u", f.auth_fail);
	det_app_segment(&f, DET_APP_KRB, false, krb_err24, sizeof(krb_err24));
	testlib_case("kerberos: PREAUTH_FAILED is", f.auth_fail == 1, "%u", f.auth_fail);
	memset(&f, 0, sizeof(f));
	det_app_segment(&f, DET_APP_DCERPC, true, bind, sizeof(bind));
	det_app_segment(&f, DET_APP_DCERPC, true, req, sizeof(req));
	testlib_case("dcerpc: svcctl bound, CreateServiceW called",
		     (f.rpc_ifaces & (1u << DET_RPC_SVCCTL)) && (f.rpc_ops & DET_RPC_OP_SVC_CREATE), "ifaces %x ops %x",
		     f.rpc_ifaces, f.rpc_ops);
	memset(&f, 0, sizeof(f));
	tc[4 + 12] = 3;				/* command TREE_CONNECT */
	tc[4 + 64 + 4] = 64 + 8;		/* path offset from the SMB2 header */
	tc[4 + 64 + 6] = 16;			/* path length: "h\ADMIN$" in UTF-16LE */
	for (i = 0; i < 8; i++)
		tc[4 + 64 + 8 + 2 * i] = (uint8_t)path[i];
	det_app_segment(&f, DET_APP_SMB, true, tc, sizeof(tc));
	testlib_case("smb2: tree connect to ADMIN$", f.smb_shares == DET_SMB_ADMIN, "%x", f.smb_shares);
	memset(&f, 0, sizeof(f));
	det_app_segment(&f, DET_APP_FTP, true, (const uint8_t *)"PASS x\r\n", 8);
	det_app_segment(&f, DET_APP_FTP, false, (const uint8_t *)"530 Login incorrect\r\n", 21);
	det_app_segment(&f, DET_APP_FTP, true, (const uint8_t *)"PASS y\r\n", 8);
	det_app_segment(&f, DET_APP_FTP, false, (const uint8_t *)"230 Logged in\r\n", 15);
	testlib_case("ftp: one refused, then accepted", f.auth_fail == 1 && f.auth_ok, "fail %u ok %u", f.auth_fail,
		     f.auth_ok);
	memset(&f, 0, sizeof(f));
	det_app_segment(&f, DET_APP_HTTP, true, (const uint8_t *)"POST /wsman HTTP/1.1\r\nHost: h\r\n\r\n", 33);
	det_app_segment(&f, DET_APP_HTTP, false, (const uint8_t *)"HTTP/1.1 401 Unauthorized\r\n", 27);
	testlib_case("http: a 401 without credentials sent is no refused login", f.auth_fail == 0, "%u", f.auth_fail);
	det_app_segment(&f, DET_APP_HTTP, true,
			(const uint8_t *)"POST /x HTTP/1.1\r\nAuthorization: Basic eA==\r\n\r\n", 46);
	det_app_segment(&f, DET_APP_HTTP, false, (const uint8_t *)"HTTP/1.1 401 Unauthorized\r\n", 27);
	testlib_case("http: a 401 to credentials is", f.auth_fail == 1, "%u", f.auth_fail);
	/* any bytes at all: nothing reads past what it was given (run under ASan in CI) */
	for (i = 0; i < 2000; i++) {
		uint8_t junk[64];
		unsigned int j, n = i % 64;

		for (j = 0; j < n; j++)
			junk[j] = (uint8_t)(i * 31 + j * 7);
		if (n > 4)
			junk[4] = (uint8_t)(i & 1 ? 0xfe : 0x7e);
		for (j = DET_APP_SSH; j < DET_APP_MAX; j++)
			det_app_segment(&f, (enum det_app)j, i & 1, junk, n);
		f.parsed[0] = f.parsed[1] = 0;
		(void)det_app_identify(junk, n, i & 1, 6, 88, 389);
	}
	testlib_case("app readers: 2000 junk segments of every kind", true, "no");
}

int main(void)
{
	test_outcomes();
	test_app();
	return testlib_done();
}
