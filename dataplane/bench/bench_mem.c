// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_mem.c: the memory the default profile needs while tracking a full
 * XDP flow table and full user-space statistics: the process's RSS plus its
 * hugepages (DPDK), measured from /proc, and the flow map's kernel memory, for
 * both kinds of flow table (xdp.flow_map: percpu and shared).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dp.h"
#include "stats.h"
#include "vigil_flow.h"

enum { MEM_BATCH = 4096 };

/* kB of the smaps_rollup (or status) line starting with key, -1 if absent */
static long mem_kb(const char *path, const char *key)
{
	FILE *fp = fopen(path, "r");
	size_t klen = strlen(key);
	char line[256];
	long v = -1;

	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		if (!strncmp(line, key, klen)) {
			v = strtol(line + klen, NULL, 10);
			break;
		}
	}
	fclose(fp);
	return v;
}

static long mem_memlock_kb(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	return mem_kb(path, "memlock:") / 1024;	/* the kernel reports bytes here */
}

/* a full LRU flow table (per-CPU or shared: type), filled through batch updates */
static int mem_flows(enum bpf_map_type type, uint32_t entries, int *fd_out)
{
	int ncpu = libbpf_num_possible_cpus(), fd, ret = 0;
	size_t stride = (sizeof(struct vigil_flow) + 7) & ~(size_t)7;
	struct vigil_flow_key *keys = NULL;
	uint8_t *vals = NULL;
	uint32_t i, j, n;

	if (ncpu < 0)
		return ncpu;
	if (type == BPF_MAP_TYPE_LRU_HASH)
		ncpu = 1;	/* one value per key */
	fd = bpf_map_create(type, "vx4_bench_flows", sizeof(struct vigil_flow_key),
			    sizeof(struct vigil_flow), entries, NULL);
	if (fd < 0)
		return fd;
	keys = calloc(MEM_BATCH, sizeof(*keys));
	vals = calloc(MEM_BATCH, stride * (size_t)ncpu);
	if (!keys || !vals) {
		ret = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < entries; i += n) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);

		n = entries - i < MEM_BATCH ? entries - i : MEM_BATCH;
		for (j = 0; j < n; j++) {
			uint32_t id = i + j;
			struct vigil_flow *f = (struct vigil_flow *)(vals + (size_t)j * stride * ncpu);

			memset(&keys[j], 0, sizeof(keys[j]));
			keys[j].addr_a[10] = keys[j].addr_a[11] = 0xff;
			keys[j].addr_a[12] = 10;
			keys[j].addr_a[13] = (uint8_t)(id >> 16);
			keys[j].addr_a[14] = (uint8_t)(id >> 8);
			keys[j].addr_a[15] = (uint8_t)id;
			memcpy(keys[j].addr_b, keys[j].addr_a, 16);
			keys[j].addr_b[12] = 192;
			keys[j].port_a = 40000;
			keys[j].port_b = 443;
			keys[j].proto = 6;
			keys[j].ip_ver = 4;
			f->first_ns = f->last_ns = 1;
			f->pkts[0] = 1;
		}
		ret = bpf_map_update_batch(fd, keys, vals, &n, &o);
		if (ret < 0)
			goto cleanup;
	}
	*fd_out = fd;
	fd = -1;
cleanup:
	if (fd >= 0)
		close(fd);
	free(keys);
	free(vals);
	return ret;
}

static void mem_v4(uint8_t a[16], uint32_t ip)
{
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = (uint8_t)(ip >> 24);
	a[13] = (uint8_t)(ip >> 16);
	a[14] = (uint8_t)(ip >> 8);
	a[15] = (uint8_t)ip;
}

