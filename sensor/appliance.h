/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * appliance.h: the daemon's housekeeping around the packet loop: SIGHUP
 * reloads, the metrics snapshot, giving up capabilities after setup, learned
 * state kept across restarts, and containment (the XDP blocklist's TTLs).
 * Runs on the poller's thread from its tick, so the pipeline is never shared;
 * only the learned state's disk writes run on a thread of their own.
 */
#ifndef VIGIL_SENSOR_APPLIANCE_H
#define VIGIL_SENSOR_APPLIANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "pipeline.h"
#include "publish.h"

struct appliance;

/*
 * Keep only CAP_NET_ADMIN and CAP_BPF in every thread when cfg->drop_caps.
 * Call after the ports and maps are set up and before the publisher and the
 * metrics threads start (they inherit the reduced set). Logs what it kept.
 * Returns 0, or -errno when the drop failed (the caller stops).
 */
int appliance_drop_caps(const struct config *cfg);

/*
 * Install the SIGHUP handler, start the metrics endpoint when configured,
 * restore the learned state from state.path (a missing, damaged or foreign file
 * is logged and the detectors learn from scratch) and start its writer thread.
 * Call after appliance_drop_caps (the threads inherit the reduced set) and
 * before the first frame.
 * cfg is the running config: a reload rewrites it in place. pub may be NULL;
 * stats_fd and flows_fd may be -1. NULL with errno on failure (logged).
 */
struct appliance *appliance_new(struct config *cfg, const char *config_path, struct pipeline *pl,
				struct publish *pub, int stats_fd, int flows_fd);

/*
 * Containment: incident starts of detectors with `action: block` put their
 * offender into m's blocklist (vg_block) for sensor.block_ttl_s when inline is
 * true (live, sensor.mode inline); otherwise they only alert, logged once.
 * m is borrowed until appliance_free. 0 or -ENOMEM (logged).
 */
struct xdp_maps;
int appliance_contain_start(struct appliance *a, const struct xdp_maps *m, bool inline_live);

/*
 * From the poller's tick: a pending reload, the metrics snapshot once a second,
 * a state snapshot every state.save_s (wall clock) handed to the writer thread
 * (skipped and counted while the previous write is in flight; never waits for
 * the disk) and blocks whose TTL ended at now_ns (the poller's clock, as the
 * incidents') lifted.
 */
void appliance_tick(struct appliance *a, uint64_t now_ns);

/* The receive loop's counters, read by the metrics snapshot on the loop's own thread. */
struct poller_stats;
void appliance_set_poller(struct appliance *a, const struct poller_stats *ps);
/*
 * A replay's flow core (ebpf/vigil_user.h), owned by the loop's thread: its
 * counters by reason and its flow table's fill go into the metrics, as the
 * XDP maps' do live. u may be NULL; borrowed until appliance_free.
 */
struct vigil_user;
void appliance_set_user(struct appliance *a, const struct vigil_user *u);
/* EVE files (sensor/output.h) to reopen on SIGHUP, before the config is reloaded. o may be NULL. */
struct output;
void appliance_set_output(struct appliance *a, struct output *o);

/*
 * Clean shutdown (SIGTERM, end of a capture), after the poller stopped: the
 * write in flight finishes, the writer thread is joined, the final state is
 * written synchronously here; every block made is lifted.
 */
void appliance_stop(struct appliance *a);

void appliance_free(struct appliance *a);

/* The intel feeds' counters (sensor/intel.h), on the packet thread; zeroed when none are configured. */
struct intel_stats;
void appliance_get_intel_stats(struct appliance *a, struct intel_stats *out);

#endif
