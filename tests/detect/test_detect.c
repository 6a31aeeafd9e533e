// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_detect.c: every detector through the registry on synthetic timelines.
 * Each row is a scenario (a generator and a config) and what must come out:
 * how many incidents of which detector, and what the first one says.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "detharn.h"
#include "testlib.h"

static const uint32_t ATK = IP4(198, 51, 100, 7), VIC = IP4(10, 1, 0, 80), CLI = IP4(10, 1, 1, 10);

/* packets to a destination at pps for secs, from one source or random sources */
static void gen_rate(struct harn *h, uint64_t t0, double secs, double pps, uint8_t proto, uint8_t flags, int spoof)
{
	uint64_t i, n = (uint64_t)(secs * pps);

	for (i = 0; i < n; i++)
		harn_pkt(h, t0 + (uint64_t)(i * 1e9 / pps), proto, spoof ? IP4(100, 64, (i >> 8) & 255, i & 255) : ATK, VIC,
			 (uint16_t)(40000 + i % 20000), 443, flags, 60, NULL, 0);
}

static void g_udpflood(struct harn *h) { gen_rate(h, 100 * NS, 3, 5000, 17, 0, 0); }
static void g_synflood_burst(struct harn *h) { gen_rate(h, 100 * NS, 0.016, 6250, 6, 0x02, 1); }
static void g_synflood_slow(struct harn *h) { gen_rate(h, 100 * NS, 2, 15, 6, 0x02, 1); }
static void g_syn_sweep(struct harn *h)
{
	/* one host SYN-probing 400 outside addresses on 23 in two seconds: a sweep, not a flood of many victims */
	for (int i = 0; i < 400; i++)
		harn_pkt(h, 100 * NS + i * 5000000ULL, 6, CLI, IP4(198, 18, (uint8_t)(i / 200), (uint8_t)(i % 200 + 1)),
			 (uint16_t)(40000 + i), 23, 0x02, 60, NULL, 0);
}
static void g_handshakes(struct harn *h)
{
	/* a busy server: 40 connections a second, each SYN answered by an ACK */
	for (int i = 0; i < 200; i++) {
		uint64_t t = 100 * NS + i * 25000000ULL;

		harn_pkt(h, t, 6, IP4(198, 51, 100, 1 + i % 200), VIC, 40000 + i, 443, 0x02, 60, NULL, 0);
		harn_pkt(h, t + 20000000, 6, IP4(198, 51, 100, 1 + i % 200), VIC, 40000 + i, 443, 0x10, 60, NULL, 0);
	}
}
static void g_portscan(struct harn *h)
{
	for (int p = 1; p <= 100; p++)
		harn_pkt(h, 100 * NS + p * 1000000ULL, 6, ATK, VIC, 40000, (uint16_t)p, 0x02, 60, NULL, 0);
}
static void g_icmp_fingerprint(struct harn *h)
{
	static const uint8_t kinds[][2] = { { 8, 0 }, { 13, 0 }, { 17, 0 }, { 15, 0 }, { 8, 1 } };

	for (unsigned int i = 0; i < 5; i++)
		harn_pkt(h, 100 * NS + i * NS, 1, ATK, VIC, kinds[i][0], kinds[i][1], 0, 60, NULL, 0);
}
static void g_sweep(struct harn *h)
{
	/* a ping sweep of 40 addresses: five hosts answer, 35 do not; life goes on */
	for (int i = 1; i <= 40; i++) {
		harn_pkt(h, 100 * NS + i * 10000000ULL, 1, CLI, IP4(10, 1, 2, i), 8, 0, 0, 60, NULL, 0);
		if (i % 8 == 0)
			harn_pkt(h, 100 * NS + i * 10000000ULL + 500000, 1, IP4(10, 1, 2, i), CLI, 0, 0, 0, 60, NULL, 0);
	}
	for (int i = 0; i < 30; i++)
		harn_pkt(h, 101 * NS + i * 100000000ULL, 17, CLI, IP4(10, 1, 0, 2), 53000 + i, 53, 0, 80, NULL, 0);
}
/* an ICMP unreachable (code) from v about the datagram a:ap -> v:vp of protocol proto */
static void icmp_unreach(struct harn *h, uint64_t t, uint32_t v, uint32_t a, uint8_t code, uint8_t proto, uint16_t ap,
			 uint16_t vp)
{
	uint8_t m[36] = { 3, code, 0, 0, 0, 0, 0, 0, 0x45, 0, 0, 28, 0, 0, 0, 0, 64, proto };

	m[20] = (uint8_t)(a >> 24), m[21] = (uint8_t)(a >> 16), m[22] = (uint8_t)(a >> 8), m[23] = (uint8_t)a;
	m[24] = (uint8_t)(v >> 24), m[25] = (uint8_t)(v >> 16), m[26] = (uint8_t)(v >> 8), m[27] = (uint8_t)v;
	m[28] = (uint8_t)(ap >> 8), m[29] = (uint8_t)ap, m[30] = (uint8_t)(vp >> 8), m[31] = (uint8_t)vp;
	harn_pkt(h, t, 1, v, a, 3, code, 0, 70, m, sizeof(m));
}
static void g_ack_scan(struct harn *h)
{
	/* nmap -sA: 1000 one-packet bare ACKs to different ports in 70 ms, each answered by RST */
	for (int p = 1; p <= 1000; p++) {
		uint64_t t = 100 * NS + (uint64_t)p * 70000ULL;

		harn_pkt(h, t, 6, ATK, VIC, 41234, (uint16_t)p, 0x10, 60, NULL, 0);
		harn_pkt(h, t + 20000, 6, VIC, ATK, (uint16_t)p, 41234, 0x04, 60, NULL, 0);
	}
}
static void g_udp_scan(struct harn *h)
{
	/* nmap -sU over all ports: closed ones answer ICMP port unreachable (rate-limited: one in four) */
	for (int i = 0; i < 400; i++) {
		uint16_t port = (uint16_t)(1024 + i * 157);
		uint64_t t = 100 * NS + (uint64_t)i * 5000000ULL;

		harn_pkt(h, t, 17, ATK, VIC, 51000, port, 0, 42, NULL, 0);
		if (i % 4 == 0)
			icmp_unreach(h, t + 100000, VIC, ATK, 3, 17, 51000, port);
	}
}
static void g_proto_scan(struct harn *h)
{
	/* nmap -sO: one packet per IP protocol number, most refused with ICMP protocol unreachable */
	for (int p = 0; p < 256; p++) {
		uint64_t t = 100 * NS + (uint64_t)p * 2000000ULL;

		harn_pkt(h, t, (uint8_t)p, ATK, VIC, 0, 0, 0, 40, NULL, 0);
		if (p != 1 && p != 6 && p != 17)
			icmp_unreach(h, t + 100000, VIC, ATK, 2, (uint8_t)p, 0, 0);
	}
}
static void g_slow_scan(struct harn *h)
{
	/* nmap -T1: one SYN every 15 s to 100 ports; closed ports answer RST/ACK */
	for (int p = 1; p <= 100; p++) {
		uint64_t t = 100 * NS + (uint64_t)p * 15 * NS;

		harn_pkt(h, t, 6, ATK, VIC, 40000, (uint16_t)(p * 7), 0x02, 60, NULL, 0);
		harn_pkt(h, t + 1000000, 6, VIC, ATK, (uint16_t)(p * 7), 40000, 0x14, 60, NULL, 0);
	}
}
static void g_outbound_syn(struct harn *h)
{
	/* a Mirai-like host: SYNs to public addresses on 23 at one a second, a few answered */
	for (int i = 0; i < 60; i++) {
		uint32_t dst = IP4(203, 0, (uint8_t)(i / 200 + 1), (uint8_t)(i % 200 + 1));

		harn_pkt(h, 100 * NS + i * NS, 6, CLI, dst, (uint16_t)(40000 + i), 23, 0x02, 60, NULL, 0);
		if (i % 10 == 0)
			harn_pkt(h, 100 * NS + i * NS + 80000000, 6, dst, CLI, 23, (uint16_t)(40000 + i), 0x14, 60, NULL, 0);
	}
}
static void g_outbound_udp(struct harn *h)
{
	/* a ransomware spray: UDP/6892 to 1,371 outside addresses in 40 s, unanswered */
	for (int i = 0; i < 1371; i++)
		harn_pkt(h, 100 * NS + (uint64_t)i * 29000000ULL, 17, CLI, IP4(198, 18, (uint8_t)(i >> 8), (uint8_t)i),
			 50000, 6892, 0, 60, NULL, 0);
}
static void g_p2p(struct harn *h)
{
	/* a peer-to-peer client dialling its stale peer list: 80 peers on 6346, each retransmitted after 3 s, 9 s, 21 s */
	static const unsigned int at[] = { 0, 3, 9, 21 };

	for (int r = 0; r < 4; r++)
		for (int i = 0; i < 80; i++)
			harn_pkt(h, 100 * NS + (uint64_t)at[r] * NS + i * 20000000ULL, 6, CLI,
				 IP4(81, (uint8_t)(i * 7), (uint8_t)(i * 13), (uint8_t)(i + 1)), (uint16_t)(40000 + i), 6346,
				 0x02, 62, NULL, 0);
	harn_pkt(h, 200 * NS, 17, CLI, IP4(10, 1, 0, 2), 53000, 53, 0, 80, NULL, 0);
}
static void g_web_client(struct harn *h)
{
	/* one client opening HTTPS to 40 outside servers, every one answering */
	for (int i = 1; i <= 40; i++) {
		harn_pkt(h, 100 * NS + i * 100000000ULL, 6, CLI, IP4(203, 0, 113, i), 50000 + i, 443, 0x02, 60, NULL, 0);
		harn_pkt(h, 100 * NS + i * 100000000ULL + 30000000, 6, IP4(203, 0, 113, i), CLI, 443, 50000 + i, 0x12, 60,
			 NULL, 0);
	}
	harn_pkt(h, 110 * NS, 17, CLI, IP4(10, 1, 0, 2), 53000, 53, 0, 80, NULL, 0);
}
/* one TCP session from c:cport to v:port, the messages alternating from the server's first (msgs[i] NULL: none) */
static uint64_t tcp_session(struct harn *h, uint64_t t, uint32_t c, uint32_t v, uint16_t cport, uint16_t port,
			    const uint8_t *const *msgs, const uint32_t *lens, unsigned int n, bool server_first)
{
	unsigned int i;

	harn_pkt(h, t, 6, c, v, cport, port, 0x02, 60, NULL, 0);
	harn_pkt(h, t + 1000000, 6, v, c, port, cport, 0x12, 60, NULL, 0);
	harn_pkt(h, t + 2000000, 6, c, v, cport, port, 0x10, 60, NULL, 0);
	t += 3000000;
	for (i = 0; i < n; i++, t += 20000000) {
		bool from_server = (i % 2 == 0) == server_first;

		if (from_server)
			harn_pkt(h, t, 6, v, c, port, cport, 0x18, 60 + lens[i], msgs[i], lens[i]);
		else
			harn_pkt(h, t, 6, c, v, cport, port, 0x18, 60 + lens[i], msgs[i], lens[i]);
	}
	harn_pkt(h, t, 6, v, c, port, cport, 0x11, 60, NULL, 0);
	harn_pkt(h, t + 1000000, 6, c, v, cport, port, 0x11, 60, NULL, 0);
	return t + 2000000;
}

