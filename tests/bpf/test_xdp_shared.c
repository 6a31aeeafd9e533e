// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_xdp_shared.c: the flow table kinds side by side. Two threads pinned to
 * CPU 0 and CPU 1 run one TCP flow's frame through BPF_PROG_TEST_RUN with a
 * large repeat at the same time; the flow's packet, byte and SYN totals must
 * be exact on the shared table (atomic adds) as on the per-CPU one (summed).
 * Then a restart with the other kind configured: the pinned table is replaced
 * and the program switches slots. Needs root and two CPUs (else exit 77).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vigil_bpf_path.h"
#include "xdp_loader.h"

#define REPEAT 1000000u
#define TRIES 3
#define FRAME_LEN 74u	/* Ethernet 14 + IPv4 20 + TCP 20 + 20 bytes of payload */
#define TS 1700000000000000000ull

struct sh_ctx {
	int passed, failed;
	bool case_ok;
};

struct sh_thread {
	int prog_fd;
	int cpu;
	pthread_barrier_t *go;
	const uint8_t *buf;	/* struct vigil_xdp_meta + frame */
	uint32_t len;
	uint64_t start_ns, end_ns;
	int err;
};

static void check(struct sh_ctx *t, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	t->case_ok = false;
	printf("  FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void case_end(struct sh_ctx *t, const char *name)
{
	printf("%s %s\n", t->case_ok ? "ok  " : "FAIL", name);
	if (t->case_ok)
		t->passed++;
	else
		t->failed++;
	t->case_ok = true;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* a TCP SYN 10.77.0.1:40000 -> 10.77.0.2:443 (checksums are not checked) */
static void frame_syn(uint8_t *b)
{
	memset(b, 0, FRAME_LEN);
	b[12] = 0x08;			/* ethertype IPv4 */
	b[14] = 0x45;			/* version 4, IHL 5 */
	b[16] = 0;
	b[17] = FRAME_LEN - 14;		/* total length */
	b[22] = 64;			/* TTL */
	b[23] = 6;			/* TCP */
	b[26] = 10, b[27] = 77, b[28] = 0, b[29] = 1;
	b[30] = 10, b[31] = 77, b[32] = 0, b[33] = 2;
	b[34] = 40000 >> 8, b[35] = 40000 & 0xff;
	b[36] = 443 >> 8, b[37] = 443 & 0xff;
	b[46] = 0x50;			/* data offset 5 */
	b[47] = 0x02;			/* SYN */
}

/* the frame's key, as the program builds it (10.77.0.1:40000 is the smaller end) */
static void frame_key(struct vigil_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->addr_a[10] = k->addr_a[11] = 0xff;
	k->addr_a[12] = 10, k->addr_a[13] = 77, k->addr_a[15] = 1;
	memcpy(k->addr_b, k->addr_a, 16);
	k->addr_b[15] = 2;
	k->port_a = 40000;
	k->port_b = 443;
	k->proto = 6;
	k->ip_ver = 4;
}

static void *sh_run(void *arg)
{
	struct sh_thread *th = arg;
	struct xdp_md ctx_in;
	cpu_set_t set;
	uint8_t *buf;

	buf = malloc(th->len);
	if (!buf) {
		th->err = -ENOMEM;
		pthread_barrier_wait(th->go);
		return NULL;
	}
	memcpy(buf, th->buf, th->len);
	CPU_ZERO(&set);
	CPU_SET(th->cpu, &set);
	th->err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set) ? -EINVAL : 0;
	memset(&ctx_in, 0, sizeof(ctx_in));
	ctx_in.data = sizeof(struct vigil_xdp_meta);
	ctx_in.data_end = th->len;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = th->len,
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in), .repeat = REPEAT);
	pthread_barrier_wait(th->go);
	if (!th->err) {
		th->start_ns = now_ns();
		th->err = bpf_prog_test_run_opts(th->prog_fd, &opts);
		th->end_ns = now_ns();
	}
	free(buf);
	return NULL;
}

