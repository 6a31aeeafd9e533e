// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_reload.c: what a SIGHUP may change. One row per key: the YAML a user
 * edits and whether the running sensor takes it (live) or keeps its value and
 * names the key (restart-only). Also: a bad file leaves the running config as
 * it was, and detector settings change without losing the learned baseline.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "det_flood.h"
#include "reload.h"
#include "testlib.h"

#define NS 1000000000ULL

struct row {
	const char *key;
	const char *yaml;
	int live;
};

static const struct row rows[] = {
	{ "detectors.flood.k", "detectors: {flood: {k: 9}}\n", 1 },
	{ "detectors.flood.floor_pps", "detectors: {flood: {floor_pps: 50}}\n", 1 },
	{ "detectors.flood.learning_s", "detectors: {flood: {learning_s: 5}}\n", 1 },
	{ "sensor.home_net", "sensor: {home_net: [192.0.2.0/24]}\n", 1 },
	{ "flows.timeout_s", "flows: {timeout_s: 30}\n", 1 },
	{ "log.level", "log: {level: debug}\n", 1 },
	{ "sensor.interfaces", "sensor: {interfaces: [eth9]}\n", 0 },
	{ "sensor.mode", "sensor: {mode: inline}\n", 0 },
	{ "dpdk.memory_mb", "dpdk: {memory_mb: 128}\n", 0 },
	{ "xdp.flow_entries", "xdp: {flow_entries: 4096}\n", 0 },
	{ "xdp.pin_dir", "xdp: {pin_dir: /sys/fs/bpf/other}\n", 0 },
	{ "collector.endpoint", "collector: {endpoint: \"tcp://10.0.0.1:7800\"}\n", 0 },
	{ "detectors.flood.window_s", "detectors: {flood: {window_s: 5}}\n", 0 },
	{ "state.path", "state: {path: /var/lib/x}\n", 0 },
	{ "metrics.listen", "metrics: {listen: \"127.0.0.1:1\"}\n", 0 },
};

static void test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct config running, next, expect;
		struct config_error err;
		char kept[512], name[128];
		int n, rc;

		config_defaults(&running);
		next = running;
		rc = config_load_string(&next, "t.yaml", rows[i].yaml, strlen(rows[i].yaml), &err);
		expect = next;
		n = reload_prepare(&running, &next, kept, sizeof(kept));
		snprintf(name, sizeof(name), "%s: %s", rows[i].key, rows[i].live ? "applies on reload" : "needs a restart");
		if (rows[i].live)
			testlib_case(name, rc == 0 && n == 0 && !kept[0] && !memcmp(&next, &expect, sizeof(next)) &&
				     reload_key_is_live(rows[i].key), "rc=%d n=%d kept='%s'", rc, n, kept);
		else
			testlib_case(name, rc == 0 && n == 1 && !strcmp(kept, rows[i].key) &&
				     !memcmp(&next, &running, sizeof(next)) && !reload_key_is_live(rows[i].key),
				     "rc=%d n=%d kept='%s'", rc, n, kept);
	}
}

static void test_mixed_and_bad(void)
{
	static const char mixed[] = "dpdk: {burst: 64}\ndetectors: {flood: {k: 3}}\nxdp: {force: true}\n";
	static const char bad[] = "detectors:\n  flood:\n    floor_ppz: 5\n";
	struct config running, next;
	struct config_error err;
	char kept[512];
	int n, rc;

	config_defaults(&running);
	next = running;
	config_load_string(&next, "t.yaml", mixed, strlen(mixed), &err);
	n = reload_prepare(&running, &next, kept, sizeof(kept));
	testlib_case("mixed: live key applied, two restart-only keys named", n == 2 && next.flood.k == 3 &&
		     next.dpdk_burst == running.dpdk_burst && !next.xdp_force &&
		     !strcmp(kept, "dpdk.burst, xdp.force"), "n=%d kept='%s'", n, kept);

	/* a bad file: config_load fails and leaves the copy it was given unchanged */
	next = running;
	next.flood.k = 7;
	rc = config_load_string(&next, "t.yaml", bad, strlen(bad), &err);
	testlib_case("bad file: refused with file:line:col and did-you-mean",
		     rc == -EINVAL && strstr(err.msg, "t.yaml:3:5:") && strstr(err.msg, "floor_pps"), "rc=%d msg=%s",
		     rc, err.msg);
	testlib_case("bad file: running values untouched", next.flood.k == 7, "k=%g", next.flood.k);
}

/* det_flood_set_cfg: new k and floor, same baseline */
struct cnt {
	int starts;
};

static void on_ev(void *ctx, const struct det_flood_event *ev)
{
	if (ev->state == DET_FLOOD_START)
		((struct cnt *)ctx)->starts++;
}

static void test_detector_reconfigure(void)
{
	struct det_flood_cfg c = {
		.window_ns = NS, .learning_ns = 5 * NS, .k = 6, .floor_pps = 1000, .half_life_s = 300,
		.end_after_ns = 5 * NS, .update_ns = 10 * NS, .max_hosts = 64,
	};
	struct det_flood *d = det_flood_new(&c);
	uint8_t dst[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 }, src[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 2 };
	struct det_flood_stats st;
	struct cnt n = { 0 };
	uint64_t t = 1000 * NS;
	unsigned int s, i;

	for (s = 0; s < 20; s++, t += NS) {
		for (i = 0; i < 100; i++)
			det_flood_packet(d, t + i * (NS / 100), dst, src, 17, 53);
		det_flood_tick(d, t + NS, on_ev, &n);
	}
	c.floor_pps = 150; /* floor lowered by a reload: 300 pps now alerts */
	c.k = 3;
	testlib_case("set_cfg: k and floor accepted", det_flood_set_cfg(d, &c) == 0, "rc != 0");
	for (s = 0; s < 2; s++, t += NS) {
		for (i = 0; i < 300; i++)
			det_flood_packet(d, t + i * (NS / 300), dst, src, 17, 53);
		det_flood_tick(d, t + NS, on_ev, &n);
	}
	det_flood_get_stats(d, &st);
	testlib_case("set_cfg: baseline kept (1 host, not learning) and new floor used",
		     n.starts == 1 && st.hosts == 1 && st.learning == 0, "starts=%d hosts=%llu learning=%llu",
		     n.starts, (unsigned long long)st.hosts, (unsigned long long)st.learning);
	c.window_ns = 2 * NS;
	testlib_case("set_cfg: window change refused (needs a restart)", det_flood_set_cfg(d, &c) == -EINVAL, "accepted");
	det_flood_free(d);
}

int main(void)
{
	test_rows();
	test_mixed_and_bad();
	test_detector_reconfigure();
	return testlib_done();
}
