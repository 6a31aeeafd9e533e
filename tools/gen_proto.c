// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_proto.c: the application messages vigil-synth puts in its frames,
 * written field by field after each protocol's specification (see
 * gen_proto.h), so that a capture of the synthetic office reads in a
 * dissector the way a real one does. No crypto: ciphertext is zeros.
 */
#include <errno.h>
#include <string.h>

#include "gen_proto.h"

/* ---- byte writer -------------------------------------------------------- */

struct gp_buf {
	uint8_t *b;
	size_t n, cap;
	bool err;
};

static void gp_raw(struct gp_buf *w, const void *p, size_t n)
{
	if (w->err || n > w->cap - w->n) {
		w->err = true;
		return;
	}
	if (p)
		memcpy(w->b + w->n, p, n);
	else
		memset(w->b + w->n, 0, n);
	w->n += n;
}

static void gp_u8(struct gp_buf *w, uint8_t v)
{
	gp_raw(w, &v, 1);
}

static void gp_le16(struct gp_buf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	gp_raw(w, b, 2);
}

static void gp_le32(struct gp_buf *w, uint32_t v)
{
	gp_le16(w, (uint16_t)v);
	gp_le16(w, (uint16_t)(v >> 16));
}

static void gp_le64(struct gp_buf *w, uint64_t v)
{
	gp_le32(w, (uint32_t)v);
	gp_le32(w, (uint32_t)(v >> 32));
}

static void gp_be16(struct gp_buf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	gp_raw(w, b, 2);
}

static void gp_be32(struct gp_buf *w, uint32_t v)
{
	gp_be16(w, (uint16_t)(v >> 16));
	gp_be16(w, (uint16_t)v);
}

static void gp_str(struct gp_buf *w, const char *s)
{
	gp_raw(w, s, strlen(s));
}

/* s as UTF-16LE (ASCII only), no terminator */
static void gp_utf16(struct gp_buf *w, const char *s)
{
	for (; *s; s++)
		gp_le16(w, (uint8_t)*s);
}

/* patch a value into bytes already written */
static void gp_put_le16(struct gp_buf *w, size_t at, uint16_t v)
{
	if (!w->err && at + 2 <= w->n) {
		w->b[at] = (uint8_t)v;
		w->b[at + 1] = (uint8_t)(v >> 8);
	}
}

static void gp_put_be16(struct gp_buf *w, size_t at, uint16_t v)
{
	if (!w->err && at + 2 <= w->n) {
		w->b[at] = (uint8_t)(v >> 8);
		w->b[at + 1] = (uint8_t)v;
	}
}

static int gp_done(const struct gp_buf *w)
{
	return w->err ? -EMSGSIZE : (int)w->n;
}

/* ---- DER (Kerberos) and BER (LDAP) --------------------------------------- */

enum { GP_DER_SCRATCH = 4096 };

static void der_tlv(struct gp_buf *w, uint8_t tag, const void *v, size_t n)
{
	gp_u8(w, tag);
	if (n < 0x80) {
		gp_u8(w, (uint8_t)n);
	} else if (n < 0x100) {
		gp_u8(w, 0x81);
		gp_u8(w, (uint8_t)n);
	} else {
		gp_u8(w, 0x82);
		gp_be16(w, (uint16_t)n);
	}
	gp_raw(w, v, n);
}

/* wrap what child holds as the content of tag in w */
static void der_wrap(struct gp_buf *w, uint8_t tag, const struct gp_buf *child)
{
	if (child->err)
		w->err = true;
	else
		der_tlv(w, tag, child->b, child->n);
}

static void der_int(struct gp_buf *w, uint8_t tag, int64_t v)
{
	uint8_t b[8];
	int i, k = 0;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	/* minimal two's complement: drop a leading byte that only repeats the next one's sign */
	while (k < 7 && ((b[k] == 0 && !(b[k + 1] & 0x80)) || (b[k] == 0xff && (b[k + 1] & 0x80))))
		k++;
	der_tlv(w, tag, b + k, (size_t)(8 - k));
}

static void der_str(struct gp_buf *w, uint8_t tag, const char *s)
{
	der_tlv(w, tag, s, strlen(s));
}

/* [ctx] INTEGER v */
static void der_ctx_int(struct gp_buf *w, uint8_t ctx, int64_t v)
{
	uint8_t tmp[16];
	struct gp_buf c = { tmp, 0, sizeof(tmp), false };

	der_int(&c, 0x02, v);
	der_wrap(w, (uint8_t)(0xa0 | ctx), &c);
}

/* [ctx] GeneralString s */
static void der_ctx_gstr(struct gp_buf *w, uint8_t ctx, const char *s)
{
	uint8_t tmp[256];
	struct gp_buf c = { tmp, 0, sizeof(tmp), false };

	der_str(&c, 0x1b, s);
	der_wrap(w, (uint8_t)(0xa0 | ctx), &c);
}

