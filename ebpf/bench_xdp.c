// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_xdp.c: vigil-bench-xdp, the measuring half of scripts/bench-xdp.sh.
 * Times vigil's XDP program against XDP_PASS and a minimal flow counter in the
 * same run (BPF_PROG_TEST_RUN), and live on a veth driven by a live-frames generator,
 * on the default per-CPU flow table and on the shared one (xdp.flow_map).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_loader.h"

#define BENCH_FRAME 64u
#define BENCH_FLOWS_TABLE 65536u

enum bench_frame_kind {
	BENCH_UDP4,
	BENCH_VLAN_UDP4,
	BENCH_IP6_EXT,	/* hop-by-hop and destination options in front of UDP */
};

struct bench_progs {
	struct bpf_object *obj;
	int pass_fd, ref_fd, gen_fd, gen_cfg_fd, ref_flows_fd;
};

/* close the flow tables a run opened (-1: not opened) */
static void bench_close_fds(const int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void bench_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* a frame of kind; src varies the IPv4 source (or the IPv6 one's last word) */
static uint32_t bench_frame(enum bench_frame_kind kind, uint32_t src, uint8_t *b, size_t cap)
{
	uint32_t off = 12, l4, len;

	memset(b, 0, cap);
	b[0] = 0x02;
	b[6] = 0x02;
	b[11] = 1;
	if (kind == BENCH_VLAN_UDP4) {
		bench_put16(b + off, 0x8100);
		bench_put16(b + off + 2, 42);
		off += 4;
	}
	if (kind == BENCH_IP6_EXT) {
		bench_put16(b + off, 0x86dd);
		off += 2;
		b[off] = 0x60;
		bench_put16(b + off + 4, 8 + 8 + 8 + 26);	/* payload length */
		b[off + 6] = 0;		/* hop-by-hop */
		b[off + 7] = 64;
		b[off + 8] = 0x20;
		b[off + 9] = 0x01;
		b[off + 10] = 0x0d;
		b[off + 11] = 0xb8;
		memcpy(b + off + 20, &src, 4);
		b[off + 24] = 0x20;
		b[off + 25] = 0x01;
		b[off + 26] = 0x0d;
		b[off + 27] = 0xb8;
		b[off + 39] = 1;
		off += 40;
		b[off] = 60;		/* hop-by-hop -> destination options */
		b[off + 2] = 1;		/* PadN filling the 8 bytes */
		b[off + 3] = 4;
		off += 8;
		b[off] = 17;		/* destination options -> UDP */
		b[off + 2] = 1;
		b[off + 3] = 4;
		off += 8;
	} else {
		bench_put16(b + off, 0x0800);
		off += 2;
		b[off] = 0x45;
		bench_put16(b + off + 2, 20 + 8 + 18);
		b[off + 8] = 64;
		b[off + 9] = 17;
		memcpy(b + off + 12, &src, 4);
		b[off + 16] = 10;
		b[off + 19] = 1;
		off += 20;
	}
	l4 = off;
	bench_put16(b + l4, 10000);
	bench_put16(b + l4 + 2, 53);
	bench_put16(b + l4 + 4, 8 + 18);
	len = l4 + 8 + 18;
	return len < BENCH_FRAME ? BENCH_FRAME : len;
}

/* average ns per run over repeat runs of one frame */
static int bench_repeat(int prog_fd, const uint8_t *frame, uint32_t len, uint32_t repeat,
			double *ns)
{
	uint8_t out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &o);
	if (err)
		return err;
	*ns = o.duration;
	return 0;
}

/* average ns per run over n runs, each a frame with a new source: every run a new flow */
static int bench_new_flows(int prog_fd, enum bench_frame_kind kind, uint32_t n, uint32_t base,
			   double *ns)
{
	uint8_t frame[256], out[256];
	uint64_t total = 0;
	uint32_t i, len, src;
	int err;

	for (i = 0; i < n; i++) {
		src = htonl(0x0a000000u | ((base + i) & 0xffffff));
		len = bench_frame(kind, src, frame, sizeof(frame));
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);
		err = bpf_prog_test_run_opts(prog_fd, &o);
		if (err)
			return err;
		total += o.duration;
	}
	*ns = (double)total / n;
	return 0;
}

