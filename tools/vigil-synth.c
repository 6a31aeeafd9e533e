// SPDX-License-Identifier: GPL-2.0-only
/*
 * vigil-synth: hours of office and perimeter traffic with labelled attacks, as
 * a pcap and a labels file (start, end, attacker, victim, type), for scoring
 * the detectors. Deterministic from --seed; reads no clock and no network.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_pcap.h"
#include "synth.h"
#include "version.h"

#define NS SYNTH_NS
#define IP(a, b, c, d) SYNTH_IP(a, b, c, d)

static const uint32_t synth_resolver = SYNTH_RESOLVER, synth_dc = SYNTH_DC, synth_files = SYNTH_FILES,
		      synth_web = SYNTH_WEB, synth_ssh = SYNTH_SSH, synth_printer = SYNTH_PRINTER, synth_jump = SYNTH_JUMP;

static uint32_t synth_extern(struct synth *s)
{
	/* the web: TEST-NET-3 and TEST-NET-2 stand in for the Internet's servers */
	return gen_rng_below(&s->rng, 2) ? IP(203, 0, 113, 1 + gen_rng_below(&s->rng, 100))
					 : IP(198, 51, 100, 1 + gen_rng_below(&s->rng, 60));
}

/* the classic background and attacks draw from the run's main generator */
static void synth_tcp(struct synth *s, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
		      uint8_t flags, uint16_t len)
{
	synth_tcp_r(s, &s->rng, ts, src, dst, sp, dp, flags, len);
}

/* a data segment carrying the n bytes at b */
static void synth_tcp_bytes(struct synth *s, uint64_t ts, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
			    const void *b, uint16_t n)
{
	size_t before = s->n;

	synth_tcp(s, ts, src, dst, sp, dp, GEN_TCP_ACK | GEN_TCP_PSH, n);
	if (s->n == before + 1)
		synth_set_bytes(s, b, n);
}

/*
 * One TCP session: handshake, up/down data packets spread over dur_ns, close.
 * rtt in ns. Returns the time of the last packet.
 */
static uint64_t synth_session(struct synth *s, uint64_t t, uint32_t c, uint32_t srv, uint16_t port, uint32_t up,
			      uint32_t down, uint64_t dur_ns, uint64_t rtt)
{
	uint16_t sp = synth_eport(&s->rng);
	uint32_t i, n = up + down;

	synth_tcp(s, t, c, srv, sp, port, GEN_TCP_SYN, 0);
	synth_tcp(s, t + rtt / 2, srv, c, port, sp, GEN_TCP_SYN | GEN_TCP_ACK, 0);
	synth_tcp(s, t + rtt, c, srv, sp, port, GEN_TCP_ACK, 0);
	t += rtt;
	for (i = 0; i < n; i++) {
		uint64_t at = t + (n ? dur_ns * i / n : 0) + gen_rng_below(&s->rng, 1000000);

		if (i < up)
			synth_tcp(s, at, c, srv, sp, port, GEN_TCP_ACK | GEN_TCP_PSH, (uint16_t)gen_rng_range(&s->rng, 200, 1400));
		else
			synth_tcp(s, at, srv, c, port, sp, GEN_TCP_ACK, (uint16_t)gen_rng_range(&s->rng, 600, 1460));
		if (i >= up && (i - up) % 4 == 3)
			synth_tcp(s, at + 200000, c, srv, sp, port, GEN_TCP_ACK, 0);
	}
	t += dur_ns + rtt;
	synth_tcp(s, t, c, srv, sp, port, GEN_TCP_FIN | GEN_TCP_ACK, 0);
	synth_tcp(s, t + rtt / 2, srv, c, port, sp, GEN_TCP_FIN | GEN_TCP_ACK, 0);
	synth_tcp(s, t + rtt, c, srv, sp, port, GEN_TCP_ACK, 0);
	return t + rtt;
}

/* DNS query for name (qtype) from c to the resolver, and its answer */
static void synth_dns(struct synth *s, uint64_t t, uint32_t c, const char *name, uint16_t qtype)
{
	synth_dns_r(s, &s->rng, t, c, synth_resolver, name, qtype);
}

static const char *const synth_sites[] = {
	"www.example.com", "mail.example.org", "cdn.example.net", "news.example.com", "docs.example.org",
	"api.example.net", "static.example.com", "intranet.example.org", "video.example.net", "shop.example.com",
};

