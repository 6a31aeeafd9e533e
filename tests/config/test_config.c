// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_config.c: the YAML config loader against a table of cases, one row per
 * error class and per valid shape, plus the shipped board configs. Expected
 * positions and values are worked out from the YAML text and the spec by hand.
 *
 * usage: test_config BOARD_SENSOR_YAML BOARD_COLLECTOR_YAML
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/collector_config.h"
#include "sensor/config.h"

static int n_pass, n_fail;

static void report(const char *name, const char *failure)
{
	if (failure) {
		printf("FAIL %s: %s\n", name, failure);
		n_fail++;
	} else {
		printf("ok   %s\n", name);
		n_pass++;
	}
}

/* Checkers for valid cases: return NULL when cfg holds what the YAML says. */
typedef const char *(*check_fn)(const struct config *cfg);

static const char *chk_rate_k(const struct config *c)
{
	return c->flood.k == 6.0 && c->flood.floor == 1000 ? NULL : "flood.k != 6";
}

static const char *chk_values(const struct config *c)
{
	if (strcmp(c->sensor_name, "edge_1.b-2") || c->mode != CONFIG_MODE_INLINE)
		return "sensor.name/mode";
	if (c->n_interfaces != 2 || strcmp(c->interfaces[0], "eth1") || strcmp(c->interfaces[1], "lo"))
		return "sensor.interfaces";
	if (c->dpdk_memory_mb != 4096 || c->dpdk_hugepages || c->dpdk_burst != 1 ||
	    c->dpdk_mbufs != 262143)
		return "dpdk.*";
	if (strcmp(c->xdp_object, "/opt/x.o") || c->xdp_flow_entries != 16777216 ||
	    c->xdp_handoff != CONFIG_HANDOFF_FIRST_N || c->xdp_handoff_n != 65535 || !c->xdp_force ||
	    !c->xdp_stay_attached || strcmp(c->xdp_pin_dir, "/sys/fs/bpf/v2"))
		return "xdp.*";
	if (c->flow_timeout_s != 86400 || c->flow_harvest_ms != 100)
		return "flows.*";
	if (strcmp(c->collector_endpoint, "ipc:///tmp/v") || c->collector_queue_max != 16 ||
	    c->collector_retry_ms != 60000)
		return "collector.*";
	if (c->flood.enabled || c->flood.ext.flood.window_s != 60 || c->flood.learning_s != 0 ||
	    c->flood.k != 25.0 || c->flood.floor != 1e9 || c->flood.ext.flood.half_life_s != 0.5e1 ||
	    c->flood.ext.flood.end_after_s != 3600)
		return "detectors.flood.*";
	if (strcmp(c->log_level, "debug"))
		return "log.level";
	return NULL;
}

static const char *chk_bools(const struct config *c)
{
	return c->xdp_force && c->xdp_stay_attached && !c->dpdk_hugepages && !c->flood.enabled
		       ? NULL : "bool spellings";
}

static const char *chk_bools2(const struct config *c)
{
	return !c->xdp_force && !c->xdp_stay_attached && c->dpdk_hugepages && c->flood.enabled
		       ? NULL : "bool spellings";
}

