// SPDX-License-Identifier: GPL-2.0-only
/*
 * synth_attack.c: the attacks that real captures showed vigil missing (issue
 * 15), as vigil-synth attack variants named "<detector>/<variant>": ACK,
 * window, all-ports UDP, IP-protocol and slow scans; outbound SYN sweeps and
 * UDP sprays; SSH brute force on another port and an RPC burst against a
 * domain controller; jittered C2 check-ins; an admin-protocol lateral
 * movement chain and a DCSync; a camera taken over. Each variant draws from a
 * generator seeded from the run's seed and its own name, so it is the same
 * wherever it is scheduled and leaves every other frame unchanged.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen_proto.h"
#include "synth.h"

#define ATK_SWEEP_NET SYNTH_IP(198, 18, 0, 0)	/* RFC 2544 space stands in for the Internet's hosts */

struct atk {
	struct synth *s;
	struct gen_rng r;
	uint32_t atk, vic;
	uint64_t end;
};

static uint64_t atk_ms(struct gen_rng *r, uint32_t lo, uint32_t hi)
{
	return (uint64_t)gen_rng_range(r, lo, hi) * SYNTH_MS;
}

/* a TCP segment with the given sequence numbers and window (a scanner's probes and the answers) */
static void atk_tcp(struct synth *s, uint64_t t, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp, uint8_t flags,
		    uint32_t seq, uint32_t ack, uint16_t win)
{
	struct gen_pkt *p = synth_add(s, t, 6, src, dst, sp, dp);

	if (p) {
		p->tcp_flags = flags;
		p->seq = seq;
		p->ack = ack;
		p->window = win;
	}
}

/* an ICMP error from src quoting the first 28 bytes of probe's IP packet (its header and 8 bytes) */
static void atk_icmp_error(struct synth *s, uint64_t t, uint32_t src, uint8_t type, uint8_t code,
			   const struct gen_pkt *probe)
{
	uint8_t f[GEN_FRAME_MAX];
	int len = gen_frame_build(probe, f, sizeof(f));
	size_t iplen, q;
	struct gen_pkt *p;

	if (len <= 0)
		return;
	iplen = (size_t)(f[16] << 8 | f[17]);	/* the IP length, not the Ethernet padding, says what is real */
	q = iplen < 28 ? iplen : 28;
	p = synth_add(s, t, 1, src, probe->saddr, 0, 0);
	if (p) {
		p->icmp_type = type;
		p->icmp_code = code;
		synth_set_bytes(s, f + 14, q);
	}
}

/* n distinct values in [lo, hi] in random order (n <= hi - lo + 1, hi - lo < 65536) */
static void atk_distinct(struct gen_rng *r, uint16_t *out, unsigned n, uint32_t lo, uint32_t hi)
{
	static uint8_t seen[65536 / 8];
	unsigned i = 0;

	memset(seen, 0, sizeof(seen));
	while (i < n) {
		uint32_t v = gen_rng_range(r, lo, hi), b = v - lo;

		if (seen[b / 8] & (1u << (b % 8)))
			continue;
		seen[b / 8] |= (uint8_t)(1u << (b % 8));
		out[i++] = (uint16_t)v;
	}
}

/* a standard normal draw (Box-Muller) */
static double atk_normal(struct gen_rng *r)
{
	double u = gen_rng_double(r), v = gen_rng_double(r);

	return sqrt(-2.0 * log1p(-u)) * cos(2.0 * M_PI * v);
}

/*
 * n gaps with exactly the given mean and coefficient of variation: drawn
 * normal (lognormal when lognormal), then standardised; none below min_s.
 */
static void atk_gaps(struct gen_rng *r, double *g, unsigned n, double mean, double cv, bool lognormal, double min_s)
{
	double m = 0, v = 0, sigma = sqrt(log1p(cv * cv));
	unsigned i;

	for (i = 0; i < n; i++) {
		g[i] = lognormal ? exp(sigma * atk_normal(r)) : atk_normal(r);
		m += g[i];
	}
	m /= n;
	for (i = 0; i < n; i++)
		v += (g[i] - m) * (g[i] - m);
	v = sqrt(v / n);
	for (i = 0; i < n; i++) {
		g[i] = mean + mean * cv * (g[i] - m) / v;
		if (g[i] < min_s)
			g[i] = min_s;
	}
}

/* ---- scans ---------------------------------------------------------------- */

