// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp_attach.c: helper for xdp_attach.sh. Loads vigil.bpf.o exactly the way
 * the DPDK af_xdp PMD does (default libbpf options, first program, "xsks_map"),
 * attaches it in native mode, then checks live accounting and clean detach.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_loader.h"

#define SEND_SPORT 40000
#define SEND_DPORT 9
#define SEND_PAYLOAD 32
#define FLOW_ENTRIES 1024

static int fail(const char *what, int err)
{
	printf("FAIL %s: %s\n", what, strerror(err < 0 ? -err : err));
	return 1;
}

/* the PMD's sequence: open_file + load with defaults, first program, xsks_map by name */
static int cmd_attach(const char *obj_path, const char *ifname, const char *pin_dir)
{
	struct vigil_xdp_cfg cfg = { VIGIL_MODE_INLINE, VIGIL_HANDOFF_NONE, 0, 0 };
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct xdp_maps m;
	int ifindex, flows_fd = -1, err;

	xdp_maps_init(&m);
	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail("if_nametoindex", errno);
	obj = bpf_object__open_file(obj_path, NULL);
	if (!obj)
		return fail("bpf_object__open_file", errno);
	err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		return fail("bpf_object__load (default options)", err);
	}
	prog = bpf_object__next_program(obj, NULL);
	if (!prog || bpf_object__next_program(obj, prog)) {
		bpf_object__close(obj);
		return fail("exactly one program", EINVAL);
	}
	if (!bpf_object__find_map_by_name(obj, "xsks_map")) {
		bpf_object__close(obj);
		return fail("map xsks_map", ENOENT);
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
			     XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE, NULL);
	/* the kernel keeps the attached program and its maps; the object can go */
	bpf_object__close(obj);
	if (err)
		return fail("bpf_xdp_attach native", err);
	printf("ok   loaded like the PMD and attached natively to %s\n", ifname);

	/* live mode from here: find everything through the interface */
	err = xdp_loader_from_ifindex(ifindex, &m);
	if (err)
		return fail("xdp_loader_from_ifindex", err);
	if (m.flows_fd >= 0) {
		xdp_maps_close(&m);
		return fail("fresh program already has a flow table", EEXIST);
	}
	err = xdp_flows_table_open(pin_dir, ifname, FLOW_ENTRIES, &flows_fd);
	if (!err)
		err = xdp_flows_table_install(m.flows_outer_fd, flows_fd);
	if (!err)
		err = xdp_cfg_write(m.cfg_fd, &cfg);
	if (flows_fd >= 0)
		close(flows_fd);
	xdp_maps_close(&m);
	if (err)
		return fail("pinned flow table / cfg", err);
	printf("ok   pinned flow table installed, inline mode\n");
	return 0;
}

static int cmd_send(const char *dst, int count)
{
	struct sockaddr_in src_sa = { .sin_family = AF_INET, .sin_port = htons(SEND_SPORT) };
	struct sockaddr_in dst_sa = { .sin_family = AF_INET, .sin_port = htons(SEND_DPORT) };
	char payload[SEND_PAYLOAD];
	int fd, i, rc = 0;

	memset(payload, 'v', sizeof(payload));
	if (inet_pton(AF_INET, dst, &dst_sa.sin_addr) != 1)
		return fail("address", EINVAL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail("socket", errno);
	if (bind(fd, (struct sockaddr *)&src_sa, sizeof(src_sa))) {
		close(fd);
		return fail("bind", errno);
	}
	for (i = 0; i < count; i++) {
		if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst_sa,
			   sizeof(dst_sa)) != (ssize_t)sizeof(payload)) {
			rc = fail("sendto", errno);
			break;
		}
		usleep(20000);
	}
	close(fd);
	return rc;
}

struct find_ctx {
	struct vigil_flow_key want;
	struct vigil_flow got;
	int found, flows;
};

static int find_cb(void *ctx, const struct vigil_flow_key *key, const struct vigil_flow *flow)
{
	struct find_ctx *f = ctx;

	f->flows++;
	if (!memcmp(key, &f->want, sizeof(*key))) {
		f->found++;
		f->got = *flow;
	}
	return 0;
}

