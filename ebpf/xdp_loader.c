// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp_loader.c: everything user space does with the vigil XDP program and its
 * maps, in one place, so the sensor, the replay path and the tests share one
 * implementation of loading, pinning, counters, test runs and flow harvesting.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xdp_loader.h"

_Static_assert(sizeof(struct vigil_flow_key) == 40, "vigil_flow_key layout");
_Static_assert(sizeof(struct vigil_flow) == 80, "vigil_flow layout");
_Static_assert(sizeof(struct vigil_xdp_meta) == 16, "vigil_xdp_meta layout");
_Static_assert(sizeof(struct vigil_xdp_cfg) == 24, "vigil_xdp_cfg layout");
_Static_assert(sizeof(struct vigil_block_key) == 20, "vigil_block_key layout");
_Static_assert(sizeof(struct vigil_block) == 8, "vigil_block layout");
_Static_assert(sizeof(struct vigil_gate) == 8, "vigil_gate layout");
_Static_assert(sizeof(struct vigil_stats) == 8 * VIGIL_STAT_MAX, "vigil_stats layout");

#define HARVEST_BATCH 256u
#define RUN_STACK_BUF 2048u
/* the kernel's internal ENOTSUPP, which batch ops may leak to user space */
#define XDP_LOADER_ENOTSUPP 524

struct xdp_loader {
	struct bpf_object *obj;
	struct xdp_maps maps;
};

static const char *const xdp_stat_names[VIGIL_STAT_MAX] = {
	[VIGIL_STAT_FRAMES] = "frames",
	[VIGIL_STAT_BYTES] = "bytes",
	[VIGIL_STAT_ACCOUNTED] = "accounted",
	[VIGIL_STAT_NON_IP] = "non_ip",
	[VIGIL_STAT_BAD_ETH] = "bad_eth",
	[VIGIL_STAT_BAD_VLAN] = "bad_vlan",
	[VIGIL_STAT_BAD_IP4] = "bad_ip4",
	[VIGIL_STAT_BAD_IP6] = "bad_ip6",
	[VIGIL_STAT_BAD_IP6_EXT] = "bad_ip6_ext",
	[VIGIL_STAT_BAD_L4] = "bad_l4",
	[VIGIL_STAT_NO_FLOW_MAP] = "no_flow_map",
	[VIGIL_STAT_FLOW_NEW] = "flow_new",
	[VIGIL_STAT_FLOW_INSERT_FAIL] = "flow_insert_fail",
	[VIGIL_STAT_FRAGMENT] = "fragment",
	[VIGIL_STAT_HANDOFF] = "handoff",
	[VIGIL_STAT_BLOCKED] = "blocked",
	[VIGIL_STAT_GATED] = "gated",
	[VIGIL_STAT_TUNNEL_INNER] = "tunnel_inner",
	[VIGIL_STAT_BAD_TUNNEL] = "bad_tunnel",
	[VIGIL_STAT_REDIRECT] = "redirect",
};

static size_t xdp_flow_stride(void)
{
	return (sizeof(struct vigil_flow) + 7) & ~(size_t)7;
}

static int xdp_map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	return map ? bpf_map__fd(map) : -1;
}

void xdp_maps_init(struct xdp_maps *m)
{
	m->prog_fd = -1;
	m->cfg_fd = -1;
	m->stats_fd = -1;
	m->flows_outer_fd = -1;
	m->xsks_fd = -1;
	m->flows_fd = -1;
	m->block_fd = -1;
	m->peer_fd = -1;
	m->flows_shared_outer_fd = -1;
}

