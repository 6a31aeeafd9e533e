/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_live.h: live transmission of vigil-gen frames through an AF_PACKET socket
 * bound to one interface, in batches (sendmmsg) so that floods reach their rate.
 */
#ifndef VIGIL_GEN_LIVE_H
#define VIGIL_GEN_LIVE_H

#include <stdint.h>

struct gen_live;

/*
 * Open a transmit-only AF_PACKET socket on ifname and, if mac is not NULL, copy
 * the interface's hardware address there. Returns NULL with errno set: ENODEV
 * when the interface does not exist, EPERM without CAP_NET_RAW.
 */
struct gen_live *gen_live_open(const char *ifname, uint8_t mac[6]);

/*
 * Send n frames (pointers and lengths owned by the caller). A frame the kernel
 * refuses for lack of buffers (ENOBUFS) is skipped. Returns the number sent and
 * adds their bytes to *bytes, or -errno on any other failure (ENETDOWN, ENXIO).
 */
int gen_live_send(struct gen_live *lv, uint8_t *const *frames, const uint32_t *lens, unsigned n,
		  uint64_t *bytes);

/* Close the socket; accepts NULL. */
void gen_live_close(struct gen_live *lv);

#endif
