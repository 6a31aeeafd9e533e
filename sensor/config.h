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
#define CONFIG_MAX_BLOCK 64
#define CONFIG_PATH_MAX 256
#define CONFIG_ENDPOINTS_MAX 8	/* collector.endpoints */

enum config_mode {
	CONFIG_MODE_TAP = 0,
	CONFIG_MODE_INLINE = 1,
};

#define CONFIG_MAX_ALLOW 16
#define CONFIG_PORT_LEN 12
#define CONFIG_MAX_EVE_TYPES 8
#define CONFIG_EVE_TYPE_LEN 16

/* what an incident asks for: alert only, or also block (carried out by the blocker) */
enum config_action {
	CONFIG_ACTION_ALERT = 0,
	CONFIG_ACTION_BLOCK = 1,
};

enum config_handoff {
	CONFIG_HANDOFF_ALL = 0,
	CONFIG_HANDOFF_NONE = 1,
	CONFIG_HANDOFF_FIRST_N = 2,
	CONFIG_HANDOFF_SAMPLE = 3,
};

/* xdp.flow_map: the XDP flow table's kind (values of enum xdp_flow_map) */
enum config_flow_map {
	CONFIG_FLOW_MAP_PERCPU = 0,
	CONFIG_FLOW_MAP_SHARED = 1,
};

/* an IPv4 or IPv6 prefix; IPv4 stored as IPv4-mapped IPv6, prefix counted on the 128 bits */
struct config_cidr {
	uint8_t addr[16];
	uint8_t prefix_len;
};

/* flood's own keys (detectors.flood.*), the extension of its block */
struct config_flood_ext {
	uint32_t window_s;	/* rate measured over windows of this length */
	double floor_bps;	/* bits per second towards one host (0: off); floor is packets per second */
	double floor_reflect_pps;	/* unsolicited amplifier responses per second (0: off) */
	double floor_dhcp_pps;	/* DHCP packets per second network-wide (0: off) */
	double half_life_s;	/* EWMA half-life of the baseline */
	uint32_t end_after_s;	/* an incident ends after this long back under threshold */
};

/* One detector's block: detectors.<name>.{enabled,k,floor,learning_s,allow_cidrs,allow_ports,action} */
struct config_detector {
	bool enabled;
	double k;		/* sensitivity: a multiple of the learned spread (or ratio, per detector) */
	double floor;		/* absolute floor in the detector's unit (docs/detectors.md) */
	uint32_t learning_s;	/* floors alone apply until this much history */
	struct config_cidr allow_cidrs[CONFIG_MAX_ALLOW];	/* traffic from or to these is ignored */
	uint32_t n_allow_cidrs;
	char allow_ports[CONFIG_MAX_ALLOW][CONFIG_PORT_LEN];	/* "22" or "6000-6063" */
	uint32_t n_allow_ports;
	enum config_action action;
	uint32_t evidence_packets;	/* frames saved after the trigger; 0: evidence_post_packets */
	char ports[CONFIG_MAX_ALLOW][CONFIG_PORT_LEN];	/* the detector's own extra service ports, if it has any */
	uint32_t n_ports;
	union {			/* a detector's own keys, beyond the shared ones (config.c names them) */
		struct config_flood_ext flood;
	} ext;
};

/* intel.feeds[]: one threat-intelligence feed file (sensor/intel.h) */
#define CONFIG_MAX_FEEDS 16
#define CONFIG_FEED_NAME_LEN 32

enum config_feed_format {	/* values of enum intel_format */
	CONFIG_FEED_IP = 0,
	CONFIG_FEED_CSV = 1,
	CONFIG_FEED_DOMAIN = 2,
	CONFIG_FEED_STIX = 3,
};

struct config_feed {
	char name[CONFIG_FEED_NAME_LEN];
	char path[CONFIG_PATH_MAX];
	enum config_feed_format format;
	uint32_t severity;		/* 1 high .. 3 low */
	uint32_t confidence;		/* 0..100, unless an indicator states its own (STIX) */
	enum config_action action;
};

struct config {
	char sensor_name[64];
	enum config_mode mode;
	char interfaces[CONFIG_MAX_IFACES][IF_NAMESIZE];
	uint32_t n_interfaces;
	char peer_interface[IF_NAMESIZE];	/* inline: redirect target */
	struct config_cidr home_net[CONFIG_MAX_CIDRS];
	uint32_t n_home_net;

	uint32_t dpdk_memory_mb;
	bool dpdk_hugepages;
	uint32_t dpdk_burst;		/* rx burst size */
	uint32_t dpdk_mbufs;		/* mbufs in the pool */