void xdp_maps_close(struct xdp_maps *m)
{
	int *fds[] = { &m->prog_fd, &m->cfg_fd, &m->stats_fd, &m->flows_outer_fd, &m->xsks_fd,
		       &m->flows_fd, &m->block_fd, &m->peer_fd, &m->flows_shared_outer_fd };
	size_t i;

	if (!m)
		return;
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int xdp_loader_open(const char *obj_path, struct xdp_loader **out)
{
	struct bpf_program *prog;
	struct xdp_loader *l;
	int err;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	xdp_maps_init(&l->maps);
	l->obj = bpf_object__open_file(obj_path, NULL);
	if (!l->obj) {
		err = -errno;
		goto cleanup;
	}
	err = bpf_object__load(l->obj);
	if (err)
		goto cleanup;
	prog = bpf_object__next_program(l->obj, NULL);
	if (!prog) {
		err = -ENOENT;
		goto cleanup;
	}
	l->maps.prog_fd = bpf_program__fd(prog);
	l->maps.cfg_fd = xdp_map_fd(l->obj, "vg_cfg");
	l->maps.stats_fd = xdp_map_fd(l->obj, "vg_stats");
	l->maps.flows_outer_fd = xdp_map_fd(l->obj, "vg_flows_o");
	l->maps.xsks_fd = xdp_map_fd(l->obj, "xsks_map");
	l->maps.block_fd = xdp_map_fd(l->obj, "vg_block");
	l->maps.peer_fd = xdp_map_fd(l->obj, "vg_peer");
	l->maps.flows_shared_outer_fd = xdp_map_fd(l->obj, "vg_flows_s");
	if (l->maps.cfg_fd < 0 || l->maps.stats_fd < 0 || l->maps.flows_outer_fd < 0 ||
	    l->maps.xsks_fd < 0 || l->maps.block_fd < 0 || l->maps.peer_fd < 0 ||
	    l->maps.flows_shared_outer_fd < 0) {
		err = -ESRCH;
		goto cleanup;
	}
	*out = l;
	return 0;
cleanup:
	xdp_loader_free(l);
	return err;
}

struct xdp_maps *xdp_loader_maps(struct xdp_loader *l)
{
	return &l->maps;
}

void xdp_loader_free(struct xdp_loader *l)
{
	if (!l)
		return;
	/* the object owns prog and map fds */
	bpf_object__close(l->obj);
	free(l);
}

int xdp_loader_prog_id(int prog_fd, uint32_t *id)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);
	if (err)
		return err;
	*id = info.id;
	return 0;
}

/* the attached program's id and the mode flag it is attached with */
static int xdp_loader_query(int ifindex, uint32_t *id, uint32_t *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err)
		return err;
	*id = 0;
	*mode = 0;
	if (q.drv_prog_id) {
		*id = q.drv_prog_id;
		*mode = XDP_FLAGS_DRV_MODE;
	} else if (q.skb_prog_id) {
		*id = q.skb_prog_id;
		*mode = XDP_FLAGS_SKB_MODE;
	}
	return 0;
}

/* opens the map called name among the program's maps; -ESRCH if none */
static int xdp_loader_map_by_name(const __u32 *ids, __u32 n, const char *name, int *fd)
{
	struct bpf_map_info info;
	__u32 len, i;
	int mfd;

	for (i = 0; i < n; i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(mfd, &info, &len) && !strcmp(info.name, name)) {
			*fd = mfd;
			return 0;
		}
		close(mfd);
	}
	return -ESRCH;
}

int xdp_loader_prog_map(int prog_fd, const char *name, int *fd)
{
	struct bpf_prog_info info;
	__u32 ids[16], len;
	int err;

	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(prog_fd, &info, &len);
	if (err)
		return err;
	if (info.nr_map_ids > sizeof(ids) / sizeof(ids[0]))
		info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	return xdp_loader_map_by_name(ids, info.nr_map_ids, name, fd);
}