/* one flow read back from either kind, copies summed */
static int sh_read_flow(int flows_fd, struct vigil_flow *sum)
{
	struct vigil_flow_key key;
	struct vigil_flow *vals;
	int n = xdp_flows_table_copies(flows_fd), err;

	if (n < 0)
		return n;
	vals = calloc((size_t)n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	frame_key(&key);
	err = bpf_map_lookup_elem(flows_fd, &key, vals);
	if (!err)
		xdp_flow_sum(vals, (unsigned int)n, sizeof(*vals), sum);
	free(vals);
	return err;
}

/*
 * Both threads on the same flow at the same time, on a fresh table of kind.
 * 1 when the two runs overlapped in time (else the test proves nothing and
 * is tried again), 0 when they did not, -errno on a setup error.
 */
static int sh_concurrent(struct sh_ctx *t, struct xdp_maps *m, enum xdp_flow_map kind)
{
	struct vigil_xdp_meta meta = { .ts_ns = TS, .magic = VIGIL_META_MAGIC };
	uint8_t buf[sizeof(meta) + FRAME_LEN];
	uint64_t before[VIGIL_STAT_MAX], after[VIGIL_STAT_MAX];
	const uint64_t want = 2ull * REPEAT;
	struct sh_thread th[2];
	pthread_barrier_t go;
	pthread_t tid[2];
	struct vigil_flow f;
	int flows_fd = -1, err, i, overlap;

	err = xdp_flows_table_open_kind(NULL, NULL, 4096, kind, &flows_fd, NULL);
	if (!err)
		err = xdp_flows_install(m, flows_fd);
	if (!err)
		err = xdp_stats_read(m->stats_fd, before);
	if (err)
		goto cleanup;
	memcpy(buf, &meta, sizeof(meta));
	frame_syn(buf + sizeof(meta));
	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		th[i] = (struct sh_thread){ .prog_fd = m->prog_fd, .cpu = i, .go = &go, .buf = buf,
					    .len = sizeof(buf) };
		if (pthread_create(&tid[i], NULL, sh_run, &th[i])) {
			/* thread 0 waits at the barrier for ever: the process ends soon */
			err = -EAGAIN;
			goto cleanup;
		}
	}
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&go);
	err = th[0].err ? th[0].err : th[1].err;
	if (err)
		goto cleanup;
	overlap = th[0].start_ns < th[1].end_ns && th[1].start_ns < th[0].end_ns;
	printf("  %s: cpu0 %.0f ms, cpu1 %.0f ms, overlap %s\n",
	       kind == XDP_FLOW_MAP_SHARED ? "shared" : "percpu",
	       (th[0].end_ns - th[0].start_ns) / 1e6, (th[1].end_ns - th[1].start_ns) / 1e6,
	       overlap ? "yes" : "no");
	err = sh_read_flow(flows_fd, &f);
	check(t, err == 0, "flow lookup: %d", err);
	check(t, err || (f.pkts[0] == want && f.pkts[1] == 0), "pkts %llu/%llu, want %llu/0",
	      (unsigned long long)f.pkts[0], (unsigned long long)f.pkts[1],
	      (unsigned long long)want);
	check(t, err || f.bytes[0] == want * FRAME_LEN, "bytes %llu, want %llu",
	      (unsigned long long)f.bytes[0], (unsigned long long)(want * FRAME_LEN));
	check(t, err || f.syn == (uint32_t)want, "syn %u, want %llu", f.syn,
	      (unsigned long long)want);
	check(t, err || (f.tcp_flags[0] == 0x02 && f.min_len == FRAME_LEN &&
			 f.max_len == FRAME_LEN && f.first_ns == TS && f.last_ns == TS),
	      "flags %#x len %u..%u times %llu..%llu", f.tcp_flags[0], f.min_len, f.max_len,
	      (unsigned long long)f.first_ns, (unsigned long long)f.last_ns);
	err = xdp_stats_read(m->stats_fd, after);
	check(t, err == 0, "stats: %d", err);
	check(t, err || after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED] == want,
	      "accounted grew by %llu",
	      (unsigned long long)(after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED]));
	check(t, err || after[VIGIL_STAT_FLOW_NEW] - before[VIGIL_STAT_FLOW_NEW] == 1,
	      "flow_new grew by %llu, want 1",
	      (unsigned long long)(after[VIGIL_STAT_FLOW_NEW] - before[VIGIL_STAT_FLOW_NEW]));
	err = overlap;