/* an SSH login attempt: banners, key exchange, a refused password, and the server closes */
static uint64_t ssh_guess(struct harn *h, uint64_t t, uint32_t c, uint16_t cport, uint16_t port)
{
	static const uint8_t sb[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", cb[] = "SSH-2.0-libssh_0.9.6\r\n";
	static uint8_t kex[1024];
	const uint8_t *m[] = { sb, cb, kex, kex, kex, kex };
	const uint32_t l[] = { sizeof(sb) - 1, sizeof(cb) - 1, 1080, 1000, 300, 80 };

	return tcp_session(h, t, c, VIC, cport, port, m, l, 6, true);
}
static void g_brute(struct harn *h)
{
	/* twenty SSH password guesses, one session every 250 ms */
	for (int i = 0; i < 20; i++)
		ssh_guess(h, 100 * NS + i * 250000000ULL, ATK, (uint16_t)(40000 + i), 22);
}
static void g_brute_altport(struct harn *h)
{
	/* the same on port 2222: the banner says SSH */
	for (int i = 0; i < 20; i++)
		ssh_guess(h, 100 * NS + i * 250000000ULL, ATK, (uint16_t)(40000 + i), 2222);
}
static void g_ssh_admin(struct harn *h)
{
	/* an administrator: a few short commands and one long session are not guessing */
	static uint8_t data[1400];
	const uint8_t *m[64];
	uint32_t l[64];

	for (int i = 0; i < 64; i++)
		m[i] = data, l[i] = 1400;
	for (int i = 0; i < 5; i++)
		ssh_guess(h, 100 * NS + i * 5 * NS, CLI, (uint16_t)(41000 + i), 22);
	tcp_session(h, 200 * NS, CLI, VIC, 42000, 22, m, l, 64, true);
}
static void g_brute_nopsh(struct harn *h)
{
	/* FTP: three refused passwords per connection, as guessing tools do */
	static const uint8_t hi[] = "220 FTP server ready\r\n", user[] = "USER admin\r\n", pw[] = "331 Password required\r\n",
			     pass[] = "PASS guess\r\n", no[] = "530 Login incorrect.\r\n";
	const uint8_t *m[] = { hi, user, pw, pass, no, user, pw, pass, no, user, pw, pass, no };
	const uint32_t l[] = { sizeof(hi) - 1, sizeof(user) - 1, sizeof(pw) - 1, sizeof(pass) - 1, sizeof(no) - 1,
			       sizeof(user) - 1, sizeof(pw) - 1, sizeof(pass) - 1, sizeof(no) - 1,
			       sizeof(user) - 1, sizeof(pw) - 1, sizeof(pass) - 1, sizeof(no) - 1 };

	for (int i = 0; i < 4; i++)
		tcp_session(h, 100 * NS + i * NS, ATK, VIC, (uint16_t)(40000 + i), 21, m, l, 13, true);
}

/* Kerberos over TCP: the 4-byte record length, then the message */
static const uint8_t krb_as_req[] = { 0, 0, 0, 7, 0x6a, 5, 0x30, 3, 0xa1, 1, 5 };
static const uint8_t krb_as_rep[] = { 0, 0, 0, 7, 0x6b, 5, 0x30, 3, 0xa0, 1, 5 };
static const uint8_t krb_tgs_req[] = { 0, 0, 0, 7, 0x6c, 5, 0x30, 3, 0xa1, 1, 5 };
static const uint8_t krb_tgs_rep[] = { 0, 0, 0, 7, 0x6d, 5, 0x30, 3, 0xa0, 1, 5 };
/* KRB-ERROR: pvno 5, msg-type 30, stime, susec, error-code (last byte) */
#define KRB_ERROR(code) { 0, 0, 0, 0x2b, 0x7e, 0x29, 0x30, 0x27, 0xa0, 3, 2, 1, 5, 0xa1, 3, 2, 1, 30, \
			  0xa4, 0x11, 0x18, 0x0f, '2', '0', '2', '6', '1', '2', '0', '7', '1', '2', '0', '0', '0', '0', 'Z', \
			  0xa5, 3, 2, 1, 0, 0xa6, 3, 2, 1, code }
static const uint8_t krb_preauth_required[] = KRB_ERROR(25), krb_preauth_failed[] = KRB_ERROR(24);
/* LDAP simple bind and its success */
static const uint8_t ldap_bind[] = { 0x30, 0x0c, 2, 1, 1, 0x60, 7, 2, 1, 3, 4, 0, 0x80, 0 };
static const uint8_t ldap_bind_ok[] = { 0x30, 0x0c, 2, 1, 1, 0x61, 7, 0x0a, 1, 0, 4, 0, 4, 0 };