/* [ctx] PrincipalName { name-type, name-string SEQUENCE OF GeneralString } (one or two names) */
static void krb_principal(struct gp_buf *w, uint8_t ctx, int32_t type, const char *a, const char *b)
{
	uint8_t t1[512], t2[512], t3[512];
	struct gp_buf names = { t1, 0, sizeof(t1), false }, seq = { t2, 0, sizeof(t2), false },
		      pn = { t3, 0, sizeof(t3), false };

	der_str(&names, 0x1b, a);
	if (b)
		der_str(&names, 0x1b, b);
	der_wrap(&seq, 0x30, &names);
	der_ctx_int(&pn, 0, type);
	der_wrap(&pn, 0xa1, &seq);
	names.n = 0;
	der_wrap(&names, 0x30, &pn);
	der_wrap(w, (uint8_t)(0xa0 | ctx), &names);
}

/* [ctx] EncryptedData { etype 18, kvno, cipher: len zeros } */
static void krb_encdata(struct gp_buf *w, uint8_t ctx, int kvno, size_t len)
{
	static uint8_t zeros[GP_DER_SCRATCH];
	uint8_t t1[GP_DER_SCRATCH], t2[GP_DER_SCRATCH];
	struct gp_buf ed = { t1, 0, sizeof(t1), false }, c = { t2, 0, sizeof(t2), false };

	if (len > sizeof(zeros) - 64) {
		w->err = true;
		return;
	}
	der_ctx_int(&ed, 0, 18);	/* aes256-cts-hmac-sha1-96 */
	if (kvno >= 0)
		der_ctx_int(&ed, 1, kvno);
	der_tlv(&c, 0x04, zeros, len);
	der_wrap(&ed, 0xa2, &c);
	c.n = 0;
	der_wrap(&c, 0x30, &ed);
	der_wrap(w, (uint8_t)(0xa0 | ctx), &c);
}

/* [ctx] Ticket (APPLICATION 1) for sname in realm */
static void krb_ticket(struct gp_buf *w, uint8_t ctx, const char *realm, const char *s1, const char *s2, size_t len)
{
	uint8_t t1[GP_DER_SCRATCH], t2[GP_DER_SCRATCH];
	struct gp_buf tk = { t1, 0, sizeof(t1), false }, c = { t2, 0, sizeof(t2), false };

	der_ctx_int(&tk, 0, 5);
	der_ctx_gstr(&tk, 1, realm);
	krb_principal(&tk, 2, 2, s1, s2);
	krb_encdata(&tk, 3, 2, len);
	der_wrap(&c, 0x30, &tk);
	tk.n = 0;
	der_wrap(&tk, 0x61, &c);
	der_wrap(w, (uint8_t)(0xa0 | ctx), &tk);
}

/* PA-DATA { padata-type, padata-value OCTET STRING (value's DER) } appended to w */
static void krb_padata(struct gp_buf *w, int32_t type, const struct gp_buf *value)
{
	uint8_t t1[GP_DER_SCRATCH], t2[GP_DER_SCRATCH];
	struct gp_buf pa = { t1, 0, sizeof(t1), false }, c = { t2, 0, sizeof(t2), false };

	der_ctx_int(&pa, 1, type);
	der_wrap(&c, 0x04, value);
	der_wrap(&pa, 0xa2, &c);
	der_wrap(w, 0x30, &pa);
}

