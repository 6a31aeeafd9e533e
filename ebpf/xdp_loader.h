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
	int flows_outer_fd;	/* vg_flows_o */
	int xsks_fd;		/* xsks_map */
	int flows_fd;		/* the inner flow table, -1 until installed */
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
/* Put flows_fd in slot 0 of vg_flows_o: the program starts accounting. */
int xdp_flows_table_install(int outer_fd, int flows_fd);
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

/*
 * Called by xdp_flows_harvest for each flow it removes, with the per-CPU copies
 * summed. A non-zero return stops the harvest (that flow is still deleted) and
 * is returned.
 */
typedef int (*xdp_flow_cb)(void *ctx, const struct vigil_flow_key *key,
			   const struct vigil_flow *flow);

/*
 * Remove and report every flow whose last frame is more than idle_timeout_ns
 * before now_ns (same clock as the program: CLOCK_MONOTONIC live, capture time
 * in replay), or every flow when all is true. Frames counted between the read
 * and the delete of a flow are lost. Returns the number of flows harvested or
 * -errno.
 */
int xdp_flows_harvest(int flows_fd, uint64_t now_ns, uint64_t idle_timeout_ns, bool all,
		      xdp_flow_cb cb, void *ctx);

/* Sum n per-CPU copies (stride bytes apart) of one flow into *out. For tests. */
void xdp_flow_sum(const void *percpu, unsigned int n, size_t stride, struct vigil_flow *out);

#endif
