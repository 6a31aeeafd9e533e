// SPDX-License-Identifier: GPL-2.0-only
/*
 * synth_office.c: the benign behaviours of a real Windows office that raised
 * false alerts on real captures (issue 14), added to vigil-synth's
 * background: domain logons (Kerberos, LDAP, SMB, RPC in a few seconds), AD
 * SRV lookups, a mail server's DNS blocklist queries, SMB file copies, CDN
 * downloads, IGMP report bursts, SSDP every 3 s, MQTT keep-alives to a cloud
 * broker, and LAN services between internal hosts (445, 139, 135, 137, WS-
 * Discovery). Each behaviour draws from a generator of its own, so the rest
 * of the background, and every attack, stays as it was.
 */
#include <stdio.h>
#include <string.h>

#include "gen_proto.h"
#include "synth.h"

#define OFF_REALM "OFFICE.EXAMPLE"
#define OFF_DC_NAME "dc1." SYNTH_DOMAIN
#define OFF_BROKER SYNTH_IP(198, 51, 100, 30)
#define OFF_ROUTER SYNTH_IP(10, 1, 0, 1)
#define OFF_TV SYNTH_IP(10, 1, 3, 20)

static const char *const off_users[] = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi" };

static uint64_t off_ms(struct gen_rng *r, uint32_t lo, uint32_t hi)
{
	return (uint64_t)gen_rng_range(r, lo, hi) * SYNTH_MS;
}

/* one Kerberos exchange on its own TCP connection to the DC, as Windows makes them */
static uint64_t off_krb(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c, const struct gen_krb *req,
			const struct gen_krb *rep)
{
	uint8_t b[4096];
	struct synth_conn k;
	int n;

	t = synth_conn_open(s, r, &k, t, c, SYNTH_DC, synth_eport(r), 88, 300000);
	n = gen_proto_krb(b, sizeof(b), req);
	if (n > 0)
		t = synth_conn_send(s, &k, t, true, b, (size_t)n, 20000) + off_ms(r, 1, 4);
	n = gen_proto_krb(b, sizeof(b), rep);
	if (n > 0)
		t = synth_conn_send(s, &k, t, false, b, (size_t)n, 20000);
	return synth_conn_close(s, &k, t + 200000, true);
}

/* AS exchange with pre-authentication, then one TGS exchange per service ticket */
static uint64_t off_kerberos(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c, const char *user,
			     unsigned tickets)
{
	static const char *const svc[][2] = {
		{ "krbtgt", OFF_REALM }, { "ldap", OFF_DC_NAME }, { "cifs", OFF_DC_NAME }, { "host", OFF_DC_NAME },
		{ "ldap", OFF_DC_NAME }, { "cifs", "fs1." SYNTH_DOMAIN }, { "RPCSS", OFF_DC_NAME }, { "HTTP", "proxy." SYNTH_DOMAIN },
	};
	struct gen_krb req = { .type = GEN_KRB_AS_REQ, .realm = OFF_REALM, .cname = user,
			       .sname = { "krbtgt", OFF_REALM }, .tcp = true };
	struct gen_krb rep = req;
	unsigned i;

	req.nonce = (uint32_t)gen_rng_next(r);
	rep.type = GEN_KRB_ERROR;
	rep.error_code = 25;	/* KDC_ERR_PREAUTH_REQUIRED */
	t = off_krb(s, r, t, c, &req, &rep) + off_ms(r, 5, 40);
	req.pa_enc_timestamp = true;
	rep.type = GEN_KRB_AS_REP;
	rep.cipher_len = (uint16_t)gen_rng_range(r, 1000, 1200);
	t = off_krb(s, r, t, c, &req, &rep) + off_ms(r, 5, 40);
	for (i = 0; i < tickets; i++) {
		const char *const *sv = svc[i % (sizeof(svc) / sizeof(svc[0]))];

		req.type = GEN_KRB_TGS_REQ;
		req.pa_enc_timestamp = false;
		req.sname[0] = sv[0];
		req.sname[1] = sv[1];
		req.nonce = (uint32_t)gen_rng_next(r);
		req.cipher_len = rep.cipher_len;
		rep = req;
		rep.type = GEN_KRB_TGS_REP;
		rep.cipher_len = (uint16_t)gen_rng_range(r, 1000, 1250);
		t = off_krb(s, r, t, c, &req, &rep) + off_ms(r, 5, 150);
	}
	return t;
}