int xdp_loader_from_ifindex(int ifindex, struct xdp_maps *m)
{
	struct bpf_prog_info info;
	__u32 ids[16], len, zero = 0, inner_id;
	uint32_t id, mode;
	int err;

	xdp_maps_init(m);
	err = xdp_loader_query(ifindex, &id, &mode);
	if (err)
		return err;
	if (!id)
		return -ENOENT;
	m->prog_fd = bpf_prog_get_fd_by_id(id);
	if (m->prog_fd < 0) {
		err = -errno;
		goto cleanup;
	}
	memset(&info, 0, sizeof(info));
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	len = sizeof(info);
	err = bpf_obj_get_info_by_fd(m->prog_fd, &info, &len);
	if (err)
		goto cleanup;
	if (info.nr_map_ids > sizeof(ids) / sizeof(ids[0]))
		info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	err = xdp_loader_map_by_name(ids, info.nr_map_ids, "vg_cfg", &m->cfg_fd);
	if (!err)
		err = xdp_loader_map_by_name(ids, info.nr_map_ids, "vg_stats", &m->stats_fd);
	if (!err)
		err = xdp_loader_map_by_name(ids, info.nr_map_ids, "vg_flows_o", &m->flows_outer_fd);
	if (!err)
		err = xdp_loader_map_by_name(ids, info.nr_map_ids, "xsks_map", &m->xsks_fd);
	if (!err)
		err = xdp_loader_map_by_name(ids, info.nr_map_ids, "vg_block", &m->block_fd);
	if (!err)
		err = xdp_loader_map_by_name(ids, info.nr_map_ids, "vg_peer", &m->peer_fd);
	if (err)
		goto cleanup;
	/* optional: a program built before the shared table has no vg_flows_s */
	if (xdp_loader_map_by_name(ids, info.nr_map_ids, "vg_flows_s", &m->flows_shared_outer_fd))
		m->flows_shared_outer_fd = -1;
	/* an outer map of maps returns the inner map's id to user space; the
	 * program uses the per-CPU slot first, so that one wins here too */
	if (!bpf_map_lookup_elem(m->flows_outer_fd, &zero, &inner_id) ||
	    (m->flows_shared_outer_fd >= 0 &&
	     !bpf_map_lookup_elem(m->flows_shared_outer_fd, &zero, &inner_id))) {
		m->flows_fd = bpf_map_get_fd_by_id(inner_id);
		if (m->flows_fd < 0) {
			err = -errno;
			goto cleanup;
		}
	}
	return 0;
cleanup:
	xdp_maps_close(m);
	return err;
}

int xdp_loader_detach(int ifindex, uint32_t expected_id)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t id, mode;
	int fd, err;

	err = xdp_loader_query(ifindex, &id, &mode);
	if (err)
		return err;
	if (!id)
		return 0;
	if (id != expected_id)
		return -EBUSY;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	/* old_prog_fd makes libbpf ask for XDP_FLAGS_REPLACE: the kernel refuses
	 * if someone swapped the program in the meantime */
	opts.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, mode, &opts);
	close(fd);
	return err;
}

static int xdp_pin_paths(const char *pin_dir, const char *ifname, char *dir, char *path)
{
	int n;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE || strchr(ifname, '/') ||
	    !strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return -EINVAL;
	n = snprintf(dir, PATH_MAX, "%s/%s", pin_dir, ifname);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	n = snprintf(path, PATH_MAX, "%s/flows", dir);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	return 0;
}

static int xdp_mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(dir);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		buf[i] = dir[i];
	}
	return 0;
}

static enum bpf_map_type xdp_flow_map_type(enum xdp_flow_map kind)
{
	return kind == XDP_FLOW_MAP_SHARED ? BPF_MAP_TYPE_LRU_HASH : BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

int xdp_flows_table_kind(int flows_fd, enum xdp_flow_map *kind)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int err;

