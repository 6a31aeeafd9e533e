// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp_inline.c: helper of xdp_inline.sh. Attaches vigil natively to two
 * ports in inline mode, each redirecting to the other through vg_peer (a bump
 * in the wire), optionally blocks a prefix, then waits and reports counters.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_loader.h"

/* one port: its own program instance, flow table and peer */
struct inline_port {
	struct xdp_loader *l;
	int ifindex, peer, flows_fd;
};

static int inline_port_up(const char *obj, const char *name, const char *peer, const char *block,
			  struct inline_port *p)
{
	struct vigil_xdp_cfg cfg = { .mode = VIGIL_MODE_INLINE, .handoff = VIGIL_HANDOFF_NONE,
				     .flags = VIGIL_CFG_F_PEER };
	struct vigil_block_key k;
	struct xdp_maps *m;
	int err;

	p->flows_fd = -1;
	p->ifindex = (int)if_nametoindex(name);
	p->peer = (int)if_nametoindex(peer);
	if (!p->ifindex || !p->peer)
		return -ENODEV;
	err = xdp_loader_open(obj, &p->l);
	if (err)
		return err;
	m = xdp_loader_maps(p->l);
	err = xdp_flows_table_open(NULL, NULL, 4096, &p->flows_fd);
	if (!err)
		err = xdp_flows_table_install(m->flows_outer_fd, p->flows_fd);
	if (!err)
		err = xdp_cfg_write(m->cfg_fd, &cfg);
	if (!err)
		err = xdp_peer_set(m->peer_fd, p->peer);
	if (!err && block) {
		err = xdp_block_parse(block, &k);
		if (!err)
			err = xdp_block_add(m, &k);
	}
	if (!err)
		err = bpf_xdp_attach(p->ifindex, m->prog_fd, XDP_FLAGS_DRV_MODE, NULL);
	return err;
}

static void inline_port_down(struct inline_port *p)
{
	if (p->l)
		bpf_xdp_detach(p->ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (p->flows_fd >= 0)
		close(p->flows_fd);
	xdp_loader_free(p->l);
}

/* usage: test_xdp_inline OBJ PORT_A PORT_B [BLOCK_PREFIX]: prints "ready", waits
 * for a line on stdin, prints "<port> <stat>=<n> ..." for both, detaches */
int main(int argc, char **argv)
{
	struct inline_port a = { .flows_fd = -1 }, b = { .flows_fd = -1 };
	uint64_t st[VIGIL_STAT_MAX];
	const char *block = argc > 4 ? argv[4] : NULL;
	struct inline_port *ports[2] = { &a, &b };
	char line[16];
	int err, i, s;

	if (argc < 4) {
		fprintf(stderr, "usage: test_xdp_inline OBJ PORT_A PORT_B [BLOCK]\n");
		return 2;
	}
	err = inline_port_up(argv[1], argv[2], argv[3], block, &a);
	if (!err)
		err = inline_port_up(argv[1], argv[3], argv[2], block, &b);
	if (err) {
		printf("error %s\n", strerror(-err));
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	for (i = 0; i < 2; i++) {
		if (xdp_stats_read(xdp_loader_maps(ports[i]->l)->stats_fd, st))
			continue;
		printf("%s", argv[2 + i]);
		for (s = 0; s < VIGIL_STAT_MAX; s++)
			printf(" %s=%llu", xdp_stat_name((enum vigil_stat)s), (unsigned long long)st[s]);
		printf("\n");
	}
out:
	inline_port_down(&a);
	inline_port_down(&b);
	return err ? 1 : 0;
}
