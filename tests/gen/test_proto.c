// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_proto.c: vigil-synth's protocol messages (tools/gen_proto.c) and TCP
 * conversations (tools/synth.c). Bytes are checked against the
 * specifications here; then one capture holding every message in its
 * conversation is read by tshark (when installed), which must decode the
 * fields a detector or an analyst would look at: Kerberos message types and
 * error codes, DCE/RPC interface UUIDs, SMB2 tree paths and pipes, TLS SNI,
 * SSH, IGMPv3, MQTT, RDP, LDAP, NetBIOS.
 * Usage: test_proto [TMPDIR]
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen_pcap.h"
#include "gen_proto.h"
#include "synth.h"

static unsigned n_pass, n_fail;

static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		n_pass++;
	else
		n_fail++;
	return ok;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_uuid(void)
{
	static const uint8_t netlogon[16] = { 0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0xcd, 0xab,
					      0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0xcf, 0xfb };
	static const struct {
		const char *name, *in;
		int rc;
	} rows[] = {
		{ "netlogon", GEN_UUID_NETLOGON, 0 },
		{ "upper case", "F309AD18-D86A-11d0-A075-00C04FB68820", 0 },
		{ "short group", "12345678-1234-abcd-ef00-01234567cff", -EINVAL },
		{ "no dash", "12345678x1234-abcd-ef00-01234567cffb", -EINVAL },
		{ "not hex", "1234567g-1234-abcd-ef00-01234567cffb", -EINVAL },
		{ "trailing", GEN_UUID_NETLOGON "0", -EINVAL },
	};
	uint8_t u[16];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check(gen_proto_uuid(u, rows[i].in) == rows[i].rc, "uuid %s: rc %d", rows[i].name, rows[i].rc);
	gen_proto_uuid(u, GEN_UUID_NETLOGON);
	check(!memcmp(u, netlogon, 16), "uuid netlogon: time fields little-endian, clock_seq and node as written");
}

static void test_dcerpc(void)
{
	uint8_t b[256], u[16];
	int n;

	n = gen_proto_dcerpc_bind(b, sizeof(b), 7, GEN_UUID_DRSUAPI, 4, 0);
	check(n == 72, "bind: 72 bytes (header 16, 8 + 4 + one context of 44), got %d", n);
	check(b[0] == 5 && b[1] == 0 && b[2] == 11 && b[3] == 3, "bind: version 5.0, ptype 11, first+last fragment");
	check(b[4] == 0x10 && le16(b + 8) == 72 && le16(b + 10) == 0 && b[12] == 7, "bind: drep LE, frag_length, call_id");
	gen_proto_uuid(u, GEN_UUID_DRSUAPI);
	check(!memcmp(b + 32, u, 16) && le16(b + 48) == 4, "bind: abstract syntax DRSUAPI v4");
	gen_proto_uuid(u, GEN_UUID_NDR);
	check(!memcmp(b + 52, u, 16) && le16(b + 68) == 2, "bind: transfer syntax NDR v2");
	n = gen_proto_dcerpc_bind_ack(b, sizeof(b), 7, 0x1234, "49668");
	/* 16 + 8 + 2 + 6 ("49668\0") = 32, aligned, + 4 + 24 */
	check(n == 60 && b[2] == 12 && le16(b + 8) == 60 && le16(b + 24) == 6 && !memcmp(b + 26, "49668", 6),
	      "bind_ack: ptype 12, sec_addr, 60 bytes (got %d)", n);
	n = gen_proto_dcerpc_call(b, sizeof(b), false, 8, 3, 100);
	check(n == 124 && b[2] == 0 && le16(b + 22) == 3, "request: 24 + stub, opnum (got %d)", n);
	check(gen_proto_dcerpc_bind(b, 40, 1, GEN_UUID_EPM, 3, 0) == -EMSGSIZE, "bind: too small a buffer is refused");
	check(gen_proto_dcerpc_bind(b, sizeof(b), 1, "nonsense", 3, 0) == -EINVAL, "bind: a bad uuid is refused");
}