static void krb_req(struct gp_buf *w, const struct gen_krb *m)
{
	static const uint8_t kdc_options[] = { 0x00, 0x40, 0x81, 0x00, 0x10 };	/* forwardable renewable canonicalize renewable-ok */
	static const uint8_t etypes[] = { 0x02, 0x01, 18, 0x02, 0x01, 17, 0x02, 0x01, 23 };
	uint8_t t1[GP_DER_SCRATCH], t2[GP_DER_SCRATCH], t3[GP_DER_SCRATCH], t4[GP_DER_SCRATCH];
	struct gp_buf req = { t1, 0, sizeof(t1), false }, body = { t2, 0, sizeof(t2), false },
		      c = { t3, 0, sizeof(t3), false }, pas = { t4, 0, sizeof(t4), false };
	bool as = m->type == GEN_KRB_AS_REQ;

	der_ctx_int(&req, 1, 5);
	der_ctx_int(&req, 2, m->type);
	if (!as || m->pa_enc_timestamp) {
		/* AS: PA-ENC-TIMESTAMP (2), an EncryptedData; TGS: PA-TGS-REQ (1), an AP-REQ with the TGT */
		struct gp_buf v = { t3, 0, sizeof(t3), false };

		if (as) {
			uint8_t t5[GP_DER_SCRATCH];
			struct gp_buf e = { t5, 0, sizeof(t5), false };

			krb_encdata(&e, 0, -1, 56);
			/* krb_encdata wrapped it in [0]: the value is the bare EncryptedData inside */
			if (!e.err && e.n > 2) {
				size_t hdr = e.b[1] & 0x80 ? 2 + (e.b[1] & 0x7f) : 2;

				gp_raw(&v, e.b + hdr, e.n - hdr);
			}
			krb_padata(&pas, 2, &v);
		} else {
			uint8_t t5[GP_DER_SCRATCH];
			struct gp_buf ap = { t5, 0, sizeof(t5), false };
			static const uint8_t ap_options[] = { 0x00, 0x00, 0x00, 0x00, 0x00 };

			der_ctx_int(&ap, 0, 5);
			der_ctx_int(&ap, 1, 14);
			body.n = 0;
			der_tlv(&body, 0x03, ap_options, sizeof(ap_options));
			der_wrap(&ap, 0xa2, &body);
			krb_ticket(&ap, 3, m->realm, "krbtgt", m->realm, m->cipher_len);
			krb_encdata(&ap, 4, -1, 160);
			body.n = 0;
			der_wrap(&body, 0x30, &ap);
			der_wrap(&v, 0x6e, &body);
			krb_padata(&pas, 1, &v);
		}
		c.n = 0;
		der_wrap(&c, 0x30, &pas);
		der_wrap(&req, 0xa3, &c);
	}
	body.n = 0;
	c.n = 0;
	der_tlv(&c, 0x03, kdc_options, sizeof(kdc_options));
	der_wrap(&body, 0xa0, &c);
	if (as)
		krb_principal(&body, 1, 1, m->cname, NULL);
	der_ctx_gstr(&body, 2, m->realm);
	krb_principal(&body, 3, 2, m->sname[0], m->sname[1]);
	c.n = 0;
	der_str(&c, 0x18, "20370913024805Z");
	der_wrap(&body, 0xa5, &c);
	der_ctx_int(&body, 7, m->nonce & 0x7fffffff);
	c.n = 0;
	der_tlv(&c, 0x30, etypes, sizeof(etypes));
	der_wrap(&body, 0xa8, &c);
	c.n = 0;
	der_wrap(&c, 0x30, &body);
	der_wrap(&req, 0xa4, &c);
	c.n = 0;
	der_wrap(&c, 0x30, &req);
	der_wrap(w, (uint8_t)(0x60 | m->type), &c);
}

static void krb_rep(struct gp_buf *w, const struct gen_krb *m)
{
	uint8_t t1[GP_DER_SCRATCH], t2[GP_DER_SCRATCH];
	struct gp_buf rep = { t1, 0, sizeof(t1), false }, c = { t2, 0, sizeof(t2), false };

	der_ctx_int(&rep, 0, 5);
	der_ctx_int(&rep, 1, m->type);
	der_ctx_gstr(&rep, 3, m->realm);
	krb_principal(&rep, 4, 1, m->cname, NULL);
	krb_ticket(&rep, 5, m->realm, m->sname[0], m->sname[1], m->cipher_len);
	krb_encdata(&rep, 6, 2, m->cipher_len / 3 + 100);
	der_wrap(&c, 0x30, &rep);
	der_wrap(w, (uint8_t)(0x60 | m->type), &c);
}

static void krb_error(struct gp_buf *w, const struct gen_krb *m)
{
	uint8_t t1[GP_DER_SCRATCH], t2[GP_DER_SCRATCH];
	struct gp_buf e = { t1, 0, sizeof(t1), false }, c = { t2, 0, sizeof(t2), false };

	der_ctx_int(&e, 0, 5);
	der_ctx_int(&e, 1, 30);
	der_str(&c, 0x18, "20261207120000Z");
	der_wrap(&e, 0xa4, &c);
	der_ctx_int(&e, 5, 123456);
	der_ctx_int(&e, 6, m->error_code);
	der_ctx_gstr(&e, 9, m->realm);
	krb_principal(&e, 10, 2, m->sname[0], m->sname[1]);
	c.n = 0;
	der_wrap(&c, 0x30, &e);
	der_wrap(w, 0x7e, &c);
}

int gen_proto_krb(uint8_t *buf, size_t cap, const struct gen_krb *m)
{
	struct gp_buf w = { buf, 0, cap, false };
	size_t start;

	if (m->tcp)
		gp_be32(&w, 0);	/* record mark, set below */
	start = w.n;
	switch (m->type) {
	case GEN_KRB_AS_REQ:
	case GEN_KRB_TGS_REQ:
		krb_req(&w, m);
		break;
	case GEN_KRB_AS_REP:
	case GEN_KRB_TGS_REP:
		krb_rep(&w, m);
		break;
	case GEN_KRB_ERROR:
		krb_error(&w, m);
		break;
	default:
		return -EINVAL;
	}
	if (m->tcp && !w.err) {
		uint32_t len = (uint32_t)(w.n - start);

		buf[0] = (uint8_t)(len >> 24);
		buf[1] = (uint8_t)(len >> 16);
		buf[2] = (uint8_t)(len >> 8);
		buf[3] = (uint8_t)len;
	}
	return gp_done(&w);
}