/* nmap -sA / -sW: ~1000 bare ACKs to different ports in ~70 ms, each answered by a RST */
static void atk_ack_scan(struct atk *a, uint64_t t, bool window)
{
	uint16_t ports[1000], sp = (uint16_t)gen_rng_range(&a->r, 40000, 60000);
	unsigned i;

	a->atk = window ? SYNTH_IP(198, 51, 100, 82) : SYNTH_IP(198, 51, 100, 81);
	a->vic = SYNTH_WEB;
	atk_distinct(&a->r, ports, 1000, 1, 1024);
	for (i = 0; i < 1000; i++) {
		uint64_t at = t + i * 70000ULL;
		uint32_t ack = (uint32_t)gen_rng_next(&a->r);
		bool open = ports[i] == 80 || ports[i] == 443;

		atk_tcp(a->s, at, a->atk, a->vic, sp, ports[i], GEN_TCP_ACK, (uint32_t)gen_rng_next(&a->r), ack, 1024);
		/* -sW reads the RST's window: open ports answer with a window on some systems */
		atk_tcp(a->s, at + 150000, a->vic, a->atk, ports[i], sp, GEN_TCP_RST, ack, 0, window && open ? 29200 : 0);
	}
	a->end = t + 1000 * 70000ULL + 150000;
}

/* nmap -sU -p-: empty UDP probes to ports all over 1..65535; closed ones answer ICMP port unreachable */
static void atk_udp_scan(struct atk *a, uint64_t t)
{
	static uint16_t ports[1500];
	uint16_t sp = (uint16_t)gen_rng_range(&a->r, 40000, 60000);
	unsigned i;

	a->atk = synth_client(25);
	a->vic = SYNTH_FILES;
	atk_distinct(&a->r, ports, 1500, 1, 65535);
	ports[gen_rng_below(&a->r, 1500)] = 137;	/* one open port on the way: NetBIOS answers */
	for (i = 0; i < 1500; i++) {
		uint64_t at = t + i * 10 * SYNTH_MS;
		struct gen_pkt probe = { .proto = 17, .saddr = a->atk, .daddr = a->vic, .sport = sp, .dport = ports[i], .ttl = 64 };

		synth_udp(a->s, at, a->atk, a->vic, sp, ports[i], NULL, 0);
		if (ports[i] == 137)
			synth_udp(a->s, at + 300000, a->vic, a->atk, 137, sp, NULL, 229);
		else
			atk_icmp_error(a->s, at + 300000, a->vic, 3, 3, &probe);
	}
	a->end = t + 1500 * 10 * SYNTH_MS;
}

/* nmap -sO: one packet per IP protocol 0..255; most answered by ICMP protocol unreachable */
static void atk_ipproto_scan(struct atk *a, uint64_t t)
{
	unsigned p;

	a->atk = synth_client(26);
	a->vic = SYNTH_PRINTER;
	for (p = 0; p < 256; p++) {
		uint64_t at = t + p * 10 * SYNTH_MS;
		struct gen_pkt probe = { .proto = (uint8_t)p, .saddr = a->atk, .daddr = a->vic, .ttl = 64 };
		struct gen_pkt *q;

		if (p == 1) {	/* ICMP: an echo, answered */
			q = synth_add(a->s, at, 1, a->atk, a->vic, 0, 0);
			if (q)
				q->icmp_type = 8, q->icmp_id = 0x4d1, q->icmp_seq = 1;
			q = synth_add(a->s, at + 300000, 1, a->vic, a->atk, 0, 0);
			if (q)
				q->icmp_type = 0, q->icmp_id = 0x4d1, q->icmp_seq = 1;
		} else if (p == 6) {	/* TCP: an ACK to 80, reset */
			uint32_t ack = (uint32_t)gen_rng_next(&a->r);

			atk_tcp(a->s, at, a->atk, a->vic, 40001, 80, GEN_TCP_ACK, (uint32_t)gen_rng_next(&a->r), ack, 1024);
			atk_tcp(a->s, at + 300000, a->vic, a->atk, 80, 40001, GEN_TCP_RST, ack, 0, 0);
		} else if (p == 17) {	/* UDP: to a closed port */
			probe.sport = 40001, probe.dport = 40125;
			synth_udp(a->s, at, a->atk, a->vic, 40001, 40125, NULL, 0);
			atk_icmp_error(a->s, at + 300000, a->vic, 3, 3, &probe);
		} else {
			synth_add(a->s, at, (uint8_t)p, a->atk, a->vic, 0, 0);
			/* the protocols the printer's stack speaks stay silent; the rest are unreachable */
			if (p != 2 && p != 4 && p != 41 && p != 47 && p != 50 && p != 51 && p != 132 && p != 136)
				atk_icmp_error(a->s, at + 300000, a->vic, 3, 2, &probe);
		}
	}
	a->end = t + 256 * 10 * SYNTH_MS + 300000;
}