/*
 * An administrator's VNC session to the jump host (RFB 3.8, VNC
 * authentication): the password is typed 2 to 8 s after the challenge; a
 * mistyped one is refused and the server closes. Otherwise ClientInit, a few
 * minutes of screen updates and input, and a close. Returns the last time.
 */
static uint64_t synth_vnc(struct synth *s, uint64_t t, uint32_t admin, bool mistyped)
{
	static const uint8_t ver[12] = { 'R', 'F', 'B', ' ', '0', '0', '3', '.', '0', '0', '8', '\n' };
	static const uint8_t types[2] = { 1, 2 }, sel[1] = { 2 }, init[1] = { 1 };
	uint8_t chal[16], resp[16], res[4] = { 0, 0, 0, mistyped ? 1 : 0 }, ev[8] = { 5 };
	uint16_t sp = synth_eport(&s->rng), i, n;
	uint64_t rtt = 400000, typing = (uint64_t)gen_rng_range(&s->rng, 2000, 8000) * 1000000;

	for (i = 0; i < 16; i++) {
		chal[i] = (uint8_t)gen_rng_next(&s->rng);
		resp[i] = (uint8_t)gen_rng_next(&s->rng);
	}
	synth_tcp(s, t, admin, synth_jump, sp, 5900, GEN_TCP_SYN, 0);
	synth_tcp(s, t + rtt / 2, synth_jump, admin, 5900, sp, GEN_TCP_SYN | GEN_TCP_ACK, 0);
	synth_tcp(s, t + rtt, admin, synth_jump, sp, 5900, GEN_TCP_ACK, 0);
	synth_tcp_bytes(s, t + 2 * rtt, synth_jump, admin, 5900, sp, ver, 12);
	synth_tcp_bytes(s, t + 3 * rtt, admin, synth_jump, sp, 5900, ver, 12);
	synth_tcp_bytes(s, t + 4 * rtt, synth_jump, admin, 5900, sp, types, 2);
	synth_tcp_bytes(s, t + 5 * rtt, admin, synth_jump, sp, 5900, sel, 1);
	synth_tcp_bytes(s, t + 6 * rtt, synth_jump, admin, 5900, sp, chal, 16);
	t += 6 * rtt + typing;
	synth_tcp_bytes(s, t, admin, synth_jump, sp, 5900, resp, 16);
	synth_tcp_bytes(s, t + rtt, synth_jump, admin, 5900, sp, res, 4);
	t += 2 * rtt;
	if (!mistyped) {
		synth_tcp_bytes(s, t, admin, synth_jump, sp, 5900, init, 1);
		/* screen updates (zeros stand in for pixels) and the odd key or pointer event */
		n = (uint16_t)gen_rng_range(&s->rng, 200, 1500);
		for (i = 0; i < n; i++) {
			t += (uint64_t)gen_rng_range(&s->rng, 20, 300) * 1000000;
			synth_tcp(s, t, synth_jump, admin, 5900, sp, GEN_TCP_ACK, (uint16_t)gen_rng_range(&s->rng, 200, 1460));
			if (i % 3 == 0)
				synth_tcp_bytes(s, t + 1000000, admin, synth_jump, sp, 5900, ev, 8);
		}
		t += rtt;
	}
	synth_tcp(s, t, mistyped ? synth_jump : admin, mistyped ? admin : synth_jump, mistyped ? 5900 : sp,
		  mistyped ? sp : 5900, GEN_TCP_FIN | GEN_TCP_ACK, 0);
	synth_tcp(s, t + rtt / 2, mistyped ? admin : synth_jump, mistyped ? synth_jump : admin, mistyped ? sp : 5900,
		  mistyped ? 5900 : sp, GEN_TCP_FIN | GEN_TCP_ACK, 0);
	return t + rtt;
}

/* ---- benign background ---------------------------------------------------- */

/*
 * Two administrators work on the jump host over VNC, from the first minutes
 * on and every 20 minutes or so, mistyping the password one time in four
 * (and typing it again on a new connection). Drawn from a generator of their
 * own, so the rest of the background is the same with or without them.
 */