	memset(&info, 0, sizeof(info));
	err = bpf_obj_get_info_by_fd(flows_fd, &info, &len);
	if (err)
		return err;
	if (info.key_size != sizeof(struct vigil_flow_key) ||
	    info.value_size != sizeof(struct vigil_flow))
		return -EINVAL;
	if (info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		*kind = XDP_FLOW_MAP_PERCPU;
	else if (info.type == BPF_MAP_TYPE_LRU_HASH)
		*kind = XDP_FLOW_MAP_SHARED;
	else
		return -EINVAL;
	return 0;
}

int xdp_flows_table_copies(int flows_fd)
{
	enum xdp_flow_map kind;
	int err;

	err = xdp_flows_table_kind(flows_fd, &kind);
	if (err)
		return err;
	return kind == XDP_FLOW_MAP_SHARED ? 1 : libbpf_num_possible_cpus();
}

/* what a pinned table fd is to a request for entries of kind */
static enum xdp_flows_pin xdp_flows_table_match(int fd, uint32_t entries, enum xdp_flow_map kind)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return XDP_FLOWS_REPLACED_SIZE;
	if (info.type != xdp_flow_map_type(kind) &&
	    (info.type == BPF_MAP_TYPE_LRU_HASH || info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH))
		return XDP_FLOWS_REPLACED_KIND;
	if (info.type == xdp_flow_map_type(kind) &&
	    info.key_size == sizeof(struct vigil_flow_key) &&
	    info.value_size == sizeof(struct vigil_flow) && info.map_flags == 0 &&
	    info.max_entries == entries)
		return XDP_FLOWS_REUSED;
	return XDP_FLOWS_REPLACED_SIZE;
}

int xdp_flows_table_open(const char *pin_dir, const char *ifname, uint32_t entries, int *fd)
{
	return xdp_flows_table_open_kind(pin_dir, ifname, entries, XDP_FLOW_MAP_PERCPU, fd, NULL);
}

int xdp_flows_table_open_kind(const char *pin_dir, const char *ifname, uint32_t entries,
			      enum xdp_flow_map kind, int *fd, enum xdp_flows_pin *how)
{
	char dir[PATH_MAX], path[PATH_MAX];
	enum xdp_flows_pin found = XDP_FLOWS_CREATED;
	int mfd = -1, err;

	*fd = -1;
	if (how)
		*how = XDP_FLOWS_CREATED;
	if (!entries || (kind != XDP_FLOW_MAP_PERCPU && kind != XDP_FLOW_MAP_SHARED))
		return -EINVAL;
	if (pin_dir) {
		err = xdp_pin_paths(pin_dir, ifname, dir, path);
		if (err)
			return err;
		mfd = bpf_obj_get(path);
		if (mfd >= 0) {
			found = xdp_flows_table_match(mfd, entries, kind);
			if (found == XDP_FLOWS_REUSED) {
				*fd = mfd;
				if (how)
					*how = found;
				return 0;
			}
			/* a program may still account into the old table until the
			 * caller installs the new one; its flows go with it */
			close(mfd);
			mfd = -1;
			if (unlink(path))
				return -errno;
		} else if (errno != ENOENT) {
			return -errno;
		}
		err = xdp_mkdir_p(dir);
		if (err)
			return err;
	}
	mfd = bpf_map_create(xdp_flow_map_type(kind), "vg_flows", sizeof(struct vigil_flow_key),
			     sizeof(struct vigil_flow), entries, NULL);
	if (mfd < 0)
		return mfd;
	if (pin_dir) {
		err = bpf_obj_pin(mfd, path);
		if (err)
			goto cleanup;
	}
	*fd = mfd;
	if (how)
		*how = found;
	return 0;
cleanup:
	close(mfd);
	return err;
}

int xdp_flows_table_install(int outer_fd, int flows_fd)
{
	__u32 zero = 0;

	return bpf_map_update_elem(outer_fd, &zero, &flows_fd, BPF_ANY);
}

