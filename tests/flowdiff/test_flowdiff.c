// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_flowdiff.c: the differential test of the two builds of vigil's XDP
 * program. Every frame of every capture goes through the kernel's (the real
 * vigil.bpf.o, BPF_PROG_TEST_RUN) and through the user-space one
 * (vigil_user.c), as each replay path gives it; after each frame the verdict,
 * the metadata flags and every per-reason counter must agree, the flows
 * harvested every second of capture time (idle for 2 s) must be identical,
 * and so must, at the end, the flows idle for 5 s and then all the rest. The first
 * difference names the capture and the frame. Two configurations: per-CPU
 * table, outer keying, hand-off all, tap; and the shared table, inner keying,
 * hand-off first_n 2, inline, a blocklist and a closing new-flow gate.
 * Usage: test_flowdiff [-x] vigil.bpf.o DIR|FILE...  (root: BPF_PROG_TEST_RUN)
 * -x: the control: user space keys tunnels by their inner header in the first
 * configuration while the kernel does not, so a capture with a tunnel must differ.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "replay.h"
#include "vigil_user.h"
#include "xdp_loader.h"

enum {
	FD_FILES_MAX = 4096,
	FD_FRAMES_MAX = 200000,		/* per capture: bounds a pathological file */
	FD_FLOW_ENTRIES = 65536,
	FD_IDLE_NS = 5000000000u,	/* the idle harvest's timeout at the end */
	FD_TICK_IDLE_NS = 2000000000u,	/* and of the harvests every second of capture time */
};

struct fd_variant {
	const char *name;
	enum xdp_flow_map kind;
	struct vigil_xdp_cfg cfg;
	const char *block;		/* a blocklist prefix, or NULL */
};

static const struct fd_variant fd_variants[] = {
	{ "percpu-outer-all-tap", XDP_FLOW_MAP_PERCPU,
	  { .mode = VIGIL_MODE_TAP, .handoff = VIGIL_HANDOFF_ALL, .new_flow_ns = 5000 }, NULL },
	{ "shared-inner-first2-inline-gate-block", XDP_FLOW_MAP_SHARED,
	  { .mode = VIGIL_MODE_INLINE, .handoff = VIGIL_HANDOFF_FIRST_N, .handoff_n = 2,
	    .flags = VIGIL_CFG_F_TUNNEL_INNER, .new_flow_ns = 1000000000ull / 50 }, "192.168.1.0/24" },
};

/* one flow record, as a harvest reports it */
struct fd_flow {
	struct vigil_flow_key key;
	struct vigil_flow val;
};

struct fd_flows {
	struct fd_flow *v;
	size_t n, cap;
};

/* the kernel's side of one variant: the loaded program and its maps */
struct fd_kernel {
	struct xdp_loader *l;
	struct xdp_maps *m;
	int gate_fd;
	int tables[2];		/* by enum xdp_flow_map, made once (a table of 64 k flows costs ms) */
	int flows_fd;		/* the one installed */
	int ncpu;
};

struct fd_totals {
	unsigned long long frames, flows, captures, refused, differ;
};

static int fd_flow_add(void *ctx, const struct vigil_flow_key *key, const struct vigil_flow *val)
{
	struct fd_flows *fl = ctx;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 256;
		struct fd_flow *v = realloc(fl->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		fl->v = v;
		fl->cap = cap;
	}
	fl->v[fl->n].key = *key;
	fl->v[fl->n].val = *val;
	fl->n++;
	return 0;
}

static int fd_flow_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct fd_flow));
}

/* the fields of two records of one flow that differ, as "name xdp/user ..." */
static const char *fd_field_diff(const struct vigil_flow *a, const struct vigil_flow *b)
{
	static char out[256];
	size_t o = 0;

#define FD_FIELD(f) \
	if (a->f != b->f && o < sizeof(out)) \
		o += (size_t)snprintf(out + o, sizeof(out) - o, " " #f " %llu/%llu", \
				      (unsigned long long)a->f, (unsigned long long)b->f)
	FD_FIELD(first_ns); FD_FIELD(last_ns); FD_FIELD(pkts[0]); FD_FIELD(pkts[1]);
	FD_FIELD(bytes[0]); FD_FIELD(bytes[1]); FD_FIELD(min_len); FD_FIELD(max_len);
	FD_FIELD(syn); FD_FIELD(fin); FD_FIELD(rst); FD_FIELD(handed); FD_FIELD(vlan_id);
	FD_FIELD(tcp_flags[0]); FD_FIELD(tcp_flags[1]); FD_FIELD(initiator);
#undef FD_FIELD
	if (!o)
		snprintf(out, sizeof(out), " padding");
	return out;
}

