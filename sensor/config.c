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
#include "log.h"
#include "config.h"

_Static_assert(sizeof(struct config_cidr) == sizeof(struct cfgtab_cidr), "cidr layout");
_Static_assert(offsetof(struct config_cidr, prefix_len) == offsetof(struct cfgtab_cidr, prefix_len),
	       "cidr layout");
_Static_assert(sizeof(enum config_mode) == sizeof(int), "enum rows store an int");
_Static_assert(sizeof(enum config_handoff) == sizeof(int), "enum rows store an int");
_Static_assert(sizeof(enum config_flow_map) == sizeof(int), "enum rows store an int");
_Static_assert(sizeof(enum config_action) == sizeof(int), "enum rows store an int");
_Static_assert(sizeof(enum config_feed_format) == sizeof(int), "enum rows store an int");

static const char *const config_mode_names[] = { "tap", "inline", NULL };
static const char *const config_handoff_names[] = { "all", "none", "first_n", "sample", NULL };
static const char *const config_flow_map_names[] = { "percpu", "shared", NULL };
static const char *const config_action_names[] = { "alert", "block", NULL };
static const char *const config_feed_format_names[] = { "ip", "csv", "domain", "stix", NULL };
/* outputs.eve.types: the EVE event types (sensor/output.c routes lines by them) */
static const char *const config_eve_type_names[] = { "alert", "incident", "flow", "stats", NULL };

#define OFF(field) offsetof(struct config, field)
#define SZ(field) sizeof(((struct config *)0)->field)

/* allowlists and action, shared by every detector block (f: the struct config member) */
#define CONFIG_DET_ALLOW_ROWS(name, f)								\
	{ .key = "detectors." name ".allow_cidrs", .type = CFGTAB_CIDR_LIST, .def = "",			\
	  .offset = OFF(f.allow_cidrs), .count_max = CONFIG_MAX_ALLOW, .count_offset = OFF(f.n_allow_cidrs), \
	  .doc = "Traffic from or to these prefixes is not looked at by this detector" },		\
	{ .key = "detectors." name ".allow_ports", .type = CFGTAB_STRING_LIST, .def = "",		\
	  .offset = OFF(f.allow_ports), .size = CONFIG_PORT_LEN, .count_max = CONFIG_MAX_ALLOW,	\
	  .count_offset = OFF(f.n_allow_ports),							\
	  .doc = "Destination ports (\"22\" or \"6000-6063\") this detector ignores" },		\
	{ .key = "detectors." name ".action", .type = CFGTAB_ENUM, .def = "alert",			\
	  .offset = OFF(f.action), .enum_names = config_action_names,					\
	  .doc = "alert: report only; block: also ask the blocker to drop the attacker" },		\
	{ .key = "detectors." name ".evidence_packets", .type = CFGTAB_U32, .def = "0", .min = 0,	\
	  .max = 1000000, .offset = OFF(f.evidence_packets),						\
	  .doc = "Frames saved after an incident starts (0: evidence.post_packets)" }

/* one detector block; floor's unit and k's meaning are the detector's (docs/detectors.md) */
#define CONFIG_DET_ROWS(name, f, floor_def, floor_max, floor_doc, k_def, k_doc, learn_def)		\
	{ .key = "detectors." name ".enabled", .type = CFGTAB_BOOL, .def = "true",			\
	  .offset = OFF(f.enabled), .doc = "Run the " name " detector" },				\
	{ .key = "detectors." name ".k", .type = CFGTAB_DOUBLE, .def = k_def, .min = 0.01,		\
	  .max = 1000, .offset = OFF(f.k), .doc = k_doc },						\
	{ .key = "detectors." name ".floor", .type = CFGTAB_DOUBLE, .def = floor_def, .min = 1,	\
	  .max = floor_max, .offset = OFF(f.floor), .doc = floor_doc },				\
	{ .key = "detectors." name ".learning_s", .type = CFGTAB_U32, .def = learn_def, .min = 0,	\
	  .max = 604800, .offset = OFF(f.learning_s),							\
	  .doc = "Seconds of history before a learned baseline may lower the floor" },			\
	CONFIG_DET_ALLOW_ROWS(name, f)