/* nmap -T1 --top-ports 100: one SYN every 15 s; closed ports answer RST/ACK, the open one SYN/ACK */
static void atk_slow_scan(struct atk *a, uint64_t t)
{
	/* nmap's 100 most frequently open TCP ports (nmap-services) */
	static const uint16_t top[100] = {
		7, 9, 13, 21, 22, 23, 25, 26, 37, 53, 79, 80, 81, 88, 106, 110, 111, 113, 119, 135,
		139, 143, 144, 179, 199, 389, 427, 443, 444, 445, 465, 513, 514, 515, 543, 544, 548, 554, 587, 631,
		646, 873, 990, 993, 995, 1025, 1026, 1027, 1028, 1029, 1110, 1433, 1720, 1723, 1755, 1900, 2000, 2001, 2049, 2121,
		2717, 3000, 3128, 3306, 3389, 3986, 4899, 5000, 5009, 5051, 5060, 5101, 5190, 5357, 5432, 5631, 5666, 5800, 5900, 6000,
		6001, 6646, 7070, 8000, 8008, 8009, 8080, 8081, 8443, 8888, 9100, 9999, 10000, 32768, 49152, 49153, 49154, 49155, 49156, 49157,
	};
	uint16_t order[100], sp = (uint16_t)gen_rng_range(&a->r, 40000, 60000);
	unsigned i;

	a->atk = SYNTH_IP(198, 51, 100, 83);
	a->vic = SYNTH_SSH;
	atk_distinct(&a->r, order, 100, 0, 99);
	for (i = 0; i < 100; i++) {
		uint16_t port = top[order[i]];
		uint64_t at = t + i * 15 * SYNTH_NS;
		uint32_t seq = (uint32_t)gen_rng_next(&a->r), srv = (uint32_t)gen_rng_next(&a->r);

		atk_tcp(a->s, at, a->atk, a->vic, sp, port, GEN_TCP_SYN, seq, 0, 1024);
		if (port == 22) {
			atk_tcp(a->s, at + 400000, a->vic, a->atk, port, sp, GEN_TCP_SYN | GEN_TCP_ACK, srv, seq + 1, 64240);
			atk_tcp(a->s, at + 800000, a->atk, a->vic, sp, port, GEN_TCP_RST, seq + 1, 0, 0);
		} else {
			atk_tcp(a->s, at + 400000, a->vic, a->atk, port, sp, GEN_TCP_RST | GEN_TCP_ACK, 0, seq + 1, 0);
		}
	}
	a->end = t + 100 * 15 * SYNTH_NS;
}

/* ---- outbound sweeps -------------------------------------------------------- */

/* an infected camera-class device (Mirai-like): SYNs to ~136 public addresses on 23/2323/8080, about one a second */
static void atk_outbound_syn(struct atk *a, uint64_t t)
{
	uint16_t hosts[136];
	unsigned i;

	a->atk = SYNTH_IP(10, 1, 3, 12);
	a->vic = ATK_SWEEP_NET;
	atk_distinct(&a->r, hosts, 136, 0, 65535);
	for (i = 0; i < 136; i++) {
		uint32_t dst = ATK_SWEEP_NET | (uint32_t)gen_rng_below(&a->r, 2) << 16 | hosts[i];
		uint32_t pick = gen_rng_below(&a->r, 10), seq = (uint32_t)gen_rng_next(&a->r);
		uint16_t port = pick < 8 ? 23 : pick < 9 ? 2323 : 8080, sp = synth_eport(&a->r);

		atk_tcp(a->s, t, a->atk, dst, sp, port, GEN_TCP_SYN, seq, 0, 14600);
		if (i % 45 == 7)	/* a few hosts exist: one refuses, one listens */
			atk_tcp(a->s, t + 80 * SYNTH_MS, dst, a->atk, port, sp,
				i % 2 ? GEN_TCP_RST | GEN_TCP_ACK : GEN_TCP_SYN | GEN_TCP_ACK, (uint32_t)gen_rng_next(&a->r), seq + 1, 0);
		t += atk_ms(&a->r, 700, 1300);
	}
	a->end = t;
}

/* ransomware announcing itself: UDP/6892 to 1,371 outside addresses in 40 s, unanswered */
static void atk_outbound_udp(struct atk *a, uint64_t t)
{
	static uint16_t hosts[1371];
	uint16_t sp = synth_eport(&a->r);
	unsigned i;

	a->atk = synth_client(27);
	a->vic = ATK_SWEEP_NET;
	atk_distinct(&a->r, hosts, 1371, 0, 65535);
	for (i = 0; i < 1371; i++) {
		uint32_t dst = ATK_SWEEP_NET | (uint32_t)gen_rng_below(&a->r, 2) << 16 | hosts[i];

		synth_udp(a->s, t + (uint64_t)i * 40 * SYNTH_NS / 1371, a->atk, dst, sp, 6892, NULL, gen_rng_range(&a->r, 14, 20));
	}
	a->end = t + 40 * SYNTH_NS;
}

/* ---- brute force ------------------------------------------------------------- */