static int bench_progs_open(const char *path, struct bench_progs *p)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	p->obj = bpf_object__open_file(path, NULL);
	if (!p->obj)
		return -errno;
	err = bpf_object__load(p->obj);
	if (err)
		return err;
	prog = bpf_object__find_program_by_name(p->obj, "bench_pass");
	p->pass_fd = prog ? bpf_program__fd(prog) : -1;
	prog = bpf_object__find_program_by_name(p->obj, "bench_ref");
	p->ref_fd = prog ? bpf_program__fd(prog) : -1;
	prog = bpf_object__find_program_by_name(p->obj, "bench_gen");
	p->gen_fd = prog ? bpf_program__fd(prog) : -1;
	map = bpf_object__find_map_by_name(p->obj, "bench_gen_cfg");
	p->gen_cfg_fd = map ? bpf_map__fd(map) : -1;
	map = bpf_object__find_map_by_name(p->obj, "bench_flows");
	p->ref_flows_fd = map ? bpf_map__fd(map) : -1;
	if (p->pass_fd < 0 || p->ref_fd < 0 || p->gen_fd < 0 || p->gen_cfg_fd < 0)
		return -ESRCH;
	return 0;
}

/* vigil loaded with a fresh flow table of kind, tap mode, no hand-off, gate as given */
static int bench_vigil_open(const char *path, enum xdp_flow_map kind, uint32_t gate_rate,
			    uint32_t flags, struct xdp_loader **l, int *flows_fd)
{
	struct vigil_xdp_cfg cfg = { .mode = VIGIL_MODE_TAP, .handoff = VIGIL_HANDOFF_NONE,
				     .flags = flags };
	struct xdp_maps *m;
	int err;

	err = xdp_loader_open(path, l);
	if (err)
		return err;
	m = xdp_loader_maps(*l);
	err = xdp_flows_table_open_kind(NULL, NULL, BENCH_FLOWS_TABLE, kind, flows_fd, NULL);
	if (err)
		return err;
	cfg.new_flow_ns = gate_rate ? 1000000000ull / gate_rate : 0;
	err = xdp_cfg_write(m->cfg_fd, &cfg);
	if (!err)
		err = xdp_flows_install(m, *flows_fd);
	return err;
}

static void bench_row(const char *name, double ns, double base)
{
	printf("  %-34s %9.1f ns   %5.2fx\n", name, ns, base > 0 ? ns / base : 0);
}

static int bench_testrun(const char *vigil_path, struct bench_progs *bp, uint32_t repeat,
			 uint32_t newflows, double *hit_ratio)
{
	struct xdp_loader *l = NULL, *lg = NULL, *lp = NULL, *ls = NULL;
	uint8_t udp[256], vlan[256], v6[256];
	uint32_t lu, lv, l6;
	double pass, pass1, ref, hit, hitp, hits, nf_ref, nf_open, nf_gate, nf_shared, nvlan, nv6;
	int vfd, ffd = -1, ffd2 = -1, ffd3 = -1, ffd4 = -1, err;

	/* l: gate off; lg: a gate of 1000/s whose one-second burst the first
	 * runs use up, so it measures the closed gate (a flood's steady state);
	 * lp: the precise clock; ls: the shared table, gate off */
	err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_PERCPU, 0, 0, &l, &ffd);
	if (!err)
		err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_PERCPU, 1000, 0, &lg, &ffd2);
	if (!err)
		err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_PERCPU, 0, VIGIL_CFG_F_PRECISE_TIME,
				       &lp, &ffd3);
	if (!err)
		err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_SHARED, 0, 0, &ls, &ffd4);
	if (err)
		goto cleanup;
	vfd = xdp_loader_maps(l)->prog_fd;
	lu = bench_frame(BENCH_UDP4, htonl(0x0a000002), udp, sizeof(udp));
	lv = bench_frame(BENCH_VLAN_UDP4, htonl(0x0a000003), vlan, sizeof(vlan));
	l6 = bench_frame(BENCH_IP6_EXT, htonl(4), v6, sizeof(v6));

	err = bench_repeat(bp->pass_fd, udp, lu, repeat, &pass);
	if (!err)
		err = bench_repeat(bp->ref_fd, udp, lu, repeat, &ref);
	if (!err)
		err = bench_repeat(vfd, udp, lu, repeat, &hit);
	if (!err)
		err = bench_repeat(xdp_loader_maps(lp)->prog_fd, udp, lu, repeat, &hitp);
	if (!err)
		err = bench_repeat(xdp_loader_maps(ls)->prog_fd, udp, lu, repeat, &hits);
	if (!err)
		err = bench_repeat(vfd, vlan, lv, repeat, &nvlan);
	if (!err)
		err = bench_repeat(vfd, v6, l6, repeat, &nv6);
	if (!err)
		err = bench_new_flows(bp->pass_fd, BENCH_UDP4, newflows, 0x100000, &pass1);
	if (!err)
		err = bench_new_flows(bp->ref_fd, BENCH_UDP4, newflows, 0x100000, &nf_ref);
	if (!err)
		err = bench_new_flows(vfd, BENCH_UDP4, newflows, 0x200000, &nf_open);
	if (!err)
		err = bench_new_flows(xdp_loader_maps(lg)->prog_fd, BENCH_UDP4, newflows, 0x300000,
				      &nf_gate);
	if (!err)
		err = bench_new_flows(xdp_loader_maps(ls)->prog_fd, BENCH_UDP4, newflows, 0x400000,
				      &nf_shared);
	if (err)
		goto cleanup;
	printf("BPF_PROG_TEST_RUN, 64-byte frames; hit paths repeat=%u, new-flow paths %u runs of 1\n",
	       repeat, newflows);
	printf("  %-34s %12s   %s\n", "program / path", "per packet", "vs reference");
	bench_row("XDP_PASS", pass, ref);
	bench_row("reference (5-tuple LRU + ts), hit", ref, ref);
	bench_row("vigil hit, IPv4 UDP", hit, ref);
	bench_row("vigil hit, IPv4 UDP, precise clock", hitp, ref);
	bench_row("vigil hit, IPv4 UDP, shared table", hits, ref);
	bench_row("vigil hit, 802.1Q IPv4 UDP", nvlan, ref);
	bench_row("vigil hit, IPv6 HBH+DST ext, UDP", nv6, ref);
	printf("  new-flow paths (table %u entries, full after the first %u: every insert evicts)\n",
	       BENCH_FLOWS_TABLE, BENCH_FLOWS_TABLE);
	bench_row("XDP_PASS (floor of a run of 1)", pass1, nf_ref);
	bench_row("reference, new flow", nf_ref, nf_ref);
	bench_row("vigil new flow, gate off (naive)", nf_open, nf_ref);
	bench_row("vigil new flow, gate closed", nf_gate, nf_ref);
	bench_row("vigil new flow, gate off, shared table", nf_shared, nf_ref);
	printf("  shared table vs per-CPU: hit %.2fx, new flow %.2fx (one CPU: atomics uncontended)\n",
	       hits / hit, nf_shared / nf_open);
	*hit_ratio = hit / ref;