static void test_smb2(void)
{
	uint8_t b[512];
	struct gen_smb2 m = { .cmd = GEN_SMB2_TREE_CONNECT, .msg_id = 4, .session_id = 9, .path = "\\\\ws12\\ADMIN$" };
	int n = gen_proto_smb2(b, sizeof(b), &m);

	check(n == 4 + 64 + 8 + 26, "tree connect: session header, SMB2 header, body, path (got %d)", n);
	check(b[0] == 0 && be32(b) == (uint32_t)(n - 4) && !memcmp(b + 4, "\xfeSMB", 4), "tree connect: NetBIOS length, magic");
	check(le16(b + 4 + 12) == 3 && le16(b + 4 + 64 + 4) == 72 && le16(b + 4 + 64 + 6) == 26,
	      "tree connect: command 3, path offset 72, length 26");
	check(b[4 + 72] == '\\' && b[4 + 73] == 0 && b[4 + 76] == 'w', "tree connect: path in UTF-16LE");
	m = (struct gen_smb2){ .cmd = GEN_SMB2_CREATE, .response = true, .file_id = 3 };
	n = gen_proto_smb2(b, sizeof(b), &m);
	check(n == 4 + 64 + 88 && le16(b + 4 + 64) == 89 && (le16(b + 4 + 16) & 1), "create response: 88-byte body, server flag");
	m = (struct gen_smb2){ .cmd = 99 };
	check(gen_proto_smb2(b, sizeof(b), &m) == -EMSGSIZE, "unknown command is refused");
}

static void test_krb(void)
{
	uint8_t b[4096];
	struct gen_krb m = { .type = GEN_KRB_AS_REQ, .realm = "OFFICE.EXAMPLE", .cname = "alice",
			     .sname = { "krbtgt", "OFFICE.EXAMPLE" }, .nonce = 42, .tcp = true };
	int n = gen_proto_krb(b, sizeof(b), &m);

	check(n > 100 && be32(b) == (uint32_t)(n - 4) && b[4] == 0x6a, "as-req over tcp: record mark, APPLICATION 10 (%d bytes)", n);
	m.tcp = false;
	m.type = GEN_KRB_ERROR;
	m.error_code = 25;
	n = gen_proto_krb(b, sizeof(b), &m);
	check(n > 40 && b[0] == 0x7e, "krb-error: APPLICATION 30 (%d bytes)", n);
	m.type = GEN_KRB_AS_REP;
	m.cipher_len = 1100;
	n = gen_proto_krb(b, sizeof(b), &m);
	check(n > 1400 && b[0] == 0x6b && b[1] == 0x82, "as-rep: APPLICATION 11, long form length (%d bytes)", n);
	check(gen_proto_krb(b, 200, &m) == -EMSGSIZE, "as-rep: too small a buffer is refused");
}