static void g_windows_logon(struct harn *h)
{
	/* a workstation logs on: 20 Kerberos exchanges and 10 LDAP binds to its DC in 3 s, all accepted */
	const uint8_t *as[] = { krb_as_req, krb_preauth_required }, *as2[] = { krb_as_req, krb_as_rep },
		      *tgs[] = { krb_tgs_req, krb_tgs_rep }, *ld[] = { ldap_bind, ldap_bind_ok };
	const uint32_t asl[] = { sizeof(krb_as_req), sizeof(krb_preauth_required) },
		       as2l[] = { sizeof(krb_as_req), sizeof(krb_as_rep) },
		       tgsl[] = { sizeof(krb_tgs_req), sizeof(krb_tgs_rep) }, ldl[] = { sizeof(ldap_bind), sizeof(ldap_bind_ok) };
	uint64_t t = 100 * NS;

	tcp_session(h, t, CLI, VIC, 50000, 88, as, asl, 2, false);
	tcp_session(h, t + 50000000, CLI, VIC, 50001, 88, as2, as2l, 2, false);
	for (int i = 0; i < 18; i++)
		tcp_session(h, t + 100000000 + i * 100000000ULL, CLI, VIC, (uint16_t)(50002 + i), 88, tgs, tgsl, 2, false);
	for (int i = 0; i < 10; i++)
		tcp_session(h, t + 150000000 + i * 200000000ULL, CLI, VIC, (uint16_t)(51000 + i), 389, ld, ldl, 2, false);
}
static void g_krb_guess(struct harn *h)
{
	/* password guessing against Kerberos: every pre-authentication refused */
	const uint8_t *m[] = { krb_as_req, krb_preauth_failed };
	const uint32_t l[] = { sizeof(krb_as_req), sizeof(krb_preauth_failed) };

	for (int i = 0; i < 12; i++)
		tcp_session(h, 100 * NS + i * 300000000ULL, ATK, VIC, (uint16_t)(40000 + i), 88, m, l, 2, false);
}
static void g_brute_nodata(struct harn *h)
{
	/* a liveness check connecting to ssh every 250 ms and closing without a byte, and one SYN retransmitted 20 times */
	for (int i = 0; i < 20; i++) {
		uint64_t t = 100 * NS + i * 250000000ULL;

		harn_pkt(h, t, 6, ATK, VIC, 40000 + i, 22, 0x02, 60, NULL, 0);
		harn_pkt(h, t + 20000000, 6, ATK, VIC, 40000 + i, 22, 0x10, 60, NULL, 0);
		harn_pkt(h, t + 20000000, 6, ATK, VIC, 40000 + i, 22, 0x11, 60, NULL, 0);
		harn_pkt(h, t, 6, ATK, VIC, 39999, 21, 0x02, 60, NULL, 0);
	}
}
static void g_stealth(struct harn *h)
{
	/* nmap -O style: NULL, SYN+FIN+URG+PSH and FIN+URG+PSH probes, ECN SYN and an ACK */
	static const uint8_t fl[] = { 0xc2, 0x00, 0x2b, 0x10, 0x29 };

	for (unsigned int i = 0; i < sizeof(fl); i++)
		harn_pkt(h, 100 * NS + i * 25000000ULL, 6, ATK, VIC, 53948 + i, i < 4 ? 135 : 41296, fl[i], 60, NULL, 0);
}
/* a VNC login by CLI... from ATK to VIC:5900: answer after answer_ns, result 1 failed / 0 ok, then ClientInit or not */
static void vnc_login(struct harn *h, uint64_t t, uint16_t cport, uint64_t answer_ns, uint8_t result, int init)
{
	static const uint8_t v38[] = "RFB 003.008\n", types[] = { 1, 2 }, sel[] = { 2 }, init_msg[] = { 1 };
	static const uint8_t chal[16] = { 0x43, 0x54, 0x14 }, resp[16] = { 0x50, 0xe9, 0x31 };
	uint8_t res[4] = { 0, 0, 0, result };

	harn_pkt(h, t, 6, ATK, VIC, cport, 5900, 0x02, 60, NULL, 0);
	harn_pkt(h, t + 1000000, 6, VIC, ATK, 5900, cport, 0x18, 66, v38, 12);
	harn_pkt(h, t + 2000000, 6, ATK, VIC, cport, 5900, 0x18, 66, v38, 12);
	harn_pkt(h, t + 3000000, 6, VIC, ATK, 5900, cport, 0x18, 60, types, 2);
	harn_pkt(h, t + 4000000, 6, ATK, VIC, cport, 5900, 0x18, 60, sel, 1);
	harn_pkt(h, t + 5000000, 6, VIC, ATK, 5900, cport, 0x18, 70, chal, 16);
	harn_pkt(h, t + 5000000 + answer_ns, 6, ATK, VIC, cport, 5900, 0x18, 70, resp, 16);
	harn_pkt(h, t + 6000000 + answer_ns, 6, VIC, ATK, 5900, cport, 0x18, 60, res, 4);
	if (init)
		harn_pkt(h, t + 7000000 + answer_ns, 6, ATK, VIC, cport, 5900, 0x18, 60, init_msg, 1);
	harn_pkt(h, t + 8000000 + answer_ns, 6, ATK, VIC, cport, 5900, 0x11, 60, NULL, 0);
}
static void g_vnc_scanner(struct harn *h) { vnc_login(h, 100 * NS, 46381, 100000000, 1, 0); }
static void g_vnc_people(struct harn *h)
{
	/* someone typing a wrong password (4 s), then the right one; a saved password used all day */
	vnc_login(h, 100 * NS, 50000, 4 * NS, 1, 0);
	vnc_login(h, 110 * NS, 50001, 6 * NS, 0, 1);
	for (int i = 0; i < 20; i++)
		vnc_login(h, 200 * NS + i * 60 * NS, (uint16_t)(50100 + i), 1000000, 0, 1);
}
static void g_vnc_open(struct harn *h)
{
	/* a server without a password (3.8, type None): the scanner reads the OK and leaves */
	static const uint8_t v38[] = "RFB 003.008\n", types[] = { 1, 1 }, sel[] = { 1 }, ok[4] = { 0 };

	harn_pkt(h, 100 * NS, 6, VIC, ATK, 5901, 40000, 0x18, 66, v38, 12);
	harn_pkt(h, 100 * NS + 1000000, 6, ATK, VIC, 40000, 5901, 0x18, 66, v38, 12);
	harn_pkt(h, 100 * NS + 2000000, 6, VIC, ATK, 5901, 40000, 0x18, 60, types, 2);
	harn_pkt(h, 100 * NS + 3000000, 6, ATK, VIC, 40000, 5901, 0x18, 60, sel, 1);
	harn_pkt(h, 100 * NS + 4000000, 6, VIC, ATK, 5901, 40000, 0x18, 60, ok, 4);
	harn_pkt(h, 100 * NS + 5000000, 6, ATK, VIC, 40000, 5901, 0x04, 60, NULL, 0);
}
static void g_ecn_clients(struct harn *h)
{
	/* ECN-setup SYNs, data, FIN+ACK and a bare RST: all legal flag sets */
	static const uint8_t fl[] = { 0xc2, 0x18, 0x11, 0x04, 0x14, 0x12 };

	for (int c = 0; c < 10; c++)
		for (unsigned int i = 0; i < sizeof(fl); i++)
			harn_pkt(h, 100 * NS + (c * 10 + i) * 10000000ULL, 6, ATK, VIC, 50000 + c, 80, fl[i], 60, NULL, 0);
}
static void g_synscan_small(struct harn *h)
{
	/* 29 SYNs of one source to 29 ports in 2.8 s, never answered: a scan, not a flood */
	for (int p = 0; p < 29; p++)
		harn_pkt(h, 100 * NS + p * 100000000ULL, 6, ATK, VIC, 40000, (uint16_t)(20 + p * 3), 0x02, 60, NULL, 0);
}
/* a non-first IPv4 fragment: no ports */
static void frag_pkt(struct harn *h, uint64_t ts, uint32_t src, uint32_t dst, uint32_t len)
{
	struct pkt_info pi = { 0 };
	struct detect_pkt p = { .ts_ns = ts, .pi = &pi };

	harn_ip(pi.src, src);
	harn_ip(pi.dst, dst);
	pi.proto = 17;
	pi.ip_ver = 4;
	pi.is_fragment = 1;
	pi.len = len;
	detect_packet(h->d, &p);
}
static void g_reflect(struct harn *h)
{
	/* 3 s of DNS answers (with two trailing fragments each) from 50 resolvers outside, 60 answers/s: nobody asked */
	for (int i = 0; i < 180; i++) {
		uint64_t t = 100 * NS + i * (NS / 60);
		uint32_t r = IP4(198, 51, 100, 1 + i % 50);

		harn_pkt(h, t, 17, r, VIC, 53, (uint16_t)(1024 + i), 0, 1514, NULL, 0);
		frag_pkt(h, t + 1000, r, VIC, 1514);
		frag_pkt(h, t + 2000, r, VIC, 600);
	}
}
static void g_resolver(struct harn *h)
{
	/* a busy resolver: 300 queries/s out, each answered in three packets (an answer and two fragments) */
	for (int i = 0; i < 900; i++) {
		uint64_t t = 100 * NS + i * (NS / 300);
		uint32_t r = IP4(198, 51, 100, 1 + i % 50);

		harn_pkt(h, t, 17, VIC, r, (uint16_t)(1024 + i), 53, 0, 80, NULL, 0);
		harn_pkt(h, t + 20000000, 17, r, VIC, 53, (uint16_t)(1024 + i), 0, 1514, NULL, 0);
		frag_pkt(h, t + 20001000, r, VIC, 1514);
		frag_pkt(h, t + 20002000, r, VIC, 600);
	}
}
static void g_dhcp_starve(struct harn *h)
{
	/* 100 DHCP requests a second for 3 s, each from another client to another address */
	for (int i = 0; i < 300; i++)
		harn_pkt(h, 100 * NS + i * (NS / 100), 17, IP4(10, 2, i / 250, 1 + i % 250), IP4(10, 3, i / 250, 1 + i % 250),
			 68, 67, 0, 342, NULL, 0);
}
static void g_dhcp_office(struct harn *h)
{
	/* an office's renewals: a request and an ack every 2 s for 60 s */
	for (int i = 0; i < 30; i++) {
		harn_pkt(h, 100 * NS + i * 2 * NS, 17, IP4(10, 2, 0, 1 + i), IP4(10, 1, 0, 1), 68, 67, 0, 342, NULL, 0);
		harn_pkt(h, 100 * NS + i * 2 * NS + 1000000, 17, IP4(10, 1, 0, 1), IP4(10, 2, 0, 1 + i), 67, 68, 0, 342, NULL, 0);
	}
}
static void g_bps(struct harn *h)
{
	/* 2 s of 400 pps of 1514-byte frames (4.8 Mbit/s): under the pps floor, over a 2 Mbit/s bps floor */
	for (int i = 0; i < 800; i++)
		harn_pkt(h, 100 * NS + i * (NS / 400), 17, ATK, VIC, 40000, 443, 0, 1514, NULL, 0);
}
/* one conversation after 60 s of quiet acquaintance: data at pps from snd to rcv, an ACK back every other */
static void gen_transfer(struct harn *h, uint32_t snd, uint32_t rcv, uint16_t sport, uint16_t rport, double pps,
			 double secs, bool snd_opens)
{
	uint64_t t0 = 100 * NS, n = (uint64_t)(pps * secs);

	for (int i = 0; i < 60; i++) {	/* a minute of light traffic first: the hosts are learned */
		harn_pkt(h, 30 * NS + i * NS, 6, CLI, VIC, 30000, 443, 0x02, 60, NULL, 0);
		harn_pkt(h, 30 * NS + i * NS + 1000, 6, VIC, CLI, 443, 30000, 0x12, 60, NULL, 0);
	}
	if (snd_opens) {
		harn_pkt(h, t0 - 2000, 6, snd, rcv, sport, rport, 0x02, 60, NULL, 0);
		harn_pkt(h, t0 - 1000, 6, rcv, snd, rport, sport, 0x12, 60, NULL, 0);
	} else {
		harn_pkt(h, t0 - 2000, 6, rcv, snd, rport, sport, 0x02, 60, NULL, 0);
		harn_pkt(h, t0 - 1000, 6, snd, rcv, sport, rport, 0x12, 60, NULL, 0);
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t = t0 + (uint64_t)((double)i * 1e9 / pps);

		harn_pkt(h, t, 6, snd, rcv, sport, rport, 0x10, 1514, NULL, 1460);
		if (i % 2)
			harn_pkt(h, t + 1000, 6, rcv, snd, rport, sport, 0x10, 66, NULL, 0);
	}
}
static void g_smb_copy(struct harn *h)
{
	/* a file copy between two internal hosts at 1100 packets/s: a busy conversation, no flood */
	gen_transfer(h, CLI, VIC, 50000, 445, 1100, 20, true);
}
static void g_download(struct harn *h)
{
	/* a 60 Mbit/s download from outside (5000 packets/s towards the client), ACKed */
	gen_transfer(h, ATK, CLI, 443, 50001, 5000, 10, false);
}
static void g_igmp(struct harn *h)
{
	/* IGMPv3 reports to 224.0.0.22 from 18 hosts every second for two minutes */
	for (int s = 0; s < 120; s++)
		for (int i = 0; i < 18; i++)
			harn_pkt(h, 100 * NS + s * NS + i * 50000000ULL, 2, IP4(10, 1, 1, 20 + i), IP4(224, 0, 0, 22), 0, 0,
				 0, 60, NULL, 0);
}
static void g_exfil(struct harn *h)
{
	/* 3 MB/s out for 12 s */
	for (int i = 0; i < 24000; i++)
		harn_pkt(h, 100 * NS + i * 500000ULL, 6, CLI, IP4(203, 0, 113, 9), 50000, 443, 0x18, 1514, NULL, 0);
}
static void g_upload(struct harn *h)
{
	/* a 20 MB attachment sent at 5 MB/s: four seconds, not a sustained stream */
	for (int i = 0; i < 13200; i++)
		harn_pkt(h, 100 * NS + i * 300000ULL, 6, CLI, IP4(203, 0, 113, 9), 50000, 443, 0x18, 1514, NULL, 0);
}
static void g_beacon(struct harn *h)
{
	for (int i = 0; i < 12; i++)
		harn_pkt(h, 100 * NS + i * 30 * NS + (i % 3) * 100000000ULL, 6, CLI, IP4(203, 0, 113, 66), 50000 + i, 8443,
			 0x02, 60, NULL, 0);
}
static void g_smb_keepalive(struct harn *h)
{
	/* the same regularity inside home_net (to the DC) and NTP outside: not C2 */
	for (int i = 0; i < 12; i++) {
		harn_pkt(h, 100 * NS + i * 60 * NS, 6, CLI, IP4(10, 1, 0, 5), 50000 + i, 445, 0x02, 60, NULL, 0);
		harn_pkt(h, 100 * NS + i * 64 * NS, 17, CLI, IP4(198, 51, 100, 123), 123, 123, 0, 90, NULL, 0);
	}
}
static void g_dns(struct harn *h, int tunnel)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

	for (int i = 0; i < 60; i++) {
		uint8_t m[128] = { 0x12, 0x34, 0x01, 0, 0, 1 };
		char lab[41];
		unsigned int n = 12;

		for (int j = 0; j < 40; j++)
			lab[j] = b32[(i * 7 + j * 13 + (i * j)) % 32];
		lab[40] = 0;
		const char *parts[] = { tunnel ? lab : "www", "example", "com" };
		for (int k = 0; k < 3; k++) {
			m[n++] = (uint8_t)strlen(parts[k]);
			memcpy(m + n, parts[k], strlen(parts[k]));
			n += (unsigned int)strlen(parts[k]);
		}
		m[n++] = 0;
		m[n++] = 0;
		m[n++] = 1;
		m[n++] = 0;
		m[n++] = 1;
		harn_pkt(h, 100 * NS + i * 200000000ULL, 17, CLI, IP4(10, 1, 0, 2), 50000 + i, 53, 0, n + 42, m, n);
	}
}
/* a DNS query for name (dotted) of qtype from c to the resolver */
static void dns_query(struct harn *h, uint64_t t, uint32_t c, uint16_t sport, const char *name, uint16_t qtype)
{
	uint8_t m[300] = { 0x12, 0x34, 0x01, 0, 0, 1 };
	unsigned int n = 12;
	const char *p = name;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		m[n++] = (uint8_t)l;
		memcpy(m + n, p, l);
		n += (unsigned int)l;
		p += l + (dot ? 1 : 0);
	}
	m[n++] = 0;
	m[n++] = (uint8_t)(qtype >> 8);
	m[n++] = (uint8_t)qtype;
	m[n++] = 0;
	m[n++] = 1;
	harn_pkt(h, t, 17, c, IP4(10, 1, 0, 2), sport, 53, 0, n + 42, m, n);
}
static void g_dns_ad(struct harn *h)
{
	/* Active Directory: a workstation's DC locator and logon lookups, forty of them in a minute */
	static const char *const names[] = {
		"_ldap._tcp.dc._msdcs.corp.example.com", "_kerberos._tcp.dc._msdcs.corp.example.com",
		"_ldap._tcp.Default-First-Site-Name._sites.dc._msdcs.corp.example.com",
		"_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.corp.example.com",
		"_ldap._tcp.pdc._msdcs.corp.example.com", "_ldap._tcp.gc._msdcs.corp.example.com",
		"_gc._tcp.Default-First-Site-Name._sites.corp.example.com", "_kpasswd._udp.corp.example.com",
		"_ldap._tcp.3c1a7e2b-6f90-4b3e-9d1a-0c55e7a9f311.domains._msdcs.corp.example.com",
		"_kerberos._udp.corp.example.com", "_ldap._tcp.Default-First-Site-Name._sites.corp.example.com",
		"dc1.corp.example.com", "wpad.corp.example.com",
	};

	for (int i = 0; i < 40; i++)
		dns_query(h, 100 * NS + i * 1000000000ULL, CLI, (uint16_t)(50000 + i), names[i % 13], i % 2 ? 33 : 1);
}
static void g_dns_dnsbl(struct harn *h)
{
	/* a mail server asking a blocklist about each connecting address, reversed */
	char name[96];

	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "%d.%d.%d.%d.zen.dnsbl.example", (i * 37) % 250 + 1, (i * 11) % 250 + 1,
			 (i * 53) % 250 + 1, 100 + i % 50);
		dns_query(h, 100 * NS + i * 500000000ULL, CLI, (uint16_t)(50000 + i), name, 1);
	}
}
static void g_dns_short_cctld(struct harn *h)
{
	/* a tunnel under a short ccTLD domain (x.io): the registered domain is x.io, not the data's last labels */
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	char name[96];

	for (int i = 0; i < 30; i++) {
		char lab[33];

		for (int j = 0; j < 32; j++)
			lab[j] = b32[(i * 7 + j * 13 + (i * j)) % 32];
		lab[32] = 0;
		snprintf(name, sizeof(name), "%s.t.x.io", lab);
		dns_query(h, 100 * NS + i * 200000000ULL, CLI, (uint16_t)(50000 + i), name, 16);
	}
}
static void g_dns_tunnel(struct harn *h) { g_dns(h, 1); }
static void g_dns_benign(struct harn *h) { g_dns(h, 0); }
static void g_newservice(struct harn *h)
{
	/* learning: the host only serves 22; later it answers on 4444 */
	for (int i = 0; i < 10; i++)
		harn_pkt(h, 10 * NS + i * NS, 6, CLI, ATK, 22, 40000 + i, 0x12, 60, NULL, 0);
	for (int i = 0; i < 5; i++)
		harn_pkt(h, 800 * NS + i * NS, 6, CLI, ATK, 4444, 40000 + i, 0x12, 60, NULL, 0);
}
/* learning_s 60: the host serves 22 and reaches 443 while learning (10..20 s) */
static void ns_learn(struct harn *h)
{
	for (int i = 0; i < 10; i++) {
		harn_pkt(h, 10 * NS + i * NS, 6, CLI, ATK, 22, 40000 + i, 0x12, 60, NULL, 0);
		harn_pkt(h, 10 * NS + i * NS, 6, CLI, IP4(203, 0, 113, 5), 50000 + i, 443, 0x02, 60, NULL, 0);
	}
}
static void g_ns_serve_answered(struct harn *h)
{
	/* after learning: one connection to 4444, answered: proof at the SYN-ACK */
	ns_learn(h);
	harn_pkt(h, 100 * NS, 6, ATK, CLI, 41000, 4444, 0x02, 60, NULL, 0);
	harn_pkt(h, 100 * NS + 1000000, 6, CLI, ATK, 4444, 41000, 0x12, 60, NULL, 0);
	harn_pkt(h, 100 * NS + 2000000, 6, ATK, CLI, 41000, 4444, 0x10, 60, NULL, 0);
}
static void g_ns_inside(struct harn *h)
{
	/* after learning: internal hosts reach SMB and 4444 on the host, and it reaches a service outside */
	ns_learn(h);
	harn_pkt(h, 100 * NS, 6, IP4(10, 1, 1, 77), CLI, 51000, 445, 0x02, 60, NULL, 0);
	harn_pkt(h, 100 * NS + 1000000, 6, CLI, IP4(10, 1, 1, 77), 445, 51000, 0x12, 60, NULL, 0);
	harn_pkt(h, 101 * NS, 6, IP4(10, 1, 1, 78), CLI, 51001, 4444, 0x02, 60, NULL, 0);
	harn_pkt(h, 101 * NS + 1000000, 6, CLI, IP4(10, 1, 1, 78), 4444, 51001, 0x12, 60, NULL, 0);
	harn_pkt(h, 102 * NS, 6, CLI, ATK, 51002, 6667, 0x02, 60, NULL, 0);
	harn_pkt(h, 102 * NS + 50000000, 6, ATK, CLI, 6667, 51002, 0x12, 60, NULL, 0);
}
static void g_ns_reach_lone(struct harn *h)
{
	/* one unanswered SYN, and SYN-ACKs nobody asked for (backscatter of a spoofed flood) */
	ns_learn(h);
	harn_pkt(h, 100 * NS, 6, CLI, ATK, 51000, 6667, 0x02, 60, NULL, 0);
	for (int i = 0; i < 5; i++)
		harn_pkt(h, 101 * NS + i * NS, 6, IP4(198, 51, 100, 60 + i), CLI, 80, 52000 + i, 0x12, 60, NULL, 0);
}
static void g_ns_udp_reply(struct harn *h)
{
	/* a request to the host's UDP 5000 and its reply */
	ns_learn(h);
	harn_pkt(h, 100 * NS, 17, ATK, CLI, 40000, 5000, 0, 80, NULL, 0);
	harn_pkt(h, 100 * NS + 1000000, 17, CLI, ATK, 5000, 40000, 0, 80, NULL, 0);
}
static void g_beacon_net_jitter(struct harn *h)
{
	/* a 30 s timer seen through a few ms of network jitter (CV about 1e-4) */
	static const unsigned int ms[] = { 0, 7, 3, 11, 5, 9, 2, 8, 4, 10, 6, 1 };

	for (int i = 0; i < 12; i++)
		harn_pkt(h, 100 * NS + i * 30 * NS + ms[i] * 1000000ULL, 6, CLI, IP4(203, 0, 113, 66), 50000 + i, 8443,
			 0x02, 60, NULL, 0);
}
/* a deterministic uniform in [0, 1) for jitter */
static double unif(unsigned int i)
{
	return (double)((i * 2654435761u) >> 8 & 0xffffff) / 16777216.0;
}
/* one HTTPS check-in: a new connection, the client's request of req bytes, a small answer, closed */
static void checkin(struct harn *h, uint64_t t, uint32_t c, uint32_t dst, uint16_t cport, uint16_t port, uint32_t req)
{
	static uint8_t pay[1500];

	harn_pkt(h, t, 6, c, dst, cport, port, 0x02, 60, NULL, 0);
	harn_pkt(h, t + 30000000, 6, dst, c, port, cport, 0x12, 60, NULL, 0);
	harn_pkt(h, t + 31000000, 6, c, dst, cport, port, 0x18, 60 + req, pay, req);
	harn_pkt(h, t + 60000000, 6, dst, c, port, cport, 0x18, 160, pay, 100);
	harn_pkt(h, t + 61000000, 6, c, dst, cport, port, 0x11, 60, NULL, 0);
	harn_pkt(h, t + 90000000, 6, dst, c, port, cport, 0x11, 60, NULL, 0);
}
static void g_beacon_jitter(struct harn *h)
{
	/* every 3.06 s on average, uniform jitter of +-27% (CV 0.157) */
	uint64_t t = 100 * NS;

	for (unsigned int i = 0; i < 40; i++) {
		checkin(h, t, CLI, IP4(203, 0, 113, 70), (uint16_t)(50000 + i), 443, 300);
		t += (uint64_t)((3.06 + 3.06 * 0.544 * (unif(i) - 0.5)) * 1e9);
	}
}
static void g_beacon_size(struct harn *h)
{
	/* every 9 s on average with jitter of CV 0.75 (exponential-like), the request always 243-252 bytes */
	uint64_t t = 100 * NS;

	for (unsigned int i = 0; i < 60; i++) {
		double u = unif(i) * 0.98 + 0.01;

		checkin(h, t, CLI, IP4(203, 0, 113, 71), (uint16_t)(50000 + i), 443, 243 + i % 10);
		t += (uint64_t)((1.0 + 8.0 * -log(u) * 0.85) * 1e9);
	}
}
static void g_ssdp(struct harn *h)
{
	for (int i = 0; i < 100; i++)
		harn_pkt(h, 100 * NS + i * 3 * NS, 17, CLI, IP4(239, 255, 255, 250), 50000, 1900, 0, 200, NULL, 0);
}
static void g_mqtt(struct harn *h)
{
	/* an IoT device reconnecting to its broker every 30 s (TLS on 8883) */
	for (int i = 0; i < 60; i++)
		checkin(h, 100 * NS + i * 30 * NS, CLI, IP4(203, 0, 113, 80), (uint16_t)(50000 + i), 8883, 120);
}
static void g_beacon_shared(struct harn *h)
{
	/* three hosts polling the same update server every 60 s */
	for (int i = 0; i < 20; i++)
		for (int c = 0; c < 3; c++)
			checkin(h, 100 * NS + i * 60 * NS + c * 7 * NS, IP4(10, 1, 1, 20 + c), IP4(203, 0, 113, 90),
				(uint16_t)(50000 + i), 443, 400);
}
static void g_beacon_loose(struct harn *h)
{
	/* a period of 30 s with intervals 27.6 / 32.4 s (CV 0.08): 8 intervals make chance <= 2.5e-7 */
	for (int i = 0; i < 12; i++)
		harn_pkt(h, 100 * NS + i * 30 * NS + (i % 2) * 2400000000ULL, 6, CLI, IP4(203, 0, 113, 66), 50000 + i,
			 8443, 0x02, 60, NULL, 0);
}
static void g_beacon_random(struct harn *h)
{
	/* contacts at exponential intervals (mean 30 s): unrelated, never regular */
	uint64_t t = 100 * NS, x = 12345;

	for (int i = 0; i < 40; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		t += (uint64_t)(-30.0 * log((double)((x >> 11) + 1) / 9007199254740993.0) * 1e9);
		harn_pkt(h, t, 6, CLI, IP4(203, 0, 113, 66), 50000 + i, 8443, 0x02, 60, NULL, 0);
	}
}
static void g_service_periodic(struct harn *h)
{
	/* exactly periodic, but services: DNS outside, LDAP and NetBIOS to the DC inside */
	for (int i = 0; i < 12; i++) {
		harn_pkt(h, 100 * NS + i * 30 * NS, 17, CLI, IP4(198, 51, 100, 53), 50000 + i, 53, 0, 80, NULL, 0);
		harn_pkt(h, 100 * NS + i * 30 * NS, 6, CLI, IP4(10, 1, 0, 5), 50000 + i, 389, 0x02, 60, NULL, 0);
		harn_pkt(h, 100 * NS + i * 30 * NS, 17, CLI, IP4(10, 1, 0, 5), 137, 137, 0, 90, NULL, 0);
	}
}
static void g_anomaly(struct harn *h)
{
	/* an IoT camera: a heartbeat to its cloud every 10 s for ten minutes, then taken over: 200 packets/s to many */
	const uint32_t cam = IP4(10, 1, 1, 50);

	harn_use_stats(h);
	for (int i = 0; i < 60; i++) {
		harn_pkt(h, 10 * NS + i * 10 * NS, 17, cam, IP4(203, 0, 113, 9), 40000, 8000, 0, 90, NULL, 0);
		harn_pkt(h, 10 * NS + i * 10 * NS + 50000000, 17, IP4(203, 0, 113, 9), cam, 8000, 40000, 0, 90, NULL, 0);
	}
	for (int i = 0; i < 2000; i++)
		harn_pkt(h, 700 * NS + i * 5000000ULL, 6, cam, IP4(198, 18, (uint8_t)(i / 200), (uint8_t)(i % 200 + 1)),
			 (uint16_t)(40000 + i), (uint16_t)(i % 3 ? 23 : 2323), 0x02, 60, NULL, 0);
}
static void g_anomaly_person(struct harn *h)
{
	/* a workstation: quiet, with a browsing burst (300 packets/s to 30 sites) every few minutes */
	harn_use_stats(h);
	for (int b = 0; b < 6; b++) {
		uint64_t t0 = 10 * NS + (uint64_t)b * 170 * NS;

		for (int i = 0; i < 900; i++) {
			uint32_t site = IP4(203, 0, 113, (uint8_t)(1 + (i + b * 7) % 30));
			uint16_t port = (uint16_t)(50000 + b * 1000 + i % 60);

			harn_pkt(h, t0 + i * 3333333ULL, 6, CLI, site, port, 443, 0x18, 200, NULL, 0);
			harn_pkt(h, t0 + i * 3333333ULL + 1000000, 6, site, CLI, 443, port, 0x18, 1400, NULL, 0);
		}
		for (int i = 0; i < 150; i++)	/* and a packet now and then between bursts */
			harn_pkt(h, t0 + 5 * NS + i * NS, 17, CLI, IP4(10, 1, 0, 2), 53000, 53, 0, 80, NULL, 0);
	}
}
static void g_backwards_time(struct harn *h)
{
	/* a SYN burst whose timestamps run backwards half way, then jump back years */
	for (int i = 0; i < 100; i++)
		harn_pkt(h, (i < 50 ? 100 * NS + i * 100000ULL : 100 * NS - i * 1000ULL), 6, IP4(100, 64, 0, i), VIC,
			 40000, 443, 0x02, 60, NULL, 0);
	harn_pkt(h, 5 * NS, 6, ATK, VIC, 1, 443, 0x10, 60, NULL, 0);
}