/* hydra-style SSH guessing on port 2222: 67 connections in 13 s, banners, key exchange, a few attempts */
static void atk_ssh_altport(struct atk *a, uint64_t t)
{
	static const char banner_s[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", banner_c[] = "SSH-2.0-libssh_0.9.6\r\n";
	uint8_t b[2048];
	unsigned i, k;

	a->atk = SYNTH_IP(203, 0, 113, 93);
	a->vic = SYNTH_IP(10, 1, 0, 23);
	a->end = t;
	for (i = 0; i < 67; i++) {
		struct synth_conn c;
		uint64_t u = t + (uint64_t)i * 13 * SYNTH_NS / 67 + atk_ms(&a->r, 0, 60);
		int n;

		u = synth_conn_open(a->s, &a->r, &c, u, a->atk, a->vic, synth_eport(&a->r), 2222, 30 * SYNTH_MS);
		u = synth_conn_send(a->s, &c, u + 2 * SYNTH_MS, false, banner_s, sizeof(banner_s) - 1, 0);
		u = synth_conn_send(a->s, &c, u, true, banner_c, sizeof(banner_c) - 1, 0);
		n = gen_proto_ssh_kexinit(b, sizeof(b), false, gen_rng_next(&a->r));
		u = synth_conn_send(a->s, &c, u, true, b, (size_t)n, 0);
		n = gen_proto_ssh_kexinit(b, sizeof(b), true, gen_rng_next(&a->r));
		u = synth_conn_send(a->s, &c, u, false, b, (size_t)n, 0);
		u = synth_conn_send(a->s, &c, u, true, NULL, 48, 0);		/* KEX_ECDH_INIT */
		u = synth_conn_send(a->s, &c, u + 3 * SYNTH_MS, false, NULL, 564, 0);	/* KEX_ECDH_REPLY, NEWKEYS */
		u = synth_conn_send(a->s, &c, u, true, NULL, 16, 0);		/* NEWKEYS */
		u = synth_conn_send(a->s, &c, u, true, NULL, 52, 0);		/* encrypted: service request */
		u = synth_conn_send(a->s, &c, u, false, NULL, 52, 0);
		for (k = 0; k < 3; k++) {				/* password attempts, refused */
			u = synth_conn_send(a->s, &c, u, true, NULL, gen_rng_range(&a->r, 84, 132), 0);
			u = synth_conn_send(a->s, &c, u + atk_ms(&a->r, 150, 400), false, NULL, 52, 0);
		}
		u = synth_conn_close(a->s, &c, u, false);
		if (u > a->end)
			a->end = u;
	}
}

/* one DCE/RPC conversation: bind to uuid, then calls (opnum, request and response stub sizes) */
static uint64_t atk_rpc(struct atk *a, uint64_t t, uint32_t c, uint32_t srv, uint16_t port, const char *uuid,
			uint16_t ver, const uint16_t (*calls)[3], unsigned ncalls, uint64_t rtt)
{
	uint8_t b[256];
	char sec[8];
	struct synth_conn k;
	unsigned i;
	int n;

	snprintf(sec, sizeof(sec), "%u", port);
	t = synth_conn_open(a->s, &a->r, &k, t, c, srv, synth_eport(&a->r), port, rtt);
	n = gen_proto_dcerpc_bind(b, sizeof(b), 1, uuid, ver, 0);
	t = synth_conn_send(a->s, &k, t, true, b, (size_t)n, 0) + rtt;
	n = gen_proto_dcerpc_bind_ack(b, sizeof(b), 1, gen_rng_range(&a->r, 0x1000, 0xfffff), sec);
	t = synth_conn_send(a->s, &k, t, false, b, (size_t)n, 0);
	for (i = 0; i < ncalls; i++) {
		uint8_t call[64];

		/* the header as written, then zeros for the stub (its bytes are not what the detectors read) */
		n = gen_proto_dcerpc_call(call, sizeof(call), false, 2 + i, calls[i][0], 0);
		call[8] = (uint8_t)(n + calls[i][1]), call[9] = (uint8_t)((n + calls[i][1]) >> 8);
		call[16] = (uint8_t)calls[i][1], call[17] = (uint8_t)(calls[i][1] >> 8);
		t = synth_conn_send_sized(a->s, &k, t, true, call, (size_t)n, (size_t)n + calls[i][1], 50000) + rtt;
		n = gen_proto_dcerpc_call(call, sizeof(call), true, 2 + i, 0, 0);
		call[8] = (uint8_t)(n + calls[i][2]), call[9] = (uint8_t)((n + calls[i][2]) >> 8);
		call[16] = (uint8_t)calls[i][2], call[17] = (uint8_t)(calls[i][2] >> 8);
		t = synth_conn_send_sized(a->s, &k, t, false, call, (size_t)n, (size_t)n + calls[i][2], 50000) +
		    atk_ms(&a->r, 1, 15);	/* the caller's own work between calls */
	}
	return synth_conn_close(a->s, &k, t + rtt, true);
}

/* Zerologon-style: ~880 connections to 135 and 49668 of the DC in 10 s, each with its bind */
static void atk_rpc_burst(struct atk *a, uint64_t t)
{
	static const uint16_t epm_map[1][3] = { { 3, 132, 152 } };
	static const uint16_t netlogon[2][3] = { { 4, 52, 24 }, { 26, 112, 28 } };	/* ReqChallenge, Authenticate3 */
	unsigned i;

	a->atk = synth_client(28);
	a->vic = SYNTH_DC;
	a->end = t;
	for (i = 0; i < 440; i++) {
		uint64_t u = t + (uint64_t)i * 10 * SYNTH_NS / 440;

		u = atk_rpc(a, u, a->atk, a->vic, 135, GEN_UUID_EPM, 3, epm_map, 1, 300000);
		u = atk_rpc(a, u + 500000, a->atk, a->vic, 49668, GEN_UUID_NETLOGON, 1, netlogon, 2, 300000);
		if (u > a->end)
			a->end = u;
	}
}

/* ---- C2 --------------------------------------------------------------------- */

static void atk_event(struct atk *a, uint64_t t, const char *type, unsigned i)
{
	if (a->s->events && t < a->s->end)
		fprintf(a->s->events, "%.6f\t%s\t%u\n", (double)t / 1e9, type, i + 1);
}

/* HTTPS check-ins every 3.06 s on average, coefficient of variation 0.157, a new connection each */
static void atk_beacon_jitter(struct atk *a, uint64_t t)
{
	double gaps[60];
	uint8_t b[600];
	unsigned i;

	a->atk = synth_client(29);
	a->vic = SYNTH_IP(203, 0, 113, 151);
	atk_gaps(&a->r, gaps, 60, 3.06, 0.157, false, 1.0);
	for (i = 0; i < 60; i++) {
		struct synth_conn k;
		uint64_t u;
		int n;

		atk_event(a, t, "beacon/jitter", i);
		u = synth_conn_open(a->s, &a->r, &k, t, a->atk, a->vic, synth_eport(&a->r), 443, 24 * SYNTH_MS);
		n = gen_proto_tls_client_hello(b, sizeof(b), "cdn-static.example.org", 517, gen_rng_next(&a->r));
		u = synth_conn_send(a->s, &k, u, true, b, (size_t)n, 0);
		u = synth_conn_send(a->s, &k, u, false, NULL, gen_rng_range(&a->r, 120, 160), 0);	/* ServerHello... */
		u = synth_conn_send(a->s, &k, u, true, NULL, gen_rng_range(&a->r, 180, 220), 0);
		u = synth_conn_send(a->s, &k, u, false, NULL, gen_rng_range(&a->r, 40, 90), 0);
		a->end = synth_conn_close(a->s, &k, u, true);
		t += (uint64_t)(gaps[i] * SYNTH_NS);
	}
}

/* check-ins every ~9 s with large jitter (CV 0.75) but a request of 243-252 bytes every time, 125 of them */
static void atk_beacon_jitter_size(struct atk *a, uint64_t t)
{
	double gaps[125];
	unsigned i;

	a->atk = synth_client(35);
	a->vic = SYNTH_IP(198, 51, 100, 152);
	atk_gaps(&a->r, gaps, 125, 9.0, 0.75, true, 0.5);
	for (i = 0; i < 125; i++) {
		uint8_t req[256];
		struct synth_conn k;
		uint64_t u;
		int n;

		atk_event(a, t, "beacon/jitter_size", i);
		u = synth_conn_open(a->s, &a->r, &k, t, a->atk, a->vic, synth_eport(&a->r), 443, 31 * SYNTH_MS);
		n = gen_proto_tls_record(req, sizeof(req), 23, gen_rng_range(&a->r, 243, 252) - 5);
		u = synth_conn_send(a->s, &k, u, true, req, (size_t)n, 0);
		u = synth_conn_send(a->s, &k, u, false, NULL, gen_rng_range(&a->r, 60, 420), 0);
		a->end = synth_conn_close(a->s, &k, u, true);
		t += (uint64_t)(gaps[i] * SYNTH_NS);
	}
}

/* ---- lateral movement ---------------------------------------------------------- */

static uint64_t atk_smb2(struct atk *a, struct synth_conn *k, uint64_t t, const struct gen_smb2 *m)
{
	uint8_t b[1024];
	int n = gen_proto_smb2(b, sizeof(b), m);

	return n > 0 ? synth_conn_send(a->s, k, t, !m->response, b, (size_t)n, 20000) + 400000 : t;
}

/* PsExec: SMB2 to IPC$ and ADMIN$, the service binary copied, svcctl bound over its named pipe */
static uint64_t atk_psexec(struct atk *a, uint64_t t, uint32_t target, const char *host)
{
	static const uint16_t scm[3][3] = { { 15, 48, 24 }, { 12, 236, 28 }, { 19, 28, 4 } };	/* Open, Create, Start */
	char path[64];
	uint8_t pdu[256];
	uint64_t sid = gen_rng_next(&a->r) | 1, mid = 1;
	struct synth_conn k;
	struct gen_smb2 m = { .cmd = GEN_SMB2_NEGOTIATE };
	unsigned i;
	int n;

	t = synth_conn_open(a->s, &a->r, &k, t, a->atk, target, synth_eport(&a->r), 445, 400000);
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.blob_len = 120;
	t = atk_smb2(a, &k, t, &m);
	/* NTLMSSP: negotiate, challenge (more processing required), authenticate, success */
	m = (struct gen_smb2){ .cmd = GEN_SMB2_SESSION_SETUP, .msg_id = mid++, .blob_len = 74 };
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.status = 0xc0000016, m.session_id = sid, m.blob_len = 282;
	t = atk_smb2(a, &k, t, &m);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_SESSION_SETUP, .msg_id = mid++, .session_id = sid, .blob_len = 540 };
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.blob_len = 29;
	t = atk_smb2(a, &k, t, &m);
	snprintf(path, sizeof(path), "\\\\%s\\IPC$", host);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_TREE_CONNECT, .msg_id = mid++, .session_id = sid, .path = path };
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.tree_id = 1, m.share_type = 2;
	t = atk_smb2(a, &k, t, &m);
	snprintf(path, sizeof(path), "\\\\%s\\ADMIN$", host);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_TREE_CONNECT, .msg_id = mid++, .session_id = sid, .path = path };
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.tree_id = 2, m.share_type = 1;
	t = atk_smb2(a, &k, t, &m);
	/* the service binary written to ADMIN$ (~380 KB) */
	m = (struct gen_smb2){ .cmd = GEN_SMB2_CREATE, .msg_id = mid++, .session_id = sid, .tree_id = 2, .path = "PSEXESVC.exe" };
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.file_id = 5;
	t = atk_smb2(a, &k, t, &m);
	for (i = 0; i < 6; i++) {
		uint8_t hdr[4 + 64 + 48];

		m = (struct gen_smb2){ .cmd = GEN_SMB2_WRITE, .msg_id = mid++, .session_id = sid, .tree_id = 2, .file_id = 5 };
		n = gen_proto_smb2(hdr, sizeof(hdr), &m);
		hdr[1] = 0x01, hdr[2] = 0x00, hdr[3] = (uint8_t)(n - 4);	/* NetBIOS length: + 65536 bytes of data */
		hdr[4 + 64 + 4] = 0, hdr[4 + 64 + 5] = 0, hdr[4 + 64 + 6] = 1;	/* Length 65536 */
		t = synth_conn_send_sized(a->s, &k, t, true, hdr, (size_t)n, (size_t)n + 65536, 30000) + 400000;
		m.response = true, m.data_len = 0;
		t = atk_smb2(a, &k, t, &m);
	}
	m = (struct gen_smb2){ .cmd = GEN_SMB2_CLOSE, .msg_id = mid++, .session_id = sid, .tree_id = 2, .file_id = 5 };
	t = atk_smb2(a, &k, t, &m);
	m.response = true;
	t = atk_smb2(a, &k, t, &m);
	/* the service control manager over \PIPE\svcctl */
	m = (struct gen_smb2){ .cmd = GEN_SMB2_CREATE, .msg_id = mid++, .session_id = sid, .tree_id = 1, .path = "svcctl" };
	t = atk_smb2(a, &k, t, &m);
	m.response = true, m.file_id = 6;
	t = atk_smb2(a, &k, t, &m);
	for (i = 0; i <= 3; i++) {
		if (i == 0)
			n = gen_proto_dcerpc_bind(pdu, sizeof(pdu), 1, GEN_UUID_SVCCTL, 2, 0);
		else
			n = gen_proto_dcerpc_call(pdu, sizeof(pdu), false, 1 + i, scm[i - 1][0], scm[i - 1][1]);
		m = (struct gen_smb2){ .cmd = GEN_SMB2_WRITE, .msg_id = mid++, .session_id = sid, .tree_id = 1, .file_id = 6,
				       .data = pdu, .data_len = (uint16_t)n };
		t = atk_smb2(a, &k, t, &m);
		m.response = true;
		t = atk_smb2(a, &k, t, &m);
		if (i == 0)
			n = gen_proto_dcerpc_bind_ack(pdu, sizeof(pdu), 1, gen_rng_range(&a->r, 0x1000, 0xffff), "\\PIPE\\svcctl");
		else
			n = gen_proto_dcerpc_call(pdu, sizeof(pdu), true, 1 + i, 0, scm[i - 1][2]);
		m = (struct gen_smb2){ .cmd = GEN_SMB2_READ, .msg_id = mid++, .session_id = sid, .tree_id = 1, .file_id = 6 };
		t = atk_smb2(a, &k, t, &m);
		m.response = true, m.data = pdu, m.data_len = (uint16_t)n;
		t = atk_smb2(a, &k, t, &m);
	}
	return synth_conn_close(a->s, &k, t + 500 * SYNTH_MS, true);
}