static void synth_background_vnc(struct synth *s)
{
	struct gen_rng main = s->rng, own = s->rng;
	uint64_t t;
	int a;

	gen_rng_seed(&s->rng, gen_rng_next(&own) ^ 0x564e43ULL);
	for (a = 0; a < 2; a++) {
		uint32_t admin = synth_client(1 + a * 10);

		for (t = s->t0 + (uint64_t)gen_rng_range(&s->rng, 60, 300) * NS; t < s->end;
		     t += (uint64_t)(gen_rng_exp(&s->rng, 1200.0) * NS) + 30 * NS) {
			if (!gen_rng_below(&s->rng, 4))
				t = synth_vnc(s, t, admin, true) + (uint64_t)gen_rng_range(&s->rng, 3, 10) * NS;
			t = synth_vnc(s, t, admin, false);
		}
	}
	s->rng = main;
}

static void synth_background(struct synth *s)
{
	uint64_t t;
	int c;

	for (c = 0; c < SYNTH_CLIENTS; c++) {
		uint32_t ip = synth_client(c);
		uint16_t smb_sp = synth_eport(&s->rng);

		/* web browsing: page loads, each a DNS lookup and a few HTTPS connections */
		for (t = s->t0 + gen_rng_below(&s->rng, 30) * NS; t < s->end; t += (uint64_t)(gen_rng_exp(&s->rng, 90.0) * NS) + NS) {
			uint32_t srv = synth_extern(s), k, conns = gen_rng_range(&s->rng, 1, 3);

			synth_dns(s, t, ip, synth_sites[gen_rng_below(&s->rng, 10)], 1);
			for (k = 0; k < conns; k++)
				synth_session(s, t + 30000000 + k * 5000000, ip, srv, 443, gen_rng_range(&s->rng, 1, 4),
					      gen_rng_range(&s->rng, 3, 16), (uint64_t)gen_rng_range(&s->rng, 100, 2000) * 1000000,
					      (uint64_t)gen_rng_range(&s->rng, 10, 80) * 1000000);
		}
		/* SMB: one long session to the domain controller (clients log on over the first minute), keep-alive every 60 s */
		t = s->t0 + NS + (uint64_t)c * 1400000000ULL;
		synth_tcp(s, t, ip, synth_dc, smb_sp, 445, GEN_TCP_SYN, 0);
		synth_tcp(s, t + 300000, synth_dc, ip, 445, smb_sp, GEN_TCP_SYN | GEN_TCP_ACK, 0);
		synth_tcp(s, t + 600000, ip, synth_dc, smb_sp, 445, GEN_TCP_ACK, 0);
		for (t = s->t0 + 60 * NS + c * 500000000ULL; t < s->end; t += 60 * NS + gen_rng_below(&s->rng, 50000000)) {
			synth_tcp(s, t, ip, synth_dc, smb_sp, 445, GEN_TCP_ACK | GEN_TCP_PSH, 72);
			synth_tcp(s, t + 400000, synth_dc, ip, 445, smb_sp, GEN_TCP_ACK | GEN_TCP_PSH, 72);
		}
		/* NetBIOS name service broadcasts and NTP to the DC */
		for (t = s->t0 + gen_rng_below(&s->rng, 600) * NS; t < s->end; t += 600 * NS + gen_rng_below(&s->rng, 60) * NS) {
			struct gen_pkt *p = synth_add(s, t, 17, ip, IP(10, 1, 255, 255), 137, 137);

			if (p)
				p->payload_len = 50;
		}
		for (t = s->t0 + gen_rng_below(&s->rng, 1024) * NS; t < s->end; t += 1024 * NS) {
			struct gen_pkt *p = synth_add(s, t, 17, ip, synth_dc, 123, 123);

			if (p)
				p->payload_len = 48;
			p = synth_add(s, t + 500000, 17, synth_dc, ip, 123, 123);
			if (p)
				p->payload_len = 48;
		}
		/* office LAN: file server reads, the odd print job */
		for (t = s->t0 + gen_rng_below(&s->rng, 300) * NS; t < s->end; t += (uint64_t)(gen_rng_exp(&s->rng, 400.0) * NS) + NS) {
			bool print = !gen_rng_below(&s->rng, 8);

			synth_session(s, t, ip, print ? synth_printer : synth_files, print ? 9100 : 445, gen_rng_range(&s->rng, 2, 10),
				      gen_rng_range(&s->rng, 10, 60), (uint64_t)gen_rng_range(&s->rng, 200, 3000) * 1000000, 400000);
		}
	}
	/* the DC keeps its clock from outside every 64 s: periodic, but NTP */
	for (t = s->t0 + 5 * NS; t < s->end; t += 64 * NS) {
		struct gen_pkt *p = synth_add(s, t, 17, synth_dc, IP(198, 51, 100, 123), 123, 123);

		if (p)
			p->payload_len = 48;
		p = synth_add(s, t + 30000000, 17, IP(198, 51, 100, 123), synth_dc, 123, 123);
		if (p)
			p->payload_len = 48;
	}
	/* video: a few clients stream in 4 s segments for a while */
	for (c = 0; c < 2; c++) {
		uint32_t ip = synth_client(c * 7), cdn = IP(203, 0, 113, 200 + c);

		for (t = s->t0 + (uint64_t)gen_rng_range(&s->rng, 60, 1200) * NS; t < s->end;) {
			uint64_t stop = t + (uint64_t)gen_rng_range(&s->rng, 300, 1500) * NS;

			for (; t < stop; t += 4 * NS + gen_rng_below(&s->rng, 300000000))
				synth_session(s, t, ip, cdn, 443, 1, gen_rng_range(&s->rng, 40, 100), 600000000ULL, 20000000ULL);
			t += (uint64_t)gen_rng_range(&s->rng, 600, 2400) * NS;
		}
	}
	/* the public web server answers the Internet */
	for (t = s->t0; t < s->end; t += (uint64_t)(gen_rng_exp(&s->rng, 4.0) * NS) + 1000000)
		synth_session(s, t, synth_extern(s), synth_web, 443, 1, gen_rng_range(&s->rng, 2, 12), 300000000ULL, 30000000ULL);
	synth_background_vnc(s);
}