/* distinct hosts and sockets until every table is full */
static void mem_fill_stats(struct stats *st, const struct stats_cfg *cfg)
{
	struct pkt_info pi[32];
	uint64_t ts[32];
	int rc[32];
	uint32_t i, j, total = 2 * (cfg->hosts + cfg->sockets);

	for (i = 0; i < total; i += 32) {
		for (j = 0; j < 32; j++) {
			uint32_t k = i + j;

			memset(&pi[j], 0, sizeof(pi[j]));
			mem_v4(pi[j].src, 0x0a000000 + k % (4 * cfg->hosts));
			mem_v4(pi[j].dst, 0x0a000000 + (k + 13 * (k / cfg->hosts)) % (4 * cfg->hosts));
			pi[j].src_port = (uint16_t)k;
			pi[j].dst_port = (uint16_t)(k >> 16);
			pi[j].proto = 17;
			pi[j].ip_ver = 4;
			pi[j].len = 100;
			rc[j] = PKT_OK;
			ts[j] = 1000000000ULL + (uint64_t)k * 1000;
		}
		stats_burst(st, pi, rc, ts, 32, NULL);
	}
}

int main(int argc, char **argv)
{
	uint32_t flows = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1u << 20;
	struct dp_eal_cfg ecfg = { .memory_mb = 64, .hugepages = true };
	struct dp_port_cfg pcfg = { .mbufs = 8191, .burst = 32 };
	struct dp_port *port = NULL;
	struct stats_cfg scfg;
	struct stats *st = NULL;
	uint32_t uh, us;
	long rss, huge_s, huge_p, mlock, mlock_shared;
	int fd = -1, ret, rc = 1;

	ret = dp_eal_init(&ecfg);
	if (ret < 0) {
		fprintf(stderr, "bench_mem: EAL: %s\n", strerror(-ret));
		return 1;
	}
	ret = dp_port_open_ring(&pcfg, &port);	/* the pool of the default profile */
	if (ret < 0) {
		fprintf(stderr, "bench_mem: ring port: %s\n", strerror(-ret));
		goto cleanup;
	}
	/* the shared table first, measured and freed, so the two are not held at once */
	ret = mem_flows(BPF_MAP_TYPE_LRU_HASH, flows, &fd);
	if (ret < 0) {
		fprintf(stderr, "bench_mem: shared flow table of %u: %s\n", flows, strerror(-ret));
		goto cleanup;
	}
	mlock_shared = mem_memlock_kb(fd);
	close(fd);
	fd = -1;
	ret = mem_flows(BPF_MAP_TYPE_LRU_PERCPU_HASH, flows, &fd);
	if (ret < 0) {
		fprintf(stderr, "bench_mem: flow table of %u: %s\n", flows, strerror(-ret));
		goto cleanup;
	}
	stats_cfg_default(&scfg);
	scfg.turnover_s = 0;	/* fill every slot: the memory of full tables, not of a gated flood */
	st = stats_new(&scfg);
	if (!st) {
		fprintf(stderr, "bench_mem: stats: %s\n", strerror(errno));
		goto cleanup;
	}
	mem_fill_stats(st, &scfg);
	stats_used(st, &uh, &us);
	rss = mem_kb("/proc/self/status", "VmRSS:");
	huge_s = mem_kb("/proc/self/smaps_rollup", "Shared_Hugetlb:");
	huge_p = mem_kb("/proc/self/smaps_rollup", "Private_Hugetlb:");
	mlock = mem_memlock_kb(fd);
	if (huge_s < 0)
		huge_s = 0;
	if (huge_p < 0)
		huge_p = 0;
	printf("xdp_flows=%u flow_map_kernel_kib=%ld\n", flows, mlock);
	printf("xdp_flows=%u flow_map=shared flow_map_kernel_kib=%ld (%.2f of per-CPU on %d CPUs)\n",
	       flows, mlock_shared, mlock > 0 ? (double)mlock_shared / (double)mlock : 0.0,
	       libbpf_num_possible_cpus());
	printf("stats_entries=%u hosts=%u sockets=%u stats_alloc_kib=%llu\n", uh + us, uh, us,
	       (unsigned long long)(stats_mem_bytes(&scfg) >> 10));
	printf("rss_kib=%ld hugetlb_kib=%ld\n", rss, huge_s + huge_p);
	printf("mem_mib=%.1f\n", (double)(rss + huge_s + huge_p) / 1024.0);
	rc = 0;
cleanup:
	stats_free(st);
	if (fd >= 0)
		close(fd);
	dp_port_close(port);
	dp_eal_cleanup();
	return rc;
}
