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

/* an open flood incident as the registry knows it: its id and the conversations seen */
struct det_flood_ops_inc {
	uint64_t id;
	uint8_t n_flows;
	uint32_t flow_count;
	struct detect_tuple flows[DETECT_MAX_FLOWS];
	uint8_t n_hosts;
	uint8_t hosts[DETECT_MAX_HOSTS][16];
};

struct det_flood_ops_st {
	const struct det_env *env;
	struct det_flood *core;
	struct det_table *ids;		/* flood incident id -> struct det_flood_ops_inc */
	struct det_table *victims;	/* destination under an open incident -> flood incident id */
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

static struct det_key det_flood_ops_idkey(uint64_t flood_id)
{
	uint8_t a[16] = { 0 };

	memcpy(a, &flood_id, sizeof(flood_id));
	return det_key(0, a, NULL, 0, 0);
}

static void det_flood_ops_emit(void *ctx, const struct det_flood_event *ev)
{
	struct det_flood_ops_st *s = ctx;
	struct detect_incident inc = { 0 };
	struct det_key k = det_flood_ops_idkey(ev->incident_id), vk = det_key(1, ev->dst, NULL, 0, 0);
	bool created;
	struct det_flood_ops_inc *oi = det_table_get(s->ids, &k, ev->ts_ns, &created);
	uint64_t *victim;
	unsigned int i;

	if (created) {
		oi->id = ++*s->env->next_id;
		/* the conversation that started it, when one source dominated */
		if (ev->src_dominant && ev->metric != DET_FLOOD_DHCP)
			det_incident_add_flow(&inc, ev->src, ev->src_port, ev->dst, ev->dst_port, ev->proto);
		oi->n_flows = inc.n_flows;
		oi->flow_count = inc.flow_count;
		memcpy(oi->flows, inc.flows, sizeof(oi->flows));
		memcpy(oi->hosts[0], ev->dst, 16);
		oi->n_hosts = 1;
	}
	inc.det = DETECT_FLOOD;
	inc.state = (enum detect_state)ev->state;
	inc.incident_id = oi->id;
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
	inc.src_port = ev->src_dominant ? ev->src_port : 0;
	inc.dst_port = ev->dst_port;
	inc.proto = ev->proto;
	inc.src_spread = !ev->src_dominant;
	if (ev->metric == DET_FLOOD_REFLECT)
		inc.technique = "T1498.002";
	/* the victim and the sources that dominated its windows; the conversations seen */
	det_incident_add_host(&inc, ev->dst);
	for (i = 1; i < oi->n_hosts; i++)
		det_incident_add_host(&inc, oi->hosts[i]);
	det_incident_add_host(&inc, ev->latest_src[0] || ev->latest_src[10] ? ev->latest_src : ev->src);
	oi->n_hosts = inc.n_hosts;
	memcpy(oi->hosts, inc.hosts, sizeof(oi->hosts));
	inc.n_flows = oi->n_flows;
	inc.flow_count = oi->flow_count;
	memcpy(inc.flows, oi->flows, sizeof(inc.flows));
	if (ev->metric == DET_FLOOD_DHCP)
		snprintf(inc.detail, sizeof(inc.detail), "network-wide DHCP%s", ev->src_dominant ? "" : ", many sources");
	else if (ev->metric == DET_FLOOD_REFLECT)
		snprintf(inc.detail, sizeof(inc.detail), "reflection%s", ev->src_dominant ? "" : ", many sources");
	else if (!ev->src_dominant)
		strcpy(inc.detail, "many sources");
	inc.action = s->env->cfg->action;
	/* while it is open, the victim's conversations are noted (det_flood_ops_packet) */
	if (ev->state == DET_FLOOD_END) {
		victim = det_table_find(s->victims, &vk);
		if (victim && *victim == ev->incident_id)
			det_table_del(s->victims, victim);
		det_table_del(s->ids, oi);
	} else if (ev->metric != DET_FLOOD_DHCP) {
		victim = det_table_get(s->victims, &vk, ev->ts_ns, &created);
		*victim = ev->incident_id;
	}
	s->env->emit(s->env->emit_ctx, &inc);
}

/* A packet towards a victim under an open incident: its conversation joins the incident's sample. */
static void det_flood_ops_note(struct det_flood_ops_st *s, const struct detect_pkt *p)
{
	const struct pkt_info *pi = p->pi;
	struct det_key vk = det_key(1, pi->dst, NULL, 0, 0), k;
	uint64_t *victim = det_table_find(s->victims, &vk);
	struct det_flood_ops_inc *oi;
	struct detect_incident tmp;

	if (!victim)
		return;
	k = det_flood_ops_idkey(*victim);
	oi = det_table_find(s->ids, &k);
	if (!oi || (oi->n_flows >= DETECT_MAX_FLOWS && oi->flow_count > 1000000))
		return;
	tmp.n_flows = oi->n_flows;
	tmp.flow_count = oi->flow_count;
	memcpy(tmp.flows, oi->flows, sizeof(tmp.flows));
	det_incident_add_flow(&tmp, pi->src, pi->is_fragment ? 0 : pi->src_port, pi->dst,
			      pi->is_fragment ? 0 : pi->dst_port, pi->proto);
	oi->n_flows = tmp.n_flows;
	oi->flow_count = tmp.flow_count;
	memcpy(oi->flows, tmp.flows, sizeof(oi->flows));
}

static struct det_flood_cfg det_flood_ops_cfg(const struct det_env *env)
{
	const struct config_detector *fc = env->cfg;
	const struct config_flood_ext *fx = &fc->ext.flood;
	struct det_flood_cfg c = {
		.window_ns = (uint64_t)fx->window_s * DET_NS,
		.learning_ns = (uint64_t)fc->learning_s * DET_NS,
		.k = fc->k,
		.floor_pps = fc->floor,
		.half_life_s = fx->half_life_s,
		.end_after_ns = (uint64_t)fx->end_after_s * DET_NS,
		.update_ns = 10ULL * DET_NS,
		.max_hosts = 65536,
		.min_fraction = env->min_fraction,
		.bcast_divisor = 4,
		.floor_bps = fx->floor_bps,
		.floor_reflect_pps = fx->floor_reflect_pps,
		.floor_dhcp_pps = fx->floor_dhcp_pps,
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
	s->ids = det_table_new(4096, sizeof(struct det_flood_ops_inc));
	s->victims = det_table_new(4096, sizeof(uint64_t));
	if (!s->core || !s->ids || !s->victims) {
		det_flood_free(s->core);
		det_table_free(s->ids);
		det_table_free(s->victims);
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
	det_table_free(s->victims);
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

/*
 * Is this packet part of a conversation its destination takes part in? An
 * answer to what the destination asked for is; so is what a client sends
 * once the destination has answered it. A refusal (RST) is no answer, and
 * packets with no conversation (ICMP errors) are explained by nothing.
 * Non-first fragments belong to their datagram: they are not counted apart.
 */
static bool det_flood_ops_explained(const struct detect_pkt *p)
{
	const struct det_conn *c = p->conn;

	if (p->pi->is_fragment)
		return true;
	if (!c)
		return false;
	if (!p->from_client)
		return true;
	return (c->status & DET_CONN_ANSWERED) && !(c->status & DET_CONN_REFUSED);
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
		.src_port = ports ? pi->src_port : 0, .dst_port = ports ? pi->dst_port : 0,
		.fragment = pi->is_fragment, .src_home = p->src_home, .dst_home = p->dst_home,
		.explained = det_flood_ops_explained(p),
	};
	/* close the window before counting a frame that belongs to a later one */
	det_flood_ops_tick(s, p->ts_ns);
	det_flood_frame(s->core, p->ts_ns, &fp);
	if (det_table_used(s->victims))
		det_flood_ops_note(s, p);
}

static void det_flood_ops_finish(void *st, uint64_t now_ns)
{
	struct det_flood_ops_st *s = st;

	/* judge the last open window, then end what is open */
	det_flood_tick(s->core, now_ns + s->window_ns, det_flood_ops_emit, s);
	det_flood_finish(s->core, now_ns, det_flood_ops_emit, s);
}

static void det_flood_ops_stats(void *st, struct detect_detector_stats *out)
{
	struct det_flood_ops_st *s = st;
	struct det_flood_stats fs;

	det_flood_get_stats(s->core, &fs);
	out->hosts = fs.hosts;
	out->learning = fs.learning;
	out->evictions = fs.evictions;
	out->restored = fs.restored;
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
	.stats = det_flood_ops_stats,
};