int xdp_flows_install(const struct xdp_maps *m, int flows_fd)
{
	enum xdp_flow_map kind;
	int in_fd, other_fd, err;
	__u32 zero = 0;

	err = xdp_flows_table_kind(flows_fd, &kind);
	if (err)
		return err;
	in_fd = kind == XDP_FLOW_MAP_SHARED ? m->flows_shared_outer_fd : m->flows_outer_fd;
	other_fd = kind == XDP_FLOW_MAP_SHARED ? m->flows_outer_fd : m->flows_shared_outer_fd;
	if (in_fd < 0)
		return -EOPNOTSUPP;
	err = bpf_map_update_elem(in_fd, &zero, &flows_fd, BPF_ANY);
	if (err)
		return err;
	/* the per-CPU slot wins in the program: empty it after the shared one is in */
	if (other_fd < 0)
		return 0;
	err = bpf_map_delete_elem(other_fd, &zero);
	return err == -ENOENT ? 0 : err;
}

int xdp_flows_table_unpin(const char *pin_dir, const char *ifname)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int err;

	err = xdp_pin_paths(pin_dir, ifname, dir, path);
	if (err)
		return err;
	if (unlink(path) && errno != ENOENT)
		return -errno;
	/* directories still holding something else are left in place */
	if (rmdir(dir) && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST)
		return -errno;
	if (rmdir(pin_dir) && errno != ENOENT && errno != ENOTEMPTY && errno != EEXIST &&
	    errno != EBUSY)
		return -errno;
	return 0;
}

int xdp_cfg_write(int cfg_fd, const struct vigil_xdp_cfg *cfg)
{
	__u32 zero = 0;

	return bpf_map_update_elem(cfg_fd, &zero, cfg, BPF_ANY);
}

int xdp_stats_read(int stats_fd, uint64_t out[VIGIL_STAT_MAX])
{
	struct vigil_stats *vals;
	__u32 i, zero = 0;
	int ncpu, c, err;

	ncpu = libbpf_num_possible_cpus();
	if (ncpu < 0)
		return ncpu;
	vals = calloc(ncpu, sizeof(*vals));	/* 8-byte multiple: the per-CPU stride */
	if (!vals)
		return -ENOMEM;
	err = bpf_map_lookup_elem(stats_fd, &zero, vals);
	if (err)
		goto cleanup;
	for (i = 0; i < VIGIL_STAT_MAX; i++) {
		out[i] = 0;
		for (c = 0; c < ncpu; c++)
			out[i] += vals[c].c[i];
	}
cleanup:
	free(vals);
	return err;
}

const char *xdp_stat_name(enum vigil_stat s)
{
	if ((unsigned int)s >= VIGIL_STAT_MAX || !xdp_stat_names[s])
		return "unknown";
	return xdp_stat_names[s];
}

int xdp_loader_run_frame(int prog_fd, const void *frame, uint32_t len, uint64_t ts_ns,
			 uint32_t *retval, uint16_t *meta_flags)
{
	return xdp_loader_run_frame_wire(prog_fd, frame, len, 0, ts_ns, retval, meta_flags);
}

int xdp_loader_run_frame_wire(int prog_fd, const void *frame, uint32_t len, uint32_t wire_len,
			      uint64_t ts_ns, uint32_t *retval, uint16_t *meta_flags)
{
	unsigned char stack_buf[RUN_STACK_BUF + sizeof(struct vigil_xdp_meta)]
		__attribute__((aligned(8)));
	struct vigil_xdp_meta meta = { .ts_ns = ts_ns, .magic = VIGIL_META_MAGIC,
				       .wire_len = wire_len };
	struct xdp_md ctx_in;
	unsigned char *buf = stack_buf;
	uint32_t total;
	int err;

	if (len < XDP_LOADER_FRAME_MIN)
		return -EINVAL;
	if (len > XDP_LOADER_FRAME_MAX && !wire_len)
		return -EMSGSIZE;
	if (len > XDP_LOADER_FRAME_MAX) {
		/* headers are all the program reads: run the head, count the whole */
		len = XDP_LOADER_FRAME_MAX;
	}
	total = sizeof(meta) + len;
	if (len > RUN_STACK_BUF) {
		buf = malloc(total);
		if (!buf)
			return -ENOMEM;
	}
	memcpy(buf, &meta, sizeof(meta));
	memcpy(buf + sizeof(meta), frame, len);

	/* data_meta = 0, data = end of the metadata, data_end = end of the frame */
	memset(&ctx_in, 0, sizeof(ctx_in));
	ctx_in.data = sizeof(meta);
	ctx_in.data_end = total;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = buf, .data_size_in = total,
		    .data_out = buf, .data_size_out = total, .ctx_in = &ctx_in,
		    .ctx_size_in = sizeof(ctx_in), .repeat = 1);
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err) {
		/* the frame did not fit the kernel's test buffer (linear part + frags) */
		if (err == -ENOMEM || err == -E2BIG)
			err = -EMSGSIZE;
		goto cleanup;
	}
	if (retval)
		*retval = opts.retval;
	if (meta_flags) {
		if (opts.data_size_out < sizeof(meta)) {
			err = -EPROTO;
			goto cleanup;
		}
		memcpy(&meta, buf, sizeof(meta));
		*meta_flags = meta.flags;
	}