/* NULL when equal, else a description of the first difference (sorted order) */
static const char *fd_flows_diff(struct fd_flows *x, struct fd_flows *u, char *buf, size_t len)
{
	size_t i;

	qsort(x->v, x->n, sizeof(*x->v), fd_flow_cmp);
	qsort(u->v, u->n, sizeof(*u->v), fd_flow_cmp);
	for (i = 0; i < x->n && i < u->n; i++) {
		const struct fd_flow *a = &x->v[i], *b = &u->v[i];

		if (!memcmp(a, b, sizeof(*a)))
			continue;
		if (!memcmp(&a->key, &b->key, sizeof(a->key))) {
			snprintf(buf, len, "flow %zu: proto %u ports %u/%u: %s", i, a->key.proto, a->key.port_a,
				 a->key.port_b, fd_field_diff(&a->val, &b->val));
			return buf;
		}
		snprintf(buf, len,
			 "flow %zu: proto %u ports %u/%u%s: xdp pkts %llu+%llu bytes %llu+%llu first %llu last %llu, "
			 "user pkts %llu+%llu bytes %llu+%llu first %llu last %llu",
			 i, a->key.proto, a->key.port_a, a->key.port_b,
			 memcmp(&a->key, &b->key, sizeof(a->key)) ? " (keys differ)" : "",
			 (unsigned long long)a->val.pkts[0], (unsigned long long)a->val.pkts[1],
			 (unsigned long long)a->val.bytes[0], (unsigned long long)a->val.bytes[1],
			 (unsigned long long)a->val.first_ns, (unsigned long long)a->val.last_ns,
			 (unsigned long long)b->val.pkts[0], (unsigned long long)b->val.pkts[1],
			 (unsigned long long)b->val.bytes[0], (unsigned long long)b->val.bytes[1],
			 (unsigned long long)b->val.first_ns, (unsigned long long)b->val.last_ns);
		return buf;
	}
	if (x->n != u->n) {
		snprintf(buf, len, "xdp has %zu flows, user space %zu", x->n, u->n);
		return buf;
	}
	return NULL;
}

/* every flow of the kernel's table without removing any (per-CPU copies summed) */
static int fd_kernel_dump(const struct fd_kernel *k, struct fd_flows *out)
{
	size_t stride = (sizeof(struct vigil_flow) + 7) & ~(size_t)7;
	struct vigil_flow_key key, next;
	unsigned char *vals = calloc((size_t)k->ncpu, stride);
	struct vigil_flow sum;
	int have, err = 0;

	if (!vals)
		return -ENOMEM;
	out->n = 0;
	have = !bpf_map_get_next_key(k->flows_fd, NULL, &key);
	while (have && !err) {
		have = !bpf_map_get_next_key(k->flows_fd, &key, &next);
		if (!bpf_map_lookup_elem(k->flows_fd, &key, vals)) {
			xdp_flow_sum(vals, (unsigned int)k->ncpu, stride, &sum);
			err = fd_flow_add(out, &key, &sum);
		}
		key = next;
	}
	free(vals);
	return err;
}

/* zero a per-CPU array map's slot 0 on every CPU */
static int fd_percpu_zero(int fd, size_t value_size, int ncpu)
{
	size_t stride = (value_size + 7) & ~(size_t)7;
	void *zero = calloc((size_t)ncpu, stride);
	__u32 key = 0;
	int err;

	if (!zero)
		return -ENOMEM;
	err = bpf_map_update_elem(fd, &key, zero, BPF_ANY);
	free(zero);
	return err;
}

static int fd_drop(void *ctx, const struct vigil_flow_key *key, const struct vigil_flow *val)
{
	return 0;
}

/* an empty flow table, zero counters and gate: the kernel as a new vigil_user */
static int fd_kernel_reset(struct fd_kernel *k, const struct fd_variant *v)
{
	struct vigil_block_key bk;
	int err = 0;

	if (k->tables[v->kind] < 0)
		err = xdp_flows_table_open_kind(NULL, NULL, FD_FLOW_ENTRIES, v->kind, &k->tables[v->kind], NULL);
	/* installing waits for an RCU grace period: only when the kind changes */
	if (!err && k->flows_fd != k->tables[v->kind]) {
		k->flows_fd = k->tables[v->kind];
		err = xdp_flows_install(k->m, k->flows_fd);
	}
	if (!err && xdp_flows_harvest(k->flows_fd, 0, 0, true, fd_drop, NULL) < 0)
		err = -EIO;
	if (!err)
		err = xdp_cfg_write(k->m->cfg_fd, &v->cfg);
	if (!err && v->block) {
		err = xdp_block_parse(v->block, &bk);
		if (!err)
			err = xdp_block_add(k->m, &bk);
	}
	if (!err)
		err = fd_percpu_zero(k->m->stats_fd, sizeof(struct vigil_stats), k->ncpu);
	if (!err)
		err = fd_percpu_zero(k->gate_fd, sizeof(struct vigil_gate), k->ncpu);
	return err;
}

