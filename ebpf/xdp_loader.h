/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xdp_loader.h: user-space side of the vigil XDP program. Loads the object
 * (replay, tests) or finds the program the DPDK af_xdp PMD attached (live),
 * manages the flow table (create, pin, install), writes the config, reads the
 * counters, runs single frames through BPF_PROG_TEST_RUN and harvests flows.
 * Every function returns 0 or -errno and logs nothing.
 */
#ifndef VIGIL_XDP_LOADER_H
#define VIGIL_XDP_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vigil_flow.h"

/* default pin directory; the table lives at <pin_dir>/<ifname>/flows */
#define XDP_PIN_DIR_DEFAULT "/sys/fs/bpf/vigil"
/* largest frame xdp_loader_run_frame accepts (the kernel's test_run limit is ~72 KiB) */
#define XDP_LOADER_FRAME_MAX 65535u
#define XDP_LOADER_FRAME_MIN 14u

/* File descriptors of the program and its maps; -1 when absent. */
struct xdp_maps {
	int prog_fd;
	int cfg_fd;		/* vg_cfg */
	int stats_fd;		/* vg_stats */
	int flows_outer_fd;	/* vg_flows_o, the slot of a per-CPU flow table */
	int xsks_fd;		/* xsks_map */
	int flows_fd;		/* the inner flow table, -1 until installed */
	int block_fd;		/* vg_block, the blocklist */
	int peer_fd;		/* vg_peer, inline mode's peer port */
	int flows_shared_outer_fd;	/* vg_flows_s, the slot of a shared flow table;
					 * -1 on a program that predates it */
};

/*
 * The two kinds of flow table (xdp.flow_map). The program accounts into the
 * per-CPU one when vg_flows_o holds a table, else into the shared one.
 */
enum xdp_flow_map {
	XDP_FLOW_MAP_PERCPU = 0,	/* LRU_PERCPU_HASH in vg_flows_o: a copy per CPU, plain adds */
	XDP_FLOW_MAP_SHARED = 1,	/* LRU_HASH in vg_flows_s: one copy, atomic adds,
					 * ~1/ncpu of the value memory */
};

/* What xdp_flows_table_open_kind did with the pin path, for the caller to log. */
enum xdp_flows_pin {
	XDP_FLOWS_CREATED = 0,		/* nothing was pinned (or no pin_dir): a new table */
	XDP_FLOWS_REUSED = 1,		/* the pinned table matched and is reused, flows and all */
	XDP_FLOWS_REPLACED_KIND = 2,	/* the pinned table was of the other kind: replaced */
	XDP_FLOWS_REPLACED_SIZE = 3,	/* same kind, other size or layout: replaced */
};

struct xdp_loader;

/*
 * Open and load (not attach) the object at obj_path. *out owns the object and
 * its fds; flows_fd stays -1 (create one with xdp_flows_table_open). Returns 0,
 * -ENOENT, or the libbpf error.
 */
int xdp_loader_open(const char *obj_path, struct xdp_loader **out);
/* The fds of a loaded object, owned by l (flows_fd is never owned by l). */
struct xdp_maps *xdp_loader_maps(struct xdp_loader *l);
void xdp_loader_free(struct xdp_loader *l);

/*
 * Find the XDP program attached to ifindex (native preferred, then generic)
 * and its maps by name. m gets new fds owned by the caller (xdp_maps_close);
 * flows_fd is the table installed in vg_flows_o, or -1. -ENOENT: nothing
 * attached; -ESRCH: the program lacks one of vigil's maps.
 */
int xdp_loader_from_ifindex(int ifindex, struct xdp_maps *m);
/* Close every fd >= 0 in m and set them to -1. NULL-safe. */
void xdp_maps_close(struct xdp_maps *m);
/* Set every fd in m to -1. */
void xdp_maps_init(struct xdp_maps *m);

/* A new fd (the caller's) of prog_fd's map called name ("vg_gate"); -ESRCH: none. */
int xdp_loader_prog_map(int prog_fd, const char *name, int *fd);

/* BPF program id of prog_fd. */
int xdp_loader_prog_id(int prog_fd, uint32_t *id);

/*
 * Detach the program with id expected_id from ifindex, in whatever mode it is
 * attached. -EBUSY if another program is attached (it is left alone), 0 if
 * nothing is attached.
 */
int xdp_loader_detach(int ifindex, uint32_t expected_id);

/*
 * Flow table. pin_dir NULL: a fresh unpinned table. Otherwise reuse
 * <pin_dir>/<ifname>/flows when its type, sizes and entries match, else
 * replace it with a new one (mkdir -p, pin). *fd is owned by the caller.
 */
int xdp_flows_table_open(const char *pin_dir, const char *ifname, uint32_t entries, int *fd);
/*
 * As xdp_flows_table_open for a table of either kind. A pinned table of the
 * other kind (or size) is unpinned and replaced; *how (may be NULL) says what
 * happened so the caller can log it. The old table's flows are not carried
 * over: they are lost with it.
 */
int xdp_flows_table_open_kind(const char *pin_dir, const char *ifname, uint32_t entries,
			      enum xdp_flow_map kind, int *fd, enum xdp_flows_pin *how);
/* The kind of the flow table flows_fd; -EINVAL when it is not one of vigil's. */
int xdp_flows_table_kind(int flows_fd, enum xdp_flow_map *kind);
/* Values a lookup of flows_fd returns per key: the possible CPUs (per-CPU) or 1. */
int xdp_flows_table_copies(int flows_fd);
/* Put flows_fd in slot 0 of vg_flows_o: the program starts accounting. */
int xdp_flows_table_install(int outer_fd, int flows_fd);
/*
 * Put flows_fd, of either kind, in the slot of its kind (vg_flows_o or
 * vg_flows_s), then empty the other slot, so the program switches tables at
 * one frame's boundary. -EOPNOTSUPP: a shared table and a program without
 * vg_flows_s.
 */
