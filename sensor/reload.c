// SPDX-License-Identifier: GPL-2.0-only
/*
 * reload.c: the restart-only keys as a table (key, where it lands, size), so a
 * SIGHUP can never half-apply a change the running ports, maps or sockets
 * cannot follow. Anything not listed here takes its new value on reload.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "reload.h"

struct reload_row {
	const char *key;
	size_t offset;
	size_t size;
};

#define ROW(k, field) { k, offsetof(struct config, field), sizeof(((struct config *)0)->field) }

static const struct reload_row reload_restart_only[] = {
	ROW("sensor.name", sensor_name),
	ROW("sensor.mode", mode),
	ROW("sensor.interfaces", interfaces),
	ROW("sensor.interfaces", n_interfaces),
	ROW("sensor.drop_caps", drop_caps),
	ROW("dpdk.memory_mb", dpdk_memory_mb),
	ROW("dpdk.hugepages", dpdk_hugepages),
	ROW("dpdk.burst", dpdk_burst),
	ROW("dpdk.mbufs", dpdk_mbufs),
	ROW("xdp.object", xdp_object),
	ROW("xdp.flow_entries", xdp_flow_entries),
	ROW("xdp.flow_map", xdp_flow_map),
	ROW("xdp.handoff", xdp_handoff),
	ROW("xdp.handoff_n", xdp_handoff_n),
	ROW("xdp.force", xdp_force),
	ROW("xdp.stay_attached", xdp_stay_attached),
	ROW("xdp.pin_dir", xdp_pin_dir),
	ROW("flows.harvest_ms", flow_harvest_ms),
	ROW("collector.endpoint", collector_endpoint),
	ROW("collector.endpoints", collector_endpoints),
	ROW("collector.endpoints", n_collector_endpoints),
	ROW("collector.failover_ms", collector_failover_ms),
	ROW("collector.queue_max", collector_queue_max),
	ROW("collector.retry_ms", collector_retry_ms),
	ROW("detectors.flood.enabled", flood.enabled),
	ROW("detectors.flood.window_s", flood.ext.flood.window_s),
	ROW("state.path", state_path),
	ROW("state.save_s", state_save_s),
	ROW("metrics.listen", metrics_listen),
	ROW("outputs.eve.filename", eve_filename),
	ROW("outputs.eve.types", eve_types),
	ROW("outputs.eve.types", n_eve_types),
	ROW("outputs.eve.append", eve_append),
};

#define RELOAD_NROWS (sizeof(reload_restart_only) / sizeof(reload_restart_only[0]))

int reload_key_is_live(const char *key)
{
	size_t i;

	for (i = 0; i < RELOAD_NROWS; i++)
		if (!strcmp(reload_restart_only[i].key, key))
			return 0;
	return 1;
}

int reload_prepare(const struct config *running, struct config *next, char *kept, size_t kept_len)
{
	const char *last = NULL;
	size_t i, o = 0;
	int n = 0;

	if (kept_len)
		kept[0] = '\0';
	for (i = 0; i < RELOAD_NROWS; i++) {
		const struct reload_row *r = &reload_restart_only[i];
		const char *a = (const char *)running + r->offset;
		char *b = (char *)next + r->offset;

		if (!memcmp(a, b, r->size))
			continue;
		memcpy(b, a, r->size);
		if (last && !strcmp(last, r->key))
			continue; /* a key spread over two fields is named once */
		last = r->key;
		n++;
		if (kept_len && o < kept_len) {
			int w = snprintf(kept + o, kept_len - o, "%s%s", o ? ", " : "", r->key);

			if (w > 0)
				o += (size_t)w;
		}
	}
	return n;
}