/* the DC locator: SRV questions to the DC's DNS, then a CLDAP netlogon ping (UDP 389) */
static uint64_t off_locate(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c)
{
	static const char *const names[] = {
		"_ldap._tcp." SYNTH_SITE "._sites.dc._msdcs." SYNTH_DOMAIN,
		"_kerberos._tcp." SYNTH_SITE "._sites.dc._msdcs." SYNTH_DOMAIN,
		"_ldap._tcp.dc._msdcs." SYNTH_DOMAIN,
		"_gc._tcp." SYNTH_SITE "._sites." SYNTH_DOMAIN,
		"_kerberos._udp." SYNTH_DOMAIN,
	};
	uint8_t b[256];
	unsigned i, n = gen_rng_range(r, 2, 5);
	uint16_t sp;
	int len;

	for (i = 0; i < n; i++, t += off_ms(r, 2, 30))
		synth_dns_r(s, r, t, c, SYNTH_DC, names[i], 33);
	synth_dns_r(s, r, t, c, SYNTH_DC, OFF_DC_NAME, 1);
	t += off_ms(r, 20, 60);
	sp = synth_eport(r);
	len = gen_proto_ldap_search(b, sizeof(b), (uint32_t)gen_rng_below(r, 1000), "", false);
	if (len > 0)
		synth_udp(s, t, c, SYNTH_DC, sp, 389, b, (size_t)len);
	len = gen_proto_ldap_search(b, sizeof(b), 0, "", true);
	if (len > 0)
		synth_udp(s, t + off_ms(r, 1, 3), SYNTH_DC, c, 389, sp, b, (size_t)len);
	return t + 5 * SYNTH_MS;
}

/* an LDAP connection: a SASL bind with a Kerberos ticket, a few searches, unbind */
static uint64_t off_ldap(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c)
{
	uint8_t b[512];
	struct synth_conn k;
	unsigned i, n = gen_rng_range(r, 1, 3);
	int len;

	t = synth_conn_open(s, r, &k, t, c, SYNTH_DC, synth_eport(r), 389, 300000);
	t = synth_conn_send(s, &k, t, true, NULL, gen_rng_range(r, 1500, 1700), 20000);	/* bindRequest, GSS-SPNEGO */
	t = synth_conn_send(s, &k, t + off_ms(r, 1, 5), false, NULL, gen_rng_range(r, 150, 250), 20000);
	for (i = 0; i < n; i++) {
		len = gen_proto_ldap_search(b, sizeof(b), 2 + i, "CN=Policies,CN=System,DC=office,DC=example", false);
		if (len > 0)
			t = synth_conn_send(s, &k, t + off_ms(r, 1, 20), true, b, (size_t)len, 20000);
		t = synth_conn_send(s, &k, t + off_ms(r, 1, 10), false, NULL, gen_rng_range(r, 300, 3000), 100000);
	}
	return synth_conn_close(s, &k, t + off_ms(r, 1, 50), true);
}

static uint64_t off_smb2_msg(struct synth *s, struct synth_conn *k, uint64_t t, const struct gen_smb2 *m)
{
	uint8_t b[2048];
	int n = gen_proto_smb2(b, sizeof(b), m);

	return n > 0 ? synth_conn_send(s, k, t, !m->response, b, (size_t)n, 20000) + 300000 : t;
}