int gen_proto_ldap_search(uint8_t *buf, size_t cap, uint32_t msg_id, const char *base, bool done)
{
	uint8_t t1[512], t2[512];
	struct gp_buf w = { buf, 0, cap, false }, op = { t1, 0, sizeof(t1), false }, msg = { t2, 0, sizeof(t2), false };

	der_int(&msg, 0x02, msg_id);
	if (done) {
		der_int(&op, 0x0a, 0);	/* resultCode success */
		der_str(&op, 0x04, "");
		der_str(&op, 0x04, "");
		der_wrap(&msg, 0x65, &op);
	} else {
		der_str(&op, 0x04, base);
		der_int(&op, 0x0a, 0);	/* scope baseObject */
		der_int(&op, 0x0a, 0);	/* derefAliases never */
		der_int(&op, 0x02, 0);
		der_int(&op, 0x02, 0);
		der_tlv(&op, 0x01, "\0", 1);
		der_str(&op, 0x87, "objectClass");	/* filter: present */
		der_tlv(&op, 0x30, NULL, 0);
		der_wrap(&msg, 0x63, &op);
	}
	der_wrap(&w, 0x30, &msg);
	return gp_done(&w);
}

/* ---- DCE/RPC ------------------------------------------------------------- */

int gen_proto_uuid(uint8_t out[16], const char *s)
{
	static const int groups[5] = { 8, 4, 4, 4, 12 };
	uint8_t raw[16];
	int g, i, k = 0;

	for (g = 0; g < 5; g++) {
		for (i = 0; i < groups[g]; i += 2) {
			int hi, lo;
			char a = s[0], b = a ? s[1] : 0;

			hi = a >= '0' && a <= '9' ? a - '0' : (a | 0x20) >= 'a' && (a | 0x20) <= 'f' ? (a | 0x20) - 'a' + 10 : -1;
			lo = b >= '0' && b <= '9' ? b - '0' : (b | 0x20) >= 'a' && (b | 0x20) <= 'f' ? (b | 0x20) - 'a' + 10 : -1;
			if (hi < 0 || lo < 0)
				return -EINVAL;
			raw[k++] = (uint8_t)(hi << 4 | lo);
			s += 2;
		}
		if (g < 4 && *s++ != '-')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	/* time_low, time_mid, time_hi_and_version little-endian; clock_seq and node as they are */
	out[0] = raw[3], out[1] = raw[2], out[2] = raw[1], out[3] = raw[0];
	out[4] = raw[5], out[5] = raw[4];
	out[6] = raw[7], out[7] = raw[6];
	memcpy(out + 8, raw + 8, 8);
	return 0;
}

/* the 16-byte common header; frag_length is patched by rpc_finish */
static void rpc_header(struct gp_buf *w, uint8_t ptype, uint32_t call_id)
{
	static const uint8_t drep[4] = { 0x10, 0, 0, 0 };	/* little-endian, ASCII, IEEE float */

	gp_u8(w, 5);
	gp_u8(w, 0);
	gp_u8(w, ptype);
	gp_u8(w, 0x03);	/* PFC_FIRST_FRAG | PFC_LAST_FRAG */
	gp_raw(w, drep, 4);
	gp_le16(w, 0);	/* frag_length */
	gp_le16(w, 0);	/* auth_length */
	gp_le32(w, call_id);
}

static int rpc_finish(struct gp_buf *w)
{
	gp_put_le16(w, 8, (uint16_t)w->n);
	return gp_done(w);
}

static int rpc_syntax(struct gp_buf *w, const char *uuid, uint16_t major, uint16_t minor)
{
	uint8_t u[16];

	if (gen_proto_uuid(u, uuid) < 0)
		return -EINVAL;
	gp_raw(w, u, 16);
	gp_le16(w, major);
	gp_le16(w, minor);
	return 0;
}

int gen_proto_dcerpc_bind(uint8_t *buf, size_t cap, uint32_t call_id, const char *uuid, uint16_t ver_major,
			  uint16_t ver_minor)
{
	struct gp_buf w = { buf, 0, cap, false };

	rpc_header(&w, GEN_DCERPC_BIND, call_id);
	gp_le16(&w, 4280);	/* max_xmit_frag */
	gp_le16(&w, 4280);	/* max_recv_frag */
	gp_le32(&w, 0);		/* assoc_group_id: a new association */
	gp_u8(&w, 1);		/* n_context_elem */
	gp_u8(&w, 0);
	gp_le16(&w, 0);
	gp_le16(&w, 0);		/* p_cont_id */
	gp_u8(&w, 1);		/* n_transfer_syn */
	gp_u8(&w, 0);
	if (rpc_syntax(&w, uuid, ver_major, ver_minor) < 0 || rpc_syntax(&w, GEN_UUID_NDR, 2, 0) < 0)
		return -EINVAL;
	return rpc_finish(&w);
}

int gen_proto_dcerpc_bind_ack(uint8_t *buf, size_t cap, uint32_t call_id, uint32_t assoc_group, const char *sec_addr)
{
	struct gp_buf w = { buf, 0, cap, false };

	rpc_header(&w, GEN_DCERPC_BIND_ACK, call_id);
	gp_le16(&w, 4280);
	gp_le16(&w, 4280);
	gp_le32(&w, assoc_group);
	gp_le16(&w, (uint16_t)(strlen(sec_addr) + 1));
	gp_raw(&w, sec_addr, strlen(sec_addr) + 1);
	while (w.n % 4)
		gp_u8(&w, 0);
	gp_u8(&w, 1);		/* n_results */
	gp_u8(&w, 0);
	gp_le16(&w, 0);
	gp_le16(&w, 0);		/* result: acceptance */
	gp_le16(&w, 0);		/* reason */
	if (rpc_syntax(&w, GEN_UUID_NDR, 2, 0) < 0)
		return -EINVAL;
	return rpc_finish(&w);
}

int gen_proto_dcerpc_call(uint8_t *buf, size_t cap, bool response, uint32_t call_id, uint16_t opnum, size_t stub_len)
{
	struct gp_buf w = { buf, 0, cap, false };

	rpc_header(&w, response ? GEN_DCERPC_RESPONSE : GEN_DCERPC_REQUEST, call_id);
	gp_le32(&w, (uint32_t)stub_len);	/* alloc_hint */
	gp_le16(&w, 0);				/* p_cont_id */
	if (response) {
		gp_u8(&w, 0);			/* cancel_count */
		gp_u8(&w, 0);
	} else {
		gp_le16(&w, opnum);
	}
	gp_raw(&w, NULL, stub_len);
	return rpc_finish(&w);
}

/* ---- SMB2 ---------------------------------------------------------------- */

static void smb2_negotiate(struct gp_buf *w, const struct gen_smb2 *m)
{
	static const uint16_t dialects[] = { 0x0202, 0x0210, 0x0300, 0x0302 };
	unsigned i;

	if (!m->response) {
		gp_le16(w, 36);
		gp_le16(w, 4);
		gp_le16(w, 1);		/* signing enabled */
		gp_le16(w, 0);
		gp_le32(w, 0x7f);	/* capabilities */
		gp_raw(w, "vigil-synth-ws\0\0", 16);	/* ClientGuid */
		gp_le64(w, 0);
		for (i = 0; i < 4; i++)
			gp_le16(w, dialects[i]);
		return;
	}
	gp_le16(w, 65);
	gp_le16(w, 1);
	gp_le16(w, 0x0302);		/* SMB 3.0.2 */
	gp_le16(w, 0);
	gp_raw(w, "vigil-synth-srv\0", 16);	/* ServerGuid */
	gp_le32(w, 0x2f);
	gp_le32(w, 8388608);
	gp_le32(w, 8388608);
	gp_le32(w, 8388608);
	gp_le64(w, 133464000000000000ULL);	/* SystemTime (FILETIME) */
	gp_le64(w, 0);
	gp_le16(w, 128);		/* SecurityBufferOffset: header 64 + body 64 */
	gp_le16(w, m->blob_len);
	gp_le32(w, 0);
	gp_raw(w, NULL, m->blob_len);
}

static void smb2_file_id(struct gp_buf *w, uint8_t id)
{
	gp_le64(w, id);
	gp_le64(w, 0x100000000ULL | id);
}

static void smb2_body(struct gp_buf *w, const struct gen_smb2 *m)
{
	const char *path = m->path ? m->path : "";

	switch (m->cmd) {
	case GEN_SMB2_NEGOTIATE:
		smb2_negotiate(w, m);
		break;
	case GEN_SMB2_SESSION_SETUP:
		if (m->response) {
			gp_le16(w, 9);
			gp_le16(w, 0);
			gp_le16(w, 72);
		} else {
			gp_le16(w, 25);
			gp_u8(w, 0);
			gp_u8(w, 1);
			gp_le32(w, 1);
			gp_le32(w, 0);
			gp_le16(w, 88);
		}
		gp_le16(w, m->blob_len);
		if (!m->response)
			gp_le64(w, 0);
		gp_raw(w, NULL, m->blob_len);
		break;
	case GEN_SMB2_TREE_CONNECT:
		if (m->response) {
			gp_le16(w, 16);
			gp_u8(w, m->share_type);
			gp_u8(w, 0);
			gp_le32(w, 0);
			gp_le32(w, 0);
			gp_le32(w, 0x001f01ff);	/* maximal access */
		} else {
			gp_le16(w, 9);
			gp_le16(w, 0);
			gp_le16(w, 72);
			gp_le16(w, (uint16_t)(2 * strlen(path)));
			gp_utf16(w, path);
		}
		break;
	case GEN_SMB2_CREATE:
		if (m->response) {
			gp_le16(w, 89);
			gp_u8(w, 0);
			gp_u8(w, 0);
			gp_le32(w, 1);		/* FILE_OPENED */
			gp_raw(w, NULL, 32);	/* times */
			gp_le64(w, 4096);
			gp_le64(w, 0);
			gp_le32(w, 0x80);	/* FILE_ATTRIBUTE_NORMAL */
			gp_le32(w, 0);
			smb2_file_id(w, m->file_id);
			gp_le32(w, 0);
			gp_le32(w, 0);
		} else {
			gp_le16(w, 57);
			gp_u8(w, 0);
			gp_u8(w, 0);
			gp_le32(w, 2);		/* impersonation */
			gp_le64(w, 0);
			gp_le64(w, 0);
			gp_le32(w, 0x0012019f);	/* read, write, append, attributes, sync */
			gp_le32(w, 0);
			gp_le32(w, 7);		/* share read, write, delete */
			gp_le32(w, 1);		/* FILE_OPEN */
			gp_le32(w, 0x00400040);	/* non-directory, ... */
			gp_le16(w, 120);
			gp_le16(w, (uint16_t)(2 * strlen(path)));
			gp_le32(w, 0);
			gp_le32(w, 0);
			gp_utf16(w, path);
		}
		break;
	case GEN_SMB2_WRITE:
		if (m->response) {
			gp_le16(w, 17);
			gp_le16(w, 0);
			gp_le32(w, m->data_len);
			gp_le32(w, 0);
			gp_le16(w, 0);
			gp_le16(w, 0);
		} else {
			gp_le16(w, 49);
			gp_le16(w, 112);
			gp_le32(w, m->data_len);
			gp_le64(w, 0);
			smb2_file_id(w, m->file_id);
			gp_le32(w, 0);
			gp_le32(w, 0);
			gp_le16(w, 0);
			gp_le16(w, 0);
			gp_le32(w, 0);
			gp_raw(w, m->data, m->data_len);
		}
		break;
	case GEN_SMB2_READ:
		if (m->response) {
			gp_le16(w, 17);
			gp_u8(w, 80);
			gp_u8(w, 0);
			gp_le32(w, m->data_len);
			gp_le32(w, 0);
			gp_le32(w, 0);
			gp_raw(w, m->data, m->data_len);
		} else {
			gp_le16(w, 49);
			gp_u8(w, 0x50);
			gp_u8(w, 0);
			gp_le32(w, 4280);
			gp_le64(w, 0);
			smb2_file_id(w, m->file_id);
			gp_le32(w, 0);
			gp_le32(w, 0);
			gp_le32(w, 0);
			gp_le16(w, 0);
			gp_le16(w, 0);
			gp_u8(w, 0);
		}
		break;
	case GEN_SMB2_CLOSE:
		if (m->response) {
			gp_le16(w, 60);
			gp_raw(w, NULL, 58);
		} else {
			gp_le16(w, 24);
			gp_le16(w, 0);
			gp_le32(w, 0);
			smb2_file_id(w, m->file_id);
		}
		break;
	default:
		w->err = true;
	}
}

int gen_proto_smb2(uint8_t *buf, size_t cap, const struct gen_smb2 *m)
{
	struct gp_buf w = { buf, 0, cap, false };
	size_t len;

	gp_be32(&w, 0);		/* NetBIOS session message, length patched below */
	gp_raw(&w, "\xfeSMB", 4);
	gp_le16(&w, 64);
	gp_le16(&w, m->cmd == GEN_SMB2_NEGOTIATE ? 0 : 1);	/* credit charge */
	gp_le32(&w, m->response ? m->status : 0);
	gp_le16(&w, m->cmd);
	gp_le16(&w, m->response ? 32 : 31);	/* credits */
	gp_le32(&w, m->response ? 1 : 0);	/* SMB2_FLAGS_SERVER_TO_REDIR */
	gp_le32(&w, 0);
	gp_le64(&w, m->msg_id);
	gp_le32(&w, 0xfeff);			/* reserved (process id) */
	gp_le32(&w, m->tree_id);
	gp_le64(&w, m->session_id);
	gp_raw(&w, NULL, 16);			/* signature */
	smb2_body(&w, m);
	if (w.err)
		return -EMSGSIZE;
	len = w.n - 4;
	buf[1] = (uint8_t)(len >> 16);
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	return (int)w.n;
}

/* ---- TLS, SSH, RDP ------------------------------------------------------- */

int gen_proto_tls_client_hello(uint8_t *buf, size_t cap, const char *sni, size_t len, uint64_t random)
{
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030 };
	struct gp_buf w = { buf, 0, cap, false };
	size_t ext_at, hs_at, i, pad;
	uint8_t rnd[32];

	for (i = 0; i < 32; i++)
		rnd[i] = (uint8_t)(random >> (8 * (i % 8))) ^ (uint8_t)(i * 37);
	gp_u8(&w, 22);
	gp_be16(&w, 0x0301);
	gp_be16(&w, 0);		/* record length */
	hs_at = w.n;
	gp_u8(&w, 1);		/* ClientHello */
	gp_u8(&w, 0);
	gp_be16(&w, 0);		/* handshake length (24 bits, < 64 KB here) */
	gp_be16(&w, 0x0303);
	gp_raw(&w, rnd, 32);
	gp_u8(&w, 32);
	gp_raw(&w, rnd, 32);	/* legacy session id */
	gp_be16(&w, sizeof(suites));
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		gp_be16(&w, suites[i]);
	gp_u8(&w, 1);
	gp_u8(&w, 0);
	ext_at = w.n;
	gp_be16(&w, 0);
	gp_be16(&w, 0x0000);	/* server_name */
	gp_be16(&w, (uint16_t)(strlen(sni) + 5));
	gp_be16(&w, (uint16_t)(strlen(sni) + 3));
	gp_u8(&w, 0);
	gp_be16(&w, (uint16_t)strlen(sni));
	gp_str(&w, sni);
	gp_be16(&w, 0x002b);	/* supported_versions: 1.3, 1.2 */
	gp_be16(&w, 5);
	gp_u8(&w, 4);
	gp_be16(&w, 0x0304);
	gp_be16(&w, 0x0303);
	if (w.err || len < w.n + 4)
		return -EMSGSIZE;
	pad = len - w.n - 4;
	gp_be16(&w, 0x0015);	/* padding */
	gp_be16(&w, (uint16_t)pad);
	gp_raw(&w, NULL, pad);
	if (w.err)
		return -EMSGSIZE;
	gp_put_be16(&w, 3, (uint16_t)(w.n - 5));
	gp_put_be16(&w, hs_at + 2, (uint16_t)(w.n - hs_at - 4));
	gp_put_be16(&w, ext_at, (uint16_t)(w.n - ext_at - 2));
	return (int)w.n;
}