/* sensor.name is part of file names (evidence): no '/', no leading '.', nothing a shell or path would read. */
static int config_check_name(const char *key, const char *value, char *why, size_t whylen)
{
	size_t n = strlen(value);

	for (size_t i = 0; i < n; i++) {
		char c = value[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-') || (i == 0 && c == '.') || n > 63) {
			snprintf(why, whylen, "'%s' must be 1..63 of letters, digits, '.', '_', '-' and not start "
				 "with '.' (it names files), got '%.64s'", key, value);
			return -EINVAL;
		}
	}
	if (!n) {
		snprintf(why, whylen, "'%s' must not be empty", key);
		return -EINVAL;
	}
	return 0;
}

#define FOFF(field) offsetof(struct config_feed, field)

/* a feed's name labels metrics and alerts: sensor.name's rule; "" only as the default (an entry must name it) */
static int config_check_feed_name(const char *key, const char *value, char *why, size_t whylen)
{
	return value[0] ? config_check_name(key, value, why, whylen) : 0;
}

/* one entry of intel.feeds (a list of these mappings) */
static const struct cfgtab_row config_feed_rows[] = {
	{ .key = "intel.feeds.name", .type = CFGTAB_STRING, .def = "", .min = 1, .offset = FOFF(name),
	  .size = CONFIG_FEED_NAME_LEN, .check = config_check_feed_name,
	  .doc = "The feed's name, carried in every alert it causes and in the metrics" },
	{ .key = "intel.feeds.path", .type = CFGTAB_STRING, .def = "", .min = 1, .offset = FOFF(path),
	  .size = CONFIG_PATH_MAX, .doc = "The feed file; re-read when it changes and on SIGHUP" },
	{ .key = "intel.feeds.format", .type = CFGTAB_ENUM, .def = "ip", .offset = FOFF(format),
	  .enum_names = config_feed_format_names,
	  .doc = "ip: an address or prefix a line ('#' and ';' comments); csv: an IP column named by its header "
		 "(ip, dst_ip, ip_address, *_ip) or the first holding addresses; domain: a name a line (a listed name "
		 "matches every name under it; hosts-file lines too); stix: a STIX 2.1 bundle of indicators" },
	{ .key = "intel.feeds.severity", .type = CFGTAB_U32, .def = "1", .min = 1, .max = 3,
	  .offset = FOFF(severity), .doc = "Severity of its alerts (1 high .. 3 low)" },
	{ .key = "intel.feeds.confidence", .type = CFGTAB_U32, .def = "50", .min = 0, .max = 100,
	  .offset = FOFF(confidence),
	  .doc = "Confidence (0..100) its alerts carry, unless an indicator states its own (STIX)" },
	{ .key = "intel.feeds.action", .type = CFGTAB_ENUM, .def = "alert", .offset = FOFF(action),
	  .enum_names = config_action_names,
	  .doc = "alert; block: inline, the listed address (or the server of a listed name) is blocked for "
		 "sensor.block_ttl_s" },
};