/* ---- attacks ------------------------------------------------------------- */

/* the classic attacks, from the main generator in list order: 0, or -ENOENT for another type */
static int synth_attack(struct synth *s, const char *type, uint64_t t)
{
	uint64_t i, end = t;
	uint32_t atk = 0, vic = 0;

	if (!strcmp(type, "flood")) {
		atk = IP(198, 51, 100, 66), vic = synth_web;
		for (i = 0; i < 40000; i++) {
			struct gen_pkt *p = synth_add(s, t + i * 200000, 17, atk, vic, synth_eport(&s->rng), (uint16_t)gen_rng_range(&s->rng, 1, 65535));

			if (p)
				p->payload_len = 512;
		}
		end = t + 8 * NS;
	} else if (!strcmp(type, "synflood")) {
		vic = synth_web;
		for (i = 0; i < 3000; i++)
			synth_tcp(s, t + i * 3333333, IP(100, 64 + gen_rng_below(&s->rng, 60), gen_rng_below(&s->rng, 256), 1 + gen_rng_below(&s->rng, 254)),
				  vic, synth_eport(&s->rng), 443, GEN_TCP_SYN, 0);
		end = t + 10 * NS;
	} else if (!strcmp(type, "portscan")) {
		atk = IP(198, 51, 100, 77), vic = synth_web;
		for (i = 1; i <= 1024; i++) {
			uint64_t at = t + (i - 1) * 5000000;

			synth_tcp(s, at, atk, vic, 40000, (uint16_t)i, GEN_TCP_SYN, 0);
			synth_tcp(s, at + 300000, vic, atk, (uint16_t)i, 40000, i == 443 || i == 80 ? GEN_TCP_SYN | GEN_TCP_ACK : GEN_TCP_RST | GEN_TCP_ACK, 0);
		}
		end = t + 1024 * 5000000ULL;
	} else if (!strcmp(type, "hostsweep")) {
		atk = synth_client(23), vic = IP(10, 1, 2, 0);
		for (i = 1; i <= 254; i++) {
			struct gen_pkt *p = synth_add(s, t + (i - 1) * 20000000, 1, atk, IP(10, 1, 2, (uint32_t)i), 0, 0);

			if (p) {
				p->icmp_type = 8;
				p->icmp_id = 77;
				p->icmp_seq = (uint16_t)i;
			}
		}
		end = t + 254 * 20000000ULL;
	} else if (!strcmp(type, "bruteforce")) {
		atk = IP(198, 51, 100, 99), vic = synth_ssh;
		for (i = 0; i < 240; i++)
			synth_session(s, t + i * 250000000ULL, atk, vic, 22, 6, 6, 300000000ULL, 20000000ULL);
		end = t + 60 * NS;
	} else if (!strcmp(type, "exfil")) {
		uint16_t sp = synth_eport(&s->rng);

		atk = synth_client(30), vic = IP(203, 0, 113, 250);
		synth_tcp(s, t, atk, vic, sp, 443, GEN_TCP_SYN, 0);
		synth_tcp(s, t + 20000000, vic, atk, 443, sp, GEN_TCP_SYN | GEN_TCP_ACK, 0);
		for (i = 0; i < 60 * 3000; i++) {
			synth_tcp(s, t + 30000000 + i * 333333, atk, vic, sp, 443, GEN_TCP_ACK | GEN_TCP_PSH, 1400);
			if (i % 8 == 7)
				synth_tcp(s, t + 30000000 + i * 333333 + 20000000, vic, atk, 443, sp, GEN_TCP_ACK, 0);
		}
		end = t + 60 * NS;
	} else if (!strcmp(type, "beacon")) {
		atk = synth_client(31), vic = IP(203, 0, 113, 150);
		for (i = 0; i < 24; i++) {
			uint64_t at = t + i * 30 * NS + gen_rng_below(&s->rng, 400000000);

			synth_session(s, at, atk, vic, 8443, 1, 1, 50000000ULL, 40000000ULL);
			if (s->events && at < s->end)
				fprintf(s->events, "%.6f\tbeacon\t%u\n", (double)at / 1e9, (unsigned int)i + 1);
		}
		end = t + 24 * 30 * NS;
	} else if (!strcmp(type, "dnstunnel")) {
		static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
		char name[96];

		atk = synth_client(32), vic = synth_resolver;
		for (i = 0; i < 600; i++) {
			int j;

			for (j = 0; j < 40; j++)
				name[j] = b32[gen_rng_below(&s->rng, 32)];
			snprintf(name + 40, sizeof(name) - 40, ".t.tunnel-example.net");
			synth_dns(s, t + i * 200000000ULL, atk, name, i % 3 ? 1 : 16);
		}
		end = t + 120 * NS;
	} else if (!strcmp(type, "newservice")) {
		uint32_t peer = IP(198, 51, 100, 50);

		/* a bind shell: the client starts listening on 4444 and the outside peer uses it */
		atk = synth_client(33), vic = peer;
		for (i = 0; i < 10; i++)
			synth_session(s, t + i * 3 * NS, peer, atk, 4444, gen_rng_range(&s->rng, 1, 3),
				      gen_rng_range(&s->rng, 2, 8), 500000000ULL, 40000000ULL);
		end = t + 30 * NS;
	} else if (!strcmp(type, "anomaly")) {
		/*
		 * A workstation turned mass mailer (a worm's or a spam bot's): for 30 s it delivers
		 * mail to 40 outside mail servers a second, a new one each time, each session a dozen
		 * segments up. Every session succeeds (no sweep, no scan, no guessing); what is unusual
		 * is the host: its volume out and the peers it opens, both far beyond its own history.
		 * (A host copying a file faster to a server it knows is volume alone, and stays quiet.)
		 */
		atk = synth_client(34), vic = IP(198, 19, 4, 1);
		for (i = 0; i < 30 * 40; i++)
			synth_session(s, t + i * (NS / 40), atk, IP(198, 19, 4 + i / 250, 1 + i % 250), 25, 12, 2, 2 * NS,
				      40000000ULL);
		end = t + 30 * NS;
	} else {
		return -ENOENT;
	}
	if (t < s->end)
		synth_label(s, t, end, atk, vic, type);
	return 0;
}

