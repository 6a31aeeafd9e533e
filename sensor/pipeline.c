// SPDX-License-Identifier: GPL-2.0-only
/*
 * pipeline.c: the sensor's consumer of frames. Detector windows are closed
 * by packet time before a frame of a later window is counted, so results do
 * not depend on burst boundaries; flows are harvested from XDP on the timer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eve.h"
#include "flowlog.h"
#include "log.h"
#include "pipeline.h"
#include "flow_rates.h"
#include "stats.h"
#include "vigil_user.h"
#include "xdp_loader.h"

enum { PIPELINE_BURST_MAX = 512 };

struct pipeline {
	const struct config *cfg;
	const struct alert_ctx *actx;
	struct pipeline_out out;
	struct detect *det;		/* every detector, through the registry */
	struct stats *stats;		/* per-flow/pair/host statistics; NULL when disabled */
	struct flow_rates *rates;	/* XDP-only packets into stats; NULL with hand-off all */
	struct pkt_info pi[PIPELINE_BURST_MAX];	/* the burst, parsed once */
	int rc[PIPELINE_BURST_MAX];
	uint64_t ts[PIPELINE_BURST_MAX];
	struct stats_result res[PIPELINE_BURST_MAX];	/* scores of the burst's frames */
	uint64_t harvest_ns;
	uint64_t next_harvest_ns;
	uint64_t now_ns;
	bool ids_based;			/* incident numbering anchored to the first frame's time */
	unsigned int parse_flags;	/* pkt_parse: inner headers as XDP keys them (xdp.tunnel_inner) */
	struct pipeline_evidence *pending;	/* start alerts whose evidence is being captured */
	uint32_t n_pending;
	pipeline_action_fn act;		/* containment; NULL: none */
	void *act_ctx;
	struct pipeline_stats st;
};

/*
 * An incident whose evidence is being captured: its latest event, kept until
 * the file is complete so the completion goes out as an update of it, and
 * its end (if it came first) held back so that the end stays its last event.
 */
struct pipeline_evidence {
	struct detect_incident inc;
	bool end_held;
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

/* Whose packets make an incident's evidence: the registry row says (the victim of a flood, else the source, pair when known). */
static void pipeline_evidence_hosts(const struct detect_incident *inc, const uint8_t **a, const uint8_t **b)
{
	static const uint8_t zero[16];
	bool has_dst = memcmp(inc->dst, zero, 16) != 0;

	*a = inc->src;
	*b = NULL;
	switch (detect_info(inc->det)->evidence) {
	case DETECT_EVIDENCE_VICTIM:
		*a = has_dst ? inc->dst : inc->src;
		break;
	case DETECT_EVIDENCE_PAIR:
		*b = has_dst ? inc->dst : NULL;
		break;
	case DETECT_EVIDENCE_SOURCE:
		break;
	}
}

/* vigil.evidence of an event: the file, and once complete its size and digest */
static void pipeline_evidence_block(struct json_object *o, const char *path, const struct evidence_info *done)
{
	struct json_object *v, *e;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	if (!o || !json_object_object_get_ex(o, "vigil", &v))
		return;
	e = json_object_new_object();
	json_object_object_add(e, "file", json_object_new_string(base));
	json_object_object_add(e, "status", json_object_new_string(done ? "complete" : "capturing"));
	if (done) {
		json_object_object_add(e, "packets", json_object_new_int64((int64_t)done->packets));
		json_object_object_add(e, "bytes", json_object_new_int64((int64_t)done->bytes));
		json_object_object_add(e, "sha256", json_object_new_string(done->sha256));
	}
	json_object_object_add(v, "evidence", e);
}

static struct pipeline_evidence *pipeline_evidence_find(struct pipeline *pl, uint64_t incident_id)
{
	uint32_t i;

