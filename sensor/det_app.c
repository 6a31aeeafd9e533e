// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_app.c: the few application facts the detectors need, read from the
 * start of TCP/UDP segments: banners and framing identify the application
 * (so SSH on port 2222 is SSH), clear-text replies say whether a login
 * failed, DCE/RPC binds and requests name interfaces and operations, SMB2
 * tree connects name shares. Every reader checks each length before it reads;
 * a message split across segments is simply not seen (a miss, never a guess).
 */
#include <string.h>

#include "det_app.h"

enum {
	DET_APP_BUDGET = 48,		/* payload segments read per side of a conversation */
	DET_APP_CMD_NONE = 0,
	DET_APP_CMD_USER,
	DET_APP_CMD_PASS,		/* PASS, AUTH, LOGIN, APOP: credentials follow or were sent */
};

static const char *const det_app_names[DET_APP_MAX] = {
	"", "ssh", "tls", "http", "smb", "dcerpc", "kerberos", "ldap", "rdp", "ftp", "smtp", "pop3", "imap",
	"mysql", "pgsql", "tds", "vnc", "telnet",
};

const char *det_app_name(enum det_app app)
{
	return app < DET_APP_MAX ? det_app_names[app] : "";
}

/* DCE/RPC interfaces, as the UUID's fields (the wire has the first three little-endian) */
static const struct {
	uint32_t d1;
	uint16_t d2, d3;
	uint8_t d4[8];
	enum det_rpc_if id;
	const char *name;
} det_app_ifaces[] = {
	{ 0xe1af8308, 0x5d1f, 0x11c9, { 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa }, DET_RPC_EPMAPPER, "epmapper" },
	{ 0x12345678, 0x1234, 0xabcd, { 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0xcf, 0xfb }, DET_RPC_NETLOGON, "netlogon" },
	{ 0x367abb81, 0x9844, 0x35f1, { 0xad, 0x32, 0x98, 0xf0, 0x38, 0x00, 0x10, 0x03 }, DET_RPC_SVCCTL, "svcctl" },
	{ 0x1ff70682, 0x0a51, 0x30e8, { 0x07, 0x6d, 0x74, 0x0b, 0xe8, 0xce, 0xe9, 0x8b }, DET_RPC_ATSVC, "atsvc" },
	{ 0x86d35949, 0x83c9, 0x4044, { 0xb4, 0x24, 0xdb, 0x36, 0x32, 0x31, 0xfd, 0x0c }, DET_RPC_TASKSCHD, "taskschd" },
	{ 0x338cd001, 0x2244, 0x31f1, { 0xaa, 0xaa, 0x90, 0x00, 0x38, 0x00, 0x10, 0x03 }, DET_RPC_WINREG, "winreg" },
	{ 0xe3514235, 0x4b06, 0x11d1, { 0xab, 0x04, 0x00, 0xc0, 0x4f, 0xc2, 0xdc, 0xd2 }, DET_RPC_DRSUAPI, "drsuapi" },
	{ 0xf309ad18, 0xd86a, 0x11d0, { 0xa0, 0x75, 0x00, 0xc0, 0x4f, 0xb6, 0x88, 0x20 }, DET_RPC_WMI, "IWbemLevel1Login" },
	{ 0x000001a0, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 }, DET_RPC_DCOM, "IRemoteSCMActivator" },
	{ 0x4d9f4ab8, 0x7d1c, 0x11cf, { 0x86, 0x1e, 0x00, 0x20, 0xaf, 0x6e, 0x7c, 0x57 }, DET_RPC_DCOM, "IActivation" },
	{ 0x12345778, 0x1234, 0xabcd, { 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xac }, DET_RPC_SAMR, "samr" },
	{ 0x12345778, 0x1234, 0xabcd, { 0xef, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab }, DET_RPC_LSARPC, "lsarpc" },
	{ 0x4b324fc8, 0x1670, 0x01d3, { 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 }, DET_RPC_SRVSVC, "srvsvc" },
};

static uint16_t det_app_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t det_app_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t det_app_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum det_rpc_if det_app_rpc_iface(const uint8_t u[16])
{
	uint32_t d1 = det_app_le32(u);
	uint16_t d2 = det_app_le16(u + 4), d3 = det_app_le16(u + 6);
	unsigned int i;

	for (i = 0; i < sizeof(det_app_ifaces) / sizeof(det_app_ifaces[0]); i++)
		if (det_app_ifaces[i].d1 == d1 && det_app_ifaces[i].d2 == d2 && det_app_ifaces[i].d3 == d3 &&
		    !memcmp(det_app_ifaces[i].d4, u + 8, 8))
			return det_app_ifaces[i].id;
	return DET_RPC_MAX;
}