static void g_clock_extremes(struct harn *h)
{
	/* a clock in 2036, reset to 1970, then near the end of int64 (a fuzzed capture's times): the rebase
	 * offset must not overflow (UBSan aborts the ASan build's run of this test if it does) */
	harn_pkt(h, 2100000000ULL * NS, 17, ATK, VIC, 40000, 53, 0, 60, NULL, 0);
	harn_pkt(h, 1 * NS, 17, ATK, VIC, 40000, 53, 0, 60, NULL, 0);
	harn_pkt(h, 9170000000ULL * NS, 17, ATK, VIC, 40000, 53, 0, 60, NULL, 0);
}

struct row {
	const char *name;
	void (*gen)(struct harn *h);
	const char *yaml;
	enum detect_id det;
	unsigned int want_starts;
	const char *metric;	/* the first start's metric, NULL: don't check */
	int dst_victim;		/* 1: the first start's dst is VIC */
	double max_delay_s;	/* first start within this of the first packet (0: don't check) */
};


static const struct row rows[] = {
	{ "flood: 5000 pps udp", g_udpflood, NULL, DETECT_FLOOD, 1, "pps", 1, 1.01 },
	{ "synflood: 100 spoofed SYNs in 16 ms", g_synflood_burst, NULL, DETECT_SYNFLOOD, 1, "half_open_syn_per_s", 1, 2 },
	{ "synflood: 15 SYN/s never answered", g_synflood_slow, NULL, DETECT_SYNFLOOD, 1, "half_open_syn_per_s", 1, 2 },
	{ "synflood: answered handshakes are not", g_handshakes, NULL, DETECT_SYNFLOOD, 0, NULL, 0, 0 },
	{ "synflood: one host SYN-probing many addresses is not", g_syn_sweep, NULL, DETECT_SYNFLOOD, 0, NULL, 0, 0 },
	{ "portscan: 100 ports in 0.1 s", g_portscan, NULL, DETECT_PORTSCAN, 1, "distinct_ports", 1, 0.1 },
	{ "portscan: allow_cidrs silences it", g_portscan, "detectors:\n  portscan:\n    allow_cidrs: [198.51.100.0/24]\n",
	  DETECT_PORTSCAN, 0, NULL, 0, 0 },
	{ "portscan: icmp fingerprinting", g_icmp_fingerprint, NULL, DETECT_PORTSCAN, 1, "distinct_icmp_types", 1, 4 },
	{ "hostsweep: 40 addresses pinged, 35 silent", g_sweep, NULL, DETECT_HOSTSWEEP, 1, "distinct_hosts", 0, 1.5 },
	{ "hostsweep: web client is not", g_web_client, NULL, DETECT_HOSTSWEEP, 0, NULL, 0, 0 },
	{ "hostsweep: a peer-to-peer client's stale peers (retransmitted) are not", g_p2p, NULL, DETECT_HOSTSWEEP, 0,
	  NULL, 0, 0 },
	{ "portscan: bare-ACK scan (nmap -sA) answered by RST", g_ack_scan, NULL, DETECT_PORTSCAN, 1, "distinct_ports", 1,
	  0.01 },
	{ "portscan: UDP scan of all ports", g_udp_scan, NULL, DETECT_PORTSCAN, 1, "distinct_ports", 1, 0.2 },
	{ "portscan: IP protocol scan (nmap -sO)", g_proto_scan, NULL, DETECT_PORTSCAN, 1, "distinct_protocols", 1, 0.1 },
	{ "portscan: slow scan (a SYN every 15 s)", g_slow_scan, NULL, DETECT_PORTSCAN, 1, "failed_ports_per_hour", 1,
	  20 * 15 + 1 },
	{ "hostsweep: an infected host probing outside addresses on 23", g_outbound_syn, NULL, DETECT_HOSTSWEEP, 1,
	  "distinct_outside_hosts", 0, 23 },
	{ "hostsweep: UDP spray to outside addresses", g_outbound_udp, NULL, DETECT_HOSTSWEEP, 1, "distinct_outside_hosts",
	  0, 5.0 },
	{ "portscan: web client is not", g_web_client, NULL, DETECT_PORTSCAN, 0, NULL, 0, 0 },
	{ "bruteforce: 4 ssh guesses/s", g_brute, NULL, DETECT_BRUTEFORCE, 1, "short_sessions", 1, 2.1 },
	{ "bruteforce: ssh on port 2222, known by its banner", g_brute_altport, NULL, DETECT_BRUTEFORCE, 1,
	  "short_sessions", 1, 2.1 },
	{ "bruteforce: an administrator's ssh sessions are not", g_ssh_admin, NULL, DETECT_BRUTEFORCE, 0, NULL, 0, 0 },
	{ "bruteforce: ftp logins refused", g_brute_nopsh, NULL, DETECT_BRUTEFORCE, 1, "failed_logins", 1, 3 },
	{ "bruteforce: a windows logon (20 kerberos, 10 ldap) is not", g_windows_logon, NULL, DETECT_BRUTEFORCE, 0, NULL,
	  0, 0 },
	{ "bruteforce: kerberos pre-authentication refused", g_krb_guess, NULL, DETECT_BRUTEFORCE, 1, "failed_logins", 1,
	  2.2 },
	{ "bruteforce: connect-and-close checks and SYN retransmissions are not", g_brute_nodata, NULL, DETECT_BRUTEFORCE, 0,
	  NULL, 0, 0 },
	{ "portscan: stealth probes (NULL, SYN+FIN, Xmas)", g_stealth, NULL, DETECT_PORTSCAN, 1, "stealth_probes", 1, 0.1 },
	{ "portscan: VNC password refused at machine speed", g_vnc_scanner, NULL, DETECT_PORTSCAN, 1, "vnc_probes", 1, 0.2 },
	{ "portscan: VNC logins by people and saved passwords are not", g_vnc_people, NULL, DETECT_PORTSCAN, 0, NULL, 0,
	  0 },
	{ "portscan: passwordless VNC, left before ClientInit", g_vnc_open, NULL, DETECT_PORTSCAN, 1, "vnc_probes", 1,
	  0.01 },
	{ "portscan: ECN SYNs and normal closes are not", g_ecn_clients, NULL, DETECT_PORTSCAN, 0, NULL, 0, 0 },
	{ "synflood: a 29-port SYN scan is not", g_synscan_small, NULL, DETECT_SYNFLOOD, 0, NULL, 0, 0 },
	{ "portscan: a 29-port SYN scan is", g_synscan_small, NULL, DETECT_PORTSCAN, 1, "distinct_ports", 1, 3 },
	{ "flood: unsolicited DNS answers and fragments", g_reflect, NULL, DETECT_FLOOD, 1, "unsolicited_amplifier_pps", 1,
	  1.01 },
	{ "flood: a resolver's own answers are not", g_resolver, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "flood: DHCP starvation network-wide", g_dhcp_starve, NULL, DETECT_FLOOD, 1, "dhcp_pps_network", 0, 1.01 },
	{ "flood: office DHCP renewals are not", g_dhcp_office, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "flood: an SMB copy at 1100 packets/s is not", g_smb_copy, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "flood: a 5000 packets/s download is not", g_download, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "flood: IGMP reports to 224.0.0.22 at 18/s are not", g_igmp, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "flood: bits per second", g_bps, "detectors:\n  flood:\n    floor_bps: 2e6\n", DETECT_FLOOD, 1, "bps", 1, 1.01 },
	{ "flood: the same under the default bps floor is not", g_bps, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "bruteforce: allow_ports silences it", g_brute, "detectors:\n  bruteforce:\n    allow_ports: [\"20-22\"]\n",
	  DETECT_BRUTEFORCE, 0, NULL, 0, 0 },
	{ "exfil: 3 MB/s outbound, sustained", g_exfil, NULL, DETECT_EXFIL, 1, "bytes_out_per_s", 0, 7 },
	{ "exfil: a 20 MB upload in four seconds is not", g_upload, NULL, DETECT_EXFIL, 0, NULL, 0, 0 },
	{ "beacon: every 30 s outside, decided by the 4th contact", g_beacon, NULL, DETECT_BEACON, 1, "interval_cv", 0, 91 },
	{ "beacon: smb to dc and ntp are not", g_smb_keepalive, NULL, DETECT_BEACON, 0, NULL, 0, 0 },
	{ "beacon: loose period (CV 0.08) is decided by the chance test", g_beacon_loose, NULL, DETECT_BEACON, 1,
	  "interval_cv", 0, 0 },
	{ "beacon: C2 jittered to CV 0.16 every 3 s", g_beacon_jitter, NULL, DETECT_BEACON, 1, "interval_cv", 0, 0 },
	{ "beacon: C2 jittered to CV 0.75, every check-in 243-252 bytes", g_beacon_size, NULL, DETECT_BEACON, 1,
	  "checkin_size_cv", 0, 0 },
	{ "beacon: SSDP every 3 s to the multicast group is not", g_ssdp, NULL, DETECT_BEACON, 0, NULL, 0, 0 },
	{ "beacon: MQTT keep-alives to a cloud broker are not", g_mqtt, NULL, DETECT_BEACON, 0, NULL, 0, 0 },
	{ "beacon: a destination three hosts contact alike is not", g_beacon_shared, NULL, DETECT_BEACON, 0, NULL, 0,
	  0 },
	{ "beacon: random contacts are not", g_beacon_random, NULL, DETECT_BEACON, 0, NULL, 0, 0 },
	{ "beacon: dns out, ldap and netbios to the dc are not", g_service_periodic, NULL, DETECT_BEACON, 0, NULL, 0, 0 },
	{ "dnstunnel: 40-char names under one domain", g_dns_tunnel, NULL, DETECT_DNSTUNNEL, 1, "unique_subdomains", 0, 4.5 },
	{ "dnstunnel: www lookups are not", g_dns_benign, NULL, DETECT_DNSTUNNEL, 0, NULL, 0, 0 },
	{ "dnstunnel: Active Directory SRV lookups are not", g_dns_ad, NULL, DETECT_DNSTUNNEL, 0, NULL, 0, 0 },
	{ "dnstunnel: a mail server's DNS blocklist lookups are not", g_dns_dnsbl, NULL, DETECT_DNSTUNNEL, 0, NULL, 0, 0 },
	{ "dnstunnel: a tunnel under x.io (a short ccTLD name)", g_dns_short_cctld, NULL, DETECT_DNSTUNNEL, 1,
	  "unique_subdomains", 0, 2 },
	{ "newservice: serving 4444 after learning", g_newservice, NULL, DETECT_NEWSERVICE, 1, "new_served_port", 0, 0 },
	{ "newservice: serving, proven by the SYN-ACK", g_ns_serve_answered, "detectors:\n  newservice:\n    learning_s: 60\n", DETECT_NEWSERVICE, 1,
	  "new_served_port", 0, 0.002 },
	{ "newservice: a port served only to the inside is not", g_ns_inside, "detectors:\n  newservice:\n    learning_s: 60\n",
	  DETECT_NEWSERVICE, 0, NULL, 0, 0 },
	{ "newservice: lone SYN and backscatter are not", g_ns_reach_lone, "detectors:\n  newservice:\n    learning_s: 60\n", DETECT_NEWSERVICE, 0, NULL, 0, 0 },
	{ "newservice: a UDP reply to a request", g_ns_udp_reply, "detectors:\n  newservice:\n    learning_s: 60\n", DETECT_NEWSERVICE, 1, "new_served_port", 0,
	  0.002 },
	{ "anomaly: an IoT camera taken over (0.1 to 200 packets/s, many peers)", g_anomaly,
	  "detectors: {anomaly: {learning_s: 60}, hostsweep: {enabled: false}}\n", DETECT_ANOMALY, 1, NULL, 0, 692 },
	{ "anomaly: a person's browsing bursts are in their own history", g_anomaly_person,
	  "detectors: {anomaly: {learning_s: 60}}\n", DETECT_ANOMALY, 0, NULL, 0, 0 },
	{ "time: clocks at the ends of the range are no flood", g_clock_extremes, NULL, DETECT_FLOOD, 0, NULL, 0, 0 },
	{ "time: reordered burst still one synflood", g_backwards_time, NULL, DETECT_SYNFLOOD, 1, NULL, 1, 0 },
	{ "action: block is carried", g_portscan, "detectors:\n  portscan:\n    action: block\n", DETECT_PORTSCAN, 1, NULL, 1, 0 },
};