	for (i = 0; i < pl->n_pending; i++)
		if (pl->pending[i].inc.incident_id == incident_id)
			return &pl->pending[i];
	return NULL;
}

static void pipeline_evidence_start(struct pipeline *pl, const struct detect_incident *inc, struct json_object *o)
{
	struct evidence_info info;
	const uint8_t *a, *b;

	pipeline_evidence_hosts(inc, &a, &b);
	if (pl->n_pending == pl->cfg->evidence_max_open ||
	    evidence_start(pl->out.evidence, inc->incident_id, detect_info(inc->det)->name, a, b,
			   detect_block(pl->cfg, inc->det)->evidence_packets, inc->ts_ns, &info) < 0) {
		pl->st.evidence_failed++;
		return;
	}
	pipeline_evidence_block(o, info.path, NULL);
	pl->pending[pl->n_pending].inc = *inc;
	pl->pending[pl->n_pending].end_held = false;
	pl->n_pending++;
}

static void pipeline_on_incident(void *ctx, const struct detect_incident *inc)
{
	struct pipeline *pl = ctx;
	struct pipeline_evidence *ev = inc->state == DETECT_START ? NULL : pipeline_evidence_find(pl, inc->incident_id);
	const char *action = pl->act ? pl->act(pl->act_ctx, inc) : NULL;
	struct json_object *o, *a;

	if (ev) {
		ev->inc = *inc;
		if (inc->state == DETECT_END) {
			ev->end_held = true;	/* sent after the evidence update, as the incident's last event */
			return;
		}
	}
	o = alert_json(pl->actx, inc);
	if (o && action && json_object_object_get_ex(o, "alert", &a))
		json_object_object_add(a, "action", json_object_new_string(action));
	if (o && inc->state == DETECT_START && pl->out.evidence)
		pipeline_evidence_start(pl, inc, o);
	pipeline_emit_json(pl, o);
}

/* Evidence complete: an update of its incident naming file, count and digest (then a held end). */
static void pipeline_on_evidence(void *ctx, const struct evidence_info *info)
{
	struct pipeline *pl = ctx;
	struct pipeline_evidence *ev = pipeline_evidence_find(pl, info->incident_id), held;
	struct json_object *o;

	if (!ev)
		return;
	held = *ev;
	*ev = pl->pending[--pl->n_pending];
	if (!info->complete) {
		/* nothing was kept (a full disk): no digest to announce, the reason in the log */
		pl->st.evidence_failed++;
		pr_warn("evidence of incident %llu lost: %s; nothing left under %s", (unsigned long long)info->incident_id,
			strerror(-info->error), info->path);
		if (held.end_held)
			pipeline_emit_json(pl, alert_json(pl->actx, &held.inc));	/* the end, without evidence */
		return;
	}
	held.inc.state = DETECT_UPDATE;
	if (pl->now_ns > held.inc.ts_ns)
		held.inc.ts_ns = pl->now_ns;
	o = alert_json(pl->actx, &held.inc);
	pipeline_evidence_block(o, info->path, info);
	pipeline_emit_json(pl, o);
	if (held.end_held) {
		held.inc.state = DETECT_END;
		o = alert_json(pl->actx, &held.inc);
		pipeline_evidence_block(o, info->path, info);
		pipeline_emit_json(pl, o);
	}
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
	struct pipeline *pl = calloc(1, sizeof(*pl));

	if (!pl)
		return NULL;
	pl->cfg = cfg;
	pl->actx = actx;
	pl->out = *out;
	pl->harvest_ns = (uint64_t)cfg->flow_harvest_ms * 1000000ULL;
	pl->parse_flags = cfg->xdp_tunnel_inner ? PKT_PARSE_INNER : 0;
	if (out->evidence) {
		pl->pending = calloc(cfg->evidence_max_open, sizeof(*pl->pending));
		if (!pl->pending) {
			free(pl);
			return NULL;
		}
	}
	pl->det = detect_new(cfg, pipeline_on_incident, pl);
	if (pl->det && cfg->stats_enabled) {
		struct stats_cfg sc;

		stats_cfg_default(&sc);
		sc.hosts = cfg->stats_hosts;
		sc.sockets = cfg->stats_sockets;
		sc.window_ns = (uint64_t)cfg->stats_window_s * 1000000000ULL;
		sc.learning_ns = (uint64_t)cfg->stats_learning_s * 1000000000ULL;
		sc.half_life_s = cfg->stats_half_life_s;
		sc.daily_profile = cfg->stats_daily_profile;
		sc.turnover_s = cfg->stats_turnover_s;
		pl->stats = stats_new(&sc);
		if (pl->stats && cfg->xdp_handoff != CONFIG_HANDOFF_ALL) {
			pl->rates = flow_rates_new(cfg->xdp_flow_entries);
			if (!pl->rates) {
				stats_free(pl->stats);
				pl->stats = NULL;
			}
		}
		if (!pl->stats) {
			detect_free(pl->det);
			pl->det = NULL;
		} else {
			detect_set_stats(pl->det, pl->stats);	/* anomaly judges hosts by what the engine learned */
		}
	}
	if (!pl->det) {
		int e = errno;

		free(pl->pending);
		free(pl);
		errno = e;
		return NULL;
	}
	return pl;
}

void pipeline_free(struct pipeline *pl)
{
	if (!pl)
		return;
	detect_free(pl->det);
	stats_free(pl->stats);
	flow_rates_free(pl->rates);
	free(pl->pending);
	free(pl);
}

void pipeline_packets(void *ctx, const struct poller_pkt *pkts, uint16_t n)
{
	struct pipeline *pl = ctx;
	uint16_t i;

	if (n > PIPELINE_BURST_MAX) {	/* the poller's bursts are smaller; keep this safe anyway */
		pipeline_packets(ctx, pkts, PIPELINE_BURST_MAX);
		pipeline_packets(ctx, pkts + PIPELINE_BURST_MAX, (uint16_t)(n - PIPELINE_BURST_MAX));
		return;
	}
	if (!pl->ids_based && n) {
		/* incident ids unique across runs: anchored to the first frame's wall-clock second */
		uint64_t wall = (uint64_t)((int64_t)pkts[0].ts_ns + pl->actx->wall_offset_ns);

		detect_set_id_base(pl->det, wall / 1000000000ULL * 1000000ULL);
		pl->ids_based = true;
	}
	for (i = 0; i < n; i++) {
		pl->rc[i] = pkt_parse_flags(pkts[i].data, pkts[i].len, pl->parse_flags, &pl->pi[i]);
		pl->ts[i] = pkts[i].ts_ns;
		pl->st.packets++;
		pl->st.parse[pl->rc[i]]++;
		if (pl->out.evidence) {
			bool ip = pl->rc[i] == PKT_OK || pl->rc[i] == PKT_BAD_L4;

			/* bounded copy (snaplen) into the pre-trigger ring, and into open captures */
			evidence_packet(pl->out.evidence, pkts[i].ts_ns, pkts[i].data, pkts[i].len,
					ip ? pl->pi[i].src : NULL, ip ? pl->pi[i].dst : NULL);
		}
	}
	/* statistics first: pl->res[i] holds frame i's scores while the detectors run */
	if (pl->stats)
		stats_burst(pl->stats, pl->pi, pl->rc, pl->ts, n, pl->res);
	for (i = 0; i < n; i++) {
		int rc = pl->rc[i];

		/* detectors close their windows by packet time before counting a later frame */
		if (rc == PKT_OK || rc == PKT_BAD_L4)
			detect_frame(pl->det, pkts[i].ts_ns, pkts[i].data, pkts[i].len, &pl->pi[i],
				     pl->stats ? &pl->res[i] : NULL);
		else if (rc == PKT_NON_IP)
			detect_frame(pl->det, pkts[i].ts_ns, pkts[i].data, pkts[i].len, NULL, NULL); /* ARP */
	}
}

static void pipeline_harvest(struct pipeline *pl, uint64_t now_ns, bool all)
{
	int ret;

	if (pl->out.flows_fd < 0 && !pl->out.flows_user)
		return;
	pl->now_ns = all ? UINT64_MAX : now_ns;
	if (pl->out.flows_user)
		ret = vigil_user_harvest(pl->out.flows_user, now_ns, (uint64_t)pl->cfg->flow_timeout_s * 1000000000ULL,
					 all, pipeline_on_flow, pl);
	else
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

	detect_tick(pl->det, now_ns);
	if (pl->out.evidence) {
		pl->now_ns = now_ns;
		evidence_tick(pl->out.evidence, now_ns, pipeline_on_evidence, pl);
	}
	if (now_ns >= pl->next_harvest_ns) {
		/* unseen packets of live flows first, then the expired flows go */
		if (pl->next_harvest_ns && pl->rates && pl->out.flows_user)
			flow_rates_scan_user(pl->rates, pl->stats, pl->out.flows_user, now_ns);
		else if (pl->next_harvest_ns && pl->rates && pl->out.flows_fd >= 0 &&
			 flow_rates_scan(pl->rates, pl->stats, pl->out.flows_fd, now_ns) < 0)
			pl->st.harvest_errors++;
		if (pl->next_harvest_ns)
			pipeline_harvest(pl, now_ns, false);
		pl->next_harvest_ns = now_ns + pl->harvest_ns;
	}
}

void pipeline_finish(struct pipeline *pl, uint64_t now_ns)
{
	/* judge the last open windows, then end what is open */
	if (pl->out.evidence) {
		/* input ends: what is still capturing is complete; report it before the incidents end */
		pl->now_ns = now_ns;
		evidence_tick(pl->out.evidence, UINT64_MAX, pipeline_on_evidence, pl);
	}
	detect_finish(pl->det, now_ns);
	pipeline_harvest(pl, now_ns, true);
}

void pipeline_get_stats(const struct pipeline *pl, struct pipeline_stats *out)
{
	*out = pl->st;
}

uint64_t pipeline_events(const struct pipeline *pl)
{
	return pl->st.alerts;
}

void pipeline_get_detector_stats(const struct pipeline *pl, enum detect_id id, struct detect_detector_stats *out)
{
	detect_get_detector_stats(pl->det, id, out);
}

const struct stats *pipeline_stats_engine(const struct pipeline *pl)
{
	return pl->stats;
}

int pipeline_stats_load(struct pipeline *pl, const void *buf, size_t len)
{
	return pl->stats ? stats_load(pl->stats, buf, len) : -ENOENT;
}

void pipeline_get_detect_stats(const struct pipeline *pl, struct detect_stats *out)
{
	detect_get_stats(pl->det, out);
}

void pipeline_set_action(struct pipeline *pl, pipeline_action_fn fn, void *ctx)
{
	pl->act = fn;
	pl->act_ctx = ctx;
}

struct detect *pipeline_detect(struct pipeline *pl)
{
	return pl->det;
}