const char *det_app_rpc_name(enum det_rpc_if id)
{
	unsigned int i;

	for (i = 0; i < sizeof(det_app_ifaces) / sizeof(det_app_ifaces[0]); i++)
		if (det_app_ifaces[i].id == id)
			return det_app_ifaces[i].name;
	return "";
}

static bool det_app_prefix(const uint8_t *p, uint32_t len, const char *s)
{
	size_t n = strlen(s);

	return len >= n && !memcmp(p, s, n);
}

/* case-insensitive prefix of an ASCII command */
static bool det_app_word(const uint8_t *p, uint32_t len, const char *s)
{
	size_t i, n = strlen(s);

	if (len < n)
		return false;
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 32);
		if (c != (uint8_t)s[i])
			return false;
	}
	return true;
}

/* A DCE/RPC connection-oriented PDU header: version 5.0/5.1, a known type, a sane fragment length. */
static bool det_app_is_rpc(const uint8_t *p, uint32_t len)
{
	uint16_t frag;

	if (len < 16 || p[0] != 5 || p[1] > 1 || p[2] > 20)
		return false;
	frag = p[4] & 0x10 ? det_app_le16(p + 8) : (uint16_t)(p[8] << 8 | p[9]);
	return frag >= 16;
}

/* NetBIOS session framing of an SMB1/SMB2 message */
static bool det_app_is_smb(const uint8_t *p, uint32_t len)
{
	return len >= 8 && p[0] == 0 && (p[4] == 0xfe || p[4] == 0xff) && p[5] == 'S' && p[6] == 'M' && p[7] == 'B';
}

/* A Kerberos message's application tag: AS-REQ/REP (0x6a/0x6b), TGS-REQ/REP (0x6c/0x6d), KRB-ERROR (0x7e). */
static bool det_app_krb_tag(uint8_t t)
{
	return t == 0x6a || t == 0x6b || t == 0x6c || t == 0x6d || t == 0x7e;
}

enum det_app det_app_identify(const uint8_t *p, uint32_t len, bool from_client, uint8_t proto, uint16_t sport,
			      uint16_t dport)
{
	uint16_t port = from_client ? dport : sport;

	if (!p || !len)
		return DET_APP_NONE;
	if (proto == 17)
		return (port == 88 && det_app_krb_tag(p[0])) ? DET_APP_KRB : DET_APP_NONE;
	if (proto != 6)
		return DET_APP_NONE;
	if (det_app_prefix(p, len, "SSH-"))
		return DET_APP_SSH;
	if (det_app_prefix(p, len, "RFB 0"))
		return DET_APP_VNC;
	if (len >= 3 && p[0] == 0x16 && p[1] == 3 && p[2] <= 4)
		return DET_APP_TLS;
	if (det_app_is_smb(p, len))
		return DET_APP_SMB;
	if (det_app_is_rpc(p, len))
		return DET_APP_DCERPC;
	if (len >= 7 && p[0] == 3 && p[1] == 0 && (p[5] & 0xf0) == 0xe0)
		return DET_APP_RDP;	/* TPKT + X.224 connection request / confirm */
	if (len >= 5 && p[0] == 0 && det_app_krb_tag(p[4]) && (port == 88 || det_app_be32(p) == len - 4))
		return DET_APP_KRB;	/* a 4-byte record length, then the message */
	if (len >= 7 && p[0] == 0x30 && (port == 389 || port == 3268) && (p[1] & 0x80 || p[1] >= 5))
		return DET_APP_LDAP;
	if (from_client) {
		if (det_app_prefix(p, len, "GET ") || det_app_prefix(p, len, "POST ") ||
		    det_app_prefix(p, len, "HEAD ") || det_app_prefix(p, len, "PUT ") ||
		    det_app_prefix(p, len, "OPTIONS ") || det_app_prefix(p, len, "DELETE "))
			return DET_APP_HTTP;
		if (det_app_word(p, len, "EHLO ") || det_app_word(p, len, "HELO "))
			return DET_APP_SMTP;
		if (len >= 8 && det_app_be32(p) == len && (det_app_be32(p + 4) == 0x00030000 ||
							  det_app_be32(p + 4) == 0x04d2162f))
			return DET_APP_PGSQL;
		if (len >= 8 && p[0] == 0x12 && p[1] == 1 && (uint32_t)(p[2] << 8 | p[3]) == len)
			return DET_APP_TDS;
	} else {
		if (det_app_prefix(p, len, "HTTP/1."))
			return DET_APP_HTTP;
		if (det_app_prefix(p, len, "+OK"))
			return DET_APP_POP3;
		if (det_app_prefix(p, len, "* OK") || det_app_prefix(p, len, "* PREAUTH"))
			return DET_APP_IMAP;
		if (det_app_prefix(p, len, "220")) {
			/* FTP and SMTP greet alike: the text or the port tells */
			if (port == 21 || memmem(p, len < 128 ? len : 128, "FTP", 3))
				return DET_APP_FTP;
			return DET_APP_SMTP;
		}
		if (len >= 6 && p[3] == 0 && p[4] == 10 && p[5] >= '3' && p[5] <= '9' &&
		    (uint32_t)(p[0] | p[1] << 8 | p[2] << 16) + 4 == len)
			return DET_APP_MYSQL;	/* server greeting, protocol 10 */
	}
	if (p[0] == 0xff && len >= 3 && p[1] >= 0xfb && p[1] <= 0xfe)
		return DET_APP_TELNET;	/* IAC WILL/WONT/DO/DONT */
	return DET_APP_NONE;
}