/* the UDP flow from the peer (SEND_SPORT) to us (SEND_DPORT) must hold count frames */
static int cmd_check(const char *ifname, const char *local, const char *peer, int count,
		     const char *pin_dir)
{
	uint64_t stats[VIGIL_STAT_MAX];
	struct find_ctx f = { 0 };
	struct bpf_map_info a, b;
	struct xdp_maps m;
	__u32 len;
	int ifindex, pinned_fd = -1, err, rc = 1;

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail("if_nametoindex", errno);
	err = xdp_loader_from_ifindex(ifindex, &m);
	if (err)
		return fail("xdp_loader_from_ifindex", err);
	if (m.flows_fd < 0) {
		fail("no flow table installed", ENOENT);
		goto cleanup;
	}
	/* reopening the pinned table must give the installed one back */
	err = xdp_flows_table_open(pin_dir, ifname, FLOW_ENTRIES, &pinned_fd);
	if (err) {
		fail("reopen pinned table", err);
		goto cleanup;
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	len = sizeof(a);
	bpf_obj_get_info_by_fd(m.flows_fd, &a, &len);
	len = sizeof(b);
	bpf_obj_get_info_by_fd(pinned_fd, &b, &len);
	if (a.id != b.id || !a.id) {
		printf("FAIL pinned table id %u, installed %u\n", b.id, a.id);
		goto cleanup;
	}
	printf("ok   pinned table reused (map id %u)\n", a.id);

	err = xdp_stats_read(m.stats_fd, stats);
	if (err) {
		fail("xdp_stats_read", err);
		goto cleanup;
	}
	printf("     frames %llu accounted %llu non_ip %llu\n",
	       (unsigned long long)stats[VIGIL_STAT_FRAMES],
	       (unsigned long long)stats[VIGIL_STAT_ACCOUNTED],
	       (unsigned long long)stats[VIGIL_STAT_NON_IP]);

	/* local < peer in the test subnet, so local is endpoint A */
	f.want.addr_a[10] = f.want.addr_a[11] = 0xff;
	f.want.addr_b[10] = f.want.addr_b[11] = 0xff;
	if (inet_pton(AF_INET, local, f.want.addr_a + 12) != 1 ||
	    inet_pton(AF_INET, peer, f.want.addr_b + 12) != 1 ||
	    memcmp(f.want.addr_a, f.want.addr_b, 16) >= 0) {
		fail("addresses (local must sort before peer)", EINVAL);
		goto cleanup;
	}
	f.want.port_a = SEND_DPORT;
	f.want.port_b = SEND_SPORT;
	f.want.proto = IPPROTO_UDP;
	f.want.ip_ver = 4;
	err = xdp_flows_harvest(m.flows_fd, 0, 0, true, find_cb, &f);
	if (err < 0) {
		fail("xdp_flows_harvest", err);
		goto cleanup;
	}
	if (f.found != 1 || f.got.pkts[VIGIL_DIR_BA] != (uint64_t)count ||
	    f.got.pkts[VIGIL_DIR_AB] != 0 ||
	    f.got.bytes[VIGIL_DIR_BA] != (uint64_t)count * (14 + 20 + 8 + SEND_PAYLOAD) ||
	    f.got.initiator != VIGIL_DIR_BA) {
		printf("FAIL udp flow: found %d, pkts ab/ba %llu/%llu bytes ba %llu initiator %u (of %d flows)\n",
		       f.found, (unsigned long long)f.got.pkts[0], (unsigned long long)f.got.pkts[1],
		       (unsigned long long)f.got.bytes[1], f.got.initiator, f.flows);
		goto cleanup;
	}
	printf("ok   live udp flow: %d frames, %llu bytes, initiator = peer (%d flows harvested)\n",
	       count, (unsigned long long)f.got.bytes[VIGIL_DIR_BA], f.flows);
	rc = 0;
cleanup:
	if (pinned_fd >= 0)
		close(pinned_fd);
	xdp_maps_close(&m);
	return rc;
}

static int cmd_detach(const char *ifname, const char *pin_dir)
{
	struct xdp_maps m;
	struct stat st;
	uint32_t id, now_id = 0;
	int ifindex, err;

	ifindex = if_nametoindex(ifname);
	if (!ifindex)
		return fail("if_nametoindex", errno);
	err = xdp_loader_from_ifindex(ifindex, &m);
	if (err)
		return fail("xdp_loader_from_ifindex", err);
	err = xdp_loader_prog_id(m.prog_fd, &id);
	xdp_maps_close(&m);
	if (err)
		return fail("prog id", err);
	err = xdp_loader_detach(ifindex, id + 1000000);
	if (err != -EBUSY)
		return fail("detach of a foreign id must be refused", err ? err : EINVAL);
	if (bpf_xdp_query_id(ifindex, 0, &now_id) || now_id != id)
		return fail("program gone after a refused detach", ENOENT);
	printf("ok   foreign program id refused, program kept\n");
	err = xdp_loader_detach(ifindex, id);
	if (err)
		return fail("xdp_loader_detach", err);
	now_id = 0;
	if (bpf_xdp_query_id(ifindex, 0, &now_id) || now_id)
		return fail("still attached", EBUSY);
	err = xdp_flows_table_unpin(pin_dir, ifname);
	if (err)
		return fail("xdp_flows_table_unpin", err);
	if (!stat(pin_dir, &st))
		return fail("pin dir left behind", EEXIST);
	printf("ok   detached and unpinned\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "attach"))
		return cmd_attach(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "send"))
		return cmd_send(argv[2], atoi(argv[3]));
	if (argc == 7 && !strcmp(argv[1], "check"))
		return cmd_check(argv[2], argv[3], argv[4], atoi(argv[5]), argv[6]);
	if (argc == 4 && !strcmp(argv[1], "detach"))
		return cmd_detach(argv[2], argv[3]);
	fprintf(stderr,
		"usage: %s attach OBJ IFNAME PIN_DIR | send DST COUNT |\n"
		"       check IFNAME LOCAL PEER COUNT PIN_DIR | detach IFNAME PIN_DIR\n",
		argv[0]);
	return 2;
}