static const char *chk_cidrs(const struct config *c)
{
	static const uint8_t v4[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 1, 0 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t v4host[16] = { [10] = 0xff, [11] = 0xff, 1, 2, 3, 4 };

	if (c->n_home_net != 4)
		return "n_home_net != 4";
	if (memcmp(c->home_net[0].addr, v4, 16) || c->home_net[0].prefix_len != 120)
		return "192.168.1.0/24 not stored as ::ffff:192.168.1.0/120";
	if (memcmp(c->home_net[1].addr, v6, 16) || c->home_net[1].prefix_len != 32)
		return "2001:db8::/32";
	if (memcmp(c->home_net[2].addr, v4host, 16) || c->home_net[2].prefix_len != 128)
		return "bare 1.2.3.4 should be ::ffff:1.2.3.4/128";
	if (c->home_net[3].prefix_len != 96)
		return "0.0.0.0/0 should be prefix 96";
	return NULL;
}

static const char *chk_no_block(const struct config *c)
{
	return c->n_never_block == 0 ? NULL : "an empty list must replace the default";
}

static const char *chk_no_ifaces(const struct config *c)
{
	return c->n_interfaces == 0 && c->n_home_net == 3 ? NULL : "null list should be empty";
}

static const char *chk_name63(const struct config *c)
{
	return strlen(c->sensor_name) == 63 ? NULL : "63-byte name not kept";
}

static const char *chk_empty_string(const struct config *c)
{
	return c->xdp_object[0] == '\0' && !strcmp(c->collector_endpoint, "a: b # c") ? NULL : "strings";
}

static const char *chk_handoff(const struct config *c)
{
	return c->xdp_handoff == CONFIG_HANDOFF_SAMPLE && c->mode == CONFIG_MODE_TAP ? NULL
										       : "enum";
}

static const char *chk_alias(const struct config *c)
{
	return c->flow_timeout_s == 120 && c->flood.ext.flood.end_after_s == 120 ? NULL : "alias value";
}

struct load_case {
	const char *name;
	const char *yaml;
	int rc;
	const char *msg;	/* substring of the error, "t.yaml:LINE:COL: ..." */
	check_fn check;		/* valid cases: what must have landed */
};

#define SENSOR_FULL                                                                          \
	"sensor:\n  name: \"edge_1.b-2\"\n  mode: inline\n  interfaces: [eth1, lo]\n"              \
	"  home_net: [10.0.0.0/8]\n"                                                            \
	"dpdk:\n  memory_mb: 4096\n  hugepages: false\n  burst: 1\n  mbufs: 262143\n"           \
	"xdp:\n  object: /opt/x.o\n  flow_entries: 16777216\n  handoff: first_n\n"              \
	"  handoff_n: 65535\n  force: true\n  stay_attached: true\n  pin_dir: /sys/fs/bpf/v2\n" \
	"flows:\n  timeout_s: 86400\n  harvest_ms: 100\n"                                       \
	"collector:\n  endpoint: ipc:///tmp/v\n  queue_max: 16\n  retry_ms: 60000\n"            \
	"detectors:\n  flood:\n    enabled: no\n    window_s: 60\n    learning_s: 0\n"           \
	"    k: 2.5e1\n    floor_pps: 1000000000\n    half_life_s: 0.5e1\n    end_after_s: 3600\n" \
	"log:\n  level: debug\n"

static const struct load_case cases[] = {
	/* valid documents */
	{ "empty document", "", 0, NULL, NULL },
	/* issue 20: sensor.name names evidence files: no path in it */
	{ "sensor.name with a path", "sensor:\n  name: \"../../x\"\n", -EINVAL,
	  "t.yaml:2:9: 'sensor.name' must be 1..63 of letters, digits, '.', '_', '-' and not start with '.'", NULL },
	{ "sensor.name with a slash", "sensor:\n  name: a/b\n", -EINVAL, "t.yaml:2:9: 'sensor.name' must be", NULL },
	{ "sensor.name empty", "sensor:\n  name: \"\"\n", -EINVAL, "t.yaml:2:9: 'sensor.name' must not be empty", NULL },
	{ "comments only", "# nothing here\n\n", 0, NULL, NULL },
	{ "explicit empty document", "---\n...\n", 0, NULL, NULL },
	{ "empty section", "dpdk:\nlog: {}\n", 0, NULL, NULL },
	{ "flow mappings nest keys", "detectors: { flood: { k: 6 } }", 0, NULL, chk_rate_k },
	{ "every key, boundary values", SENSOR_FULL, 0, NULL, chk_values },
	{ "bool spellings true", "xdp: {force: yes, stay_attached: On}\ndpdk: {hugepages: off}\n"
	  "detectors: {flood: {enabled: FALSE}}\n", 0, NULL, chk_bools },
	{ "bool spellings false", "xdp: {force: no, stay_attached: false}\ndpdk: {hugepages: on}\n"
	  "detectors: {flood: {enabled: True}}\n", 0, NULL, chk_bools2 },
	{ "cidr v4 v6 host any", "sensor:\n  home_net:\n    - 192.168.1.0/24\n    - 2001:db8::/32\n"
	  "    - 1.2.3.4\n    - 0.0.0.0/0\n", 0, NULL, chk_cidrs },
	{ "empty list replaces default", "sensor:\n  never_block: []\n", 0, NULL, chk_no_block },
	{ "null list is empty", "sensor:\n  interfaces:\n", 0, NULL, chk_no_ifaces },
	{ "string of 63 bytes fits", "sensor:\n  name: "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0, NULL, chk_name63 },
	{ "quoted and empty strings", "collector: {endpoint: 'a: b # c'}\nxdp: {object: \"\"}\n", 0, NULL,
	  chk_empty_string },
	{ "enum values", "sensor: {mode: tap}\nxdp: {handoff: sample}\n", 0, NULL, chk_handoff },
	{ "anchor and alias", "flows: {timeout_s: &t 120}\ndetectors: {flood: {end_after_s: *t}}\n",
	  0, NULL, chk_alias },

	/* YAML syntax */
	{ "home_net never empty", "sensor:\n  home_net: []\n", -EINVAL,
	  "t.yaml:2:13: 'sensor.home_net' needs at least 1 entry", NULL },
	{ "home_net never null", "sensor:\n  home_net:\n", -EINVAL,
	  "t.yaml:2:12: 'sensor.home_net' needs at least 1 entry", NULL },
	{ "syntax: tab indent", "dpdk:\n\tmemory_mb: 64\n", -EINVAL,
	  "t.yaml:2:1: found character that cannot start any token", NULL },
	{ "syntax: mapping in scalar", "a: b: c\n", -EINVAL,
	  "t.yaml:1:5: mapping values are not allowed", NULL },
	{ "syntax: unclosed flow list", "sensor: [a, b\n", -EINVAL,
	  "t.yaml:2:1: did not find expected ',' or ']'", NULL },
	{ "syntax: invalid utf-8", "sensor:\n  name: \xff\n", -EINVAL,
	  "t.yaml:2:9: invalid leading UTF-8 octet", NULL },
	{ "two documents", "dpdk: {}\n---\nlog: {}\n", -EINVAL,
	  "t.yaml:3:1: expected a single YAML document", NULL },

	/* unknown keys */
	{ "unknown key, did you mean", "detectors:\n  flood:\n    floor_ppz: 5\n", -EINVAL,
	  "t.yaml:3:5: unknown key 'floor_ppz' in 'detectors.flood' (did you mean 'floor_pps'?)", NULL },
	{ "unknown section, did you mean", "sensr:\n  name: x\n", -EINVAL,
	  "t.yaml:1:1: unknown key 'sensr' at the top level (did you mean 'sensor'?)", NULL },
	{ "unknown key, swapped letters", "dpdk: {brust: 3}\n", -EINVAL,
	  "t.yaml:1:8: unknown key 'brust' in 'dpdk' (did you mean 'burst'?)", NULL },
	{ "unknown key, list valid", "dpdk:\n  zzzzzzzz: 1\n", -EINVAL,
	  "t.yaml:2:3: unknown key 'zzzzzzzz' in 'dpdk' (valid keys: memory_mb, hugepages, burst, mbufs)",
	  NULL },
	{ "flat dotted key rejected", "dpdk.burst: 5\n", -EINVAL,
	  "t.yaml:1:1: unknown key 'dpdk.burst' at the top level", NULL },
	{ "key at wrong level", "rate:\n  k: 5\n", -EINVAL,
	  "t.yaml:1:1: unknown key 'rate' at the top level", NULL },
	{ "non-scalar key", "? [a]\n: 1\n", -EINVAL,
	  "t.yaml:1:3: expected a name as key at the top level, got a list", NULL },

	/* types */
	{ "u32: word", "dpdk:\n  memory_mb: lots\n", -EINVAL,
	  "t.yaml:2:14: expected an unsigned integer for 'dpdk.memory_mb', got 'lots'", NULL },
	{ "u32: minus sign", "dpdk:\n  burst: -5\n", -EINVAL,
	  "t.yaml:2:10: expected an unsigned integer for 'dpdk.burst', got '-5'", NULL },
	{ "u32: plus sign", "dpdk:\n  burst: +5\n", -EINVAL,
	  "t.yaml:2:10: expected an unsigned integer for 'dpdk.burst', got '+5'", NULL },
	{ "u32: fraction", "dpdk:\n  burst: 1.5\n", -EINVAL,
	  "t.yaml:2:10: expected an unsigned integer for 'dpdk.burst', got '1.5'", NULL },
	{ "u32: hex", "dpdk:\n  burst: 0x10\n", -EINVAL,
	  "t.yaml:2:10: expected an unsigned integer for 'dpdk.burst', got '0x10'", NULL },
	{ "u32: quoted", "dpdk:\n  burst: \"32\"\n", -EINVAL,
	  "t.yaml:2:10: expected an unsigned integer for 'dpdk.burst', got the quoted string '32'",
	  NULL },
	{ "u32: nothing", "dpdk:\n  burst:\n", -EINVAL,
	  "t.yaml:2:9: expected an unsigned integer for 'dpdk.burst', got nothing", NULL },
	{ "bool: maybe", "dpdk:\n  hugepages: maybe\n", -EINVAL,
	  "t.yaml:2:14: expected a boolean (true/false, yes/no, on/off) for 'dpdk.hugepages', got 'maybe'",
	  NULL },
	{ "bool: number", "xdp: {force: 1}\n", -EINVAL,
	  "t.yaml:1:14: expected a boolean (true/false, yes/no, on/off) for 'xdp.force', got '1'", NULL },
	{ "double: word", "detectors: {flood: {k: abc}}\n", -EINVAL,
	  "t.yaml:1:24: expected a number for 'detectors.flood.k', got 'abc'", NULL },
	{ "double: nan", "detectors: {flood: {k: nan}}\n", -EINVAL,
	  "t.yaml:1:24: expected a number for 'detectors.flood.k', got 'nan'", NULL },
	{ "double: trailing junk", "detectors: {flood: {k: 6x}}\n", -EINVAL,
	  "t.yaml:1:24: expected a number for 'detectors.flood.k', got '6x'", NULL },
	{ "string: nothing", "sensor:\n  name: ~\n", -EINVAL,
	  "t.yaml:2:9: expected a string for 'sensor.name', got nothing", NULL },
	{ "string: NUL byte", "sensor:\n  name: \"a\\0b\"\n", -EINVAL,
	  "t.yaml:2:9: 'sensor.name' must not contain a NUL byte", NULL },

	/* mapping vs scalar */
	{ "mapping where scalar expected", "dpdk:\n  memory_mb:\n    a: 1\n", -EINVAL,
	  "t.yaml:3:5: expected an unsigned integer for 'dpdk.memory_mb', got a mapping", NULL },
	{ "list where scalar expected", "sensor:\n  name: [a, b]\n", -EINVAL,
	  "t.yaml:2:9: expected a string for 'sensor.name', got a list", NULL },
	{ "scalar where mapping expected", "dpdk: 5\n", -EINVAL,
	  "t.yaml:1:7: expected a mapping for 'dpdk', got a scalar", NULL },
	{ "list where mapping expected", "detectors:\n  - rate\n", -EINVAL,
	  "t.yaml:2:3: expected a mapping for 'detectors', got a list", NULL },
	{ "scalar where list expected", "sensor:\n  interfaces: eth0\n", -EINVAL,
	  "t.yaml:2:15: expected a list of strings for 'sensor.interfaces'", NULL },
	{ "mapping inside a list", "sensor:\n  interfaces:\n    - {a: 1}\n", -EINVAL,
	  "t.yaml:3:7: expected a scalar entry in 'sensor.interfaces', got a mapping", NULL },
	{ "top level not a mapping", "hello\n", -EINVAL,
	  "t.yaml:1:1: expected a mapping of sections at the top level, got a scalar", NULL },

	/* duplicates */
	{ "duplicate key", "dpdk:\n  burst: 8\n  burst: 16\n", -EINVAL,
	  "t.yaml:3:3: duplicate key 'burst' in 'dpdk' (first at line 2)", NULL },
	{ "duplicate section", "dpdk: {}\ndpdk: {}\n", -EINVAL,
	  "t.yaml:2:1: duplicate key 'dpdk' (first at line 1)", NULL },

	/* ranges */
	{ "range: below min", "dpdk:\n  memory_mb: 9\n", -EINVAL,
	  "t.yaml:2:14: 'dpdk.memory_mb' must be between 16 and 4096, got 9", NULL },
	{ "range: above max", "dpdk:\n  burst: 513\n", -EINVAL,
	  "t.yaml:2:10: 'dpdk.burst' must be between 1 and 512, got 513", NULL },
	{ "range: u32 overflow", "xdp:\n  flow_entries: 4294967296\n", -EINVAL,
	  "t.yaml:2:17: 'xdp.flow_entries' must be between 1024 and 16777216, got 4294967296", NULL },
	{ "range: u64 overflow", "dpdk:\n  burst: 99999999999999999999999\n", -EINVAL,
	  "t.yaml:2:10: 'dpdk.burst' must be between 1 and 512, got 99999999999999999999999", NULL },
	{ "range: double below", "detectors: {flood: {k: 0.5}}\n", -EINVAL,
	  "t.yaml:1:24: 'detectors.flood.k' must be between 1 and 1000, got 0.5", NULL },
	{ "range: double negative", "detectors: {flood: {floor_pps: -1}}\n", -EINVAL,
	  "t.yaml:1:32: 'detectors.flood.floor_pps' must be between 0 and 1000000000, got -1", NULL },
	{ "range: double huge", "detectors: {flood: {half_life_s: 1e999}}\n", -EINVAL,
	  "t.yaml:1:34: 'detectors.flood.half_life_s' must be between 1 and 1000000, got 1e999", NULL },

	/* enums */
	{ "enum: unknown mode", "sensor:\n  mode: tapp\n", -EINVAL,
	  "t.yaml:2:9: expected one of tap, inline for 'sensor.mode', got 'tapp'", NULL },
	{ "enum: handoff", "xdp: {handoff: some}\n", -EINVAL,
	  "t.yaml:1:16: expected one of all, none, first_n, sample for 'xdp.handoff', got 'some'", NULL },
	{ "enum string: log level", "log:\n  level: verbose\n", -EINVAL,
	  "t.yaml:2:10: expected one of error, warn, info, debug for 'log.level', got 'verbose'", NULL },

	/* lists and strings too long */
	{ "list too long", "sensor:\n  interfaces: [a, b, c]\n", -EINVAL,
	  "t.yaml:2:22: 'sensor.interfaces' holds at most 2 entries, got 3", NULL },
	{ "list too long, block", "sensor:\n  interfaces:\n    - a\n    - b\n    - c\n    - d\n",
	  -EINVAL, "t.yaml:5:7: 'sensor.interfaces' holds at most 2 entries, got 4", NULL },
	{ "string too long", "sensor:\n  name: "
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", -EINVAL,
	  "t.yaml:2:9: 'sensor.name' must be at most 63 bytes long, got 64", NULL },
	{ "list entry too long", "sensor:\n  interfaces: [abcdefghijklmnop]\n", -EINVAL,
	  "t.yaml:2:16: 'sensor.interfaces' must be at most 15 bytes long, got 16", NULL },
	{ "empty list entry", "sensor:\n  interfaces:\n    -\n", -EINVAL,
	  "t.yaml:3:6: empty entry in 'sensor.interfaces'", NULL },

	/* CIDR */
	{ "cidr: short v4", "sensor:\n  home_net: [10.0.0/8]\n", -EINVAL,
	  "t.yaml:2:14: expected a CIDR prefix (a.b.c.d/n or x:x::x/n) in 'sensor.home_net', got '10.0.0/8'",
	  NULL },
	{ "cidr: v4 prefix 33", "sensor:\n  home_net: [10.0.0.0/33]\n", -EINVAL,
	  "t.yaml:2:14: prefix length of '10.0.0.0/33' in 'sensor.home_net' must be between 0 and 32 for IPv4",
	  NULL },
	{ "cidr: v6 prefix 129", "sensor:\n  home_net: [\"fd00::/129\"]\n", -EINVAL,
	  "t.yaml:2:14: prefix length of 'fd00::/129' in 'sensor.home_net' must be between 0 and 128 for IPv6",
	  NULL },
	{ "cidr: bad v6", "sensor:\n  home_net: [\"2001:db8:::/32\"]\n", -EINVAL,
	  "t.yaml:2:14: expected a CIDR prefix", NULL },
	{ "cidr: junk prefix", "sensor:\n  home_net: [10.0.0.0/8x]\n", -EINVAL,
	  "t.yaml:2:14: expected a CIDR prefix", NULL },
	{ "cidr: empty prefix", "sensor:\n  home_net: [10.0.0.0/]\n", -EINVAL,
	  "t.yaml:2:14: expected a CIDR prefix", NULL },
	{ "cidr: negative prefix", "sensor:\n  home_net: [10.0.0.0/-1]\n", -EINVAL,
	  "t.yaml:2:14: expected a CIDR prefix", NULL },
	{ "cidr: v4 host bits", "sensor:\n  home_net:\n    - 10.0.0.1/8\n", -EINVAL,
	  "t.yaml:3:7: '10.0.0.1/8' in 'sensor.home_net' has host bits set (did you mean '10.0.0.0/8'?)",
	  NULL },
	{ "cidr: v6 host bits", "sensor:\n  home_net: [\"2001:db8::1/32\"]\n", -EINVAL,
	  "t.yaml:2:14: '2001:db8::1/32' in 'sensor.home_net' has host bits set (did you mean '2001:db8::/32'?)",
	  NULL },
};

/* The first field where a and b differ, or NULL. Only the used part of lists counts. */
static const char *config_diff(const struct config *a, const struct config *b)
{
	uint32_t i;

	if (strcmp(a->sensor_name, b->sensor_name))
		return "sensor_name";
	if (a->mode != b->mode)
		return "mode";
	if (a->n_interfaces != b->n_interfaces || a->n_interfaces > CONFIG_MAX_IFACES)
		return "n_interfaces";
	for (i = 0; i < a->n_interfaces; i++)
		if (strcmp(a->interfaces[i], b->interfaces[i]))
			return "interfaces";
	if (a->n_home_net != b->n_home_net || a->n_home_net > CONFIG_MAX_CIDRS)
		return "n_home_net";
	for (i = 0; i < a->n_home_net; i++)
		if (memcmp(a->home_net[i].addr, b->home_net[i].addr, 16) ||
		    a->home_net[i].prefix_len != b->home_net[i].prefix_len)
			return "home_net";
	if (a->dpdk_memory_mb != b->dpdk_memory_mb || a->dpdk_hugepages != b->dpdk_hugepages ||
	    a->dpdk_burst != b->dpdk_burst || a->dpdk_mbufs != b->dpdk_mbufs)
		return "dpdk_*";
	if (strcmp(a->xdp_object, b->xdp_object) || a->xdp_flow_entries != b->xdp_flow_entries ||
	    a->xdp_handoff != b->xdp_handoff || a->xdp_handoff_n != b->xdp_handoff_n ||
	    a->xdp_force != b->xdp_force || a->xdp_stay_attached != b->xdp_stay_attached ||
	    strcmp(a->xdp_pin_dir, b->xdp_pin_dir))
		return "xdp_*";
	if (a->flow_timeout_s != b->flow_timeout_s || a->flow_harvest_ms != b->flow_harvest_ms)
		return "flow_*";
	if (strcmp(a->collector_endpoint, b->collector_endpoint) ||
	    a->collector_queue_max != b->collector_queue_max ||
	    a->collector_retry_ms != b->collector_retry_ms)
		return "collector_*";
	if (a->flood.enabled != b->flood.enabled || a->flood.ext.flood.window_s != b->flood.ext.flood.window_s ||
	    a->flood.learning_s != b->flood.learning_s || a->flood.k != b->flood.k ||
	    a->flood.floor != b->flood.floor || a->flood.ext.flood.half_life_s != b->flood.ext.flood.half_life_s ||
	    a->flood.ext.flood.end_after_s != b->flood.ext.flood.end_after_s)
		return "flood.*";
	if (strcmp(a->log_level, b->log_level))
		return "log_level";
	return NULL;
}

/* The error must be exactly one line: "t.yaml:LINE:COL: ...". */
static const char *check_msg_shape(const char *msg)
{
	unsigned int line, col;
	int n = 0;

	if (strchr(msg, '\n'))
		return "message spans several lines";
	if (sscanf(msg, "t.yaml:%u:%u: %n", &line, &col, &n) != 2 || !n || !line || !col)
		return "message does not start with t.yaml:LINE:COL:";
	return NULL;
}

static void run_case(const struct load_case *tc)
{
	struct config cfg, before;
	struct config_error err = { .msg = "" };
	static char why[1024];
	const char *bad = NULL;
	int rc;

	config_defaults(&cfg);
	before = cfg;
	rc = config_load_string(&cfg, "t.yaml", tc->yaml, strlen(tc->yaml), &err);
	if (rc != tc->rc) {
		snprintf(why, sizeof(why), "rc %d, want %d (msg: %s)", rc, tc->rc, err.msg);
		bad = why;
	} else if (tc->rc) {
		bad = check_msg_shape(err.msg);
		if (!bad && !strstr(err.msg, tc->msg)) {
			snprintf(why, sizeof(why), "message '%s' lacks '%s'", err.msg, tc->msg);
			bad = why;
		}
		if (!bad && memcmp(&cfg, &before, sizeof(cfg)))
			bad = "a failed load changed the caller's config";
	} else if (tc->check) {
		bad = tc->check(&cfg);
	}
	report(tc->name, bad);
}

/* Defaults as the spec states them, written out independently of the table. */
static void test_defaults(void)
{
	static const uint8_t p10[16] = { [10] = 0xff, [11] = 0xff, 10 };
	static const uint8_t p172[16] = { [10] = 0xff, [11] = 0xff, 172, 16 };
	static const uint8_t p192[16] = { [10] = 0xff, [11] = 0xff, 192, 168 };
	struct config c, loaded;
	struct config_error err;
	const char *bad = NULL;
	int rc;

	memset(&c, 0x5a, sizeof(c));
	config_defaults(&c);
	if (strcmp(c.sensor_name, "vigil") || c.mode != CONFIG_MODE_TAP || c.n_interfaces != 0)
		bad = "sensor.*";
	else if (c.n_home_net != 3 || memcmp(c.home_net[0].addr, p10, 16) ||
		 c.home_net[0].prefix_len != 104 || memcmp(c.home_net[1].addr, p172, 16) ||
		 c.home_net[1].prefix_len != 108 || memcmp(c.home_net[2].addr, p192, 16) ||
		 c.home_net[2].prefix_len != 112)
		bad = "sensor.home_net";
	else if (c.dpdk_memory_mb != 64 || !c.dpdk_hugepages || c.dpdk_burst != 32 ||
		 c.dpdk_mbufs != 8191)
		bad = "dpdk.*";
	else if (c.xdp_object[0] || c.xdp_flow_entries != 65536 ||
		 c.xdp_handoff != CONFIG_HANDOFF_ALL || c.xdp_handoff_n != 16 || c.xdp_force ||
		 c.xdp_stay_attached || strcmp(c.xdp_pin_dir, "/sys/fs/bpf/vigil"))
		bad = "xdp.*";
	else if (c.flow_timeout_s != 60 || c.flow_harvest_ms != 1000)
		bad = "flows.*";
	else if (strcmp(c.collector_endpoint, "tcp://127.0.0.1:7800") ||
		 c.collector_queue_max != 100000 || c.collector_retry_ms != 1000)
		bad = "collector.*";
	else if (!c.flood.enabled || c.flood.ext.flood.window_s != 1 || c.flood.learning_s != 30 ||
		 c.flood.k != 6.0 || c.flood.floor != 1000 || c.flood.ext.flood.half_life_s != 300 ||
		 c.flood.ext.flood.end_after_s != 5)
		bad = "detectors.flood.*";
	else if (strcmp(c.log_level, "info"))
		bad = "log.level";
	report("defaults match the spec", bad);

	/* an empty file over the defaults changes nothing */
	loaded = c;
	rc = config_load_string(&loaded, "t.yaml", "", 0, &err);
	report("empty string loads as defaults",
	       rc ? "load failed" : memcmp(&loaded, &c, sizeof(c)) ? "config changed" : NULL);
}

static void test_files(const char *board)
{
	char path[] = "/tmp/vigil-cfg-XXXXXX";
	struct config def, a, b;
	struct config_error err;
	const char *bad;
	int fd, rc;

	config_defaults(&def);

	fd = mkstemp(path);
	if (fd < 0) {
		report("empty file is valid", "mkstemp failed");
	} else {
		close(fd);
		a = def;
		rc = config_load(&a, path, &err);
		report("empty file is valid", rc ? err.msg : config_diff(&a, &def));
		unlink(path);
	}

	rc = config_load(&a, "/nonexistent/vigil.yaml", &err);
	report("missing file is -ENOENT",
	       rc != -ENOENT ? "wrong rc" : strstr(err.msg, "/nonexistent/vigil.yaml") ? NULL
										 : "path not named");

	/* the board file must load and spell out every key: two different garbage
	 * fills end up identical only if every field was written */
	memset(&a, 0x11, sizeof(a));
	memset(&b, 0xee, sizeof(b));
	rc = config_load(&a, board, &err);
	if (!rc)
		rc = config_load(&b, board, &err);
	bad = rc ? err.msg : config_diff(&a, &b);
	report("board sensor.yaml loads and sets every key", bad);
	if (!rc)
		report("board sensor.yaml shows the defaults", config_diff(&a, &def));
}

static void test_home_net(void)
{
	static const struct {
		const char *addr;
		bool in;
	} rows[] = {
		{ "10.1.2.3", true },	  { "11.0.0.1", false },   { "172.31.255.255", true },
		{ "172.32.0.0", false },  { "192.168.0.1", true }, { "192.169.0.1", false },
		{ "2001:db8::1", true },  { "2001:db9::1", false }, { "::a01:203", false },
		{ "fd12:3456::1", true }, { "8.8.8.8", false },
	};
	const char *yaml = "sensor:\n  home_net: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,"
			   " \"2001:db8::/32\", \"fd00::/8\"]\n";
	struct config cfg;
	struct config_error err;
	char name[96];
	size_t i;
	uint8_t a[16];

	config_defaults(&cfg);
	if (config_load_string(&cfg, "t.yaml", yaml, strlen(yaml), &err)) {
		report("in_home_net setup", err.msg);
		return;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(a, 0, sizeof(a));
		if (strchr(rows[i].addr, ':')) {
			inet_pton(AF_INET6, rows[i].addr, a);
		} else {
			a[10] = a[11] = 0xff;
			inet_pton(AF_INET, rows[i].addr, a + 12);
		}
		snprintf(name, sizeof(name), "in_home_net(%s) == %s", rows[i].addr,
			 rows[i].in ? "true" : "false");
		report(name, config_in_home_net(&cfg, a) == rows[i].in ? NULL : "wrong answer");
	}
}

static int write_tmp(char *path, const char *text)
{
	FILE *fp;
	int fd = mkstemp(path);

	if (fd < 0)
		return -errno;
	fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		return -EIO;
	}
	fputs(text, fp);
	return fclose(fp) ? -EIO : 0;
}