int xdp_flows_install(const struct xdp_maps *m, int flows_fd);
/* Remove <pin_dir>/<ifname>/flows and the (then empty) directories it sits in. */
int xdp_flows_table_unpin(const char *pin_dir, const char *ifname);

int xdp_cfg_write(int cfg_fd, const struct vigil_xdp_cfg *cfg);
/* out[i] = vg_stats[i] summed over the possible CPUs */
int xdp_stats_read(int stats_fd, uint64_t out[VIGIL_STAT_MAX]);
/* snake_case name for metrics and JSON ("flow_new"); "unknown" when out of range */
const char *xdp_stat_name(enum vigil_stat s);

/*
 * Run one frame through the program with a struct vigil_xdp_meta carrying
 * ts_ns in front of it (BPF_PROG_TEST_RUN). *retval gets the XDP action,
 * *meta_flags the VIGIL_META_F_* the program set (either may be NULL).
 * -EINVAL: shorter than XDP_LOADER_FRAME_MIN; -EMSGSIZE: longer than
 * XDP_LOADER_FRAME_MAX or refused by the kernel for its size.
 */
int xdp_loader_run_frame(int prog_fd, const void *frame, uint32_t len, uint64_t ts_ns,
			 uint32_t *retval, uint16_t *meta_flags);

/* As xdp_loader_run_frame, counting the frame as wire_len bytes (replay of a
 * capture whose frames were cut short or converted to Ethernet); 0: len.
 * With wire_len set, a frame longer than XDP_LOADER_FRAME_MAX (BIG TCP, jumbo
 * grams) runs as its first XDP_LOADER_FRAME_MAX bytes instead of -EMSGSIZE. */
int xdp_loader_run_frame_wire(int prog_fd, const void *frame, uint32_t len, uint32_t wire_len,
			      uint64_t ts_ns, uint32_t *retval, uint16_t *meta_flags);

/*
 * Called by xdp_flows_harvest for each flow it removes, with the per-CPU copies
 * summed (a shared table's one copy as is). A non-zero return stops the harvest (that flow is still deleted) and
 * is returned.
 */
typedef int (*xdp_flow_cb)(void *ctx, const struct vigil_flow_key *key,
			   const struct vigil_flow *flow);

/*
 * Remove and report every flow whose last frame is more than idle_timeout_ns
 * before now_ns (same clock as the program: CLOCK_MONOTONIC live, capture time
 * in replay), or every flow when all is true. Each due flow is taken out with
 * one BPF_MAP_LOOKUP_AND_DELETE_ELEM and the values it returns are reported, so
 * frames counted between the scan and the delete are not lost; what remains is
 * a frame whose program run found the entry just before the delete and writes
 * it just after (microseconds; see docs/flows.md). Returns the number of flows
 * harvested or -errno.
 */
int xdp_flows_harvest(int flows_fd, uint64_t now_ns, uint64_t idle_timeout_ns, bool all,
		      xdp_flow_cb cb, void *ctx);

/* Inline mode: redirect to ifindex (slot 0 of vg_peer); ifindex <= 0 clears it.
 * The program uses it only when vg_cfg has VIGIL_CFG_F_PEER. */
int xdp_peer_set(int peer_fd, int ifindex);

/*
 * Blocklist (vg_block, an LPM trie; containment). A frame whose source or
 * destination address falls in a prefix is dropped, in any mode, counted in
 * VIGIL_STAT_BLOCKED and in the prefix's hits, and accounted in no flow.
 * Keys are IPv4-mapped IPv6: an IPv4 /n is prefixlen 96 + n.
 *
 * xdp_block_parse: "192.0.2.0/24", "2001:db8::/32" or a bare address (a host
 * route) into *key; -EINVAL when it is not one.
 * xdp_block_format: the reverse ("192.0.2.0/24"); -ENOSPC when buf is short.
 */
int xdp_block_parse(const char *text, struct vigil_block_key *key);
int xdp_block_format(const struct vigil_block_key *key, char *buf, size_t len);
/*
 * Add a prefix (host bits are cleared; adding one already there is 0, its hits
 * kept) and set VIGIL_CFG_F_BLOCKLIST in vg_cfg so the program looks frames up.
 * Uses m->block_fd and m->cfg_fd.
 */
int xdp_block_add(const struct xdp_maps *m, const struct vigil_block_key *key);
/* Remove a prefix; -ENOENT if it is not there. The last one out clears the flag. */
int xdp_block_remove(const struct xdp_maps *m, const struct vigil_block_key *key);
/* Set the flag from whether vg_block holds anything: call after rewriting vg_cfg. */
int xdp_block_sync(const struct xdp_maps *m);
/*
 * Copy up to max prefixes and their hits (hits may be NULL) into the arrays;
 * *n gets how many. -ENOSPC when there are more than max.
 */
int xdp_block_list(int block_fd, struct vigil_block_key *keys, uint64_t *hits, size_t max,
		   size_t *n);

/* Sum n per-CPU copies (stride bytes apart) of one flow into *out (n = 1: a
 * shared table's value). For the harvest, flow scans and tests. */
void xdp_flow_sum(const void *percpu, unsigned int n, size_t stride, struct vigil_flow *out);

#endif