/* DER: the length at p[*i] (definite forms up to 4 bytes); -1 when cut short or absurd. */
static long det_app_der_len(const uint8_t *p, uint32_t len, uint32_t *i)
{
	uint32_t n, v = 0;

	if (*i >= len)
		return -1;
	if (!(p[*i] & 0x80))
		return p[(*i)++];
	n = p[(*i)++] & 0x7f;
	if (!n || n > 4 || *i + n > len)
		return -1;
	while (n--)
		v = v << 8 | p[(*i)++];
	return (long)v;
}

/* KRB-ERROR's error-code ([6] INTEGER of the inner SEQUENCE), -1 when it cannot be read */
static long det_app_krb_error(const uint8_t *p, uint32_t len)
{
	uint32_t i = 1;
	long l;
	int guard;

	if (len < 2 || p[0] != 0x7e || det_app_der_len(p, len, &i) < 0 || i >= len || p[i++] != 0x30 ||
	    det_app_der_len(p, len, &i) < 0)
		return -1;
	for (guard = 0; guard < 12 && i + 2 <= len; guard++) {
		uint8_t tag = p[i++];

		l = det_app_der_len(p, len, &i);
		if (l < 0 || i + (uint32_t)l > len)
			return -1;
		if (tag == 0xa6) {
			uint32_t j = i, k;
			long v = 0, il;

			if (j >= len || p[j++] != 0x02)
				return -1;
			il = det_app_der_len(p, len, &j);
			if (il < 1 || il > 4 || j + (uint32_t)il > len)
				return -1;
			for (k = 0; k < (uint32_t)il; k++)
				v = v << 8 | p[j + k];
			return v;
		}
		i += (uint32_t)l;
	}
	return -1;
}

/* A Kerberos message from the KDC: a refused login counts (unknown user, wrong password, revoked) */
static void det_app_krb(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	long code;

	if (len >= 4 && p[0] == 0 && !det_app_krb_tag(p[0])) {
		p += 4;	/* TCP: a 4-byte record length first */
		len -= 4;
	}
	if (!len)
		return;
	if (from_client) {
		if (p[0] == 0x6a)
			f->auth_sent = 1;
		return;
	}
	if (p[0] == 0x6b) {
		f->auth_ok = 1;
		return;
	}
	code = det_app_krb_error(p, len);
	/* 6 C_PRINCIPAL_UNKNOWN, 18 CLIENT_REVOKED, 24 PREAUTH_FAILED; 25 PREAUTH_REQUIRED is the normal first step */
	if (code == 6 || code == 18 || code == 24)
		f->auth_fail++;
}

/* LDAP bindResponse: resultCode 49 invalidCredentials is a refused login, 0 an accepted one */
static void det_app_ldap(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	uint32_t i = 1;
	long l;

	if (len < 8 || p[0] != 0x30 || det_app_der_len(p, len, &i) < 0)
		return;
	/* messageID */
	if (i >= len || p[i++] != 0x02)
		return;
	l = det_app_der_len(p, len, &i);
	if (l < 0 || i + (uint32_t)l >= len)
		return;
	i += (uint32_t)l;
	if (from_client) {
		if (p[i] == 0x60)
			f->auth_sent = 1;	/* bindRequest */
		return;
	}
	if (p[i++] != 0x61)
		return;	/* not a bindResponse */
	if (det_app_der_len(p, len, &i) < 0 || i + 3 > len || p[i] != 0x0a || p[i + 1] != 1)
		return;
	if (p[i + 2] == 49)
		f->auth_fail++;
	else if (p[i + 2] == 0 && f->auth_sent)
		f->auth_ok = 1;
}

