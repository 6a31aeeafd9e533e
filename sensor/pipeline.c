// SPDX-License-Identifier: GPL-2.0-only
/*
 * pipeline.c: the sensor's consumer of frames. Detector windows are closed
 * by packet time before a frame of a later window is counted, so results do
 * not depend on burst boundaries; flows are harvested from XDP on the timer.
 */
#include <errno.h>
#include <stdlib.h>

#include "eve.h"
#include "flowlog.h"
#include "log.h"
#include "pipeline.h"
#include "xdp_loader.h"

struct pipeline {
	const struct config *cfg;
	const struct alert_ctx *actx;
	struct pipeline_out out;
	struct det_flood *flood;
	uint64_t flood_next_ns;		/* end of the detector's open window */
	uint64_t window_ns;
	uint64_t harvest_ns;
	uint64_t next_harvest_ns;
	uint64_t now_ns;
	struct pipeline_stats st;
};

static void pipeline_emit_json(struct pipeline *pl, struct json_object *o)
{
	const char *line;

	if (!o) {
		pl->st.alerts_dropped++;
		return;
	}
	line = eve_line(o);
	if (pl->out.alerts) {
		fputs(line, pl->out.alerts);
		fputc('\n', pl->out.alerts);
		fflush(pl->out.alerts);
	}
	if (pl->out.pub)
		publish_event(pl->out.pub, line); /* -ENOBUFS: oldest dropped and counted there */
	pl->st.alerts++;
	json_object_put(o);
}

static void pipeline_on_flood(void *ctx, const struct det_flood_event *ev)
{
	struct pipeline *pl = ctx;

	pipeline_emit_json(pl, alert_flood_json(pl->actx, ev));
}

static int pipeline_on_flow(void *ctx, const struct vigil_flow_key *k, const struct vigil_flow *f)
{
	struct pipeline *pl = ctx;
	struct json_object *o;

	if (!pl->out.flows)
		return 0;
	o = flowlog_json(pl->actx, k, f, pl->now_ns == UINT64_MAX ? "shutdown" : "timeout");
	if (!o)
		return -ENOMEM;
	fputs(eve_line(o), pl->out.flows);
	fputc('\n', pl->out.flows);
	json_object_put(o);
	pl->st.flows++;
	return 0;
}

struct pipeline *pipeline_new(const struct config *cfg, const struct alert_ctx *actx,
			      const struct pipeline_out *out)
{
	struct det_flood_cfg fc = {
		.window_ns = (uint64_t)cfg->flood.window_s * 1000000000ULL,
		.learning_ns = (uint64_t)cfg->flood.learning_s * 1000000000ULL,
		.k = cfg->flood.k,
		.floor_pps = cfg->flood.floor_pps,
		.half_life_s = cfg->flood.half_life_s,
		.end_after_ns = (uint64_t)cfg->flood.end_after_s * 1000000000ULL,
		.update_ns = 10ULL * 1000000000ULL,
		.max_hosts = 65536,
	};
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (!pl)
		return NULL;
	pl->cfg = cfg;
	pl->actx = actx;
	pl->out = *out;
	pl->window_ns = fc.window_ns;
	pl->harvest_ns = (uint64_t)cfg->flow_harvest_ms * 1000000ULL;
	if (cfg->flood.enabled) {
		pl->flood = det_flood_new(&fc);
		if (!pl->flood) {
			int e = errno;

			free(pl);
			errno = e;
			return NULL;
		}
	}
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (!pl)
		return;
	det_flood_free(pl->flood);
	free(pl);
}

void pipeline_packets(void *ctx, const struct poller_pkt *pkts, uint16_t n)
{
	struct pipeline *pl = ctx;
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct pkt_info info;
		int rc = pkt_parse(pkts[i].data, pkts[i].len, &info);

		pl->st.packets++;
		pl->st.parse[rc]++;
		if (rc != PKT_OK && rc != PKT_BAD_L4)
			continue;
		if (!pl->flood)
			continue;
		/* close the detector's window before counting a frame that belongs to a later one */
		if (pkts[i].ts_ns >= pl->flood_next_ns) {
			det_flood_tick(pl->flood, pkts[i].ts_ns, pipeline_on_flood, pl);
			pl->flood_next_ns = pkts[i].ts_ns - pkts[i].ts_ns % pl->window_ns + pl->window_ns;
		}
		det_flood_packet(pl->flood, pkts[i].ts_ns, info.dst, info.src, info.proto, info.dst_port);
	}
}

static void pipeline_harvest(struct pipeline *pl, uint64_t now_ns, bool all)
{
	int ret;

	if (pl->out.flows_fd < 0)
		return;
	pl->now_ns = all ? UINT64_MAX : now_ns;
	ret = xdp_flows_harvest(pl->out.flows_fd, now_ns, (uint64_t)pl->cfg->flow_timeout_s * 1000000000ULL,
				all, pipeline_on_flow, pl);
	if (ret < 0)
		pl->st.harvest_errors++;
	if (pl->out.flows)
		fflush(pl->out.flows);
}

void pipeline_tick(void *ctx, uint64_t now_ns)
{
	struct pipeline *pl = ctx;

	if (pl->flood && now_ns >= pl->flood_next_ns) {
		det_flood_tick(pl->flood, now_ns, pipeline_on_flood, pl);
		pl->flood_next_ns = now_ns - now_ns % pl->window_ns + pl->window_ns;
	}
	if (now_ns >= pl->next_harvest_ns) {
		if (pl->next_harvest_ns)
			pipeline_harvest(pl, now_ns, false);
		pl->next_harvest_ns = now_ns + pl->harvest_ns;
	}
}

void pipeline_finish(struct pipeline *pl, uint64_t now_ns)
{
	if (pl->flood) {
		/* close the last open window so its packets are judged, then end what is open */
		det_flood_tick(pl->flood, now_ns + pl->window_ns, pipeline_on_flood, pl);
		det_flood_finish(pl->flood, now_ns, pipeline_on_flood, pl);
	}
	pipeline_harvest(pl, now_ns, true);
}

void pipeline_get_stats(const struct pipeline *pl, struct pipeline_stats *out)
{
	*out = pl->st;
}

void pipeline_get_flood_stats(const struct pipeline *pl, struct det_flood_stats *out)
{
	if (pl->flood)
		det_flood_get_stats(pl->flood, out);
}
