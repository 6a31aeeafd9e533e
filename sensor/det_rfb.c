// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_rfb.c: the RFB opening as a chain of messages, each owned by one side:
 * server version, client version, then by protocol 3.3 the server's chosen
 * security type, by 3.7 and 3.8 the server's list and the client's choice;
 * for VNC authentication a 16-byte challenge and the client's 16-byte answer;
 * the server's result (3.8 always, older only after a challenge); and last
 * the client's one-byte ClientInit. A message is read whole before the next
 * phase is chosen, however TCP cut it.
 */
#include <string.h>

#include "det_rfb.h"

enum det_rfb_phase {
	RFB_SV_VERSION,		/* 12: "RFB 003.00x\n" */
	RFB_CL_VERSION,		/* 12: the version the client picks */
	RFB_SV_SEC33,		/* 4: 3.3 only, the type the server decided */
	RFB_SV_NTYPES,		/* 1: 3.7+, how many types follow (0: refused) */
	RFB_SV_TYPES,		/* n */
	RFB_CL_SELECT,		/* 1: the client's choice */
	RFB_SV_CHALLENGE,	/* 16 */
	RFB_CL_RESPONSE,	/* 16 */
	RFB_SV_RESULT,		/* 4: 0 ok, 1 failed, 2 too many attempts */
	RFB_CL_INIT,		/* 1: shared flag */
	RFB_END,
};

enum { RFB_SEC_NONE = 1, RFB_SEC_VNC = 2 };

static bool det_rfb_version(const uint8_t *p, uint8_t *minor)
{
	unsigned int m;

	if (memcmp(p, "RFB 003.", 8) || p[11] != '\n' || p[8] < '0' || p[8] > '9' || p[9] < '0' || p[9] > '9' ||
	    p[10] < '0' || p[10] > '9')
		return false;
	m = (unsigned int)(p[8] - '0') * 100 + (unsigned int)(p[9] - '0') * 10 + (unsigned int)(p[10] - '0');
	*minor = m < 7 ? 3 : m == 7 ? 7 : 8;	/* 3.5 behaves as 3.3; later ones (Apple's 3.889) as 3.8 */
	return true;
}

bool det_rfb_is_banner(const uint8_t *payload, uint32_t n)
{
	uint8_t minor;

	return payload && n >= 12 && det_rfb_version(payload, &minor);
}

static void det_rfb_next(struct det_rfb *r, enum det_rfb_phase phase, uint8_t need)
{
	r->phase = (uint8_t)phase;
	r->need = need;
	r->got = 0;
}

static uint32_t det_rfb_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* After the security type is known: a challenge, a result, or straight to ClientInit. */
static enum det_rfb_outcome det_rfb_secured(struct det_rfb *r, uint8_t sec)
{
	r->sec = sec;
	if (sec == RFB_SEC_VNC)
		det_rfb_next(r, RFB_SV_CHALLENGE, 16);
	else if (sec == RFB_SEC_NONE && r->minor == 8)
		det_rfb_next(r, RFB_SV_RESULT, 4);
	else if (sec == RFB_SEC_NONE)
		det_rfb_next(r, RFB_CL_INIT, 1);
	else
		return DET_RFB_LOST;	/* VeNCrypt, Tight, ...: encrypted or beyond what is followed */
	return DET_RFB_PENDING;
}

/* The current message is complete in r->msg (its first 12 bytes): move on. */
static enum det_rfb_outcome det_rfb_message(struct det_rfb *r, uint64_t ts_ns)
{
	uint32_t v;

	switch (r->phase) {
	case RFB_SV_VERSION:
		if (!det_rfb_version(r->msg, &r->minor))
			return DET_RFB_LOST;
		det_rfb_next(r, RFB_CL_VERSION, 12);
		return DET_RFB_PENDING;
	case RFB_CL_VERSION:
		if (!det_rfb_version(r->msg, &r->minor))
			return DET_RFB_LOST;
		if (r->minor == 3)
			det_rfb_next(r, RFB_SV_SEC33, 4);
		else
			det_rfb_next(r, RFB_SV_NTYPES, 1);
		return DET_RFB_PENDING;
	case RFB_SV_SEC33:
		v = det_rfb_u32(r->msg);
		return v > 255 ? DET_RFB_LOST : det_rfb_secured(r, (uint8_t)v);	/* 0: refused, a reason follows */
	case RFB_SV_NTYPES:
		if (!r->msg[0])
			return DET_RFB_LOST;
		det_rfb_next(r, RFB_SV_TYPES, r->msg[0]);
		return DET_RFB_PENDING;
	case RFB_SV_TYPES:
		det_rfb_next(r, RFB_CL_SELECT, 1);
		return DET_RFB_PENDING;
	case RFB_CL_SELECT:
		return det_rfb_secured(r, r->msg[0]);
	case RFB_SV_CHALLENGE:
		r->challenge_ns = ts_ns;
		det_rfb_next(r, RFB_CL_RESPONSE, 16);
		return DET_RFB_PENDING;
	case RFB_CL_RESPONSE:
		r->response_ns = ts_ns;
		det_rfb_next(r, RFB_SV_RESULT, 4);
		return DET_RFB_PENDING;
	case RFB_SV_RESULT:
		v = det_rfb_u32(r->msg);
		if (v == 1 || v == 2)
			return DET_RFB_AUTH_FAILED;
		if (v)
			return DET_RFB_LOST;
		det_rfb_next(r, RFB_CL_INIT, 1);
		return DET_RFB_PENDING;
	case RFB_CL_INIT:
		return DET_RFB_USED;
	default:
		return DET_RFB_LOST;
	}
}

static bool det_rfb_server_phase(uint8_t phase)
{
	return phase == RFB_SV_VERSION || phase == RFB_SV_SEC33 || phase == RFB_SV_NTYPES || phase == RFB_SV_TYPES ||
	       phase == RFB_SV_CHALLENGE || phase == RFB_SV_RESULT;
}

enum det_rfb_outcome det_rfb_bytes(struct det_rfb *r, bool from_server, const uint8_t *p, uint32_t n,
				   uint64_t ts_ns)
{
	enum det_rfb_outcome out;

	while (n) {
		uint32_t take = (uint32_t)(r->need - r->got);

		if (r->phase == RFB_END || from_server != det_rfb_server_phase(r->phase)) {
			r->phase = RFB_END;	/* out of turn: a retransmission, pipelining, not RFB */
			return DET_RFB_LOST;
		}
		if (take > n)
			take = n;
		if (r->got < sizeof(r->msg))
			memcpy(r->msg + r->got, p,
			       take < sizeof(r->msg) - r->got ? take : sizeof(r->msg) - r->got);
		r->got = (uint8_t)(r->got + take);
		p += take;
		n -= take;
		if (r->got < r->need)
			break;
		out = det_rfb_message(r, ts_ns);
		if (out != DET_RFB_PENDING) {
			r->phase = RFB_END;
			return out;
		}
	}
	return DET_RFB_PENDING;
}

enum det_rfb_outcome det_rfb_start(struct det_rfb *r, const uint8_t *payload, uint32_t n, uint64_t ts_ns)
{
	memset(r, 0, sizeof(*r));
	det_rfb_next(r, RFB_SV_VERSION, 12);
	return det_rfb_bytes(r, true, payload, n, ts_ns);
}

enum det_rfb_outcome det_rfb_client_closed(const struct det_rfb *r)
{
	return r->phase == RFB_CL_INIT ? DET_RFB_LEFT : r->phase == RFB_END ? DET_RFB_LOST : DET_RFB_PENDING;
}