static void test_misc(void)
{
	uint8_t b[2048];
	uint32_t groups[2] = { SYNTH_IP(224, 0, 0, 251), SYNTH_IP(239, 255, 255, 250) };
	uint32_t sum = 0;
	int n, i;

	n = gen_proto_igmpv3_report(b, sizeof(b), groups, 2, 2);
	for (i = 0; i < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	check(n == 24 && b[0] == 0x22 && sum == 0xffff, "igmpv3 report: 8 + 2 records of 8, checksum sums to 0xffff");
	n = gen_proto_mqtt_simple(b, sizeof(b), 12);
	check(n == 2 && b[0] == 0xc0 && b[1] == 0, "mqtt pingreq: c0 00");
	n = gen_proto_mqtt_publish(b, sizeof(b), "cam/status", 200);
	/* remaining length 2 + 10 + 200 = 212: varint d4 01 */
	check(n == 1 + 2 + 212 && b[0] == 0x30 && b[1] == 0xd4 && b[2] == 0x01, "mqtt publish: two-byte remaining length");
	n = gen_proto_tls_client_hello(b, sizeof(b), "cdn.example.net", 517, 1);
	check(n == 517 && b[0] == 22 && (b[3] << 8 | b[4]) == 512 && b[5] == 1, "tls client hello: 517 bytes, record and handshake lengths");
	check(gen_proto_tls_client_hello(b, sizeof(b), "cdn.example.net", 60, 1) == -EMSGSIZE, "tls client hello: too short a size is refused");
	n = gen_proto_ssh_kexinit(b, sizeof(b), true, 5);
	check(n > 500 && n % 8 == 0 && be32(b) == (uint32_t)(n - 4) && b[5] == 20 && b[4] >= 4,
	      "ssh kexinit: packet a multiple of 8, message 20, padding >= 4 (%d bytes)", n);
	n = gen_proto_rdp_x224(b, sizeof(b), false, "admin");
	check(n == 11 + 24 + 8 && b[0] == 3 && (b[2] << 8 | b[3]) == n && b[4] == n - 5 && b[5] == 0xe0,
	      "rdp connection request: TPKT length, X.224 CR, cookie, RDP_NEG_REQ");
	n = gen_proto_nbns_query(b, sizeof(b), 1, "fs1");
	check(n == 50 && b[12] == 32 && b[13] == 'E' && b[14] == 'G', "nbns query: 'F' encodes as EG");
}

/* ---- one capture of everything, read by tshark ---------------------------- */

static uint8_t msg[8192];

static void conn_msg(struct synth *s, struct synth_conn *k, uint64_t *t, bool from_client, int n)
{
	if (n > 0)
		*t = synth_conn_send(s, k, *t, from_client, msg, (size_t)n, 100000) + 1000000;
}

static void build_capture(struct synth *s)
{
	uint32_t ws = synth_client(2), dc = SYNTH_DC, peer = synth_client(3);
	uint32_t groups[1] = { SYNTH_IP(239, 255, 255, 250) };
	struct gen_krb kr = { .realm = "OFFICE.EXAMPLE", .cname = "alice", .sname = { "krbtgt", "OFFICE.EXAMPLE" },
			      .nonce = 7, .tcp = true, .cipher_len = 1000 };
	struct gen_smb2 m = { 0 };
	struct synth_conn k;
	uint64_t t = s->t0;
	int step;

	/* Kerberos over TCP: AS-REQ, PREAUTH_REQUIRED, AS-REQ with PA-ENC-TIMESTAMP, AS-REP, TGS-REQ, TGS-REP */
	for (step = 0; step < 3; step++) {
		t = synth_conn_open(s, &s->rng, &k, t, ws, dc, (uint16_t)(50000 + step), 88, 400000);
		kr.type = step == 2 ? GEN_KRB_TGS_REQ : GEN_KRB_AS_REQ;
		kr.pa_enc_timestamp = step == 1;
		conn_msg(s, &k, &t, true, gen_proto_krb(msg, sizeof(msg), &kr));
		kr.type = step == 0 ? GEN_KRB_ERROR : step == 1 ? GEN_KRB_AS_REP : GEN_KRB_TGS_REP;
		kr.error_code = 25;
		if (step == 2)
			kr.sname[0] = "cifs", kr.sname[1] = "dc1.office.example";
		conn_msg(s, &k, &t, false, gen_proto_krb(msg, sizeof(msg), &kr));
		t = synth_conn_close(s, &k, t, true);
	}
	/* DCE/RPC: endpoint mapper on 135, netlogon and DRSUAPI on high ports */
	t = synth_conn_open(s, &s->rng, &k, t, ws, dc, 50010, 135, 400000);
	conn_msg(s, &k, &t, true, gen_proto_dcerpc_bind(msg, sizeof(msg), 1, GEN_UUID_EPM, 3, 0));
	conn_msg(s, &k, &t, false, gen_proto_dcerpc_bind_ack(msg, sizeof(msg), 1, 0x5a5a, "135"));
	t = synth_conn_close(s, &k, t, true);
	t = synth_conn_open(s, &s->rng, &k, t, ws, dc, 50011, 49668, 400000);
	conn_msg(s, &k, &t, true, gen_proto_dcerpc_bind(msg, sizeof(msg), 1, GEN_UUID_NETLOGON, 1, 0));
	conn_msg(s, &k, &t, false, gen_proto_dcerpc_bind_ack(msg, sizeof(msg), 1, 0x5a5b, "49668"));
	t = synth_conn_close(s, &k, t, true);
	t = synth_conn_open(s, &s->rng, &k, t, ws, dc, 50012, 49667, 400000);
	conn_msg(s, &k, &t, true, gen_proto_dcerpc_bind(msg, sizeof(msg), 2, GEN_UUID_DRSUAPI, 4, 0));
	conn_msg(s, &k, &t, false, gen_proto_dcerpc_bind_ack(msg, sizeof(msg), 2, 0x5a5c, "49667"));
	t = synth_conn_close(s, &k, t, true);
	/* SMB2 to ADMIN$ and IPC$, the svcctl pipe and its bind */
	t = synth_conn_open(s, &s->rng, &k, t, ws, peer, 50013, 445, 400000);
	m = (struct gen_smb2){ .cmd = GEN_SMB2_NEGOTIATE };
	conn_msg(s, &k, &t, true, gen_proto_smb2(msg, sizeof(msg), &m));
	m.response = true, m.blob_len = 74;
	conn_msg(s, &k, &t, false, gen_proto_smb2(msg, sizeof(msg), &m));
	m = (struct gen_smb2){ .cmd = GEN_SMB2_TREE_CONNECT, .msg_id = 3, .session_id = 77, .path = "\\\\10.1.1.13\\ADMIN$" };
	conn_msg(s, &k, &t, true, gen_proto_smb2(msg, sizeof(msg), &m));
	m.response = true, m.tree_id = 1, m.share_type = 1;
	conn_msg(s, &k, &t, false, gen_proto_smb2(msg, sizeof(msg), &m));
	m = (struct gen_smb2){ .cmd = GEN_SMB2_TREE_CONNECT, .msg_id = 4, .session_id = 77, .path = "\\\\10.1.1.13\\IPC$" };
	conn_msg(s, &k, &t, true, gen_proto_smb2(msg, sizeof(msg), &m));
	m.response = true, m.tree_id = 2, m.share_type = 2;
	conn_msg(s, &k, &t, false, gen_proto_smb2(msg, sizeof(msg), &m));
	m = (struct gen_smb2){ .cmd = GEN_SMB2_CREATE, .msg_id = 5, .session_id = 77, .tree_id = 2, .path = "svcctl" };
	conn_msg(s, &k, &t, true, gen_proto_smb2(msg, sizeof(msg), &m));
	m.response = true, m.file_id = 9;
	conn_msg(s, &k, &t, false, gen_proto_smb2(msg, sizeof(msg), &m));
	{
		uint8_t bind[128];
		int bl = gen_proto_dcerpc_bind(bind, sizeof(bind), 1, GEN_UUID_SVCCTL, 2, 0);

		m = (struct gen_smb2){ .cmd = GEN_SMB2_WRITE, .msg_id = 6, .session_id = 77, .tree_id = 2, .file_id = 9,
				       .data = bind, .data_len = (uint16_t)bl };
		conn_msg(s, &k, &t, true, gen_proto_smb2(msg, sizeof(msg), &m));
		m.response = true;
		conn_msg(s, &k, &t, false, gen_proto_smb2(msg, sizeof(msg), &m));
		bl = gen_proto_dcerpc_bind_ack(bind, sizeof(bind), 1, 0x5a5d, "\\PIPE\\svcctl");
		m = (struct gen_smb2){ .cmd = GEN_SMB2_READ, .msg_id = 7, .session_id = 77, .tree_id = 2, .file_id = 9 };
		conn_msg(s, &k, &t, true, gen_proto_smb2(msg, sizeof(msg), &m));
		m.response = true, m.data = bind, m.data_len = (uint16_t)bl;
		conn_msg(s, &k, &t, false, gen_proto_smb2(msg, sizeof(msg), &m));
	}
	t = synth_conn_close(s, &k, t, true);
	/* TLS, SSH on 2222, RDP, MQTT, LDAP */
	t = synth_conn_open(s, &s->rng, &k, t, ws, SYNTH_IP(203, 0, 113, 151), 50014, 443, 400000);
	conn_msg(s, &k, &t, true, gen_proto_tls_client_hello(msg, sizeof(msg), "updates.example.net", 517, 3));
	t = synth_conn_close(s, &k, t, true);
	t = synth_conn_open(s, &s->rng, &k, t, SYNTH_IP(203, 0, 113, 93), SYNTH_SSH, 50015, 2222, 400000);
	memcpy(msg, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 32);
	conn_msg(s, &k, &t, false, 32);
	memcpy(msg, "SSH-2.0-libssh_0.10.4\r\n", 23);
	conn_msg(s, &k, &t, true, 23);
	conn_msg(s, &k, &t, true, gen_proto_ssh_kexinit(msg, sizeof(msg), false, 12));
	conn_msg(s, &k, &t, false, gen_proto_ssh_kexinit(msg, sizeof(msg), true, 11));
	t = synth_conn_close(s, &k, t, true);
	t = synth_conn_open(s, &s->rng, &k, t, ws, peer, 50016, 3389, 400000);
	conn_msg(s, &k, &t, true, gen_proto_rdp_x224(msg, sizeof(msg), false, "admin"));
	conn_msg(s, &k, &t, false, gen_proto_rdp_x224(msg, sizeof(msg), true, ""));
	t = synth_conn_close(s, &k, t, true);
	t = synth_conn_open(s, &s->rng, &k, t, SYNTH_CAMERA, SYNTH_IP(198, 51, 100, 30), 50017, 1883, 400000);
	conn_msg(s, &k, &t, true, gen_proto_mqtt_connect(msg, sizeof(msg), "cam-lobby", 60));
	conn_msg(s, &k, &t, false, gen_proto_mqtt_simple(msg, sizeof(msg), 2));
	conn_msg(s, &k, &t, true, gen_proto_mqtt_simple(msg, sizeof(msg), 12));
	conn_msg(s, &k, &t, false, gen_proto_mqtt_simple(msg, sizeof(msg), 13));
	t = synth_conn_close(s, &k, t, true);
	t = synth_conn_open(s, &s->rng, &k, t, ws, dc, 50018, 389, 400000);
	conn_msg(s, &k, &t, true, gen_proto_ldap_search(msg, sizeof(msg), 1, "DC=office,DC=example", false));
	conn_msg(s, &k, &t, false, gen_proto_ldap_search(msg, sizeof(msg), 1, "", true));
	t = synth_conn_close(s, &k, t, true);
	/* datagrams: IGMPv3, NetBIOS name query, a DNS SRV question */
	{
		int n = gen_proto_igmpv3_report(msg, sizeof(msg), groups, 1, 4);
		struct gen_pkt *p = synth_add(s, t, 2, ws, SYNTH_IP(224, 0, 0, 22), 0, 0);

		if (p) {
			p->payload_len = (uint16_t)n;
			synth_set_bytes(s, msg, (size_t)n);
		}
		n = gen_proto_nbns_query(msg, sizeof(msg), 0x77, "FS1");
		synth_udp(s, t + 1000, ws, SYNTH_IP(10, 1, 255, 255), 137, 137, msg, (size_t)n);
		synth_dns_r(s, &s->rng, t + 2000, ws, dc, "_ldap._tcp." SYNTH_SITE "._sites.dc._msdcs." SYNTH_DOMAIN, 33);
	}
}

static int rec_cmp(const void *a, const void *b)
{
	const struct synth_rec *x = a, *y = b;

	return x->ts != y->ts ? (x->ts < y->ts ? -1 : 1) : (x->seq > y->seq) - (x->seq < y->seq);
}

static int write_capture(struct synth *s, const char *path)
{
	struct gen_pcap *pc = gen_pcap_open(path, false);
	uint8_t frame[GEN_FRAME_MAX];
	size_t i;

	if (!pc)
		return -errno;
	qsort(s->recs, s->n, sizeof(*s->recs), rec_cmp);
	for (i = 0; i < s->n; i++) {
		struct synth_rec *r = &s->recs[i];
		int len;

		r->p.payload = synth_rec_bytes(s, r);
		len = gen_frame_build(&r->p, frame, sizeof(frame));
		if (len < 0 || gen_pcap_write(pc, r->ts, frame, (uint32_t)len) < 0) {
			gen_pcap_close(pc);
			return len < 0 ? len : -EIO;
		}
	}
	return gen_pcap_close(pc);
}

/* every value tshark printed for field over the capture, comma-joined, into out */
static bool tshark_values(const char *pcap, const char *field, const char *filter, char *out, size_t cap)
{
	char cmd[1024];
	size_t n = 0;
	FILE *p;
	int c;

	snprintf(cmd, sizeof(cmd),
		 "tshark -d tcp.port==2222,ssh -r '%s' -Y '%s' -T fields -e '%s' 2>/dev/null | tr '\\n' ','",
		 pcap, filter, field);
	p = popen(cmd, "r");
	if (!p)
		return false;
	while ((c = fgetc(p)) != EOF && n + 1 < cap)
		out[n++] = (char)c;
	out[n] = 0;
	return pclose(p) == 0;
}

static void test_tshark(const char *dir)
{
	static const struct {
		const char *what, *field, *filter, *want;
	} rows[] = {
		{ "kerberos: the message types in order (14: the AP-REQ inside the TGS-REQ)", "kerberos.msg_type", "kerberos", "10,30,10,11,12,14,13," },
		{ "kerberos: KDC_ERR_PREAUTH_REQUIRED", "kerberos.error_code", "kerberos.msg_type == 30", "25," },
		{ "kerberos: PA-ENC-TIMESTAMP then PA-TGS-REQ", "kerberos.padata_type", "kerberos.padata_type", "2,1," },
		{ "dcerpc: bind interfaces", "dcerpc.cn_bind_to_uuid", "dcerpc.pkt_type == 11",
		  GEN_UUID_EPM "," GEN_UUID_NETLOGON "," GEN_UUID_DRSUAPI "," GEN_UUID_SVCCTL "," },
		{ "dcerpc: bind_ack accepted", "dcerpc.cn_ack_result", "dcerpc.pkt_type == 12", "0,0,0,0," },
		{ "smb2: tree paths", "smb2.tree", "smb2.cmd == 3 && smb2.flags.response == 0", "\\\\10.1.1.13\\ADMIN$,\\\\10.1.1.13\\IPC$," },
		{ "smb2: the svcctl pipe", "smb2.filename", "smb2.cmd == 5 && smb2.flags.response == 0", "svcctl," },
		{ "tls: client hello with SNI", "tls.handshake.extensions_server_name", "tls.handshake.type == 1", "updates.example.net," },
		{ "ssh: server banner first", "ssh.protocol", "ssh.protocol", "SSH-2.0-OpenSSH_9.2p1 Debian-2,SSH-2.0-libssh_0.10.4," },
		{ "ssh: KEXINIT both ways", "ssh.message_code", "ssh.message_code", "20,20," },
		{ "rdp: cookie", "rdp.rt_cookie", "rdp.rt_cookie", "Cookie: mstshash=admin," },
		{ "mqtt: connect, connack, pingreq, pingresp", "mqtt.msgtype", "mqtt", "1,2,12,13," },
		{ "ldap: search request and done", "ldap.protocolOp", "ldap", "3,5," },
		{ "igmp: v3 report", "igmp.type", "igmp", "0x22," },
		{ "nbns: the name asked", "nbns.name", "nbns", "FS1<20>," },
		{ "dns: AD site SRV question", "dns.qry.name", "dns.qry.type == 33 && dns.flags.response == 0",
		  "_ldap._tcp." SYNTH_SITE "._sites.dc._msdcs." SYNTH_DOMAIN "," },
		{ "no malformed frame", "frame.number", "_ws.malformed || _ws.expert.severity == error", "" },
	};
	struct synth s = { 0 };
	char path[512], out[4096];
	size_t i;

	gen_rng_seed(&s.rng, 3);
	s.t0 = 1700000000ULL * SYNTH_NS;
	s.end = s.t0 + 3600 * SYNTH_NS;
	build_capture(&s);
	snprintf(path, sizeof(path), "%s/test_proto.pcap", dir);
	if (!check(!s.oom && write_capture(&s, path) == 0, "capture of %zu frames written to %s", s.n, path))
		goto cleanup;
	if (system("tshark -v >/dev/null 2>&1") != 0) {
		printf("# tshark not installed: the decoding checks are skipped (scripts/setup.sh installs it)\n");
		goto cleanup;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bool ran = tshark_values(path, rows[i].field, rows[i].filter, out, sizeof(out));

		check(ran && !strcmp(out, rows[i].want), "tshark %s: '%s' (want '%s')", rows[i].what, out, rows[i].want);
	}
	unlink(path);
cleanup:
	free(s.recs);
	free(s.bytes);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";

	test_uuid();
	test_dcerpc();
	test_smb2();
	test_krb();
	test_misc();
	test_tshark(dir);
	printf("%u passed, %u failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