static void test_collector(const char *board)
{
	static const struct {
		const char *name, *yaml, *msg;
	} rows[] = {
		{ "collector: valid", "collector:\n  listen: tcp://0.0.0.0:9000\nlog: {level: warn}\n",
		  NULL },
		{ "collector: did you mean", "collector:\n  listn: x\n",
		  ":2:3: unknown key 'listn' in 'collector' (did you mean 'listen'?)" },
		{ "collector: sensor key rejected", "dpdk: {burst: 3}\n",
		  ":1:1: unknown key 'dpdk' at the top level" },
		{ "collector: bad level", "log: {level: loud}\n",
		  ":1:14: expected one of error, warn, info, debug for 'log.level', got 'loud'" },
	};
	struct collector_config def, a, b;
	struct collector_config_error err;
	char path[32];
	size_t i;
	int rc;

	memset(&def, 0x33, sizeof(def));
	collector_config_defaults(&def);
	report("collector: defaults match the spec",
	       strcmp(def.listen, "tcp://127.0.0.1:7800") || strcmp(def.events_jsonl,
	       "/var/lib/vigil/collector/events.jsonl") || strcmp(def.log_level, "info") ? "wrong default" : NULL);

	memset(&a, 0x11, sizeof(a));
	memset(&b, 0xee, sizeof(b));
	rc = collector_config_load(&a, board, &err);
	if (!rc)
		rc = collector_config_load(&b, board, &err);
	report("collector: board collector.yaml loads, sets every key, shows the defaults",
	       rc ? err.msg : strcmp(a.listen, b.listen) || strcmp(a.events_jsonl, b.events_jsonl) ||
	       strcmp(a.log_level, b.log_level) || strcmp(a.listen, def.listen) ||
	       strcmp(a.events_jsonl, def.events_jsonl) || strcmp(a.log_level, def.log_level)
	       ? "not every key set to its default" : NULL);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *bad = NULL;

		strcpy(path, "/tmp/vigil-ccfg-XXXXXX");
		if (write_tmp(path, rows[i].yaml)) {
			report(rows[i].name, "cannot write temp file");
			continue;
		}
		a = def;
		rc = collector_config_load(&a, path, &err);
		if (!rows[i].msg) {
			if (rc)
				bad = err.msg;
			else if (strcmp(a.listen, "tcp://0.0.0.0:9000") || strcmp(a.log_level, "warn") ||
				 strcmp(a.events_jsonl, "/var/lib/vigil/collector/events.jsonl"))
				bad = "values not loaded";
		} else if (rc != -EINVAL) {
			bad = "expected -EINVAL";
		} else if (strncmp(err.msg, path, strlen(path)) || !strstr(err.msg, rows[i].msg)) {
			bad = err.msg;
		}
		report(rows[i].name, bad);
		unlink(path);
	}
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: %s BOARD_SENSOR_YAML BOARD_COLLECTOR_YAML\n", argv[0]);
		return 2;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_defaults();
	test_files(argv[1]);
	test_home_net();
	test_collector(argv[2]);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