static void run_row(const struct row *r)
{
	struct harn *h = calloc(1, sizeof(*h));
	const struct detect_incident *f;
	uint8_t vic[16];
	char name[160];

	if (!h || harn_init(h, r->yaml)) {
		testlib_case(r->name, false, "setup failed");
		free(h);
		return;
	}
	r->gen(h);
	harn_done(h, 10000 * NS);
	snprintf(name, sizeof(name), "%s: %u incident(s)", r->name, r->want_starts);
	testlib_case(name, h->starts[r->det] == r->want_starts, "got %u", h->starts[r->det]);
	snprintf(name, sizeof(name), "%s: every start ends", r->name);
	testlib_case(name, h->starts[r->det] == h->ends[r->det], "%u starts, %u ends", h->starts[r->det], h->ends[r->det]);
	f = harn_first(h, r->det);
	if (f && r->metric) {
		snprintf(name, sizeof(name), "%s: metric %s", r->name, r->metric);
		testlib_case(name, f->metric && !strcmp(f->metric, r->metric), "got %s", f->metric ? f->metric : "(null)");
	}
	if (f && r->dst_victim) {
		harn_ip(vic, VIC);
		snprintf(name, sizeof(name), "%s: names the victim", r->name);
		testlib_case(name, !memcmp(f->dst, vic, 16), "dst differs");
	}
	if (f && r->max_delay_s > 0) {
		double d = ((double)f->ts_ns - 100e9) / 1e9;

		snprintf(name, sizeof(name), "%s: alert within %.2f s", r->name, r->max_delay_s);
		testlib_case(name, d <= r->max_delay_s, "after %.3f s", d);
	}
	if (f && r->yaml && strstr(r->yaml, "block")) {
		testlib_case("action: block reaches the incident", f->action == CONFIG_ACTION_BLOCK, "action %d", f->action);
	}
	free(h);
}