cleanup:
	bench_close_fds((int[]){ ffd, ffd2, ffd3, ffd4 }, 4);
	xdp_loader_free(l);
	xdp_loader_free(lg);
	xdp_loader_free(lp);
	xdp_loader_free(ls);
	return err;
}

/* frames counted by bench_ref: its table summed over keys and CPUs */
static uint64_t bench_ref_total(int fd)
{
	struct { uint64_t pkts, bytes, last_ns; } *vals;
	struct { uint32_t saddr, daddr; uint16_t sport, dport; uint32_t proto; } k, next;
	uint64_t total = 0;
	int ncpu = libbpf_num_possible_cpus(), c, more;

	if (ncpu <= 0)
		return 0;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return 0;
	more = !bpf_map_get_next_key(fd, NULL, &k);
	while (more) {
		more = !bpf_map_get_next_key(fd, &k, &next);
		if (!bpf_map_lookup_elem(fd, &k, vals))
			for (c = 0; c < ncpu; c++)
				total += vals[c].pkts;
		k = next;
	}
	free(vals);
	return total;
}

static double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One live run: prog_fd attached natively to rx_if, bench_gen pushing frames
 * of `flows` flows (0: random sources) out of tx_if. *rx and *acc get Mpps
 * seen and accounted by the attached program (stats_fd, or counted from the
 * reference's table when stats_fd < 0: then *acc = *rx).
 */
static int bench_live_run(struct bench_progs *bp, int prog_fd, int stats_fd, int tx_if, int rx_if,
			  uint32_t flows, uint32_t frames, double *rx, double *acc)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts);
	uint64_t before[VIGIL_STAT_MAX] = { 0 }, after[VIGIL_STAT_MAX] = { 0 };
	struct bench_gen_cfg { uint32_t flows, pad; } gc = { flows, 0 };
	struct xdp_md ctx_in = { .ingress_ifindex = (uint32_t)tx_if };
	uint8_t frame[256];
	uint32_t len, zero = 0;
	double t0, t1;
	int err;

	len = bench_frame(BENCH_UDP4, htonl(0x0a000002), frame, sizeof(frame));
	ctx_in.data_end = len;
	err = bpf_map_update_elem(bp->gen_cfg_fd, &zero, &gc, BPF_ANY);
	if (err)
		return err;
	err = bpf_xdp_attach(rx_if, prog_fd, XDP_FLAGS_DRV_MODE, &aopts);
	if (err)
		return err;
	if (stats_fd >= 0)
		xdp_stats_read(stats_fd, before);
	else
		before[VIGIL_STAT_FRAMES] = bench_ref_total(bp->ref_flows_fd);
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in), .repeat = frames,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);
	t0 = bench_now();
	err = bpf_prog_test_run_opts(bp->gen_fd, &o);
	t1 = bench_now();
	if (!err && stats_fd >= 0)
		err = xdp_stats_read(stats_fd, after);
	else if (!err)
		after[VIGIL_STAT_FRAMES] = bench_ref_total(bp->ref_flows_fd);
	bpf_xdp_detach(rx_if, XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		return err;
	if (stats_fd >= 0) {
		*rx = (after[VIGIL_STAT_FRAMES] - before[VIGIL_STAT_FRAMES]) / (t1 - t0) / 1e6;
		*acc = (after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED]) / (t1 - t0) / 1e6;
	} else {
		*rx = (after[VIGIL_STAT_FRAMES] - before[VIGIL_STAT_FRAMES]) / (t1 - t0) / 1e6;
		*acc = *rx;
	}
	return 0;
}