static bool fd_control;	/* -x */

static struct vigil_user *fd_user_new(const struct fd_variant *v)
{
	struct vigil_user *u = vigil_user_new(FD_FLOW_ENTRIES, v->kind == XDP_FLOW_MAP_SHARED);
	struct vigil_xdp_cfg cfg = v->cfg;
	struct vigil_block_key bk;

	if (!u)
		return NULL;
	if (fd_control)
		cfg.flags |= VIGIL_CFG_F_TUNNEL_INNER;
	vigil_user_set_cfg(u, &cfg);
	if (v->block && (xdp_block_parse(v->block, &bk) || vigil_user_block_add(u, &bk))) {
		vigil_user_free(u);
		return NULL;
	}
	return u;
}

/* the XDP action the kernel returns for a verdict (no AF_XDP socket: the fallback) */
static uint32_t fd_action(int verdict, const struct vigil_xdp_cfg *cfg)
{
	switch (verdict) {
	case VIGIL_VERDICT_XSK:
		return cfg->mode == VIGIL_MODE_INLINE ? XDP_PASS : XDP_DROP;
	case VIGIL_VERDICT_PEER:
	case VIGIL_VERDICT_PASS:
		return XDP_PASS;
	}
	return XDP_DROP;
}

/*
 * Bytes of a frame the kernel's test run puts between data and data_end (the
 * rest goes in fragments the program does not parse): a page less the XDP
 * headroom and the aligned struct skb_shared_info. The user-space build is
 * given the same view, so the two parse the same bytes.
 */
static uint32_t fd_kernel_linear(void)
{
	long page = sysconf(_SC_PAGESIZE);
	uint32_t shinfo = 320;	/* x86-64, MAX_SKB_FRAGS 17, when BTF cannot say */
	struct btf *btf = btf__load_vmlinux_btf();
	int id;

	if (btf) {
		id = btf__find_by_name_kind(btf, "skb_shared_info", BTF_KIND_STRUCT);
		if (id > 0)
			shinfo = btf__type_by_id(btf, (__u32)id)->size;
		btf__free(btf);
	}
	shinfo = (shinfo + 63) & ~63u;	/* SKB_DATA_ALIGN: a cache line */
	return (uint32_t)page - 256 - shinfo;	/* XDP_PACKET_HEADROOM */
}

/* what the two builds did with one frame: 0 the same, else a description in buf */
static int fd_frame(struct fd_kernel *k, struct vigil_user *u, const struct fd_variant *v,
		    const struct replay_frame *f, uint32_t linear, char *buf, size_t len)
{
	uint64_t sk[VIGIL_STAT_MAX], su[VIGIL_STAT_MAX];
	uint32_t view = f->caplen, act = 0;
	uint16_t fk = 0, fu = 0;
	int rk, ru, i;

	rk = xdp_loader_run_frame_wire(k->m->prog_fd, f->data, f->caplen, f->wirelen, f->ts_ns, &act,
				       &fk);
	if (view > linear && !(view > 65535 && !f->wirelen))
		view = linear;
	ru = vigil_user_frame(u, f->data, view, f->wirelen, f->ts_ns, &fu);
	if ((rk < 0 || ru < 0) && rk != (ru < 0 ? ru : 0)) {
		snprintf(buf, len, "xdp run %d, user %d", rk, ru);
		return 1;
	}
	if (rk < 0)
		return 0;
	if (fk != fu || act != fd_action(ru, &v->cfg)) {
		snprintf(buf, len, "xdp action %u flags %#x, user verdict %d flags %#x", act, fk, ru, fu);
		return 1;
	}
	if (xdp_stats_read(k->m->stats_fd, sk)) {
		snprintf(buf, len, "cannot read the xdp counters");
		return 1;
	}
	vigil_user_stats(u, su);
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		if (sk[i] != su[i]) {
			snprintf(buf, len, "counter %s: xdp %llu, user %llu", xdp_stat_name((enum vigil_stat)i),
				 (unsigned long long)sk[i], (unsigned long long)su[i]);
			return 1;
		}
	return 0;
}