static void test_threshold(void)
{
	static const struct {
		double floor, learned, frac;
		bool learning;
		double want;
	} t[] = {
		{ 1000, 50, 0.25, true, 1000 },		/* learning: the floor alone */
		{ 1000, 5000, 0.25, false, 1000 },	/* a noisy host never raises the bar */
		{ 1000, 600, 0.25, false, 600 },	/* a quiet host lowers it */
		{ 1000, 10, 0.25, false, 250 },		/* ... but not below the fraction */
	};

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[96];
		double got = detect_threshold(t[i].floor, t[i].learning, t[i].learned, t[i].frac);

		snprintf(name, sizeof(name), "threshold rule row %u = %.0f", i, t[i].want);
		testlib_case(name, got == t[i].want, "got %f", got);
	}
}

/* how many contacts the first beacon start counted: the sequential test's decision point */
/* an incident's packets count each SYN once, however often its window is judged */
static void test_synflood_count(void)
{
	struct harn *h = calloc(1, sizeof(*h));
	uint64_t count = 0;
	unsigned int i;

	if (!h || harn_init(h, NULL)) {
		free(h);
		return;
	}
	g_synflood_burst(h);
	harn_done(h, 200 * NS);
	for (i = 0; i < h->n; i++)
		if (h->inc[i].det == DETECT_SYNFLOOD && h->inc[i].state == DETECT_END)
			count = h->inc[i].count;
	testlib_case("synflood: an incident of 100 SYNs counts 100, not more", count > 0 && count <= 100, "count %llu",
		     (unsigned long long)count);
	free(h);
}
/* an outside client on a new port of a home host: severity 2 at the handshake, 1 once data flows both ways */
static void test_newservice_severity(void)
{
	struct harn *h = calloc(1, sizeof(*h));
	static const uint8_t shell[] = "uid=0(root)\n", cmd[] = "id\n";
	unsigned int i, sev_start = 0, sev_last = 0;

	if (!h || harn_init(h, "detectors:\n  newservice:\n    learning_s: 60\n")) {
		testlib_case("newservice severity: setup", false, "setup failed");
		free(h);
		return;
	}
	ns_learn(h);
	harn_pkt(h, 100 * NS, 6, ATK, CLI, 41000, 4444, 0x02, 60, NULL, 0);
	harn_pkt(h, 100 * NS + 1000000, 6, CLI, ATK, 4444, 41000, 0x12, 60, NULL, 0);
	harn_pkt(h, 100 * NS + 2000000, 6, ATK, CLI, 41000, 4444, 0x18, 63, cmd, 3);
	harn_pkt(h, 100 * NS + 3000000, 6, CLI, ATK, 4444, 41000, 0x18, 72, shell, 12);
	harn_done(h, 200 * NS);
	for (i = 0; i < h->n; i++)
		if (h->inc[i].det == DETECT_NEWSERVICE) {
			if (h->inc[i].state == DETECT_START)
				sev_start = h->inc[i].severity;
			sev_last = h->inc[i].severity;
		}
	testlib_case("newservice: 2 at the handshake, 1 once a shell answers", sev_start == 2 && sev_last == 1,
		     "start %u last %u", sev_start, sev_last);
	free(h);
}
/* a DCE/RPC bind (little-endian, context 0) to the interface whose wire UUID is uuid, and a request for opnum */
static unsigned int rpc_bind(uint8_t *m, const uint8_t uuid[16])
{
	static const uint8_t hdr[32] = { 5, 0, 11, 3, 0x10, 0, 0, 0, 72, 0, 0, 0, 1, 0, 0, 0, 0xb8, 0x10, 0xb8, 0x10,
					 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0 };
	static const uint8_t ndr[24] = { 0, 0, 0, 0, 0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08,
					 0x00, 0x2b, 0x10, 0x48, 0x60, 2, 0, 0, 0 };

	memcpy(m, hdr, 32);
	memcpy(m + 32, uuid, 16);
	memcpy(m + 48, ndr, 24);	/* interface version 0 and the NDR transfer syntax */
	return 72;
}
static unsigned int rpc_request(uint8_t *m, uint16_t opnum)
{
	static const uint8_t hdr[24] = { 5, 0, 0, 3, 0x10, 0, 0, 0, 24, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	memcpy(m, hdr, 24);
	m[22] = (uint8_t)opnum;
	m[23] = (uint8_t)(opnum >> 8);
	return 24;
}
/* an SMB2 TREE_CONNECT to \\h\share (share ASCII, sent as UTF-16LE) */
static unsigned int smb_tree(uint8_t *m, const char *share)
{
	unsigned int n = (unsigned int)strlen(share) + 2, i;

	memset(m, 0, 4 + 64 + 8 + 2 * n);
	m[3] = (uint8_t)(64 + 8 + 2 * n);
	m[4] = 0xfe, m[5] = 'S', m[6] = 'M', m[7] = 'B', m[8] = 64;
	m[4 + 12] = 3;
	m[4 + 64] = 9;
	m[4 + 64 + 4] = 64 + 8;
	m[4 + 64 + 6] = (uint8_t)(2 * n);
	m[4 + 64 + 8] = 'h';
	m[4 + 64 + 10] = '\\';
	for (i = 0; i < n - 2; i++)
		m[4 + 64 + 12 + 2 * i] = (uint8_t)share[i];
	return 4 + 64 + 8 + 2 * n;
}
static const uint8_t uuid_svcctl[16] = { 0x81, 0xbb, 0x7a, 0x36, 0x44, 0x98, 0xf1, 0x35, 0xad, 0x32, 0x98, 0xf0,
					 0x38, 0x00, 0x10, 0x03 };
static const uint8_t uuid_drsuapi[16] = { 0x35, 0x42, 0x51, 0xe3, 0x06, 0x4b, 0xd1, 0x11, 0xab, 0x04, 0x00, 0xc0,
					  0x4f, 0xc2, 0xdc, 0xd2 };
static const uint8_t uuid_srvsvc[16] = { 0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47,
					 0xbf, 0x6e, 0xe1, 0x88 };
static const uint32_t DC = IP4(10, 1, 0, 5), WS2 = IP4(10, 1, 1, 11);

/* what a workstation does with its DC and file server every day: IPC$, srvsvc, a share */
static void windows_routine(struct harn *h, uint64_t t, uint32_t ws)
{
	uint8_t a[256], b[256];
	const uint8_t *m[] = { a, b };
	uint32_t l[2];

	l[0] = smb_tree(a, "IPC$");
	l[1] = 8;
	memset(b, 0, 8);
	tcp_session(h, t, ws, DC, 50100, 445, m, l, 2, false);
	l[0] = smb_tree(a, "FINANCE");
	tcp_session(h, t + NS, ws, VIC, 50101, 445, m, l, 2, false);
	l[0] = rpc_bind(a, uuid_srvsvc);
	tcp_session(h, t + 2 * NS, ws, DC, 50102, 49670, m, l, 2, false);
	/* the DC answers Kerberos: that is how a DC is known */
	harn_pkt(h, t + 3 * NS, 6, ws, DC, 50103, 88, 0x02, 60, NULL, 0);
	harn_pkt(h, t + 3 * NS + 1000, 6, DC, ws, 88, 50103, 0x12, 60, NULL, 0);
}
static void g_windows_routine(struct harn *h)
{
	for (int i = 0; i < 30; i++)
		windows_routine(h, 100 * NS + i * 60 * NS, i % 2 ? CLI : WS2);
}
static void g_psexec(struct harn *h)
{
	/* ADMIN$ over SMB2, then svcctl bound over TCP and CreateServiceW called */
	uint8_t a[256], b[256], c[64];
	const uint8_t *m[] = { a, b, c };
	uint32_t l[3];

	windows_routine(h, 100 * NS, CLI);
	l[0] = smb_tree(a, "ADMIN$");
	l[1] = 8;
	memset(b, 0, 8);
	tcp_session(h, 900 * NS, CLI, VIC, 50200, 445, m, l, 2, false);
	l[0] = rpc_bind(a, uuid_svcctl);
	l[1] = 8;
	l[2] = rpc_request(c, 12);
	tcp_session(h, 901 * NS, CLI, VIC, 50201, 49668, m, l, 3, false);
}
static void g_dcsync(struct harn *h, uint32_t who)
{
	uint8_t a[256], b[256], c[64];
	const uint8_t *m[] = { a, b, c };
	uint32_t l[3];

	windows_routine(h, 100 * NS, CLI);
	/* a second DC, known by its Kerberos answers */
	harn_pkt(h, 200 * NS, 6, CLI, WS2, 50300, 88, 0x02, 60, NULL, 0);
	harn_pkt(h, 200 * NS + 1000, 6, WS2, CLI, 88, 50300, 0x12, 60, NULL, 0);
	l[0] = rpc_bind(a, uuid_drsuapi);
	l[1] = 8;
	memset(b, 0, 8);
	l[2] = rpc_request(c, 3);
	tcp_session(h, 900 * NS, who, DC, 50301, 49667, m, l, 3, false);
}
static void g_dcsync_ws(struct harn *h) { g_dcsync(h, CLI); }
/* PsExec's svcctl incident ends at severity 1, naming the service creation */
static void test_psexec_severity(void)
{
	struct harn *h = calloc(1, sizeof(*h));
	unsigned int i, sev = 0;
	bool created = false;

	if (!h || harn_init(h, NULL)) {
		free(h);
		return;
	}
	g_psexec(h);
	harn_done(h, 2000 * NS);
	for (i = 0; i < h->n; i++)
		if (h->inc[i].det == DETECT_LATERAL && h->inc[i].state == DETECT_END &&
		    !strcmp(h->inc[i].metric, "remote_service_control")) {
			sev = h->inc[i].severity;
			created = strstr(h->inc[i].detail, "created a service") != NULL;
		}
	testlib_case("lateral: the svcctl incident rises to severity 1 at CreateService", sev == 1 && created,
		     "severity %u", sev);
	free(h);
}
static void g_dcsync_dc(struct harn *h) { g_dcsync(h, WS2); }
static const struct row lateral_rows[] = {
	{ "lateral: a workstation's daily IPC$, shares and srvsvc are not", g_windows_routine, NULL, DETECT_LATERAL, 0,
	  NULL, 0, 0 },
	{ "lateral: PsExec (ADMIN$, then CreateService over svcctl): two incidents", g_psexec, NULL, DETECT_LATERAL, 2,
	  "admin_share", 0, 0 },
	{ "lateral: DCSync from a workstation", g_dcsync_ws, NULL, DETECT_LATERAL, 1, "directory_replication", 0, 0 },
	{ "lateral: replication between DCs is not", g_dcsync_dc, NULL, DETECT_LATERAL, 0, NULL, 0, 0 },
};
static void test_beacon_contacts(void (*gen)(struct harn *h), const char *name, uint64_t want)
{
	struct harn *h = calloc(1, sizeof(*h));
	const struct detect_incident *f;

	if (!h || harn_init(h, NULL)) {
		testlib_case(name, false, "setup failed");
		free(h);
		return;
	}
	gen(h);
	harn_done(h, 10000 * NS);
	f = harn_first(h, DETECT_BEACON);
	testlib_case(name, f && f->count == want, "count %llu", f ? (unsigned long long)f->count : 0ULL);
	free(h);
}

static void test_bad_port(void)
{
	struct harn *h = calloc(1, sizeof(*h));

	testlib_case("allow_ports 'ssh' is rejected", h && harn_init(h, "detectors:\n  portscan:\n    allow_ports: [ssh]\n") != 0,
		     "accepted");
	if (h && h->d)
		detect_free(h->d);
	free(h);
}

static void test_registry(void)
{
	uint32_t sids[DETECT_MAX];
	bool ok = true;

	for (unsigned int i = 0; i < DETECT_MAX; i++) {
		const struct detect_info *di = detect_info((enum detect_id)i);

		sids[i] = di->signature_id;
		ok &= detect_lookup(di->name) == (enum detect_id)i && di->severity >= 1 && di->severity <= 3;
		for (unsigned int j = 0; j < i; j++)
			ok &= sids[j] != sids[i];
	}
	testlib_case("registry: names, unique signature ids, severities", ok, "bad row");
	testlib_case("registry: flood keeps sid 9100001", detect_info(DETECT_FLOOD)->signature_id == 9100001, "changed");
}

int main(void)
{
	for (unsigned int i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	test_beacon_contacts(g_beacon_net_jitter, "beacon: a timer with ms of jitter alerts at contact 4", 4);
	test_newservice_severity();
	test_synflood_count();
	for (unsigned int i = 0; i < sizeof(lateral_rows) / sizeof(lateral_rows[0]); i++)
		run_row(&lateral_rows[i]);
	test_psexec_severity();
	test_beacon_contacts(g_beacon_loose, "beacon: loose period (CV 0.08) alerts at contact 9 (8 intervals)", 9);
	test_threshold();
	test_bad_port();
	test_registry();
	return testlib_done();
}