static int bench_live(const char *vigil_path, struct bench_progs *bp, const char *tx_name,
		      const char *rx_name, uint32_t frames, double *steady, double *flood)
{
	struct xdp_loader *l = NULL, *lg = NULL, *ll = NULL, *ls = NULL;
	double ref_rx, ref_acc, s_rx, s_acc, f_rx, f_acc, n_rx, n_acc, g_rx, g_acc, h_rx, h_acc;
	int tx_if = (int)if_nametoindex(tx_name), rx_if = (int)if_nametoindex(rx_name);
	int ffd = -1, ffd2 = -1, ffd3 = -1, ffd4 = -1, err;
	uint64_t st[VIGIL_STAT_MAX];

	if (!tx_if || !rx_if)
		return -ENODEV;
	err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_PERCPU, 0, 0, &l, &ffd);
	if (!err)
		err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_PERCPU, 200000, 0, &lg, &ffd2);
	if (!err)
		err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_PERCPU, 20000, 0, &ll, &ffd3);
	if (!err)
		err = bench_vigil_open(vigil_path, XDP_FLOW_MAP_SHARED, 200000, 0, &ls, &ffd4);
	if (err)
		goto cleanup;
	/* a warm-up run, not reported (page pools, caches, the veth's NAPI), then
	 * the reference, whose frames are counted from its own flow table */
	err = bench_live_run(bp, bp->ref_fd, -1, tx_if, rx_if, 10000, frames / 4, &ref_rx, &ref_acc);
	if (!err)
		err = bench_live_run(bp, bp->ref_fd, -1, tx_if, rx_if, 10000, frames, &ref_rx,
				     &ref_acc);
	if (!err)
		err = bench_live_run(bp, xdp_loader_maps(lg)->prog_fd, xdp_loader_maps(lg)->stats_fd,
				     tx_if, rx_if, 10000, frames, &s_rx, &s_acc);
	if (!err)
		err = bench_live_run(bp, xdp_loader_maps(ls)->prog_fd, xdp_loader_maps(ls)->stats_fd,
				     tx_if, rx_if, 10000, frames, &h_rx, &h_acc);
	if (!err)
		err = bench_live_run(bp, xdp_loader_maps(lg)->prog_fd, xdp_loader_maps(lg)->stats_fd,
				     tx_if, rx_if, 0, frames, &f_rx, &f_acc);
	if (!err)
		err = bench_live_run(bp, xdp_loader_maps(ll)->prog_fd, xdp_loader_maps(ll)->stats_fd,
				     tx_if, rx_if, 0, frames, &g_rx, &g_acc);
	if (!err)
		err = bench_live_run(bp, xdp_loader_maps(l)->prog_fd, xdp_loader_maps(l)->stats_fd,
				     tx_if, rx_if, 0, frames, &n_rx, &n_acc);
	if (err)
		goto cleanup;
	printf("live: BPF_F_TEST_XDP_LIVE_FRAMES generator -> veth %s -> %s (native XDP, 1 queue), %u frames per run\n",
	       tx_name, rx_name, frames);
	printf("  %-40s %10s %10s   %s\n", "receiver / traffic", "rx Mpps", "acc Mpps", "vs reference");
	printf("  %-40s %10.2f %10.2f   %5.2fx\n", "reference, 10,000 flows", ref_rx, ref_acc, 1.0);
	printf("  %-40s %10.2f %10.2f   %5.2fx\n", "vigil, 10,000 flows", s_rx, s_acc, s_acc / ref_acc);
	printf("  %-40s %10.2f %10.2f   %5.2fx\n", "vigil, 10,000 flows, shared table", h_rx, h_acc,
	       h_acc / ref_acc);
	printf("  %-40s %10.2f %10.2f   %5.2fx\n", "vigil, random sources, gate 200k/s/CPU", f_rx,
	       f_acc, f_acc / ref_acc);
	printf("  %-40s %10.2f %10.2f   %5.2fx\n", "vigil, random sources, gate 20k/s/CPU", g_rx,
	       g_acc, g_acc / ref_acc);
	printf("  %-40s %10.2f %10.2f   %5.2fx\n", "vigil, random sources, gate off (naive)", n_rx,
	       n_acc, n_acc / ref_acc);
	printf("  flood, default gate vs naive: %.2fx; 20k/s gate vs naive: %.2fx\n", f_acc / n_acc,
	       g_acc / n_acc);
	printf("  10,000 flows, shared table vs per-CPU: %.2fx\n", h_acc / s_acc);
	if (!xdp_stats_read(xdp_loader_maps(lg)->stats_fd, st))
		printf("  gated run: flow_new=%llu gated=%llu (frames of unadmitted new flows, counted per destination)\n",
		       (unsigned long long)st[VIGIL_STAT_FLOW_NEW], (unsigned long long)st[VIGIL_STAT_GATED]);
	*steady = s_acc;
	*flood = f_acc;