cleanup:
	if (buf != stack_buf)
		free(buf);
	return err;
}

void xdp_flow_sum(const void *percpu, unsigned int n, size_t stride, struct vigil_flow *out)
{
	const struct vigil_flow *f;
	uint64_t earliest = UINT64_MAX;
	bool seen = false;
	unsigned int c;

	memset(out, 0, sizeof(*out));
	for (c = 0; c < n; c++) {
		f = (const struct vigil_flow *)((const unsigned char *)percpu + c * stride);
		if (f->pkts[0] + f->pkts[1] == 0)
			continue;	/* this CPU never saw the flow */
		out->pkts[0] += f->pkts[0];
		out->pkts[1] += f->pkts[1];
		out->bytes[0] += f->bytes[0];
		out->bytes[1] += f->bytes[1];
		if (f->last_ns > out->last_ns)
			out->last_ns = f->last_ns;
		if (f->min_len && (!out->min_len || f->min_len < out->min_len))
			out->min_len = f->min_len;
		if (f->max_len > out->max_len)
			out->max_len = f->max_len;
		out->syn += f->syn;
		out->fin += f->fin;
		out->rst += f->rst;
		out->handed += f->handed;
		out->tcp_flags[0] |= f->tcp_flags[0];
		out->tcp_flags[1] |= f->tcp_flags[1];
		/* the copy that saw the first frame (a capture's clock may start at 0) */
		if (!seen || f->first_ns < earliest) {
			seen = true;
			earliest = f->first_ns;
			out->first_ns = f->first_ns;
			out->initiator = f->initiator;
			out->vlan_id = f->vlan_id;
		}
	}
}

/*
 * Sums one key's copies (vals, read earlier), and when the flow is due takes it
 * out of the table with one lookup-and-delete, so the record reported is the
 * one removed: frames counted after the earlier read are in it. 1 when harvested.
 */
static int xdp_flows_visit(int flows_fd, const struct vigil_flow_key *key, void *vals,
			   unsigned int ncpu, uint64_t now_ns, uint64_t idle_ns, bool all,
			   xdp_flow_cb cb, void *ctx, int *cb_ret)
{
	struct vigil_flow sum;
	int err;

	xdp_flow_sum(vals, ncpu, xdp_flow_stride(), &sum);
	if (!all && (sum.last_ns > now_ns || now_ns - sum.last_ns <= idle_ns))
		return 0;
	err = bpf_map_lookup_and_delete_elem(flows_fd, key, vals);
	if (err == -EINVAL || err == -EOPNOTSUPP || err == -XDP_LOADER_ENOTSUPP) {
		/* kernels before 5.14: delete, report what was read (the old race) */
		err = bpf_map_delete_elem(flows_fd, key);
	}
	/* gone already (LRU eviction, another harvester): not ours to report */
	if (err)
		return 0;
	xdp_flow_sum(vals, ncpu, xdp_flow_stride(), &sum);
	*cb_ret = cb(ctx, key, &sum);
	return 1;
}

