// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_flood_ops.c: plugs the flood core (det_flood.c, which keeps its own
 * windows and incidents) into the registry: frames in, its events out as
 * the common incident shape with the sensor-wide incident numbering.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"
#include "det_flood.h"

struct det_flood_ops_st {
	const struct det_env *env;
	struct det_flood *core;
	struct det_table *ids;		/* flood incident id -> sensor incident id */
	uint64_t window_ns;
	uint64_t next_ns;		/* end of the core's open window */
};

/* the alert's metric name for each det_flood_metric */
static const char *const det_flood_ops_metric[] = {
	[DET_FLOOD_PPS] = "pps",
	[DET_FLOOD_BPS] = "bps",
	[DET_FLOOD_REFLECT] = "unsolicited_amplifier_pps",
	[DET_FLOOD_DHCP] = "dhcp_pps_network",
};

static void det_flood_ops_emit(void *ctx, const struct det_flood_event *ev)
{
	struct det_flood_ops_st *s = ctx;
	struct detect_incident inc = { 0 };
	struct det_key k = det_key(0, NULL, NULL, (uint16_t)(ev->incident_id >> 16), (uint16_t)ev->incident_id);
	bool created;
	uint64_t *id = det_table_get(s->ids, &k, ev->ts_ns, &created);

	if (created)
		*id = ++*s->env->next_id;
	inc.det = DETECT_FLOOD;
	inc.state = (enum detect_state)ev->state;
	inc.incident_id = *id;
	inc.ts_ns = ev->ts_ns;
	inc.metric = det_flood_ops_metric[ev->metric];
	inc.observed = ev->observed_pps;
	inc.expected = ev->expected_pps;
	inc.threshold = ev->threshold_pps;
	inc.zscore = ev->zscore;
	inc.window_s = ev->window_s;
	inc.peak = ev->peak_pps;
	inc.count = ev->packets;
	inc.start_ns = ev->start_ns;
	inc.last_ns = ev->last_ns;
	inc.learning = ev->learning;
	memcpy(inc.src, ev->src, 16);
	memcpy(inc.dst, ev->dst, 16);
	inc.dst_port = ev->dst_port;
	inc.proto = ev->proto;
	inc.src_spread = !ev->src_dominant;
	if (ev->metric == DET_FLOOD_DHCP)
		snprintf(inc.detail, sizeof(inc.detail), "network-wide DHCP%s", ev->src_dominant ? "" : ", many sources");
	else if (ev->metric == DET_FLOOD_REFLECT)
		snprintf(inc.detail, sizeof(inc.detail), "reflection%s", ev->src_dominant ? "" : ", many sources");
	else if (!ev->src_dominant)
		strcpy(inc.detail, "many sources");
	inc.action = s->env->cfg->action;
	s->env->emit(s->env->emit_ctx, &inc);
}

static struct det_flood_cfg det_flood_ops_cfg(const struct det_env *env)
{
	const struct config_flood *fc = &env->all->flood;
	struct det_flood_cfg c = {
		.window_ns = (uint64_t)fc->window_s * DET_NS,
		.learning_ns = (uint64_t)fc->learning_s * DET_NS,
		.k = fc->k,
		.floor_pps = fc->floor_pps,
		.half_life_s = fc->half_life_s,
		.end_after_ns = (uint64_t)fc->end_after_s * DET_NS,
		.update_ns = 10ULL * DET_NS,
		.max_hosts = 65536,
		.min_fraction = env->min_fraction,
		.bcast_divisor = 20,
		.floor_bps = fc->floor_bps,
		.floor_reflect_pps = fc->floor_reflect_pps,
		.floor_dhcp_pps = fc->floor_dhcp_pps,
	};

	return c;
}

static void *det_flood_ops_create(const struct det_env *env)
{
	struct det_flood_cfg c = det_flood_ops_cfg(env);
	struct det_flood_ops_st *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->env = env;
	s->window_ns = c.window_ns;
	s->core = det_flood_new(&c);
	s->ids = det_table_new(1024, sizeof(uint64_t));
	if (!s->core || !s->ids) {
		det_flood_free(s->core);
		det_table_free(s->ids);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

static void det_flood_ops_destroy(void *st)
{
	struct det_flood_ops_st *s = st;

	det_flood_free(s->core);
	det_table_free(s->ids);
	free(s);
}

static void det_flood_ops_tick(void *st, uint64_t now_ns)
{
	struct det_flood_ops_st *s = st;

	if (now_ns < s->next_ns)
		return;
	det_flood_tick(s->core, now_ns, det_flood_ops_emit, s);
	s->next_ns = now_ns - now_ns % s->window_ns + s->window_ns;
}

static void det_flood_ops_packet(void *st, const struct detect_pkt *p)
{
	struct det_flood_ops_st *s = st;
	const struct pkt_info *pi = p->pi;
	struct det_flood_pkt fp;
	bool ports;

	if (!pi)
		return;
	ports = (pi->proto == 6 || pi->proto == 17) && !pi->is_fragment;
	fp = (struct det_flood_pkt){
		.dst = pi->dst, .src = pi->src, .len = pi->len, .proto = pi->proto,
		.src_port = ports ? pi->src_port : 0, .dst_port = pi->dst_port,
		.fragment = pi->is_fragment, .src_home = p->src_home, .dst_home = p->dst_home,
	};
	/* close the window before counting a frame that belongs to a later one */
	det_flood_ops_tick(s, p->ts_ns);
	det_flood_frame(s->core, p->ts_ns, &fp);
}

static void det_flood_ops_finish(void *st, uint64_t now_ns)
{
	struct det_flood_ops_st *s = st;

	/* judge the last open window, then end what is open */
	det_flood_tick(s->core, now_ns + s->window_ns, det_flood_ops_emit, s);
	det_flood_finish(s->core, now_ns, det_flood_ops_emit, s);
}

void det_flood_ops_stats(void *st, struct det_flood_stats *out)
{
	struct det_flood_ops_st *s = st;

	det_flood_get_stats(s->core, out);
}

static size_t det_flood_ops_save_size(void *st)
{
	return det_flood_save_size(((struct det_flood_ops_st *)st)->core);
}

static long det_flood_ops_save(void *st, uint64_t now_ns, void *buf, size_t len)
{
	return det_flood_save(((struct det_flood_ops_st *)st)->core, now_ns, buf, len);
}

static int det_flood_ops_load(void *st, const void *buf, size_t len)
{
	return det_flood_load(((struct det_flood_ops_st *)st)->core, buf, len);
}

/* SIGHUP: k, floor, learning, half-life and end_after in place; the window stays */
static int det_flood_ops_reconfigure(void *st)
{
	struct det_flood_ops_st *s = st;
	struct det_flood_cfg c = det_flood_ops_cfg(s->env);

	return det_flood_set_cfg(s->core, &c);
}

const struct det_ops det_flood_ops = {
	.create = det_flood_ops_create,
	.destroy = det_flood_ops_destroy,
	.packet = det_flood_ops_packet,
	.tick = det_flood_ops_tick,
	.finish = det_flood_ops_finish,
	.save_size = det_flood_ops_save_size,
	.save = det_flood_ops_save,
	.load = det_flood_ops_load,
	.reconfigure = det_flood_ops_reconfigure,
};