/* WinRM: POSTs to /wsman on 5985, the first refused for authentication */
static uint64_t atk_winrm(struct atk *a, uint64_t t, uint32_t target, const char *host)
{
	char req[640];
	struct synth_conn k;
	unsigned i;
	int n;

	t = synth_conn_open(a->s, &a->r, &k, t, a->atk, target, synth_eport(&a->r), 5985, 400000);
	for (i = 0; i < 4; i++) {
		unsigned body = i ? gen_rng_range(&a->r, 1200, 3000) : 0;

		n = snprintf(req, sizeof(req),
			     "POST /wsman HTTP/1.1\r\nConnection: Keep-Alive\r\nContent-Type: application/soap+xml;charset=UTF-8\r\n"
			     "User-Agent: Microsoft WinRM Client\r\nContent-Length: %u\r\nHost: %s:5985\r\n"
			     "Authorization: Negotiate TlRMTVNTUAABAAAAt4II4gAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==\r\n\r\n",
			     body, host);
		t = synth_conn_send_sized(a->s, &k, t, true, req, (size_t)n, (size_t)n + body, 30000) + SYNTH_MS;
		n = snprintf(req, sizeof(req), i ? "HTTP/1.1 200 \r\nContent-Type: application/soap+xml;charset=UTF-8\r\n"
						   "Server: Microsoft-HTTPAPI/2.0\r\nContent-Length: 1432\r\n\r\n"
						 : "HTTP/1.1 401 \r\nWWW-Authenticate: Negotiate\r\nServer: Microsoft-HTTPAPI/2.0\r\n"
						   "Content-Length: 0\r\n\r\n");
		t = synth_conn_send_sized(a->s, &k, t, false, req, (size_t)n, (size_t)n + (i ? 1432 : 0), 30000) + atk_ms(&a->r, 5, 200);
	}
	return synth_conn_close(a->s, &k, t, true);
}

