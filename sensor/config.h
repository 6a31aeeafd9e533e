/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h: the sensor's configuration as loaded from YAML. Every field is a row
 * of the table in config.c (key, type, default, bounds, where it lands);
 * docs/config.md is generated from that table.
 */
#ifndef VIGIL_SENSOR_CONFIG_H
#define VIGIL_SENSOR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <net/if.h>
#include <stdio.h>
#include <stddef.h>

#define CONFIG_MAX_IFACES 2
#define CONFIG_MAX_CIDRS 32
#define CONFIG_PATH_MAX 256

enum config_mode {
	CONFIG_MODE_TAP = 0,
	CONFIG_MODE_INLINE = 1,
};

enum config_handoff {
	CONFIG_HANDOFF_ALL = 0,
	CONFIG_HANDOFF_NONE = 1,
	CONFIG_HANDOFF_FIRST_N = 2,
	CONFIG_HANDOFF_SAMPLE = 3,
};

/* an IPv4 or IPv6 prefix; IPv4 stored as IPv4-mapped IPv6, prefix counted on the 128 bits */
struct config_cidr {
	uint8_t addr[16];
	uint8_t prefix_len;
};

struct config_flood {
	bool enabled;
	uint32_t window_s;	/* rate measured over windows of this length */
	uint32_t learning_s;	/* per-destination learning period */
	double k;		/* alert above mean + k * stddev ... */
	double floor_pps;	/* ... and above this absolute rate */
	double half_life_s;	/* EWMA half-life of the baseline */
	uint32_t end_after_s;	/* an incident ends after this long back under threshold */
};

struct config {
	char sensor_name[64];
	enum config_mode mode;
	char interfaces[CONFIG_MAX_IFACES][IF_NAMESIZE];
	uint32_t n_interfaces;
	struct config_cidr home_net[CONFIG_MAX_CIDRS];
	uint32_t n_home_net;

	uint32_t dpdk_memory_mb;
	bool dpdk_hugepages;
	uint32_t dpdk_burst;		/* rx burst size */
	uint32_t dpdk_mbufs;		/* mbufs in the pool */

	char xdp_object[CONFIG_PATH_MAX];	/* empty: the built-in default path */
	uint32_t xdp_flow_entries;
	enum config_handoff xdp_handoff;
	uint32_t xdp_handoff_n;
	bool xdp_force;			/* replace a foreign XDP program */
	bool xdp_stay_attached;
	char xdp_pin_dir[CONFIG_PATH_MAX];	/* default /sys/fs/bpf/vigil */

	uint32_t flow_timeout_s;	/* idle time after which a flow is emitted and removed */
	uint32_t flow_harvest_ms;	/* how often the flow table is scanned */

	char collector_endpoint[CONFIG_PATH_MAX];
	uint32_t collector_queue_max;	/* events kept while the collector does not ack */
	uint32_t collector_retry_ms;

	struct config_flood flood;

	char log_level[16];
};

struct config_error {
	char msg[512];	/* "file:line:col: what was expected" */
};

/* Fill cfg with the table's defaults. */
void config_defaults(struct config *cfg);

/*
 * Load path over the defaults already in cfg. Returns 0, or -EINVAL with
 * err->msg naming file:line:col and what was expected (-errno when the file
 * cannot be read). cfg may be partly written on error: callers keep their
 * running copy until this returns 0.
 */
int config_load(struct config *cfg, const char *path, struct config_error *err);

/* Same, from a string (name is used in messages). For tests and fuzzers. */
int config_load_string(struct config *cfg, const char *name, const char *yaml, size_t len,
		       struct config_error *err);

/* Write the table as a Markdown reference (docs/config.md) to fp. */
int config_write_doc(FILE *fp);

/* true if addr (16 bytes, IPv4-mapped for v4) is inside one of the home_net prefixes */
bool config_in_home_net(const struct config *cfg, const uint8_t addr[16]);

#endif