int gen_proto_tls_record(uint8_t *buf, size_t cap, uint8_t type, size_t len)
{
	struct gp_buf w = { buf, 0, cap, false };

	gp_u8(&w, type);
	gp_be16(&w, 0x0303);
	gp_be16(&w, (uint16_t)len);
	gp_raw(&w, NULL, len);
	return gp_done(&w);
}

static void ssh_namelist(struct gp_buf *w, const char *s)
{
	gp_be32(w, (uint32_t)strlen(s));
	gp_str(w, s);
}

int gen_proto_ssh_kexinit(uint8_t *buf, size_t cap, bool server, uint64_t cookie)
{
	struct gp_buf w = { buf, 0, cap, false };
	const char *enc = "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,"
			  "aes256-gcm@openssh.com";
	const char *mac = "umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
			  "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,hmac-sha2-256,hmac-sha2-512";
	size_t pad, i;

	gp_be32(&w, 0);		/* packet_length */
	gp_u8(&w, 0);		/* padding_length */
	gp_u8(&w, 20);		/* SSH_MSG_KEXINIT */
	for (i = 0; i < 16; i++)
		gp_u8(&w, (uint8_t)(cookie >> (8 * (i % 8))) ^ (uint8_t)i);
	ssh_namelist(&w, server ? "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
				  "diffie-hellman-group16-sha512,diffie-hellman-group14-sha256,kex-strict-s-v00@openssh.com"
				: "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
				  "diffie-hellman-group14-sha256,ext-info-c");
	ssh_namelist(&w, server ? "rsa-sha2-512,rsa-sha2-256,ecdsa-sha2-nistp256,ssh-ed25519"
				: "ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256");
	ssh_namelist(&w, enc);
	ssh_namelist(&w, enc);
	ssh_namelist(&w, mac);
	ssh_namelist(&w, mac);
	ssh_namelist(&w, "none,zlib@openssh.com");
	ssh_namelist(&w, "none,zlib@openssh.com");
	ssh_namelist(&w, "");
	ssh_namelist(&w, "");
	gp_u8(&w, 0);		/* first_kex_packet_follows */
	gp_be32(&w, 0);
	if (w.err)
		return -EMSGSIZE;
	/* 4 to 11 bytes of padding make the packet a multiple of 8 */
	pad = 8 - w.n % 8;
	if (pad < 4)
		pad += 8;
	gp_raw(&w, NULL, pad);
	if (w.err)
		return -EMSGSIZE;
	buf[0] = (uint8_t)((w.n - 4) >> 24);
	buf[1] = (uint8_t)((w.n - 4) >> 16);
	buf[2] = (uint8_t)((w.n - 4) >> 8);
	buf[3] = (uint8_t)(w.n - 4);
	buf[4] = (uint8_t)pad;
	return (int)w.n;
}