/* The interface a presentation context names, remembered by its context id. */
static void det_app_rpc_ctx(struct det_app_facts *f, uint16_t ctx, enum det_rpc_if id)
{
	unsigned int i;

	if (id < DET_RPC_MAX)
		f->rpc_ifaces |= (uint16_t)(1u << id);
	for (i = 0; i < f->rpc_n; i++)
		if (f->rpc_ctx[i] == ctx) {
			f->rpc_ctx_if[i] = (uint8_t)id;
			return;
		}
	if (f->rpc_n < DET_APP_RPC_CTX) {
		f->rpc_ctx[f->rpc_n] = ctx;
		f->rpc_ctx_if[f->rpc_n++] = (uint8_t)id;
	}
}

/* One DCE/RPC PDU from the client: binds name interfaces, requests name operations. */
static void det_app_rpc(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	bool le = p[4] & 0x10;
	unsigned int i, n;
	uint32_t off;

	if (!from_client || !det_app_is_rpc(p, len))
		return;
	if (p[2] == 11 || p[2] == 14) {	/* bind, alter_context */
		f->rpc_binds++;
		if (len < 28)
			return;
		n = p[24];
		off = 28;
		for (i = 0; i < n && i < 8 && off + 24 <= len; i++) {
			uint16_t ctx = le ? det_app_le16(p + off) : (uint16_t)(p[off] << 8 | p[off + 1]);
			uint8_t ntrans = p[off + 2];

			det_app_rpc_ctx(f, ctx, det_app_rpc_iface(p + off + 4));
			off += 24 + 20u * ntrans;
		}
	} else if (p[2] == 0 && len >= 24) {	/* request: alloc_hint, context id, opnum */
		uint16_t ctx = le ? det_app_le16(p + 20) : (uint16_t)(p[20] << 8 | p[21]);
		uint16_t op = le ? det_app_le16(p + 22) : (uint16_t)(p[22] << 8 | p[23]);
		uint8_t id = DET_RPC_MAX;

		for (i = 0; i < f->rpc_n; i++)
			if (f->rpc_ctx[i] == ctx)
				id = f->rpc_ctx_if[i];
		if (id == DET_RPC_DRSUAPI && op == 3)
			f->rpc_ops |= DET_RPC_OP_DRS_GETNCCHANGES;
		else if (id == DET_RPC_SVCCTL && (op == 12 || op == 24))
			f->rpc_ops |= DET_RPC_OP_SVC_CREATE;
		else if ((id == DET_RPC_TASKSCHD && op == 1) || (id == DET_RPC_ATSVC && op == 0))
			f->rpc_ops |= DET_RPC_OP_TASK_REGISTER;
		else if (id == DET_RPC_NETLOGON && (op == 15 || op == 26)) {
			f->rpc_ops |= DET_RPC_OP_NETLOGON_AUTH;
			if (f->netlogon_auths < UINT16_MAX)
				f->netlogon_auths++;
		}
	}
}

/* The share of an SMB2 TREE_CONNECT path (UTF-16LE "\\server\share"): which kind. */
static uint8_t det_app_smb_share(const uint8_t *path, uint32_t bytes)
{
	char share[16];
	uint32_t i, start = 0, n = 0;

	/* the share is what follows the last backslash */
	for (i = 0; i + 1 < bytes; i += 2)
		if (path[i] == '\\' && path[i + 1] == 0)
			start = i + 2;
	for (i = start; i + 1 < bytes && n + 1 < sizeof(share); i += 2) {
		char c = (char)path[i];

		if (path[i + 1] != 0)
			return DET_SMB_OTHER;
		share[n++] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
	}
	share[n] = 0;
	if (!strcmp(share, "IPC$"))
		return DET_SMB_IPC;
	if (!strcmp(share, "ADMIN$"))
		return DET_SMB_ADMIN;
	if (n == 2 && share[1] == '$' && share[0] >= 'A' && share[0] <= 'Z')
		return DET_SMB_DRIVE;
	return DET_SMB_OTHER;
}