/* the two tables after each frame until they first differ: the frame that made them differ */
static long fd_bisect(struct fd_kernel *k, const struct fd_variant *v, const char *path, uint32_t linear)
{
	struct fd_flows x = { 0 }, y = { 0 };
	struct vigil_user *u = fd_user_new(v);
	struct replay *r = NULL;
	struct replay_frame f;
	char err[256], why[512];
	long n = 0, found = -1;

	if (!u || fd_kernel_reset(k, v) || replay_open(path, &r, err, sizeof(err)))
		goto cleanup;
	while (n < FD_FRAMES_MAX && replay_next(r, &f, err, sizeof(err)) == 1) {
		n++;
		fd_frame(k, u, v, &f, linear, why, sizeof(why));
		y.n = 0;
		if (fd_kernel_dump(k, &x) || vigil_user_scan(u, fd_flow_add, &y) < 0)
			break;
		if (fd_flows_diff(&x, &y, why, sizeof(why))) {
			found = n;
			break;
		}
	}
cleanup:
	replay_close(r);
	vigil_user_free(u);
	free(x.v);
	free(y.v);
	return found;
}

/* one capture under one variant: 0 identical (or refused by the reader), 1 a difference (printed) */
static int fd_capture(struct fd_kernel *k, const struct fd_variant *v, const char *path, uint32_t linear,
		      struct fd_totals *t)
{
	struct fd_flows x = { 0 }, y = { 0 };
	struct vigil_user *u = NULL;
	struct replay *r = NULL;
	struct replay_frame f;
	char err[256], why[640] = "", what[512];
	uint64_t last_ts = 0, next_harvest = 0;
	long n = 0, first = 0;
	int rc, hx, hu, ret = 1;

	rc = replay_open(path, &r, err, sizeof(err));
	if (rc == -ENOTSUP || rc == -EINVAL) {
		t->refused++;	/* not a capture, or a link type without IP: the sensor refuses it too */
		return 0;
	}
	if (rc) {
		printf("FAIL %s: %s\n", path, err);
		return 1;
	}
	u = fd_user_new(v);
	if (!u || fd_kernel_reset(k, v)) {
		printf("FAIL %s [%s]: cannot set up the two builds\n", path, v->name);
		goto cleanup;
	}
	while (n < FD_FRAMES_MAX && replay_next(r, &f, err, sizeof(err)) == 1) {
		n++;
		if (f.ts_ns > last_ts)
			last_ts = f.ts_ns;
		if (!first && fd_frame(k, u, v, &f, linear, why, sizeof(why)))
			first = n;
		/* as the sensor harvests: every second of capture time (a short timeout here) */
		if (!first && last_ts >= next_harvest) {
			x.n = y.n = 0;
			hx = xdp_flows_harvest(k->flows_fd, last_ts, FD_TICK_IDLE_NS, false, fd_flow_add, &x);
			hu = vigil_user_harvest(u, last_ts, FD_TICK_IDLE_NS, false, fd_flow_add, &y);
			t->flows += x.n;
			if (hx < 0 || hu < 0 || fd_flows_diff(&x, &y, what, sizeof(what))) {
				snprintf(why, sizeof(why), "harvest at %llu (%d, %d): %s",
					 (unsigned long long)last_ts, hx, hu, hx < 0 || hu < 0 ? "failed" : what);
				first = n;
			}
			next_harvest = last_ts + 1000000000ull;
		}
	}
	x.n = y.n = 0;
	t->frames += (unsigned long long)n;
	/* the flows idle at the end, then all: both harvests must report the same records */
	hx = xdp_flows_harvest(k->flows_fd, last_ts, FD_IDLE_NS, false, fd_flow_add, &x);
	hu = vigil_user_harvest(u, last_ts, FD_IDLE_NS, false, fd_flow_add, &y);
	if (!first && (hx < 0 || hu < 0 || fd_flows_diff(&x, &y, what, sizeof(what)))) {
		snprintf(why, sizeof(why), "idle harvest (%d, %d): %s", hx, hu, hx < 0 || hu < 0 ? "failed" : what);
		first = -1;
	}
	t->flows += x.n;
	x.n = y.n = 0;
	hx = xdp_flows_harvest(k->flows_fd, last_ts, 0, true, fd_flow_add, &x);
	hu = vigil_user_harvest(u, last_ts, 0, true, fd_flow_add, &y);
	if (!first && (hx < 0 || hu < 0 || fd_flows_diff(&x, &y, what, sizeof(what)))) {
		snprintf(why, sizeof(why), "final harvest (%d, %d): %s", hx, hu, hx < 0 || hu < 0 ? "failed" : what);
		first = -1;
	}
	t->flows += x.n;
	if (first < 0)
		first = fd_bisect(k, v, path, linear);
	if (first) {
		printf("FAIL %s [%s]: first differing frame %ld of %ld: %s\n", path, v->name, first, n, why);
		goto cleanup;
	}
	ret = 0;
cleanup:
	replay_close(r);
	vigil_user_free(u);
	free(x.v);
	free(y.v);
	return ret;
}