/* RDP: the X.224 connection request and confirm, then TLS and the session's traffic for half a minute */
static uint64_t atk_rdp(struct atk *a, uint64_t t, uint32_t target)
{
	uint8_t b[600];
	struct synth_conn k;
	uint64_t stop;
	int n;

	t = synth_conn_open(a->s, &a->r, &k, t, a->atk, target, synth_eport(&a->r), 3389, 400000);
	n = gen_proto_rdp_x224(b, sizeof(b), false, "admin");
	t = synth_conn_send(a->s, &k, t, true, b, (size_t)n, 0);
	n = gen_proto_rdp_x224(b, sizeof(b), true, "");
	t = synth_conn_send(a->s, &k, t, false, b, (size_t)n, 0);
	n = gen_proto_tls_client_hello(b, sizeof(b), "ws15", 240, gen_rng_next(&a->r));
	t = synth_conn_send(a->s, &k, t, true, b, (size_t)n, 0);
	t = synth_conn_send(a->s, &k, t, false, NULL, 1800, 20000);
	for (stop = t + 30 * SYNTH_NS; t < stop; t += atk_ms(&a->r, 20, 200)) {
		if (gen_rng_below(&a->r, 3))
			synth_conn_send(a->s, &k, t, false, NULL, gen_rng_range(&a->r, 200, 4000), 100000);
		else
			synth_conn_send(a->s, &k, t, true, NULL, gen_rng_range(&a->r, 40, 120), 0);
	}
	return synth_conn_close(a->s, &k, t, true);
}