int gen_proto_rdp_x224(uint8_t *buf, size_t cap, bool confirm, const char *user)
{
	struct gp_buf w = { buf, 0, cap, false };

	gp_u8(&w, 3);		/* TPKT version 3 */
	gp_u8(&w, 0);
	gp_be16(&w, 0);		/* TPKT length */
	gp_u8(&w, 0);		/* X.224 length indicator */
	gp_u8(&w, confirm ? 0xd0 : 0xe0);
	gp_be16(&w, 0);		/* dst-ref */
	gp_be16(&w, confirm ? 0x1234 : 0);
	gp_u8(&w, 0);		/* class 0 */
	if (!confirm) {
		gp_str(&w, "Cookie: mstshash=");
		gp_str(&w, user);
		gp_str(&w, "\r\n");
	}
	gp_u8(&w, confirm ? 2 : 1);	/* RDP_NEG_RSP / RDP_NEG_REQ */
	gp_u8(&w, confirm ? 0x1f : 0);
	gp_le16(&w, 8);
	gp_le32(&w, confirm ? 2 : 3);	/* chosen: CredSSP; asked: TLS | CredSSP */
	if (w.err)
		return -EMSGSIZE;
	gp_put_be16(&w, 2, (uint16_t)w.n);
	buf[4] = (uint8_t)(w.n - 5);
	return (int)w.n;
}