	char xdp_object[CONFIG_PATH_MAX];	/* empty: the built-in default path */
	uint32_t xdp_flow_entries;
	enum config_flow_map xdp_flow_map;	/* per-CPU or shared flow table */
	enum config_handoff xdp_handoff;
	uint32_t xdp_handoff_n;
	bool xdp_force;			/* replace a foreign XDP program */
	bool xdp_stay_attached;
	char xdp_pin_dir[CONFIG_PATH_MAX];	/* default /sys/fs/bpf/vigil */
	bool xdp_tunnel_inner;		/* key GRE/VXLAN/Geneve by the inner header */
	bool xdp_precise_time;		/* bpf_ktime_get_ns, not the coarse clock */
	uint32_t xdp_new_flow_rate;	/* new-flow gate per CPU per second, 0: none */
	struct config_cidr xdp_blocklist[CONFIG_MAX_BLOCK];	/* dropped in XDP */
	uint32_t n_xdp_blocklist;

	uint32_t flow_timeout_s;	/* idle time after which a flow is emitted and removed */
	uint32_t flow_harvest_ms;	/* how often the flow table is scanned */

	/* dataplane/stats.h: per-flow / pair / host statistics and baselines */
	bool stats_enabled;
	uint32_t stats_hosts, stats_sockets;	/* table capacities */
	uint32_t stats_window_s;	/* host metric window */
	uint32_t stats_learning_s;	/* a host is learned this long before it is scored */
	double stats_half_life_s;	/* baseline half-life */
	bool stats_daily_profile;	/* global rate baseline per hour of day */
	double stats_turnover_s;	/* new entries per table per s <= capacity / this; 0: no gate */

	char collector_endpoint[CONFIG_PATH_MAX];
	char collector_endpoints[CONFIG_ENDPOINTS_MAX][CONFIG_PATH_MAX];	/* a fleet; replaces endpoint */
	uint32_t n_collector_endpoints;
	uint32_t collector_failover_ms;	/* with several endpoints: next one after this long without acks */
	uint32_t collector_queue_max;	/* events kept while the collector does not ack */
	uint32_t collector_retry_ms;
	char collector_spool_dir[CONFIG_PATH_MAX];	/* "": memory only */
	uint32_t collector_spool_max_mb;
	char collector_curve_key[CONFIG_PATH_MAX];	/* this sensor's key pair file; "": no CURVE */
	char collector_server_key[CONFIG_PATH_MAX];	/* the collector's public key file */
	bool collector_plain_tcp;	/* plain ZMTP to a non-loopback collector */
	uint32_t collector_stats_interval_s;	/* a stats event every this many seconds; 0: only at exit */

	struct config_detector flood, synflood, portscan, hostsweep, bruteforce, exfil, beacon, dnstunnel,
		newservice, anomaly, lateral, intel;
	double detect_min_fraction;	/* a learned threshold never drops below floor * this */
	uint32_t detect_connections;	/* conversations followed at once (det_conn.h) */

	bool drop_caps;			/* keep only the capabilities needed after setup */
	uint32_t block_ttl_s;		/* containment: how long an offender stays blocked */
	struct config_cidr never_block[CONFIG_MAX_CIDRS];	/* containment never blocks these */
	uint32_t n_never_block;
	char state_path[CONFIG_PATH_MAX];	/* learned state file; empty: not kept */
	uint32_t state_save_s;		/* how often the state is saved */
	bool evidence_enabled;
	char evidence_dir[CONFIG_PATH_MAX];	/* pcapng files, one per incident */
	uint32_t evidence_ring_mib;	/* pre-trigger ring memory */
	uint32_t evidence_snaplen;	/* bytes kept per frame */
	uint32_t evidence_pre_s;	/* ring history written at the trigger */
	uint32_t evidence_post_packets;	/* frames after the trigger (default per detector) */
	uint32_t evidence_post_s;	/* ... during at most this long */
	uint32_t evidence_budget_mib;	/* all files together */
	uint32_t evidence_max_open;	/* concurrent captures */
	char metrics_listen[64];	/* host:port of the Prometheus endpoint; empty: off */

	/* outputs.eve: one EVE JSON-lines file (sensor/output.h routes events by type) */
	char eve_filename[CONFIG_PATH_MAX];	/* "": off */
	char eve_types[CONFIG_MAX_EVE_TYPES][CONFIG_EVE_TYPE_LEN];
	uint32_t n_eve_types;
	bool eve_append;			/* false: truncated at start */

	char log_level[16];

	struct config_feed intel_feeds[CONFIG_MAX_FEEDS];
	uint32_t n_intel_feeds;
	uint32_t intel_check_s;		/* feed files are checked for changes this often; 0: only on SIGHUP */
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
/* The same reference as man(7) source, for vigil.yaml(5) (docs/man/gen_man.c): the opening, the keys. 0 or -EIO. */
int config_write_man_intro(FILE *fp);
int config_write_man(FILE *fp);

/* true when addr is inside one of the n prefixes (IPv4-mapped, prefix on 128 bits). */
bool config_in_cidrs(const struct config_cidr *c, uint32_t n, const uint8_t addr[16]);

/* true if addr (16 bytes, IPv4-mapped for v4) is inside one of the home_net prefixes */
bool config_in_home_net(const struct config *cfg, const uint8_t addr[16]);

#endif
