// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c: the sensor's configuration table. Every field of struct config is
 * one row here (key, type, default, bounds, where it lands), so the loader, the
 * defaults and docs/config.md can never disagree with each other.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "cfgtab.h"
#include "config.h"

_Static_assert(sizeof(struct config_cidr) == sizeof(struct cfgtab_cidr), "cidr layout");
_Static_assert(offsetof(struct config_cidr, prefix_len) == offsetof(struct cfgtab_cidr, prefix_len),
	       "cidr layout");
_Static_assert(sizeof(enum config_mode) == sizeof(int), "enum rows store an int");
_Static_assert(sizeof(enum config_handoff) == sizeof(int), "enum rows store an int");

static const char *const config_mode_names[] = { "tap", "inline", NULL };
static const char *const config_handoff_names[] = { "all", "none", "first_n", "sample", NULL };
static const char *const config_level_names[] = { "error", "warn", "info", "debug", NULL };

#define OFF(field) offsetof(struct config, field)
#define SZ(field) sizeof(((struct config *)0)->field)

static const struct cfgtab_row config_rows[] = {
	{ .key = "sensor.name", .type = CFGTAB_STRING, .def = "vigil", .offset = OFF(sensor_name),
	  .size = SZ(sensor_name), .doc = "Name of this sensor, carried in every event" },
	{ .key = "sensor.mode", .type = CFGTAB_ENUM, .def = "tap", .offset = OFF(mode),
	  .enum_names = config_mode_names,
	  .doc = "tap: watch a copy of the traffic; inline: traffic passes through the sensor" },
	{ .key = "sensor.interfaces", .type = CFGTAB_STRING_LIST, .def = "", .offset = OFF(interfaces),
	  .size = IF_NAMESIZE, .count_max = CONFIG_MAX_IFACES, .count_offset = OFF(n_interfaces),
	  .doc = "Network interfaces to watch live (none needed to replay a capture with -r)" },
	{ .key = "sensor.home_net", .type = CFGTAB_CIDR_LIST,
	  .def = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", .offset = OFF(home_net),
	  .count_max = CONFIG_MAX_CIDRS, .count_offset = OFF(n_home_net),
	  .doc = "Prefixes of the protected network (IPv4 or IPv6)" },

	{ .key = "dpdk.memory_mb", .type = CFGTAB_U32, .def = "64", .min = 16, .max = 4096,
	  .offset = OFF(dpdk_memory_mb), .doc = "Memory DPDK reserves at start, in MiB" },
	{ .key = "dpdk.hugepages", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(dpdk_hugepages),
	  .doc = "Back DPDK memory with hugepages (false: plain pages, slower)" },
	{ .key = "dpdk.burst", .type = CFGTAB_U32, .def = "32", .min = 1, .max = 512,
	  .offset = OFF(dpdk_burst), .doc = "Packets taken per receive burst" },
	{ .key = "dpdk.mbufs", .type = CFGTAB_U32, .def = "8191", .min = 1023, .max = 262143,
	  .offset = OFF(dpdk_mbufs), .doc = "Packet buffers in the pool (2^n - 1 is most efficient)" },

	{ .key = "xdp.object", .type = CFGTAB_STRING, .def = "", .offset = OFF(xdp_object),
	  .size = SZ(xdp_object), .doc = "Path of the XDP object file (empty: the built-in one)" },
	{ .key = "xdp.flow_entries", .type = CFGTAB_U32, .def = "65536", .min = 1024, .max = 16777216,
	  .offset = OFF(xdp_flow_entries), .doc = "Capacity of the per-flow BPF maps" },
	{ .key = "xdp.handoff", .type = CFGTAB_ENUM, .def = "all", .offset = OFF(xdp_handoff),
	  .enum_names = config_handoff_names,
	  .doc = "Packets passed on to user space: all, none (flow counters only), the first n of each flow, or a sample" },
	{ .key = "xdp.handoff_n", .type = CFGTAB_U32, .def = "16", .min = 1, .max = 65535,
	  .offset = OFF(xdp_handoff_n), .doc = "n for first_n (packets per flow) and sample (1 in n)" },
	{ .key = "xdp.force", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(xdp_force),
	  .doc = "Replace an XDP program that another tool attached" },
	{ .key = "xdp.stay_attached", .type = CFGTAB_BOOL, .def = "false",
	  .offset = OFF(xdp_stay_attached),
	  .doc = "Leave the XDP program and its pinned maps in place on exit" },
	{ .key = "xdp.pin_dir", .type = CFGTAB_STRING, .def = "/sys/fs/bpf/vigil",
	  .offset = OFF(xdp_pin_dir), .size = SZ(xdp_pin_dir),
	  .doc = "bpffs directory where the maps are pinned" },

	{ .key = "flows.timeout_s", .type = CFGTAB_U32, .def = "60", .min = 1, .max = 86400,
	  .offset = OFF(flow_timeout_s), .doc = "Idle seconds after which a flow is emitted and removed" },
	{ .key = "flows.harvest_ms", .type = CFGTAB_U32, .def = "1000", .min = 100, .max = 60000,
	  .offset = OFF(flow_harvest_ms), .doc = "How often the flow table is scanned, in milliseconds" },

	{ .key = "collector.endpoint", .type = CFGTAB_STRING, .def = "tcp://127.0.0.1:7800",
	  .offset = OFF(collector_endpoint), .size = SZ(collector_endpoint),
	  .doc = "ZeroMQ endpoint of the collector" },
	{ .key = "collector.queue_max", .type = CFGTAB_U32, .def = "100000", .min = 16,
	  .max = 10000000, .offset = OFF(collector_queue_max),
	  .doc = "Events kept while the collector does not acknowledge; the oldest are dropped beyond" },
	{ .key = "collector.retry_ms", .type = CFGTAB_U32, .def = "1000", .min = 50, .max = 60000,
	  .offset = OFF(collector_retry_ms), .doc = "Delay before unacknowledged events are sent again" },

	{ .key = "detectors.flood.enabled", .type = CFGTAB_BOOL, .def = "true",
	  .offset = OFF(flood.enabled), .doc = "Run the per-destination packet-rate detector" },
	{ .key = "detectors.flood.window_s", .type = CFGTAB_U32, .def = "1", .min = 1, .max = 60,
	  .offset = OFF(flood.window_s), .doc = "Rates are measured over windows of this many seconds" },
	{ .key = "detectors.flood.learning_s", .type = CFGTAB_U32, .def = "30", .min = 0,
	  .max = 604800, .offset = OFF(flood.learning_s),
	  .doc = "Seconds a new destination is only learned, never alerted on" },
	{ .key = "detectors.flood.k", .type = CFGTAB_DOUBLE, .def = "6.0", .min = 1, .max = 1000,
	  .offset = OFF(flood.k), .doc = "Alert when the rate exceeds mean + k * stddev ..." },
	{ .key = "detectors.flood.floor_pps", .type = CFGTAB_DOUBLE, .def = "1000", .min = 0,
	  .max = 1e9, .offset = OFF(flood.floor_pps), .doc = "... and this many packets per second" },
	{ .key = "detectors.flood.half_life_s", .type = CFGTAB_DOUBLE, .def = "300", .min = 1,
	  .max = 1e6, .offset = OFF(flood.half_life_s),
	  .doc = "Half-life of the moving baseline, in seconds" },
	{ .key = "detectors.flood.end_after_s", .type = CFGTAB_U32, .def = "5", .min = 1, .max = 3600,
	  .offset = OFF(flood.end_after_s),
	  .doc = "An incident ends after this many seconds back under the threshold" },

	{ .key = "log.level", .type = CFGTAB_STRING, .def = "info", .offset = OFF(log_level),
	  .size = SZ(log_level), .enum_names = config_level_names,
	  .doc = "Most verbose messages logged" },
};