/* NT status codes of a refused login (SESSION_SETUP) */
static bool det_app_smb_logon_failed(uint32_t st)
{
	return st == 0xc000006d || st == 0xc000006a || st == 0xc0000064 || st == 0xc0000234 || st == 0xc0000072 ||
	       st == 0xc000006e || st == 0xc000006f || st == 0xc0000070;
}

/* SMB2 messages of one segment (several may follow each other): sessions, shares, pipe RPC */
static void det_app_smb(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	int guard;

	for (guard = 0; guard < 4 && len >= 4 + 64; guard++) {
		uint32_t nb = (uint32_t)(p[1] << 16 | p[2] << 8 | p[3]), mlen = nb < len - 4 ? nb : len - 4;
		const uint8_t *h = p + 4;
		uint16_t cmd;
		uint32_t st;

		if (p[0] != 0 || h[0] != 0xfe || h[1] != 'S' || h[2] != 'M' || h[3] != 'B' || mlen < 64)
			return;
		cmd = det_app_le16(h + 12);
		st = det_app_le32(h + 8);
		if (!from_client && cmd == 1) {	/* SESSION_SETUP response */
			if (det_app_smb_logon_failed(st))
				f->auth_fail++;
			else if (st == 0 && f->auth_sent)
				f->auth_ok = 1;
		} else if (from_client && cmd == 1) {
			f->auth_sent = 1;
		} else if (from_client && cmd == 3 && mlen >= 64 + 8) {	/* TREE_CONNECT request */
			uint32_t off = det_app_le16(h + 64 + 4), plen = det_app_le16(h + 64 + 6);

			if (off >= 64 + 8 && off + plen <= mlen)
				f->smb_shares |= det_app_smb_share(h + off, plen);
		} else if (from_client && cmd == 9 && mlen >= 64 + 16) {	/* WRITE: data at an offset */
			uint32_t off = det_app_le16(h + 64 + 2), dlen = det_app_le32(h + 64 + 4);

			if (off >= 64 + 16 && off < mlen)
				det_app_rpc(f, true, h + off, dlen < mlen - off ? dlen : mlen - off);
		} else if (from_client && cmd == 11 && mlen >= 64 + 56) {	/* IOCTL: pipe transceive input */
			uint32_t ctl = det_app_le32(h + 64 + 4), off = det_app_le32(h + 64 + 24),
				 ilen = det_app_le32(h + 64 + 28);

			if (ctl == 0x0011c017 && off >= 64 + 56 && off < mlen)
				det_app_rpc(f, true, h + off, ilen < mlen - off ? ilen : mlen - off);
		}
		if (nb + 4 >= len)
			return;
		p += nb + 4;
		len -= nb + 4;
	}
}

/* Line protocols: the client's command, and the server's verdict on credentials. */
static void det_app_lines(struct det_app_facts *f, enum det_app app, bool from_client, const uint8_t *p,
			  uint32_t len)
{
	if (from_client) {
		if (det_app_word(p, len, "USER "))
			f->cmd = DET_APP_CMD_USER;
		else if (det_app_word(p, len, "PASS ") || det_app_word(p, len, "AUTH ") ||
			 det_app_word(p, len, "APOP ") ||
			 (app == DET_APP_IMAP && (memmem(p, len < 64 ? len : 64, " LOGIN ", 7) ||
						  memmem(p, len < 64 ? len : 64, " login ", 7) ||
						  memmem(p, len < 64 ? len : 64, " AUTHENTICATE ", 14))))
			f->cmd = DET_APP_CMD_PASS;
		else
			f->cmd = DET_APP_CMD_NONE;
		if (f->cmd == DET_APP_CMD_PASS)
			f->auth_sent = 1;
		return;
	}
	switch (app) {
	case DET_APP_FTP:
		if (det_app_prefix(p, len, "530"))
			f->auth_fail++;
		else if (det_app_prefix(p, len, "230"))
			f->auth_ok = 1;
		break;
	case DET_APP_SMTP:
		if (det_app_prefix(p, len, "535"))
			f->auth_fail++;
		else if (det_app_prefix(p, len, "235"))
			f->auth_ok = 1;
		break;
	case DET_APP_POP3:
		if (f->cmd == DET_APP_CMD_PASS && det_app_prefix(p, len, "-ERR"))
			f->auth_fail++;
		else if (f->cmd == DET_APP_CMD_PASS && det_app_prefix(p, len, "+OK"))
			f->auth_ok = 1;
		break;
	case DET_APP_IMAP: {
		/* "<tag> NO ..." / "<tag> OK ..." after LOGIN or AUTHENTICATE */
		const uint8_t *sp = memchr(p, ' ', len < 32 ? len : 32);
		uint32_t rest = sp ? len - (uint32_t)(sp + 1 - p) : 0;

		if (f->cmd != DET_APP_CMD_PASS || !sp || p[0] == '*' || p[0] == '+')
			break;
		if (det_app_prefix(sp + 1, rest, "NO"))
			f->auth_fail++;
		else if (det_app_prefix(sp + 1, rest, "OK"))
			f->auth_ok = 1;
		break;
	}
	default:
		break;
	}
	f->cmd = DET_APP_CMD_NONE;
}