/*
 * The default schedule of a 120-minute run: every attack in its own window
 * after 20 minutes of learning. The classic ten come first and in their old
 * order (they draw from the main generator in list order, so their frames
 * stay as they were); flood, synflood, portscan, hostsweep, bruteforce, exfil
 * and beacon keep their old times, dnstunnel, newservice and anomaly moved
 * into gaps so that nothing overlaps. @S: seconds after --first.
 */
static const char synth_default_attacks[] =
	"flood@0,synflood@420,portscan@840,hostsweep@1260,bruteforce@1680,exfil@2100,beacon@2520,"
	"dnstunnel@480,newservice@300,anomaly@1180,"
	"portscan/ack@60,portscan/window@120,portscan/udp_all@180,portscan/ipproto@240,"
	"bruteforce/ssh_altport@650,bruteforce/rpc_burst@720,lateral/dcsync@780,"
	"hostsweep/outbound_syn@900,hostsweep/outbound_udp@1090,lateral/admin@1320,"
	"beacon/jitter@1790,anomaly/takeover@2220,beacon/jitter_size@3280,portscan/slow@4450";

static bool synth_classic(const char *type)
{
	static const char *const classic[] = { "flood", "synflood", "portscan", "hostsweep", "bruteforce",
					       "exfil", "beacon", "dnstunnel", "newservice", "anomaly" };
	size_t i;

	for (i = 0; i < sizeof(classic) / sizeof(classic[0]); i++)
		if (!strcmp(type, classic[i]))
			return true;
	return false;
}