#define CONFIG_NROWS (sizeof(config_rows) / sizeof(config_rows[0]))

void config_defaults(struct config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	/* cannot fail unless the table above is wrong, which tests/config catches */
	cfgtab_defaults(config_rows, CONFIG_NROWS, cfg, err, sizeof(err));
}

/* Load into a copy, so a bad file leaves the caller's running config untouched. */
static int config_load_common(struct config *cfg, const char *path, const char *name,
			      const char *yaml, size_t len, struct config_error *err)
{
	struct config tmp = *cfg;
	char dummy[8];
	char *msg = err ? err->msg : dummy;
	size_t msglen = err ? sizeof(err->msg) : sizeof(dummy);
	int rc;

	if (path)
		rc = cfgtab_load_file(config_rows, CONFIG_NROWS, &tmp, path, msg, msglen);
	else
		rc = cfgtab_load_string(config_rows, CONFIG_NROWS, &tmp, name, yaml, len, msg, msglen);
	if (!rc)
		*cfg = tmp;
	return rc;
}

int config_load(struct config *cfg, const char *path, struct config_error *err)
{
	return config_load_common(cfg, path, NULL, NULL, 0, err);
}

int config_load_string(struct config *cfg, const char *name, const char *yaml, size_t len,
		       struct config_error *err)
{
	return config_load_common(cfg, NULL, name, yaml, len, err);
}

int config_write_doc(FILE *fp)
{
	fprintf(fp, "# vigil-sensor configuration\n\n"
		    "<!-- Generated from the table in sensor/config.c by tests/config/gen_config_doc; "
		    "do not edit. -->\n\n");
	fprintf(fp,
		"The sensor reads one YAML file (`vigil-sensor -c FILE`; the generic profile ships "
		"`boards/generic-x86/sensor.yaml`). Sections are nested mappings, so the key "
		"`detectors.flood.k` is written `detectors: { flood: { k: 6 } }`; a key left out keeps "
		"its default, a list given replaces the whole default list, and an empty file is "
		"valid. Booleans accept true/false, yes/no, on/off; integers are plain decimal "
		"digits; CIDR prefixes are `a.b.c.d/n` or `x:x::x/n` with the host bits clear. "
		"The first problem stops the load and is reported on one line as "
		"`FILE:LINE:COL: what was expected`, e.g. `sensor.yaml:12:5: unknown key 'floor_ppz' "
		"in 'detectors.flood' (did you mean 'floor_pps'?)`; unknown and duplicate keys, "
		"wrong types, out-of-range values and over-long strings or lists are all errors.\n\n");
	return cfgtab_write_doc(config_rows, CONFIG_NROWS, fp, NULL);
}

bool config_in_home_net(const struct config *cfg, const uint8_t addr[16])
{
	uint32_t i, n = cfg->n_home_net < CONFIG_MAX_CIDRS ? cfg->n_home_net : CONFIG_MAX_CIDRS;

	for (i = 0; i < n; i++) {
		const struct config_cidr *c = &cfg->home_net[i];
		unsigned int full = c->prefix_len / 8, rest = c->prefix_len % 8;

		if (c->prefix_len > 128 || memcmp(c->addr, addr, full))
			continue;
		if (rest && ((c->addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)))
			continue;
		return true;
	}
	return false;
}