/* ---- IGMP, MQTT, NetBIOS ------------------------------------------------- */

static uint16_t gp_csum(const uint8_t *d, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (n & 1)
		sum += (uint32_t)d[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int gen_proto_igmpv3_report(uint8_t *buf, size_t cap, const uint32_t *groups, unsigned n, uint8_t rec_type)
{
	struct gp_buf w = { buf, 0, cap, false };
	unsigned i;

	gp_u8(&w, 0x22);
	gp_u8(&w, 0);
	gp_be16(&w, 0);		/* checksum */
	gp_be16(&w, 0);
	gp_be16(&w, (uint16_t)n);
	for (i = 0; i < n; i++) {
		gp_u8(&w, rec_type);	/* 2 MODE_IS_EXCLUDE, 4 CHANGE_TO_EXCLUDE_MODE (a join) */
		gp_u8(&w, 0);
		gp_be16(&w, 0);
		gp_be32(&w, groups[i]);
	}
	if (w.err)
		return -EMSGSIZE;
	gp_put_be16(&w, 2, gp_csum(buf, w.n));
	return (int)w.n;
}

int gen_proto_igmpv3_query(uint8_t *buf, size_t cap)
{
	struct gp_buf w = { buf, 0, cap, false };

	gp_u8(&w, 0x11);
	gp_u8(&w, 100);		/* max response 10 s */
	gp_be16(&w, 0);
	gp_be32(&w, 0);		/* general query */
	gp_u8(&w, 2);		/* QRV 2 */
	gp_u8(&w, 125);		/* QQIC: 125 s */
	gp_be16(&w, 0);
	if (w.err)
		return -EMSGSIZE;
	gp_put_be16(&w, 2, gp_csum(buf, w.n));
	return (int)w.n;
}

/* fixed header: type and flags, then the remaining length as a varint */
static void mqtt_fixed(struct gp_buf *w, uint8_t first, size_t rem)
{
	gp_u8(w, first);
	do {
		uint8_t b = rem & 0x7f;

		rem >>= 7;
		gp_u8(w, rem ? (uint8_t)(b | 0x80) : b);
	} while (rem);
}

int gen_proto_mqtt_connect(uint8_t *buf, size_t cap, const char *client_id, uint16_t keepalive)
{
	struct gp_buf w = { buf, 0, cap, false };
	size_t idl = strlen(client_id);

	mqtt_fixed(&w, 0x10, 10 + 2 + idl);
	gp_be16(&w, 4);
	gp_str(&w, "MQTT");
	gp_u8(&w, 4);		/* 3.1.1 */
	gp_u8(&w, 0x02);	/* clean session */
	gp_be16(&w, keepalive);
	gp_be16(&w, (uint16_t)idl);
	gp_str(&w, client_id);
	return gp_done(&w);
}

int gen_proto_mqtt_simple(uint8_t *buf, size_t cap, uint8_t type)
{
	struct gp_buf w = { buf, 0, cap, false };

	if (type == 2) {	/* CONNACK: session not present, accepted */
		mqtt_fixed(&w, 0x20, 2);
		gp_be16(&w, 0);
	} else {
		mqtt_fixed(&w, (uint8_t)(type << 4), 0);
	}
	return gp_done(&w);
}

int gen_proto_mqtt_publish(uint8_t *buf, size_t cap, const char *topic, size_t payload_len)
{
	struct gp_buf w = { buf, 0, cap, false };

	mqtt_fixed(&w, 0x30, 2 + strlen(topic) + payload_len);
	gp_be16(&w, (uint16_t)strlen(topic));
	gp_str(&w, topic);
	gp_raw(&w, NULL, payload_len);
	return gp_done(&w);
}

int gen_proto_nbns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name)
{
	struct gp_buf w = { buf, 0, cap, false };
	size_t i, l = strlen(name);

	gp_be16(&w, id);
	gp_be16(&w, 0x0110);	/* query, recursion desired, broadcast */
	gp_be16(&w, 1);
	gp_be16(&w, 0);
	gp_be16(&w, 0);
	gp_be16(&w, 0);
	gp_u8(&w, 32);
	for (i = 0; i < 16; i++) {
		uint8_t c = i < 15 ? (i < l ? (uint8_t)name[i] : ' ') : 0x20;

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 32);
		gp_u8(&w, (uint8_t)('A' + (c >> 4)));
		gp_u8(&w, (uint8_t)('A' + (c & 15)));
	}
	gp_u8(&w, 0);
	gp_be16(&w, 0x0020);	/* NB */
	gp_be16(&w, 0x0001);	/* IN */
	return gp_done(&w);
}