/* Check each TYPE[@S] of list (modified in place by strtok): 0, or -EINVAL naming the bad one on stderr. */
static int synth_attacks_check(const char *list)
{
	char buf[1024], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *at = strchr(tok, '@'), *endp;

		if (at) {
			*at = 0;
			errno = 0;
			if (!*(at + 1) || strtoull(at + 1, &endp, 10) > 24 * 3600ULL || *endp || errno) {
				fprintf(stderr, "vigil-synth: --attacks: '%s@%s': @ wants whole seconds after --first\n", tok, at + 1);
				return -EINVAL;
			}
		}
		if (!synth_classic(tok) && !synth_attack_known(tok)) {
			fprintf(stderr, "vigil-synth: --attacks: unknown attack type '%s' (see --help)\n", tok);
			return -EINVAL;
		}
	}
	return 0;
}

static int synth_cmp(const void *a, const void *b)
{
	const struct synth_rec *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void synth_usage(FILE *fp)
{
	fprintf(fp, "usage: vigil-synth -o OUT.pcap -l LABELS.tsv [--seed N] [--minutes M] [--benign-only] [--office]\n"
		    "                   [--attacks TYPE[@S],...] [--first S] [--every S] [--start T] [--events FILE]\n"
		    "  Writes M minutes (default 120) of office background (web, DNS, NTP, SMB keep-alives,\n"
		    "  administrators on a VNC jump host (passwords typed, some mistyped), video, LAN) and\n"
		    "  injects attacks.\n"
		    "  --office: add a Windows domain's day to the background (the benign traffic that raised\n"
		    "  false alerts on real networks): logons with ~20 Kerberos and ~10 LDAP connections,\n"
		    "  AD SRV lookups, a mail server's DNS blocklist queries, SMB copies at ~270 frames/s,\n"
		    "  CDN downloads, IGMP report bursts, SSDP every 3 s, MQTT keep-alives to a cloud\n"
		    "  broker, LAN services between workstations (445, 139, 135, 137, WS-Discovery).\n"
		    "  Attack types: flood synflood portscan hostsweep bruteforce exfil beacon dnstunnel\n"
		    "  newservice anomaly, and the variants portscan/ack portscan/window portscan/udp_all\n"
		    "  portscan/ipproto portscan/slow hostsweep/outbound_syn hostsweep/outbound_udp\n"
		    "  bruteforce/ssh_altport bruteforce/rpc_burst beacon/jitter beacon/jitter_size\n"
		    "  lateral/admin lateral/dcsync anomaly/takeover (docs/gen.md says what each sends).\n"
		    "  Default: all of them, each in its own window of a 120-minute run (docs/gen.md).\n"
		    "  --attacks: TYPE@S starts at --first + S seconds; a TYPE without @ at --first + i *\n"
		    "  --every (i: its place in the list). --first S (1200), --every S (420).\n"
		    "  LABELS: start end attacker victim type, one attack a line (victim x.y.z.0: a prefix).\n"
		    "  --start T: the capture's first second (Unix time, default 1700000000).\n"
		    "  --version: version and build.\n"
		    "  --events FILE: time, type and number of each contact of a periodic attack (beacon*).\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' }, { "labels", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' }, { "minutes", required_argument, NULL, 'm' },
		{ "benign-only", no_argument, NULL, 'b' }, { "attacks", required_argument, NULL, 'a' },
		{ "first", required_argument, NULL, 'f' }, { "every", required_argument, NULL, 'e' },
		{ "start", required_argument, NULL, 'S' }, { "events", required_argument, NULL, 'E' },
		{ "office", no_argument, NULL, 'O' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *labels = NULL, *events = NULL;
	char attacks[1024];
	unsigned long long seed = 1, minutes = 120, first = 1200, every = 420, start = 1700000000;
	bool benign_only = false, attacks_given = false, office = false;
	struct synth s = { 0 };
	struct gen_pcap *pc = NULL;
	uint8_t frame[GEN_FRAME_MAX];
	int c, rc = 1;
	size_t i;

	while ((c = getopt_long(argc, argv, "o:l:s:m:ba:f:e:S:E:OhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'l': labels = optarg; break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'm': minutes = strtoull(optarg, NULL, 0); break;
		case 'b': benign_only = true; break;
		case 'a':
			if (strlen(optarg) >= sizeof(attacks)) {
				fprintf(stderr, "vigil-synth: --attacks: longer than %zu characters\n", sizeof(attacks) - 1);
				return 1;
			}
			snprintf(attacks, sizeof(attacks), "%s", optarg);
			attacks_given = true;
			break;
		case 'f': first = strtoull(optarg, NULL, 0); break;
		case 'e': every = strtoull(optarg, NULL, 0); break;
		case 'S': start = strtoull(optarg, NULL, 0); break;
		case 'E': events = optarg; break;
		case 'O': office = true; break;
		case 'h': synth_usage(stdout); return 0;
		case 'V': version_print(stdout, "vigil-synth", NULL); return 0;
		default: synth_usage(stderr); return 1;
		}
	}
	if (!out || !labels || !minutes || minutes > 24 * 60 || !start || start > 4000000000ULL) {
		synth_usage(stderr);
		return 1;
	}
	if (!attacks_given)
		snprintf(attacks, sizeof(attacks), "%s", synth_default_attacks);
	if (synth_attacks_check(attacks) < 0)
		return 1;
	gen_rng_seed(&s.rng, seed);
	s.seed = seed;
	s.t0 = start * NS;
	s.end = s.t0 + minutes * 60 * NS;
	s.labels = fopen(labels, "w");
	if (!s.labels) {
		fprintf(stderr, "vigil-synth: cannot write %s: %s\n", labels, strerror(errno));
		return 1;
	}
	fprintf(s.labels, "#start\tend\tattacker\tvictim\ttype\n");
	if (events) {
		s.events = fopen(events, "w");
		if (!s.events) {
			fprintf(stderr, "vigil-synth: cannot write %s: %s\n", events, strerror(errno));
			fclose(s.labels);
			return 1;
		}
		fprintf(s.events, "#time\ttype\tcontact\n");
	}
	synth_background(&s);
	if (office)
		synth_office(&s);
	if (!benign_only) {
		char *save = NULL, *tok;
		uint64_t i = 0;

		for (tok = strtok_r(attacks, ",", &save); tok; tok = strtok_r(NULL, ",", &save), i++) {
			char *at = strchr(tok, '@');
			uint64_t t = s.t0 + first * NS + (at ? strtoull(at + 1, NULL, 10) : i * every) * NS;

			if (at)
				*at = 0;
			if (synth_attack(&s, tok, t) == -ENOENT)
				synth_attack_variant(&s, tok, t);
		}
	}
	if (s.oom) {
		fprintf(stderr, "vigil-synth: out of memory after %zu frames\n", s.n);
		goto cleanup;
	}
	qsort(s.recs, s.n, sizeof(*s.recs), synth_cmp);
	pc = gen_pcap_open(out, false);
	if (!pc) {
		fprintf(stderr, "vigil-synth: cannot write %s: %s\n", out, strerror(errno));
		goto cleanup;
	}
	for (i = 0; i < s.n; i++) {
		struct synth_rec *r = &s.recs[i];
		int len;

		r->p.payload = synth_rec_bytes(&s, r);	/* bytes set above (a DNS message, a handshake), else zeros */
		len = gen_frame_build(&r->p, frame, sizeof(frame));
		if (len < 0 || gen_pcap_write(pc, r->ts, frame, (uint32_t)len) < 0) {
			fprintf(stderr, "vigil-synth: frame %zu: %s\n", i, strerror(len < 0 ? -len : EIO));
			goto cleanup;
		}
	}
	rc = 0;
	fprintf(stderr, "vigil-synth: %zu frames, %llu minutes, seed %llu\n", s.n, minutes, seed);
cleanup:
	if (gen_pcap_close(pc) < 0)
		rc = 1;
	if (fclose(s.labels))
		rc = 1;
	if (s.events && fclose(s.events))
		rc = 1;
	free(s.recs);
	free(s.bytes);
	return rc;
}
