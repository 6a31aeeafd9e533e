// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_live.c: the only part of vigil-gen that touches a network device. Kept
 * apart from frame building and pacing so that pcap output and live output are
 * the same frames; only where they go differs.
 */
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gen_live.h"

enum { LIVE_BATCH_MAX = 256 };

struct gen_live {
	int fd;
};

struct gen_live *gen_live_open(const char *ifname, uint8_t mac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct gen_live *lv = NULL;
	struct ifreq ifr = { 0 };
	int one = 1, err, fd = -1;
	unsigned idx;

	if (strlen(ifname) >= IF_NAMESIZE) {
		err = ENODEV;
		goto cleanup;
	}
	idx = if_nametoindex(ifname);
	if (!idx) {
		err = ENODEV;
		goto cleanup;
	}
	/* protocol 0: nothing is received on this socket; the kernel reads the
	 * EtherType of each frame from its header */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = errno;
		goto cleanup;
	}
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		err = errno;
		goto cleanup;
	}
	/* skip the qdisc layer: a generator wants the device, not traffic shaping;
	 * older kernels without it still work, only slower */
	(void)setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	if (mac) {
		memcpy(ifr.ifr_name, ifname, strlen(ifname) + 1);
		if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
			err = errno;
			goto cleanup;
		}
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	}
	lv = malloc(sizeof(*lv));
	if (!lv) {
		err = ENOMEM;
		goto cleanup;
	}
	lv->fd = fd;
	return lv;
cleanup:
	if (fd >= 0)
		close(fd);
	errno = err;
	return NULL;
}

int gen_live_send(struct gen_live *lv, uint8_t *const *frames, const uint32_t *lens, unsigned n,
		  uint64_t *bytes)
{
	struct mmsghdr msgs[LIVE_BATCH_MAX];
	struct iovec iov[LIVE_BATCH_MAX];
	unsigned done = 0, sent = 0;

	while (done < n) {
		unsigned m = n - done < LIVE_BATCH_MAX ? n - done : LIVE_BATCH_MAX;
		int r;

		memset(msgs, 0, m * sizeof(msgs[0]));
		for (unsigned i = 0; i < m; i++) {
			iov[i].iov_base = frames[done + i];
			iov[i].iov_len = lens[done + i];
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(lv->fd, msgs, m, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ENOBUFS && errno != EAGAIN)
				return -errno;
			r = 0;
			done++;	/* drop the frame the kernel had no room for */
		}
		for (int i = 0; i < r; i++)
			*bytes += lens[done + i];
		done += (unsigned)r;
		sent += (unsigned)r;
	}
	return (int)sent;
}

void gen_live_close(struct gen_live *lv)
{
	if (!lv)
		return;
	close(lv->fd);
	free(lv);
}