/* HTTP: a 401 to a request that carried credentials is a refused login */
static void det_app_http(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	uint32_t n = len < 2048 ? len : 2048;

	if (from_client) {
		f->http_auth = memmem(p, n, "\nAuthorization:", 15) || memmem(p, n, "\nauthorization:", 15);
		if (f->http_auth)
			f->auth_sent = 1;
		return;
	}
	if (!det_app_prefix(p, len, "HTTP/1.") || len < 12 || !f->http_auth)
		return;
	if (!memcmp(p + 9, "401", 3))
		f->auth_fail++;
	else if (p[9] == '2' || p[9] == '3')
		f->auth_ok = 1;
	f->http_auth = 0;
}

/* MySQL: the server's ERR packet 1045 (access denied) after the client's login, or its OK */
static void det_app_mysql(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	if (len < 5)
		return;
	if (from_client) {
		if (p[3] == 1)
			f->auth_sent = 1;	/* the handshake response is the client's first packet (seq 1) */
		return;
	}
	if (!f->auth_sent || p[3] != 2)
		return;
	if (p[4] == 0xff && len >= 7 && det_app_le16(p + 5) == 1045)
		f->auth_fail++;
	else if (p[4] == 0)
		f->auth_ok = 1;
}

/* PostgreSQL: ErrorResponse with SQLSTATE 28P01 (password) or 28000 (authorization) */
static void det_app_pgsql(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	if (from_client) {
		if (len >= 5 && p[0] == 'p')
			f->auth_sent = 1;	/* PasswordMessage */
		return;
	}
	if (len >= 6 && p[0] == 'E' && (memmem(p, len, "C28P01", 7) || memmem(p, len, "C28000", 7)))
		f->auth_fail++;
	else if (len >= 9 && p[0] == 'R' && det_app_be32(p + 5) == 0 && f->auth_sent)
		f->auth_ok = 1;	/* AuthenticationOk */
}

/* MSSQL (TDS): a login failure is error 18456 in the server's token stream */
static void det_app_tds(struct det_app_facts *f, bool from_client, const uint8_t *p, uint32_t len)
{
	static const uint8_t err18456[] = { 0xaa, 0, 0, 0x18, 0x48, 0, 0 };
	uint32_t i;

	if (len < 8)
		return;
	if (from_client) {
		if (p[0] == 0x10)
			f->auth_sent = 1;	/* LOGIN7 */
		return;
	}
	if (p[0] != 4)
		return;
	for (i = 8; i + sizeof(err18456) <= len && i < 256; i++)
		if (p[i] == 0xaa && !memcmp(p + i + 3, err18456 + 3, 4)) {
			f->auth_fail++;
			return;
		}
}

void det_app_segment(struct det_app_facts *f, enum det_app app, bool from_client, const uint8_t *p, uint32_t len)
{
	uint8_t *budget = &f->parsed[from_client ? 0 : 1];

	if (!p || !len || *budget >= DET_APP_BUDGET)
		return;
	(*budget)++;
	switch (app) {
	case DET_APP_KRB: det_app_krb(f, from_client, p, len); break;
	case DET_APP_LDAP: det_app_ldap(f, from_client, p, len); break;
	case DET_APP_SMB: det_app_smb(f, from_client, p, len); break;
	case DET_APP_DCERPC: det_app_rpc(f, from_client, p, len); break;
	case DET_APP_FTP:
	case DET_APP_SMTP:
	case DET_APP_POP3:
	case DET_APP_IMAP: det_app_lines(f, app, from_client, p, len); break;
	case DET_APP_HTTP: det_app_http(f, from_client, p, len); break;
	case DET_APP_MYSQL: det_app_mysql(f, from_client, p, len); break;
	case DET_APP_PGSQL: det_app_pgsql(f, from_client, p, len); break;
	case DET_APP_TDS: det_app_tds(f, from_client, p, len); break;
	default: break;
	}
}