/*
 * A workstation that never administered anything: PsExec over SMB to one
 * colleague, DCOM (IRemoteSCMActivator on 135, then IWbemLevel1Login on a
 * high port: WMI) to a second, WinRM to a third, RDP to a fourth.
 */
static void atk_lateral_admin(struct atk *a, uint64_t t)
{
	static const uint16_t activate[1][3] = { { 4, 912, 736 } };			/* RemoteCreateInstance */
	static const uint16_t wbem[2][3] = { { 6, 196, 64 }, { 3, 1208, 2400 } };	/* NTLMLogin, ExecMethod */

	a->atk = synth_client(36);
	a->vic = SYNTH_IP(10, 1, 1, 0);
	t = atk_psexec(a, t, SYNTH_IP(10, 1, 1, 12), "10.1.1.12") + 15 * SYNTH_NS;
	t = atk_rpc(a, t, a->atk, SYNTH_IP(10, 1, 1, 13), 135, GEN_UUID_ISCMACTIVATOR, 0, activate, 1, 400000);
	t = atk_rpc(a, t + 50 * SYNTH_MS, a->atk, SYNTH_IP(10, 1, 1, 13), 49670, GEN_UUID_IWBEMLOGIN, 0, wbem, 2, 400000);
	t = atk_winrm(a, t + 20 * SYNTH_NS, SYNTH_IP(10, 1, 1, 14), "ws14") + 20 * SYNTH_NS;
	a->end = atk_rdp(a, t, SYNTH_IP(10, 1, 1, 15));
}