static const struct cfgtab_row config_rows[] = {
	{ .key = "sensor.name", .type = CFGTAB_STRING, .def = "vigil", .offset = OFF(sensor_name),
	  .size = SZ(sensor_name), .check = config_check_name,
	  .doc = "Name of this sensor, carried in every event and starting its evidence file names: letters, digits, '.', '_', '-', not starting with '.'" },
	{ .key = "sensor.mode", .type = CFGTAB_ENUM, .def = "tap", .offset = OFF(mode),
	  .enum_names = config_mode_names,
	  .doc = "tap: watch a copy of the traffic; inline: traffic passes through the sensor" },
	{ .key = "sensor.interfaces", .type = CFGTAB_STRING_LIST, .def = "", .offset = OFF(interfaces),
	  .size = IF_NAMESIZE, .count_max = CONFIG_MAX_IFACES, .count_offset = OFF(n_interfaces),
	  .doc = "Network interfaces to watch live (none needed to replay a capture with -r)" },
	{ .key = "sensor.peer_interface", .type = CFGTAB_STRING, .def = "", .offset = OFF(peer_interface),
	  .size = SZ(peer_interface),
	  .doc = "inline: the other port of the bump in the wire (frames are redirected to it); empty: pass up the stack" },
	{ .key = "sensor.home_net", .type = CFGTAB_CIDR_LIST,
	  .def = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16", .offset = OFF(home_net), .min = 1,
	  .count_max = CONFIG_MAX_CIDRS, .count_offset = OFF(n_home_net),
	  .doc = "Prefixes of the protected network (IPv4 or IPv6). Never empty: inside and outside is what "
		 "most detectors judge by (0.0.0.0/0 and ::/0 make everything inside)" },

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
	{ .key = "xdp.flow_map", .type = CFGTAB_ENUM, .def = "percpu", .offset = OFF(xdp_flow_map),
	  .enum_names = config_flow_map_names,
	  .doc = "Flow table kind: percpu (a copy per CPU, no shared writes; ~112 + 80 x ncpu bytes a flow) or shared (one copy for all CPUs, atomic adds; ~184 bytes a flow)" },
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
	{ .key = "xdp.tunnel_inner", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(xdp_tunnel_inner),
	  .doc = "Key GRE, VXLAN, Geneve and IP-in-IP traffic by the inner header, which the detectors then see too (false: by the outer one)" },
	{ .key = "xdp.precise_time", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(xdp_precise_time),
	  .doc = "Flow times to the nanosecond (false: to the scheduler tick, ~25 ns cheaper per frame on some clocks)" },
	{ .key = "xdp.new_flow_rate", .type = CFGTAB_U32, .def = "200000", .min = 0, .max = 100000000,
	  .offset = OFF(xdp_new_flow_rate),
	  .doc = "New flows inserted per second per CPU (bursts of one second's worth); beyond it frames are counted per destination (0: no limit)" },
	{ .key = "xdp.blocklist", .type = CFGTAB_CIDR_LIST, .def = "", .offset = OFF(xdp_blocklist),
	  .count_max = CONFIG_MAX_BLOCK, .count_offset = OFF(n_xdp_blocklist),
	  .doc = "Prefixes whose traffic (source or destination) is dropped in XDP and counted" },

	{ .key = "flows.timeout_s", .type = CFGTAB_U32, .def = "60", .min = 1, .max = 86400,
	  .offset = OFF(flow_timeout_s), .doc = "Idle seconds after which a flow is emitted and removed" },
	{ .key = "flows.harvest_ms", .type = CFGTAB_U32, .def = "1000", .min = 100, .max = 60000,
	  .offset = OFF(flow_harvest_ms), .doc = "How often the flow table is scanned, in milliseconds" },

	{ .key = "stats.enabled", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(stats_enabled),
	  .doc = "Keep per-socket and per-host statistics and score each host's windows (docs/dataplane.md; what anomaly reads)" },
	{ .key = "stats.hosts", .type = CFGTAB_U32, .def = "32768", .min = 64, .max = 16777216,
	  .offset = OFF(stats_hosts), .doc = "Hosts tracked (about 390 bytes each); the entry decaying first is evicted" },
	{ .key = "stats.sockets", .type = CFGTAB_U32, .def = "163840", .min = 64, .max = 16777216,
	  .offset = OFF(stats_sockets), .doc = "Sockets (5-tuples) tracked (72 bytes each); a socket's first packet is a new flow of its source" },
	{ .key = "stats.window_s", .type = CFGTAB_U32, .def = "1", .min = 1, .max = 3600,
	  .offset = OFF(stats_window_s), .doc = "Host rates, new flows and distinct peers are measured per window of this many seconds" },
	{ .key = "stats.learning_s", .type = CFGTAB_U32, .def = "60", .min = 0, .max = 604800,
	  .offset = OFF(stats_learning_s), .doc = "Seconds a new host is only learned, never scored" },
	{ .key = "stats.half_life_s", .type = CFGTAB_DOUBLE, .def = "300", .min = 1, .max = 1e7,
	  .offset = OFF(stats_half_life_s), .doc = "Half-life of the per-host baselines, in seconds" },
	{ .key = "stats.daily_profile", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(stats_daily_profile),
	  .doc = "Learn the sensor-wide packet rate separately for each hour of the day (UTC, packet time)" },
	{ .key = "stats.turnover_s", .type = CFGTAB_DOUBLE, .def = "4", .min = 0, .max = 1e6,
	  .offset = OFF(stats_turnover_s),
	  .doc = "Flood mode: a statistics table takes at most capacity / turnover_s new entries per second "
		 "(packet time); keys over that are counted, not tracked. 0: no limit" },

	{ .key = "collector.endpoint", .type = CFGTAB_STRING, .def = "tcp://127.0.0.1:7800",
	  .offset = OFF(collector_endpoint), .size = SZ(collector_endpoint),
	  .doc = "ZeroMQ endpoint of the collector (one collector; collector.endpoints lists several)" },
	{ .key = "collector.endpoints", .type = CFGTAB_STRING_LIST, .def = "",
	  .offset = OFF(collector_endpoints), .size = SZ(collector_endpoints[0]),
	  .count_max = CONFIG_ENDPOINTS_MAX, .count_offset = OFF(n_collector_endpoints),
	  .doc = "Several collectors (a fleet, docs/fleet.md): events go to one at a time; when it goes away "
		 "the unacknowledged ones are resent to the next. When set, collector.endpoint is not used" },
	{ .key = "collector.failover_ms", .type = CFGTAB_U32, .def = "3000", .min = 100, .max = 600000,
	  .offset = OFF(collector_failover_ms),
	  .doc = "With collector.endpoints: move to the next collector after this long without a connection, "
		 "or connected with events unacknowledged and no acknowledgement" },
	{ .key = "collector.queue_max", .type = CFGTAB_U32, .def = "100000", .min = 16,
	  .max = 10000000, .offset = OFF(collector_queue_max),
	  .doc = "Events kept while the collector does not acknowledge; the oldest are dropped beyond" },
	{ .key = "collector.retry_ms", .type = CFGTAB_U32, .def = "1000", .min = 50, .max = 60000,
	  .offset = OFF(collector_retry_ms), .doc = "Delay before unacknowledged events are sent again" },
	{ .key = "collector.spool_dir", .type = CFGTAB_STRING, .def = "", .offset = OFF(collector_spool_dir),
	  .size = SZ(collector_spool_dir),
	  .doc = "Directory where unacknowledged events survive restarts (e.g. /var/lib/vigil/spool); \"\" = memory only" },
	{ .key = "collector.spool_max_mb", .type = CFGTAB_U32, .def = "256", .min = 1, .max = 1048576,
	  .offset = OFF(collector_spool_max_mb),
	  .doc = "Spool size bound in MiB; beyond it the oldest events are dropped and counted" },
	{ .key = "collector.curve_key", .type = CFGTAB_STRING, .def = "", .offset = OFF(collector_curve_key),
	  .size = SZ(collector_curve_key),
	  .doc = "This sensor's key pair file (vigil-collector keygen): turns CURVE on" },
	{ .key = "collector.server_key", .type = CFGTAB_STRING, .def = "", .offset = OFF(collector_server_key),
	  .size = SZ(collector_server_key), .doc = "The collector's public key file (its NAME.pub)" },
	{ .key = "collector.plain_tcp", .type = CFGTAB_BOOL, .def = "false", .offset = OFF(collector_plain_tcp),
	  .doc = "Removed: must be false. Without keys only a loopback collector is accepted (a demo)" },
	{ .key = "collector.stats_interval_s", .type = CFGTAB_U32, .def = "60", .min = 0, .max = 86400,
	  .offset = OFF(collector_stats_interval_s),
	  .doc = "Emit a stats event every this many seconds (0: only at exit)" },

	{ .key = "detectors.flood.enabled", .type = CFGTAB_BOOL, .def = "true",
	  .offset = OFF(flood.enabled), .doc = "Run the per-destination packet-rate detector" },
	{ .key = "detectors.flood.window_s", .type = CFGTAB_U32, .def = "1", .min = 1, .max = 60,
	  .offset = OFF(flood.ext.flood.window_s), .doc = "Rates are measured over windows of this many seconds" },
	{ .key = "detectors.flood.learning_s", .type = CFGTAB_U32, .def = "30", .min = 0,
	  .max = 604800, .offset = OFF(flood.learning_s),
	  .doc = "Seconds a new destination is only learned, never alerted on" },
	{ .key = "detectors.flood.k", .type = CFGTAB_DOUBLE, .def = "6.0", .min = 1, .max = 1000,
	  .offset = OFF(flood.k), .doc = "Alert when the rate exceeds mean + k * stddev ..." },
	{ .key = "detectors.flood.floor_pps", .type = CFGTAB_DOUBLE, .def = "1000", .min = 0,
	  .max = 1e9, .offset = OFF(flood.floor), .doc = "... and this many packets per second" },
	{ .key = "detectors.flood.floor_bps", .type = CFGTAB_DOUBLE, .def = "1e9", .min = 0,
	  .max = 1e12, .offset = OFF(flood.ext.flood.floor_bps),
	  .doc = "Bits per second towards one host, judged like floor_pps (0: no bit-rate check)" },
	{ .key = "detectors.flood.floor_reflect_pps", .type = CFGTAB_DOUBLE, .def = "100", .min = 0,
	  .max = 1e9, .offset = OFF(flood.ext.flood.floor_reflect_pps),
	  .doc = "Unsolicited responses per second from amplifier ports (DNS, NTP, SSDP, memcached...) "
		 "outside home_net towards one host (0: off)" },
	{ .key = "detectors.flood.floor_dhcp_pps", .type = CFGTAB_DOUBLE, .def = "50", .min = 0,
	  .max = 1e9, .offset = OFF(flood.ext.flood.floor_dhcp_pps),
	  .doc = "DHCP packets per second summed over the whole network (lease starvation; 0: off)" },
	{ .key = "detectors.flood.half_life_s", .type = CFGTAB_DOUBLE, .def = "300", .min = 1,
	  .max = 1e6, .offset = OFF(flood.ext.flood.half_life_s),
	  .doc = "Half-life of the moving baseline, in seconds" },
	{ .key = "detectors.flood.end_after_s", .type = CFGTAB_U32, .def = "5", .min = 1, .max = 3600,
	  .offset = OFF(flood.ext.flood.end_after_s),
	  .doc = "An incident ends after this many seconds back under the threshold" },
	CONFIG_DET_ALLOW_ROWS("flood", flood),
	CONFIG_DET_ROWS("synflood", synflood, "10", 1e9,
			"Half-open SYNs per second towards one host (x5 summed over all hosts; unsolicited SYN-ACKs per 10 s)",
			"6.0", "Alert above the host's learned SYN rate mean + k * stddev (never above the floor)", "30"),
	CONFIG_DET_ROWS("portscan", portscan, "20", 65536,
			"Distinct ports one source probes on one host within 60 s (ICMP: distinct request types, floor / 5)",
			"6.0", "Alert above the source's learned distinct-port count mean + k * stddev", "300"),
	CONFIG_DET_ROWS("hostsweep", hostsweep, "16", 65536,
			"Distinct home_net hosts one source probes on one port (TCP, UDP, ICMP echo, ARP) within 60 s",
			"6.0", "Alert above the source's learned distinct-host count mean + k * stddev", "300"),
	CONFIG_DET_ROWS("bruteforce", bruteforce, "8", 1e6,
			"Logins one source had refused by one service (where the protocol says so: Kerberos, LDAP, SMB, FTP, "
			"mail, databases, HTTP), or short sessions with an opaque one (SSH, RDP, VNC, TLS), within 60 s",
			"6.0", "Unused (the floor is absolute: a learned baseline of failures would teach failure)", "300"),
	{ .key = "detectors.bruteforce.ports", .type = CFGTAB_STRING_LIST, .def = "", .offset = OFF(bruteforce.ports),
	  .size = CONFIG_PORT_LEN, .count_max = CONFIG_MAX_ALLOW, .count_offset = OFF(bruteforce.n_ports),
	  .doc = "More authentication services (\"2222\" or \"8000-8010\") besides those known by port or banner "
		 "(SSH, RDP, VNC and Telnet on any port; 22 23 3389 5900 993 995 465 636 5986 by port)" },
	CONFIG_DET_ROWS("exfil", exfil, "2000000", 1e12,
			"Bytes per second one home_net host sends outside, sustained over 10 s (x50: one long upload to one destination)",
			"8.0", "Unused (the floor is absolute; the learned rate is shown as expected)", "300"),
	CONFIG_DET_ROWS("beacon", beacon, "3", 1000,
			"Contacts from a home_net host to one outside destination and port before any alert (the regularity test decides when)",
			"0.5", "Largest coefficient of variation of the intervals that may count as regular (the chance test still has to pass)", "0"),
	CONFIG_DET_ROWS("dnstunnel", dnstunnel, "10", 1e6,
			"Unique long or high-entropy names (or TXT/NULL queries) under one domain from one host within 60 s",
			"6.0", "Alert when a host's query rate exceeds its learned mean + k * stddev (floor x 5 qps)", "300"),
	CONFIG_DET_ROWS("newservice", newservice, "1", 1e6,
			"Unused: a home_net host's own answer to an outside client on a port it never served is the proof",
			"1.0", "Unused (the learned set is exact)", "600"),
	CONFIG_DET_ROWS("anomaly", anomaly, "50", 1e9,
			"Packets per second a home_net host sends below which its packet rate is never out of character "
			"(the other metrics have their own: 10 kB/s, 5 new flows/s, 10 peers, 10 ports)",
			"10.0", "A metric is out of character at k standard deviations above the host's learned baseline "
			"(and 4 times its own peak); two in one window are an incident", "120"),
	CONFIG_DET_ROWS("lateral", lateral, "1", 1000,
			"Uses of an admin protocol that make an incident (remote execution and DCSync always; RDP, WinRM, "
			"admin shares, DCOM and the remote registry for pairs not seen while learning)",
			"1.0", "Unused", "600"),
	{ .key = "detectors.intel.enabled", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(intel.enabled),
	  .doc = "Run the intel detector: traffic with the addresses and names of intel.feeds" },
	CONFIG_DET_ALLOW_ROWS("intel", intel),
	{ .key = "intel.feeds", .type = CFGTAB_TABLE, .def = "", .offset = OFF(intel_feeds),
	  .size = sizeof(struct config_feed), .count_max = CONFIG_MAX_FEEDS, .count_offset = OFF(n_intel_feeds),
	  .sub = config_feed_rows, .n_sub = sizeof(config_feed_rows) / sizeof(config_feed_rows[0]),
	  .doc = "Threat-intelligence feeds (docs/intel.md), each a mapping of the keys below" },
	{ .key = "intel.check_s", .type = CFGTAB_U32, .def = "10", .min = 0, .max = 86400,
	  .offset = OFF(intel_check_s),
	  .doc = "How often the feed files are checked for changes, in seconds (0: only on SIGHUP)" },
	{ .key = "detectors.min_fraction", .type = CFGTAB_DOUBLE, .def = "0.25", .min = 0.01, .max = 1,
	  .offset = OFF(detect_min_fraction),
	  .doc = "After learning the threshold is min(floor, learned), but never below floor * this" },
	{ .key = "detectors.connections", .type = CFGTAB_U32, .def = "131072", .min = 1024, .max = 16777216,
	  .offset = OFF(detect_connections),
	  .doc = "Conversations the detectors follow at once (who opened, who answered, what was said); "
		 "the least recently seen is reused when full. About 200 bytes each" },

	{ .key = "sensor.drop_caps", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(drop_caps),
	  .doc = "After setup keep only CAP_NET_ADMIN and CAP_BPF (detach, blocklist), in every thread" },
	{ .key = "sensor.block_ttl_s", .type = CFGTAB_U32, .def = "600", .min = 1, .max = 604800,
	  .offset = OFF(block_ttl_s),
	  .doc = "Inline mode: seconds an offender of an `action: block` incident stays in the XDP blocklist" },
	{ .key = "sensor.never_block", .type = CFGTAB_CIDR_LIST, .def = "", .offset = OFF(never_block),
	  .count_max = CONFIG_MAX_CIDRS, .count_offset = OFF(n_never_block),
	  .doc = "Prefixes containment never blocks, whatever a detector asks (gateways, resolvers, the sensor's own)" },
	{ .key = "state.path", .type = CFGTAB_STRING, .def = "", .offset = OFF(state_path),
	  .size = SZ(state_path),
	  .doc = "File where learned baselines are saved and restored across restarts (empty: not kept)" },
	{ .key = "state.save_s", .type = CFGTAB_U32, .def = "300", .min = 1, .max = 86400,
	  .offset = OFF(state_save_s), .doc = "Seconds between periodic saves (also saved at shutdown)" },
	{ .key = "evidence.enabled", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(evidence_enabled),
	  .doc = "Save the packets behind every incident as a pcapng file" },
	{ .key = "evidence.dir", .type = CFGTAB_STRING, .def = "/var/lib/vigil/evidence",
	  .offset = OFF(evidence_dir), .size = SZ(evidence_dir),
	  .doc = "Directory of the evidence files (created if missing)" },
	{ .key = "evidence.ring_mib", .type = CFGTAB_U32, .def = "16", .min = 1, .max = 4096,
	  .offset = OFF(evidence_ring_mib), .doc = "Memory of the pre-trigger ring of recent frames" },
	{ .key = "evidence.snaplen", .type = CFGTAB_U32, .def = "256", .min = 64, .max = 65535,
	  .offset = OFF(evidence_snaplen), .doc = "Bytes kept of each frame (bounds the copy per packet)" },
	{ .key = "evidence.pre_s", .type = CFGTAB_U32, .def = "5", .min = 0, .max = 3600,
	  .offset = OFF(evidence_pre_s), .doc = "Seconds of ring history written before the trigger" },
	{ .key = "evidence.post_packets", .type = CFGTAB_U32, .def = "1000", .min = 1, .max = 1000000,
	  .offset = OFF(evidence_post_packets), .doc = "Frames saved after the trigger (per detector: detectors.*.evidence_packets)" },
	{ .key = "evidence.post_s", .type = CFGTAB_U32, .def = "10", .min = 1, .max = 3600,
	  .offset = OFF(evidence_post_s), .doc = "Seconds after the trigger during which frames are saved" },
	{ .key = "evidence.budget_mib", .type = CFGTAB_U32, .def = "256", .min = 1, .max = 1048576,
	  .offset = OFF(evidence_budget_mib), .doc = "Disk budget of all evidence files; the oldest are deleted first" },
	{ .key = "evidence.max_open", .type = CFGTAB_U32, .def = "8", .min = 1, .max = 256,
	  .offset = OFF(evidence_max_open), .doc = "Incidents captured at once (more are counted, without evidence)" },
	{ .key = "metrics.listen", .type = CFGTAB_STRING, .def = "", .offset = OFF(metrics_listen),
	  .size = SZ(metrics_listen),
	  .doc = "ADDRESS:PORT of the Prometheus text endpoint, e.g. 127.0.0.1:9464 (empty: off)" },

	{ .key = "outputs.eve.filename", .type = CFGTAB_STRING, .def = "", .offset = OFF(eve_filename),
	  .size = SZ(eve_filename),
	  .doc = "EVE JSON-lines file the events of outputs.eve.types are appended to, reopened on SIGHUP "
		 "(logrotate); its directory is created if missing; \"\" = off" },
	{ .key = "outputs.eve.types", .type = CFGTAB_STRING_LIST, .def = "alert,incident,stats",
	  .offset = OFF(eve_types), .size = CONFIG_EVE_TYPE_LEN, .count_max = CONFIG_MAX_EVE_TYPES,
	  .count_offset = OFF(n_eve_types), .enum_names = config_eve_type_names,
	  .doc = "Event types written to outputs.eve.filename (flow: one event per expired flow, many)" },
	{ .key = "outputs.eve.append", .type = CFGTAB_BOOL, .def = "true", .offset = OFF(eve_append),
	  .doc = "Append to an existing file (false: truncate it at start; a reopen always appends)" },

	{ .key = "log.level", .type = CFGTAB_STRING, .def = "info", .offset = OFF(log_level),
	  .size = SZ(log_level), .enum_names = log_level_names,
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

/* The reference's opening, shared by docs/config.md and vigil.yaml(5) (markdown `code` spans). */
static const char config_doc_intro[] =
	"The sensor reads one YAML file (`vigil-sensor -c FILE`; the generic profile ships "
	"`boards/generic-x86/sensor.yaml`). Sections are nested mappings, so the key "
	"`detectors.flood.k` is written `detectors: { flood: { k: 6 } }`; a key left out keeps "
	"its default, a list given replaces the whole default list, and an empty file is "
	"valid. Booleans accept true/false, yes/no, on/off; integers are plain decimal "
	"digits; CIDR prefixes are `a.b.c.d/n` or `x:x::x/n` with the host bits clear. "
	"The first problem stops the load and is reported on one line as "
	"`FILE:LINE:COL: what was expected`, e.g. `sensor.yaml:12:5: unknown key 'floor_ppz' "
	"in 'detectors.flood' (did you mean 'floor_pps'?)`; unknown and duplicate keys, "
	"wrong types, out-of-range values and over-long strings or lists are all errors.\n\n"
	"A top-level `include: FILE` (or a list of files) is loaded first, so a file can "
	"start from a board profile and state only what differs, e.g. "
	"`include: /usr/share/vigil/boards/rpi4/sensor.yaml`; a relative FILE is taken from "
	"the including file's directory. On SIGHUP the sensor reloads the file: keys that "
	"need a restart keep their running values and are named in the log "
	"(docs/appliance.md).";

int config_write_doc(FILE *fp)
{
	fprintf(fp, "# vigil-sensor configuration\n\n"
		    "<!-- Generated from the table in sensor/config.c by tests/config/gen_config_doc; "
		    "do not edit. -->\n\n");
	fprintf(fp, "%s\n\n", config_doc_intro);
	return cfgtab_write_doc(config_rows, CONFIG_NROWS, fp, NULL);
}

int config_write_man_intro(FILE *fp)
{
	const char *p, *q;

	for (p = config_doc_intro; *p; p = *q ? q + 2 : q) {
		char para[2048];

		q = strstr(p, "\n\n");
		if (!q)
			q = p + strlen(p);
		snprintf(para, sizeof(para), "%.*s", (int)(q - p), p);
		fprintf(fp, ".PP\n");
		cfgtab_man_text(fp, para);
		fprintf(fp, "\n");
	}
	return ferror(fp) ? -EIO : 0;
}

int config_write_man(FILE *fp)
{
	return cfgtab_write_man(config_rows, CONFIG_NROWS, fp);
}

bool config_in_cidrs(const struct config_cidr *c, uint32_t n, const uint8_t addr[16])
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		unsigned int full = c[i].prefix_len / 8, rest = c[i].prefix_len % 8;

		if (c[i].prefix_len > 128 || memcmp(c[i].addr, addr, full))
			continue;
		if (rest && ((c[i].addr[full] ^ addr[full]) & (uint8_t)(0xff00u >> rest)))
			continue;
		return true;
	}
	return false;
}

bool config_in_home_net(const struct config *cfg, const uint8_t addr[16])
{
	uint32_t n = cfg->n_home_net < CONFIG_MAX_CIDRS ? cfg->n_home_net : CONFIG_MAX_CIDRS;

	return config_in_cidrs(cfg->home_net, n, addr);
}