static int xdp_flows_harvest_keys(int flows_fd, void *vals, unsigned int ncpu, uint64_t now_ns,
				  uint64_t idle_ns, bool all, xdp_flow_cb cb, void *ctx)
{
	struct vigil_flow_key key, next;
	int have, err, cb_ret = 0, n = 0;

	have = !bpf_map_get_next_key(flows_fd, NULL, &key);
	while (have) {
		/* the successor first: deleting key would restart the walk */
		have = !bpf_map_get_next_key(flows_fd, &key, &next);
		err = bpf_map_lookup_elem(flows_fd, &key, vals);
		if (!err) {
			n += xdp_flows_visit(flows_fd, &key, vals, ncpu, now_ns, idle_ns, all, cb,
					     ctx, &cb_ret);
			if (cb_ret)
				return cb_ret;
		} else if (err != -ENOENT) {
			return err;
		}
		key = next;
	}
	return n;
}

int xdp_flows_harvest(int flows_fd, uint64_t now_ns, uint64_t idle_timeout_ns, bool all,
		      xdp_flow_cb cb, void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	struct vigil_flow_key *keys = NULL;
	unsigned char *vals = NULL;
	__u64 in_batch[8], out_batch[8];	/* opaque cursor; a u32 bucket for hash maps */
	size_t per_key;
	__u32 count, i;
	int ncpu, err, cb_ret = 0, n = 0;
	bool first = true, last = false;

	/* copies per key: every possible CPU's, or the shared table's one */
	ncpu = xdp_flows_table_copies(flows_fd);
	if (ncpu < 0)
		return ncpu;
	per_key = xdp_flow_stride() * ncpu;
	keys = calloc(HARVEST_BATCH, sizeof(*keys));
	vals = calloc(HARVEST_BATCH, per_key);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!last) {
		count = HARVEST_BATCH;
		err = bpf_map_lookup_batch(flows_fd, first ? NULL : in_batch, out_batch, keys, vals,
					   &count, &bopts);
		if (err == -ENOENT) {
			last = true;	/* the end; count may still hold the final entries */
		} else if (err == -EINVAL || err == -EOPNOTSUPP || err == -XDP_LOADER_ENOTSUPP ||
			   err == -ENOSPC) {
			/* no batch support here: walk the keys one by one (restarting is
			 * safe, the flows harvested so far are already gone) */
			err = xdp_flows_harvest_keys(flows_fd, vals, ncpu, now_ns, idle_timeout_ns,
						     all, cb, ctx);
			if (err >= 0)
				err += n;
			goto cleanup;
		} else if (err) {
			goto cleanup;
		}
		for (i = 0; i < count; i++) {
			n += xdp_flows_visit(flows_fd, &keys[i], vals + i * per_key, ncpu, now_ns,
					     idle_timeout_ns, all, cb, ctx, &cb_ret);
			if (cb_ret) {
				err = cb_ret;
				goto cleanup;
			}
		}
		memcpy(in_batch, out_batch, sizeof(in_batch));
		first = false;
	}
	err = n;
cleanup:
	free(keys);
	free(vals);
	return err;
}

int xdp_peer_set(int peer_fd, int ifindex)
{
	__u32 zero = 0, idx = (__u32)ifindex;

	if (ifindex <= 0)
		return bpf_map_delete_elem(peer_fd, &zero);
	return bpf_map_update_elem(peer_fd, &zero, &idx, BPF_ANY);
}

int xdp_block_parse(const char *text, struct vigil_block_key *key)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *endp;
	struct in_addr a4;
	long len;
	int v6;

	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, strlen(text) + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(key, 0, sizeof(*key));
	v6 = strchr(buf, ':') != NULL;
	if (v6) {
		if (inet_pton(AF_INET6, buf, key->addr) != 1)
			return -EINVAL;
	} else {
		if (inet_pton(AF_INET, buf, &a4) != 1)
			return -EINVAL;
		key->addr[10] = 0xff;
		key->addr[11] = 0xff;
		memcpy(key->addr + 12, &a4, 4);
	}
	len = v6 ? 128 : 32;
	if (slash) {
		errno = 0;
		len = strtol(slash + 1, &endp, 10);
		if (errno || endp == slash + 1 || *endp || len < 0 || len > (v6 ? 128 : 32))
			return -EINVAL;
	}
	key->prefixlen = (__u32)(v6 ? len : 96 + len);
	return 0;
}