cleanup:
	bench_close_fds((int[]){ ffd, ffd2, ffd3, ffd4 }, 4);
	xdp_loader_free(l);
	xdp_loader_free(lg);
	xdp_loader_free(ll);
	xdp_loader_free(ls);
	return err;
}

int main(int argc, char **argv)
{
	struct bench_progs bp = { 0 };
	double hit_ratio = 0, steady = -1, flood = -1;
	char hit[16] = "NA", st_mpps[16] = "NA", fl_mpps[16] = "NA";
	uint32_t repeat, newflows, frames;
	int err;

	if (argc != 5 && (argc != 9 || strcmp(argv[5], "live"))) {
		fprintf(stderr,
			"usage: vigil-bench-xdp VIGIL_OBJ BENCH_OBJ REPEAT NEWFLOWS [live TX_IF RX_IF FRAMES]\n");
		return 2;
	}
	repeat = (uint32_t)strtoul(argv[3], NULL, 10);
	newflows = (uint32_t)strtoul(argv[4], NULL, 10);
	err = bench_progs_open(argv[2], &bp);
	if (err) {
		printf("all: NA: cannot load %s: %s\n", argv[2], strerror(-err));
		goto last_line;
	}
	err = bench_testrun(argv[1], &bp, repeat ? repeat : 1000000, newflows ? newflows : 200000,
			    &hit_ratio);
	if (err) {
		printf("test run: NA: %s\n", strerror(-err));
		goto last_line;
	}
	if (argc == 9) {
		frames = (uint32_t)strtoul(argv[8], NULL, 10);
		err = bench_live(argv[1], &bp, argv[6], argv[7], frames ? frames : 10000000, &steady,
				 &flood);
		if (err == -EPERM || err == -EOPNOTSUPP || err == -EINVAL) {
			/* a kernel that refuses live frames (seen: EPERM on 6.18.44) cannot
			 * measure them: a figure this machine has not, not a failure */
			printf("live: NA: the kernel refused BPF_F_TEST_XDP_LIVE_FRAMES (%s): steady_mpps and "
			       "flood_mpps need it\n", strerror(-err));
			err = 0;
		} else if (err) {
			printf("live: NA: %s\n", strerror(-err));
		}
	} else {
		printf("live: NA: not asked for (no 'live TX_IF RX_IF FRAMES')\n");
	}
last_line:
	/* the agreed last line, always, NA for what could not be measured */
	if (hit_ratio > 0)
		snprintf(hit, sizeof(hit), "%.2f", hit_ratio);
	if (steady >= 0) {
		snprintf(st_mpps, sizeof(st_mpps), "%.2f", steady);
		snprintf(fl_mpps, sizeof(fl_mpps), "%.2f", flood);
	}
	fflush(stderr);
	printf("hit_ratio=%s steady_mpps=%s flood_mpps=%s\n", hit, st_mpps, fl_mpps);
	bpf_object__close(bp.obj);
	return err ? 1 : 0;
}