cleanup:
	if (flows_fd >= 0)
		close(flows_fd);
	return err;
}

/* 1 when the outer map's slot 0 holds a table */
static bool sh_slot_full(int outer_fd)
{
	__u32 zero = 0, id;

	return outer_fd >= 0 && bpf_map_lookup_elem(outer_fd, &zero, &id) == 0;
}

/* a sensor restart with the other kind configured, on a private bpffs */
static void sh_restart(struct sh_ctx *t, struct xdp_maps *m)
{
	char dir[] = "/tmp/vxm-bpffs-XXXXXX", path[sizeof(dir) + 32];
	uint8_t frame[FRAME_LEN];
	enum xdp_flows_pin how;
	enum xdp_flow_map kind;
	struct vigil_flow f;
	int fd = -1, fd2 = -1, err;
	bool mounted = false;

	if (!mkdtemp(dir)) {
		check(t, false, "mkdtemp: %s", strerror(errno));
		return;
	}
	if (mount("bpf", dir, "bpf", 0, NULL)) {
		check(t, false, "mount bpffs: %s", strerror(errno));
		goto cleanup;
	}
	mounted = true;
	snprintf(path, sizeof(path), "%s/vxm0/flows", dir);
	frame_syn(frame);

	/* first start: per-CPU, a flow accounted into it */
	err = xdp_flows_table_open_kind(dir, "vxm0", 4096, XDP_FLOW_MAP_PERCPU, &fd, &how);
	check(t, err == 0 && how == XDP_FLOWS_CREATED, "first open: %d how %d", err, how);
	if (err)
		goto cleanup;
	check(t, xdp_flows_install(m, fd) == 0, "install per-CPU");
	check(t, xdp_loader_run_frame(m->prog_fd, frame, FRAME_LEN, TS, NULL, NULL) == 0, "run");
	check(t, sh_read_flow(fd, &f) == 0 && f.pkts[0] == 1, "per-CPU flow accounted");
	check(t, sh_slot_full(m->flows_outer_fd) && !sh_slot_full(m->flows_shared_outer_fd),
	      "slots after per-CPU install");

	/* restart, same kind: reused, the flow survives */
	err = xdp_flows_table_open_kind(dir, "vxm0", 4096, XDP_FLOW_MAP_PERCPU, &fd2, &how);
	check(t, err == 0 && how == XDP_FLOWS_REUSED, "same kind: %d how %d", err, how);
	check(t, !err && sh_read_flow(fd2, &f) == 0 && f.pkts[0] == 1, "flow kept over restart");
	if (fd2 >= 0)
		close(fd2);
	fd2 = -1;

	/* restart with shared: replaced, the program moves to the shared slot */
	err = xdp_flows_table_open_kind(dir, "vxm0", 4096, XDP_FLOW_MAP_SHARED, &fd2, &how);
	check(t, err == 0 && how == XDP_FLOWS_REPLACED_KIND, "other kind: %d how %d", err, how);
	if (err)
		goto cleanup;
	check(t, xdp_flows_table_kind(fd2, &kind) == 0 && kind == XDP_FLOW_MAP_SHARED, "kind");
	check(t, sh_read_flow(fd2, &f) == -ENOENT, "the new table starts empty");
	check(t, xdp_flows_install(m, fd2) == 0, "install shared");
	check(t, !sh_slot_full(m->flows_outer_fd) && sh_slot_full(m->flows_shared_outer_fd),
	      "slots after shared install: per-CPU emptied");
	check(t, xdp_loader_run_frame(m->prog_fd, frame, FRAME_LEN, TS, NULL, NULL) == 0, "run");
	check(t, sh_read_flow(fd2, &f) == 0 && f.pkts[0] == 1, "frame went to the shared table");
	check(t, sh_read_flow(fd, &f) == 0 && f.pkts[0] == 1, "old table no longer counted");
	close(fd);
	fd = bpf_obj_get(path);
	check(t, fd >= 0 && xdp_flows_table_kind(fd, &kind) == 0 && kind == XDP_FLOW_MAP_SHARED,
	      "the pin now holds the shared table");
	if (fd >= 0)
		close(fd);
	fd = -1;

	/* other size, then back to per-CPU */
	err = xdp_flows_table_open_kind(dir, "vxm0", 8192, XDP_FLOW_MAP_SHARED, &fd, &how);
	check(t, err == 0 && how == XDP_FLOWS_REPLACED_SIZE, "other size: %d how %d", err, how);
	if (fd >= 0)
		close(fd);
	err = xdp_flows_table_open_kind(dir, "vxm0", 8192, XDP_FLOW_MAP_PERCPU, &fd, &how);
	check(t, err == 0 && how == XDP_FLOWS_REPLACED_KIND, "back to per-CPU: %d how %d", err, how);
	check(t, !err && xdp_flows_install(m, fd) == 0 && sh_slot_full(m->flows_outer_fd) &&
		 !sh_slot_full(m->flows_shared_outer_fd), "slots after per-CPU again");
	check(t, xdp_flows_table_unpin(dir, "vxm0") == 0, "unpin");
cleanup:
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	if (mounted)
		umount(dir);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *obj = argc > 1 ? argv[1] : VIGIL_BPF_OBJ_PATH;
	static const enum xdp_flow_map kinds[] = { XDP_FLOW_MAP_PERCPU, XDP_FLOW_MAP_SHARED };
	struct sh_ctx t = { .case_ok = true };
	struct xdp_loader *l = NULL;
	struct vigil_xdp_cfg cfg = { VIGIL_MODE_TAP, VIGIL_HANDOFF_NONE, 0, 0 };
	struct xdp_maps *m;
	cpu_set_t set;
	size_t k;
	int err, i;

	if (geteuid() != 0) {
		printf("SKIP: needs root (BPF_PROG_TEST_RUN, map creation)\n");
		return 77;
	}
	if (sched_getaffinity(0, sizeof(set), &set) || !CPU_ISSET(0, &set) || !CPU_ISSET(1, &set)) {
		printf("SKIP: needs CPUs 0 and 1\n");
		return 77;
	}
	err = xdp_loader_open(obj, &l);
	if (err) {
		printf("FAIL load %s: %s\n", obj, strerror(-err));
		return 1;
	}
	m = xdp_loader_maps(l);
	if (xdp_cfg_write(m->cfg_fd, &cfg)) {
		printf("FAIL cfg\n");
		xdp_loader_free(l);
		return 1;
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (i = 0; i < TRIES; i++) {
			err = sh_concurrent(&t, m, kinds[k]);
			if (err != 0)
				break;	/* 1: overlapped and checked; < 0: error */
		}
		check(&t, err >= 0, "setup: %s", strerror(-err));
		check(&t, err != 0, "the two runs never overlapped in %d tries", TRIES);
		case_end(&t, kinds[k] == XDP_FLOW_MAP_SHARED ? "two_cpus_one_flow_shared"
							      : "two_cpus_one_flow_percpu");
	}
	sh_restart(&t, m);
	case_end(&t, "restart_with_other_kind");
	xdp_loader_free(l);
	printf("%d passed, %d failed\n", t.passed, t.failed);
	return t.failed ? 1 : 0;
}