int xdp_block_format(const struct vigil_block_key *key, char *buf, size_t len)
{
	static const __u8 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	char a[INET6_ADDRSTRLEN];
	int v4 = key->prefixlen >= 96 && !memcmp(key->addr, mapped, 12), n;

	if (!inet_ntop(v4 ? AF_INET : AF_INET6, v4 ? key->addr + 12 : key->addr, a, sizeof(a)))
		return -EINVAL;
	n = snprintf(buf, len, "%s/%u", a, v4 ? key->prefixlen - 96 : key->prefixlen);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* clears the address bits past prefixlen, so one prefix has one key */
static void xdp_block_canon(struct vigil_block_key *k)
{
	__u32 i, bits = k->prefixlen > 128 ? 128 : k->prefixlen;

	for (i = 0; i < 16; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		k->addr[i] &= (__u8)(0xff00u >> bits);
		bits = 0;
	}
}

/* sets or clears VIGIL_CFG_F_BLOCKLIST in vg_cfg[0] */
static int xdp_block_flag(int cfg_fd, bool on)
{
	struct vigil_xdp_cfg cfg;
	__u32 zero = 0;
	int err;

	err = bpf_map_lookup_elem(cfg_fd, &zero, &cfg);
	if (err)
		return err;
	if (!!(cfg.flags & VIGIL_CFG_F_BLOCKLIST) == on)
		return 0;
	cfg.flags = on ? cfg.flags | VIGIL_CFG_F_BLOCKLIST : cfg.flags & ~VIGIL_CFG_F_BLOCKLIST;
	return bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY);
}

int xdp_block_add(const struct xdp_maps *m, const struct vigil_block_key *key)
{
	struct vigil_block_key k = *key;
	struct vigil_block v = { 0 };
	int err;

	if (k.prefixlen > 128)
		return -EINVAL;
	xdp_block_canon(&k);
	err = bpf_map_update_elem(m->block_fd, &k, &v, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return err;
	return xdp_block_flag(m->cfg_fd, true);
}

int xdp_block_remove(const struct xdp_maps *m, const struct vigil_block_key *key)
{
	struct vigil_block_key k = *key, first;
	int err;

	if (k.prefixlen > 128)
		return -EINVAL;
	xdp_block_canon(&k);
	err = bpf_map_delete_elem(m->block_fd, &k);
	if (err)
		return err;
	if (bpf_map_get_next_key(m->block_fd, NULL, &first) == -ENOENT)
		return xdp_block_flag(m->cfg_fd, false);
	return 0;
}

int xdp_block_sync(const struct xdp_maps *m)
{
	struct vigil_block_key first;

	return xdp_block_flag(m->cfg_fd, bpf_map_get_next_key(m->block_fd, NULL, &first) == 0);
}

int xdp_block_list(int block_fd, struct vigil_block_key *keys, uint64_t *hits, size_t max,
		   size_t *n)
{
	struct vigil_block_key k, next;
	struct vigil_block v;
	int err;

	*n = 0;
	err = bpf_map_get_next_key(block_fd, NULL, &k);
	while (!err) {
		if (*n >= max)
			return -ENOSPC;
		if (bpf_map_lookup_elem(block_fd, &k, &v))
			v.hits = 0;	/* removed meanwhile: listed with no hits */
		keys[*n] = k;
		if (hits)
			hits[*n] = v.hits;
		(*n)++;
		err = bpf_map_get_next_key(block_fd, &k, &next);
		k = next;
	}
	return err == -ENOENT ? 0 : err;
}