/* DCSync from a workstation: the endpoint mapper, then DRSUAPI on the DC's high port and replication calls */
static void atk_dcsync(struct atk *a, uint64_t t)
{
	static const uint16_t epm_map[1][3] = { { 3, 156, 152 } };
	/* DRSBind, DRSCrackNames, DRSGetNCChanges (krbtgt, Administrator, the machine account), DRSUnbind */
	static const uint16_t drs[6][3] = { { 0, 100, 84 }, { 12, 232, 268 }, { 3, 256, 21432 },
					    { 3, 256, 18876 }, { 3, 256, 9120 }, { 1, 20, 24 } };

	a->atk = synth_client(37);
	a->vic = SYNTH_DC;
	t = atk_rpc(a, t, a->atk, a->vic, 135, GEN_UUID_EPM, 3, epm_map, 1, 300000);
	a->end = atk_rpc(a, t + 20 * SYNTH_MS, a->atk, a->vic, 49667, GEN_UUID_DRSUAPI, 4, drs, 6, 300000);
}

/* ---- a device taken over ------------------------------------------------------ */

/* the lobby camera (~0.1 frames/s so far) at ~200 frames/s of varied traffic to many destinations */
static void atk_takeover(struct atk *a, uint64_t t)
{
	uint64_t stop = t + 260 * SYNTH_NS;
	uint16_t irc_sp = synth_eport(&a->r);

	a->atk = SYNTH_CAMERA;
	a->vic = ATK_SWEEP_NET;
	for (; t < stop; t += (uint64_t)(gen_rng_exp(&a->r, 0.005) * SYNTH_NS) + 1000) {
		uint32_t dst = ATK_SWEEP_NET | gen_rng_below(&a->r, 131072), pick = gen_rng_below(&a->r, 100);
		char name[64];

		if (pick < 55) {	/* telnet scanning */
			atk_tcp(a->s, t, a->atk, dst, synth_eport(&a->r), pick < 48 ? 23 : 2323, GEN_TCP_SYN,
				(uint32_t)gen_rng_next(&a->r), 0, 14600);
		} else if (pick < 80) {	/* UDP junk at random hosts and ports */
			synth_udp(a->s, t, a->atk, dst, synth_eport(&a->r), (uint16_t)gen_rng_range(&a->r, 1, 65535), NULL,
				  gen_rng_range(&a->r, 64, 512));
		} else if (pick < 90) {	/* lookups of generated names */
			snprintf(name, sizeof(name), "%08x.dyn-update.example", (unsigned)gen_rng_next(&a->r));
			synth_dns_r(a->s, &a->r, t, a->atk, SYNTH_RESOLVER, name, 1);
		} else {		/* the controller, chatty */
			atk_tcp(a->s, t, a->atk, SYNTH_IP(203, 0, 113, 166), irc_sp, 6667, GEN_TCP_ACK | GEN_TCP_PSH,
				(uint32_t)gen_rng_next(&a->r), (uint32_t)gen_rng_next(&a->r), 14600);
		}
	}
	a->end = stop;
}

/* ---- the table ---------------------------------------------------------------- */

static const struct {
	const char *type;
	void (*run)(struct atk *a, uint64_t t);
} atk_table[] = {
	{ "portscan/ack", NULL },
	{ "portscan/window", NULL },
	{ "portscan/udp_all", atk_udp_scan },
	{ "portscan/ipproto", atk_ipproto_scan },
	{ "portscan/slow", atk_slow_scan },
	{ "hostsweep/outbound_syn", atk_outbound_syn },
	{ "hostsweep/outbound_udp", atk_outbound_udp },
	{ "bruteforce/ssh_altport", atk_ssh_altport },
	{ "bruteforce/rpc_burst", atk_rpc_burst },
	{ "beacon/jitter", atk_beacon_jitter },
	{ "beacon/jitter_size", atk_beacon_jitter_size },
	{ "lateral/admin", atk_lateral_admin },
	{ "lateral/dcsync", atk_dcsync },
	{ "anomaly/takeover", atk_takeover },
};

int synth_attack_variant(struct synth *s, const char *type, uint64_t t)
{
	struct atk a = { .s = s };
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a of the name: the variant's own stream */
	const char *c;
	size_t i;

	for (i = 0; i < sizeof(atk_table) / sizeof(atk_table[0]); i++)
		if (!strcmp(atk_table[i].type, type))
			break;
	if (i == sizeof(atk_table) / sizeof(atk_table[0]))
		return -ENOENT;
	for (c = type; *c; c++)
		h = (h ^ (uint8_t)*c) * 1099511628211ULL;
	gen_rng_seed(&a.r, s->seed ^ h);
	if (i < 2)
		atk_ack_scan(&a, t, i == 1);
	else
		atk_table[i].run(&a, t);
	if (t < s->end)
		synth_label(s, t, a.end, a.atk, a.vic, type);
	return 0;
}

bool synth_attack_known(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(atk_table) / sizeof(atk_table[0]); i++)
		if (!strcmp(atk_table[i].type, type))
			return true;
	return false;
}