static int fd_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fd_is_capture(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".pcap")) || (n > 7 && !strcmp(name + n - 7, ".pcapng")) ||
	       (n > 4 && !strcmp(name + n - 4, ".cap"));
}

/* every capture under path (a file, or a folder walked recursively) into names */
static void fd_collect(const char *path, char **names, size_t *n)
{
	struct dirent *de;
	struct stat sb;
	char sub[4096];
	DIR *d;

	if (stat(path, &sb))
		return;
	if (!S_ISDIR(sb.st_mode)) {
		if (*n < FD_FILES_MAX)
			names[(*n)++] = strdup(path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (!stat(sub, &sb) && (S_ISDIR(sb.st_mode) || fd_is_capture(de->d_name)))
			fd_collect(sub, names, n);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	struct fd_kernel k = { .gate_fd = -1, .tables = { -1, -1 }, .flows_fd = -1 };
	struct fd_totals t = { 0 };
	char **names = NULL, *bad = NULL;
	size_t n = 0, i, vi, nv;
	uint32_t linear;
	cpu_set_t one;
	int err, rc = 1;

	if (argc > 1 && !strcmp(argv[1], "-x")) {
		fd_control = true;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: test_flowdiff [-x] vigil.bpf.o DIR|FILE...\n");
		return 2;
	}
	/* one CPU: the kernel's per-CPU copies and gate then match the one user-space copy */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		fprintf(stderr, "flowdiff: cannot pin to one CPU: %s\n", strerror(errno));
	names = calloc(FD_FILES_MAX, sizeof(*names));
	if (!names)
		return 1;
	for (i = 2; i < (size_t)argc; i++)
		fd_collect(argv[i], names, &n);
	qsort(names, n, sizeof(*names), fd_name_cmp);
	if (!n) {
		printf("FAIL no capture under %s\n", argv[2]);
		goto cleanup;
	}
	err = xdp_loader_open(argv[1], &k.l);
	if (err) {
		printf("FAIL load %s: %s\n", argv[1], strerror(-err));
		goto cleanup;
	}
	k.m = xdp_loader_maps(k.l);
	k.ncpu = libbpf_num_possible_cpus();
	err = xdp_loader_prog_map(k.m->prog_fd, "vg_gate", &k.gate_fd);
	if (err || k.ncpu <= 0) {
		printf("FAIL the program's gate map: %s\n", strerror(err ? -err : EINVAL));
		goto cleanup;
	}
	linear = fd_kernel_linear();
	nv = fd_control ? 1 : sizeof(fd_variants) / sizeof(fd_variants[0]);
	printf("flowdiff: %zu captures, %zu configurations; frames longer than %u bytes are parsed in their "
	       "first %u by both (the kernel's test buffer)\n", n, nv, linear, linear);
	bad = calloc(n, 1);
	if (!bad)
		goto cleanup;
	/* a configuration at a time: the flow table is installed once for all captures */
	for (vi = 0; vi < nv; vi++)
		for (i = 0; i < n; i++)
			bad[i] |= (char)fd_capture(&k, &fd_variants[vi], names[i], linear, &t);
	for (i = 0; i < n; i++) {
		t.captures++;
		t.differ += (unsigned long long)bad[i];
	}
	printf("flowdiff: %llu captures (%llu refused by the reader), %llu frames and %llu flow records "
	       "compared per configuration: %llu identical, %llu differ\n", t.captures, t.refused / nv,
	       t.frames / nv, t.flows / nv, t.captures - t.differ, t.differ);
	rc = t.differ ? 1 : 0;
cleanup:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(bad);
	for (i = 0; i < 2; i++)
		if (k.tables[i] >= 0)
			close(k.tables[i]);
	if (k.gate_fd >= 0)
		close(k.gate_fd);
	xdp_loader_free(k.l);
	return rc;
}