/* SMB2 up to a tree connect of path; the connection stays open in k. Returns the time. */
static uint64_t off_smb2_open(struct synth *s, struct gen_rng *r, struct synth_conn *k, uint64_t t, uint32_t c,
			      uint32_t srv, uint16_t port, const char *path, uint64_t sid)
{
	struct gen_smb2 m = { .cmd = GEN_SMB2_NEGOTIATE };

	t = synth_conn_open(s, r, k, t, c, srv, synth_eport(r), port, 300000);
	t = off_smb2_msg(s, k, t, &m);
	m.response = true, m.blob_len = 120;
	t = off_smb2_msg(s, k, t, &m);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_SESSION_SETUP, .msg_id = 1, .blob_len = (uint16_t)gen_rng_range(r, 1400, 1700) };
	t = off_smb2_msg(s, k, t, &m);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_SESSION_SETUP, .response = true, .msg_id = 1, .session_id = sid, .blob_len = 180 };
	t = off_smb2_msg(s, k, t, &m);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_TREE_CONNECT, .msg_id = 2, .session_id = sid, .path = path };
	t = off_smb2_msg(s, k, t, &m);
	m.response = true, m.tree_id = 1, m.share_type = 1;
	return off_smb2_msg(s, k, t, &m);
}

/*
 * Read bytes (a file) over an open SMB2 connection in 64 KB reads, each data
 * segment gap ns after the last: a copy at the pace of the client's link.
 */
static uint64_t off_smb2_read(struct synth *s, struct synth_conn *k, uint64_t t, uint64_t sid, uint64_t bytes,
			      uint64_t gap, uint64_t msg_id)
{
	uint8_t hdr[4 + 64 + 16];
	uint64_t done = 0;

	while (done < bytes && t < s->end) {
		uint32_t chunk = bytes - done > 65536 ? 65536 : (uint32_t)(bytes - done);
		struct gen_smb2 m = { .cmd = GEN_SMB2_READ, .msg_id = msg_id, .session_id = sid, .tree_id = 1, .file_id = 4 };
		int n;

		t = off_smb2_msg(s, k, t, &m);
		m.response = true;
		m.data_len = 0;
		n = gen_proto_smb2(hdr, sizeof(hdr), &m);
		if (n <= 0)
			break;
		/* the header as written says 0 bytes of data: set the real lengths */
		hdr[1] = (uint8_t)((n - 4 + chunk) >> 16);
		hdr[2] = (uint8_t)((n - 4 + chunk) >> 8);
		hdr[3] = (uint8_t)(n - 4 + chunk);
		hdr[4 + 64 + 4] = (uint8_t)chunk;
		hdr[4 + 64 + 5] = (uint8_t)(chunk >> 8);
		hdr[4 + 64 + 6] = (uint8_t)(chunk >> 16);
		t = synth_conn_send_sized(s, k, t, false, hdr, (size_t)n, (size_t)n + chunk, gap);
		done += chunk;
		msg_id++;
	}
	return t;
}

/* an RPC endpoint-mapper exchange on 135: bind, ept_map request and answer */
static uint64_t off_epm(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c, uint32_t srv)
{
	uint8_t b[256];
	struct synth_conn k;
	int n;

	t = synth_conn_open(s, r, &k, t, c, srv, synth_eport(r), 135, 300000);
	n = gen_proto_dcerpc_bind(b, sizeof(b), 1, GEN_UUID_EPM, 3, 0);
	t = synth_conn_send(s, &k, t, true, b, (size_t)n, 20000) + 200000;
	n = gen_proto_dcerpc_bind_ack(b, sizeof(b), 1, gen_rng_range(r, 0x1000, 0xffff), "135");
	t = synth_conn_send(s, &k, t, false, b, (size_t)n, 20000) + 200000;
	n = gen_proto_dcerpc_call(b, sizeof(b), false, 2, 3, 132);	/* ept_map */
	t = synth_conn_send(s, &k, t, true, b, (size_t)n, 20000) + 300000;
	n = gen_proto_dcerpc_call(b, sizeof(b), true, 2, 3, 152);
	t = synth_conn_send(s, &k, t, false, b, (size_t)n, 20000);
	return synth_conn_close(s, &k, t + 300000, true);
}

