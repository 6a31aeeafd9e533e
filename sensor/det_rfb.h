/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * det_rfb.h: follows the opening of one RFB (VNC, RFC 6143) session in both
 * directions, far enough to tell how its authentication ended and whether the
 * client then used the session (ClientInit). Pure: payload bytes and their
 * times in, an outcome out; any segmentation of the messages is fine. Bytes
 * that do not fit the handshake (a retransmission, another protocol) end the
 * following as DET_RFB_LOST, so a misreading can only miss, never accuse.
 */
#ifndef VIGIL_DET_RFB_H
#define VIGIL_DET_RFB_H

#include <stdbool.h>
#include <stdint.h>

enum det_rfb_outcome {
	DET_RFB_PENDING = 0,	/* the handshake is still going */
	DET_RFB_AUTH_FAILED,	/* the server refused the client's answer to its challenge */
	DET_RFB_LEFT,		/* authenticated (or no authentication needed), then closed before ClientInit */
	DET_RFB_USED,		/* ClientInit sent: a real session, nothing to follow */
	DET_RFB_LOST,		/* refused before authentication, another security type, or not RFB */
};

struct det_rfb {
	uint8_t phase;		/* whose bytes come next and what they are (det_rfb.c) */
	uint8_t minor;		/* protocol 3.<minor>: 3, 7 or 8 as the client chose */
	uint8_t sec;		/* the security type in use (1 none, 2 VNC authentication) */
	uint8_t got;		/* bytes of the current message so far */
	uint8_t need;		/* bytes the current message has */
	uint8_t msg[12];	/* the current message, for those read whole */
	uint8_t pad[7];
	uint64_t challenge_ns;	/* when the server's challenge was complete (0: none) */
	uint64_t response_ns;	/* when the client's answer was complete */
};

/* true when payload[0..n) opens with a server's version line ("RFB 003.00x\n"). */
bool det_rfb_is_banner(const uint8_t *payload, uint32_t n);

/* Start following a session whose server sent payload[0..n) first (see det_rfb_is_banner). */
enum det_rfb_outcome det_rfb_start(struct det_rfb *r, const uint8_t *payload, uint32_t n, uint64_t ts_ns);

/* The next payload bytes of the server (from_server) or of the client, at ts_ns. */
enum det_rfb_outcome det_rfb_bytes(struct det_rfb *r, bool from_server, const uint8_t *p, uint32_t n,
				   uint64_t ts_ns);

/* The client closed (FIN or RST): DET_RFB_LEFT when it had access and never sent ClientInit. */
enum det_rfb_outcome det_rfb_client_closed(const struct det_rfb *r);

#endif