static void off_igmp(struct synth *s, uint64_t t, uint32_t host, uint8_t rec_type)
{
	static const uint32_t groups[] = { SYNTH_IP(224, 0, 0, 251), SYNTH_IP(239, 255, 255, 250), SYNTH_IP(224, 0, 0, 252) };
	uint8_t b[64];
	int n = gen_proto_igmpv3_report(b, sizeof(b), groups, 3, rec_type);
	struct gen_pkt *p = synth_add(s, t, 2, host, SYNTH_IP(224, 0, 0, 22), 0, 0);

	if (p && n > 0) {
		p->ttl = 1;
		p->tos = 0xc0;
		synth_set_bytes(s, b, (size_t)n);
	}
}

static void off_wsd_probe(struct synth *s, struct gen_rng *r, uint64_t t, uint32_t c)
{
	static const char probe[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\" "
		"xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" xmlns:wsd=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
		"xmlns:wsdp=\"http://schemas.xmlsoap.org/ws/2006/02/devprof\"><soap:Header><wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>"
		"<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>"
		"<wsa:MessageID>urn:uuid:0b3d5d2e-6f0c-4b57-9a53-2f1c39d1c0aa</wsa:MessageID></soap:Header>"
		"<soap:Body><wsd:Probe><wsd:Types>wsdp:Device</wsd:Types></wsd:Probe></soap:Body></soap:Envelope>";
	uint16_t sp = synth_eport(r);
	int i;

	/* sent twice, as Windows does; the printer and the file server answer (ProbeMatches, unicast) */
	synth_udp(s, t, c, SYNTH_IP(239, 255, 255, 250), sp, 3702, probe, sizeof(probe) - 1);
	synth_udp(s, t + off_ms(r, 50, 250), c, SYNTH_IP(239, 255, 255, 250), sp, 3702, probe, sizeof(probe) - 1);
	for (i = 0; i < 2; i++)
		synth_udp(s, t + off_ms(r, 10, 500), i ? SYNTH_FILES : SYNTH_PRINTER, c, 3702, sp, NULL,
			  gen_rng_range(r, 1100, 1400));
}

/* ---- the behaviours --------------------------------------------------------- */

/*
 * A Windows logon: locate the DC, ~20 Kerberos connections, ~10 LDAP
 * (TCP and CLDAP), the endpoint mapper, SMB to SYSVOL for the group policy,
 * multicast joins; all within a few seconds. Every client logs on in the
 * first half hour, then again (screen unlock, reconnect) now and then.
 */
static void off_logons(struct synth *s, struct gen_rng *r)
{
	int c;

	for (c = 0; c < SYNTH_CLIENTS; c++) {
		uint32_t ip = synth_client(c);
		const char *user = off_users[c % 8];
		uint64_t t;

		for (t = s->t0 + 20 * SYNTH_NS + (uint64_t)c * 40 * SYNTH_NS + off_ms(r, 0, 30000); t < s->end;
		     t += (uint64_t)(gen_rng_exp(r, 2700.0) * SYNTH_NS) + 1200 * SYNTH_NS) {
			struct synth_conn k;
			uint64_t u = off_locate(s, r, t, ip), sid = gen_rng_next(r) | 1;
			unsigned i;

			off_igmp(s, u, ip, 4);
			off_igmp(s, u + SYNTH_NS, ip, 4);
			u = off_kerberos(s, r, u, ip, user, gen_rng_range(r, 16, 19));
			for (i = 0; i < 8; i++)
				u = off_ldap(s, r, u + off_ms(r, 5, 120), ip);
			off_locate(s, r, u, ip);
			u = off_epm(s, r, u + off_ms(r, 5, 60), ip, SYNTH_DC);
			u = off_smb2_open(s, r, &k, u + off_ms(r, 5, 60), ip, SYNTH_DC, 445, "\\\\" SYNTH_DOMAIN "\\SysVol", sid);
			u = off_smb2_read(s, &k, u, sid, gen_rng_range(r, 2000, 60000), 100000, 4);
			synth_conn_close(s, &k, u + off_ms(r, 100, 2000), true);
			off_wsd_probe(s, r, u + off_ms(r, 500, 3000), ip);
		}
	}
}

/* the DC locator again, every quarter of an hour or so */
static void off_locator(struct synth *s, struct gen_rng *r)
{
	int c;

	for (c = 0; c < SYNTH_CLIENTS; c++) {
		uint64_t t;

		for (t = s->t0 + off_ms(r, 60000, 900000); t < s->end; t += off_ms(r, 600000, 1200000))
			off_locate(s, r, t, synth_client(c));
	}
}

/* mail arrives from outside; the mail server asks two DNS blocklists about each sender */
static void off_dnsbl(struct synth *s, struct gen_rng *r)
{
	uint64_t t;

	for (t = s->t0 + off_ms(r, 1000, 30000); t < s->end; t += (uint64_t)(gen_rng_exp(r, 40.0) * SYNTH_NS)) {
		uint32_t from = gen_rng_below(r, 3) == 0 ? SYNTH_IP(192, 0, 2, 1 + gen_rng_below(r, 254))
			      : gen_rng_below(r, 2) ? SYNTH_IP(203, 0, 113, 1 + gen_rng_below(r, 254))
						    : SYNTH_IP(198, 51, 100, 1 + gen_rng_below(r, 254));
		char name[96];
		unsigned i, burst = gen_rng_below(r, 5) == 0 ? gen_rng_range(r, 2, 6) : 1;

		for (i = 0; i < burst; i++) {
			uint64_t u = t + i * off_ms(r, 50, 800);

			snprintf(name, sizeof(name), "%u.%u.%u.%u.zen.dnsbl.example", from & 255, (from >> 8) & 255,
				 (from >> 16) & 255, from >> 24);
			synth_dns_r(s, r, u, SYNTH_MAIL, SYNTH_RESOLVER, name, 1);
			if (gen_rng_below(r, 8) == 0)
				synth_dns_r(s, r, u + off_ms(r, 20, 60), SYNTH_MAIL, SYNTH_RESOLVER, name, 16);
			snprintf(name, sizeof(name), "%u.%u.%u.%u.bl.spamlist.example", from & 255, (from >> 8) & 255,
				 (from >> 16) & 255, from >> 24);
			synth_dns_r(s, r, u + off_ms(r, 1, 10), SYNTH_MAIL, SYNTH_RESOLVER, name, 1);
			from += gen_rng_range(r, 1, 9);
		}
	}
}

/* a file copy between two internal hosts for about a minute at ~270 packets/s, every 20 minutes or so */
static void off_smb_copies(struct synth *s, struct gen_rng *r)
{
	uint64_t t;

	for (t = s->t0 + off_ms(r, 240000, 420000); t < s->end; t += off_ms(r, 900000, 1500000)) {
		uint32_t c = synth_client((int)gen_rng_below(r, SYNTH_CLIENTS)), srv = SYNTH_FILES;
		uint64_t sid = gen_rng_next(r) | 1, u;
		struct synth_conn k;

		if (gen_rng_below(r, 4) == 0)	/* now and then a colleague's shared folder */
			srv = synth_client((int)gen_rng_below(r, SYNTH_CLIENTS));
		if (srv == c)
			srv = SYNTH_FILES;
		u = off_smb2_open(s, r, &k, t, c, srv, 445, "\\\\fs1\\projects", sid);
		/* 64 KB reads, a segment every 5.5 ms: ~180 data + ~90 ACK frames a second */
		u = off_smb2_read(s, &k, u, sid, (uint64_t)gen_rng_range(r, 14, 17) * 1024 * 1024, 5500000, 4);
		synth_conn_close(s, &k, u + off_ms(r, 100, 1000), true);
	}
}

/* a Windows Update or CDN download: thousands of frames a second for tens of seconds, ACKs back */
static void off_downloads(struct synth *s, struct gen_rng *r)
{
	uint64_t t;

	for (t = s->t0 + off_ms(r, 150000, 300000); t < s->end; t += off_ms(r, 1800000, 2700000)) {
		uint32_t c = synth_client((int)gen_rng_below(r, SYNTH_CLIENTS));
		uint32_t cdn = SYNTH_IP(203, 0, 113, 210 + gen_rng_below(r, 8));
		uint8_t b[600];
		struct synth_conn k;
		uint64_t u;
		int n;

		synth_dns_r(s, r, t, c, SYNTH_DC, "dl.delivery.cdn.example", 1);
		u = synth_conn_open(s, r, &k, t + 30 * SYNTH_MS, c, cdn, synth_eport(r), 443, 12000000);
		n = gen_proto_tls_client_hello(b, sizeof(b), "dl.delivery.cdn.example", 517, gen_rng_next(r));
		u = synth_conn_send(s, &k, u, true, b, (size_t)n, 0) + 2 * SYNTH_MS;
		u = synth_conn_send(s, &k, u, false, NULL, 4200, 100000) + 2 * SYNTH_MS;
		u = synth_conn_send(s, &k, u, true, NULL, gen_rng_range(r, 300, 600), 0);
		/* 2,400 segments a second (28 Mbit/s) for 20 to 35 s */
		u = synth_conn_send(s, &k, u, false, NULL, (size_t)gen_rng_range(r, 20, 35) * 2400 * GEN_TCP_MSS, 416666);
		synth_conn_close(s, &k, u + 50 * SYNTH_MS, true);
	}
}

/* the router asks for group members every 125 s; every host answers within ~2 s (~18 reports/s) */
static void off_igmp_queries(struct synth *s, struct gen_rng *r)
{
	uint64_t t;

	for (t = s->t0 + off_ms(r, 1000, 10000); t < s->end; t += 125 * SYNTH_NS) {
		uint8_t b[16];
		int n = gen_proto_igmpv3_query(b, sizeof(b)), c;
		struct gen_pkt *p = synth_add(s, t, 2, OFF_ROUTER, SYNTH_IP(224, 0, 0, 1), 0, 0);

		if (p && n > 0) {
			p->ttl = 1;
			synth_set_bytes(s, b, (size_t)n);
		}
		for (c = 0; c < SYNTH_CLIENTS; c++)
			off_igmp(s, t + off_ms(r, 10, 2200), synth_client(c), 2);
		off_igmp(s, t + off_ms(r, 10, 2200), SYNTH_PRINTER, 2);
		off_igmp(s, t + off_ms(r, 10, 2200), OFF_TV, 2);
	}
}

/* SSDP every ~3 s: a smart TV and the printer announce themselves, two workstations search */
static void off_ssdp(struct synth *s, struct gen_rng *r)
{
	static const uint32_t hosts[4] = { OFF_TV, SYNTH_PRINTER, SYNTH_IP(10, 1, 1, 12), SYNTH_IP(10, 1, 1, 27) };
	int h;

	for (h = 0; h < 4; h++) {
		uint16_t sp = h < 2 ? 1900 : synth_eport(r);
		char msg[512];
		uint64_t t;
		int n;

		for (t = s->t0 + off_ms(r, 100, 3000); t < s->end; t += off_ms(r, 2900, 3100)) {
			if (h < 2) {
				n = snprintf(msg, sizeof(msg),
					     "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n"
					     "LOCATION: http://10.1.%u.%u:%u/description.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n"
					     "SERVER: Linux/4.9 UPnP/1.0 %s\r\nUSN: uuid:%08x-1dd2-11b2-a5f0-%012x::upnp:rootdevice\r\n\r\n",
					     (hosts[h] >> 8) & 255, hosts[h] & 255, h ? 8080 : 7676, h ? "Printer/2.1" : "SmartTV/1.0",
					     hosts[h], hosts[h]);
				synth_udp(s, t, hosts[h], SYNTH_IP(239, 255, 255, 250), 1900, 1900, msg, (size_t)n);
			} else {
				n = snprintf(msg, sizeof(msg),
					     "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\n"
					     "ST: urn:dial-multiscreen-org:service:dial:1\r\nUSER-AGENT: Microsoft Edge/120.0 Windows\r\n\r\n");
				synth_udp(s, t, hosts[h], SYNTH_IP(239, 255, 255, 250), sp, 1900, msg, (size_t)n);
				synth_udp(s, t + off_ms(r, 20, 900), OFF_TV, hosts[h], 1900, sp, NULL, gen_rng_range(r, 280, 340));
			}
		}
	}
}

/*
 * IoT devices on one cloud broker (198.51.100.30) from the first minute: a
 * long MQTT session each (TLS on 8883, plain on 1883), PINGREQ/PINGRESP at
 * the keep-alive, a status PUBLISH now and then. The lobby camera sends about
 * one frame every ten seconds.
 */
static void off_mqtt(struct synth *s, struct gen_rng *r)
{
	static const struct {
		uint32_t ip;
		uint16_t port, keepalive, publish_s;
		const char *id;
	} dev[] = {
		{ SYNTH_CAMERA, 8883, 60, 60, "cam-lobby" },
		{ SYNTH_IP(10, 1, 3, 11), 8883, 30, 120, "tstat-2f" },
		{ SYNTH_IP(10, 1, 3, 12), 1883, 45, 90, "co2-meeting" },
		{ SYNTH_IP(10, 1, 3, 13), 1883, 45, 90, "co2-kitchen" },
	};
	unsigned d;

	for (d = 0; d < sizeof(dev) / sizeof(dev[0]); d++) {
		bool tls = dev[d].port == 8883;
		uint8_t b[600];
		struct synth_conn k;
		uint64_t t = s->t0 + off_ms(r, 1000, 50000), next_pub;
		int n;

		synth_dns_r(s, r, t, dev[d].ip, SYNTH_RESOLVER, "mqtt.iot-cloud.example", 1);
		t = synth_conn_open(s, r, &k, t + 20 * SYNTH_MS, dev[d].ip, OFF_BROKER, synth_eport(r), dev[d].port, 30000000);
		if (tls) {
			n = gen_proto_tls_client_hello(b, sizeof(b), "mqtt.iot-cloud.example", 260, gen_rng_next(r));
			t = synth_conn_send(s, &k, t, true, b, (size_t)n, 0);
			t = synth_conn_send(s, &k, t, false, NULL, 2600, 200000);
			t = synth_conn_send(s, &k, t, true, NULL, 80, 0);
		}
		n = gen_proto_mqtt_connect(b, sizeof(b), dev[d].id, dev[d].keepalive);
		if (tls)
			n = gen_proto_tls_record(b, sizeof(b), 23, (size_t)n + 17);
		t = synth_conn_send(s, &k, t, true, b, (size_t)n, 0);
		n = tls ? gen_proto_tls_record(b, sizeof(b), 23, 4 + 17) : gen_proto_mqtt_simple(b, sizeof(b), 2);
		t = synth_conn_send(s, &k, t, false, b, (size_t)n, 0);
		next_pub = t + (uint64_t)dev[d].publish_s * SYNTH_NS;
		for (t += (uint64_t)dev[d].keepalive * SYNTH_NS; t < s->end; t += (uint64_t)dev[d].keepalive * SYNTH_NS) {
			while (next_pub < t) {
				n = gen_proto_mqtt_publish(b, sizeof(b), dev[d].id, gen_rng_range(r, 40, 90));
				if (tls)
					n = gen_proto_tls_record(b, sizeof(b), 23, (size_t)n + 17);
				synth_conn_send(s, &k, next_pub, true, b, (size_t)n, 0);
				next_pub += (uint64_t)dev[d].publish_s * SYNTH_NS + off_ms(r, 0, 2000);
			}
			n = tls ? gen_proto_tls_record(b, sizeof(b), 23, 2 + 17) : gen_proto_mqtt_simple(b, sizeof(b), 12);
			synth_conn_send(s, &k, t, true, b, (size_t)n, 0);
			n = tls ? gen_proto_tls_record(b, sizeof(b), 23, 2 + 17) : gen_proto_mqtt_simple(b, sizeof(b), 13);
			synth_conn_send(s, &k, t + k.rtt, false, b, (size_t)n, 0);
		}
	}
}

/*
 * Ordinary LAN services between internal hosts, some from the first minutes,
 * new pairs all day: a colleague's shared folder (445), the old NAS on 139,
 * the endpoint mapper of the file server (135), NetBIOS node status (137),
 * WS-Discovery probes (3702 multicast).
 */
static void off_lan(struct synth *s, struct gen_rng *r)
{
	uint64_t t;

	for (t = s->t0 + off_ms(r, 60000, 200000); t < s->end; t += (uint64_t)(gen_rng_exp(r, 150.0) * SYNTH_NS) + SYNTH_NS) {
		uint32_t c = synth_client((int)gen_rng_below(r, SYNTH_CLIENTS)), peer;
		uint8_t b[64];
		struct synth_conn k;
		uint64_t sid = gen_rng_next(r) | 1, u;
		int n;

		do
			peer = synth_client((int)gen_rng_below(r, SYNTH_CLIENTS));
		while (peer == c);
		switch (gen_rng_below(r, 5)) {
		case 0:	/* a colleague's shared folder */
			u = off_smb2_open(s, r, &k, t, c, peer, 445, "\\\\ws\\share", sid);
			u = off_smb2_read(s, &k, u, sid, gen_rng_range(r, 20000, 400000), 200000, 4);
			synth_conn_close(s, &k, u + off_ms(r, 100, 3000), true);
			break;
		case 1:	/* the NAS still spoken to over NetBIOS session service */
			u = synth_conn_open(s, r, &k, t, c, SYNTH_PRINTER, synth_eport(r), 139, 300000);
			u = synth_conn_send(s, &k, u, true, NULL, 72, 0);	/* session request */
			u = synth_conn_send(s, &k, u, false, NULL, 4, 0);
			u = synth_conn_send(s, &k, u, true, NULL, gen_rng_range(r, 200, 1500), 20000);
			u = synth_conn_send(s, &k, u, false, NULL, gen_rng_range(r, 200, 20000), 100000);
			synth_conn_close(s, &k, u + off_ms(r, 100, 2000), true);
			break;
		case 2:	/* the file server's endpoint mapper */
			off_epm(s, r, t, c, SYNTH_FILES);
			break;
		case 3:	/* NetBIOS node status of a colleague's machine */
			n = gen_proto_nbns_query(b, sizeof(b), (uint16_t)gen_rng_next(r), "*");
			if (n > 0) {
				b[n - 3] = 0x21;	/* NBSTAT */
				synth_udp(s, t, c, peer, 137, 137, b, (size_t)n);
				synth_udp(s, t + off_ms(r, 1, 5), peer, c, 137, 137, NULL, gen_rng_range(r, 180, 260));
			}
			break;
		default:	/* looking for devices */
			off_wsd_probe(s, r, t, c);
		}
	}
}

void synth_office(struct synth *s)
{
	static void (*const parts[])(struct synth *, struct gen_rng *) = {
		off_logons, off_locator, off_dnsbl, off_smb_copies, off_downloads,
		off_igmp_queries, off_ssdp, off_mqtt, off_lan,
	};
	struct gen_rng base = s->rng, own;
	unsigned i;

	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		synth_rng_fork(&base, &own, 0x6f6666696365ULL + i);	/* "office" */
		parts[i](s, &own);
	}
}
