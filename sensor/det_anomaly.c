// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_anomaly.c: a home_net host whose whole behaviour changes (an IoT camera
 * taken over, a workstation turned into a scanner), judged on what the
 * statistics engine learned of it (dataplane/stats.h): for each closed
 * window of the host, the metrics of what it sends (packets/s, bits/s, new
 * flows/s, distinct destination hosts, distinct destination ports). A metric
 * is out of character when it is k standard deviations above the host's
 * learned baseline, several times the highest the host ever did (its peak:
 * a person's bursts are in their own history, a device's are not) and over
 * an absolute floor. An incident needs both kinds in one window: volume
 * (packets, bytes or new flows out) and fan-out (distinct peers or ports of
 * what the host opens): a file copy or a download is volume to one peer, a
 * logon's burst of DNS queries many flows to one server, a host turned
 * scanner or flooder is both. It says which metrics, observed
 * against expected and against the peak, over which window. Nothing here
 * learns: the engine does, once.
 */
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "det_common.h"
#include "stats.h"

enum {
	ANOM_MIN_WINDOWS = 60,		/* windows the engine learned from before a host is judged */
};
#define ANOM_PEAK_MULT 4.0		/* ... this many times the host's own highest */

/* the metrics judged (what a host sends), the floor each must pass besides floor for pps, and its kind */
static const struct {
	unsigned int m;			/* index into stats_host_window's metrics */
	const char *name;
	double floor;			/* 0: the block's floor (packets/s) */
	bool fanout;			/* false: volume */
} anom_metrics[] = {
	{ STATS_M_PPS_OUT - STATS_M_PPS_OUT, "pps_out", 0, false },
	{ STATS_M_BPS_OUT - STATS_M_PPS_OUT, "bytes_out_per_s", 10000, false },
	{ STATS_M_NEW_FLOWS - STATS_M_PPS_OUT, "new_flows_per_s", 30, false },	/* DNS bursts open many */
	{ STATS_M_DST_HOSTS - STATS_M_PPS_OUT, "distinct_peers", 30, true },
	{ STATS_M_DST_PORTS - STATS_M_PPS_OUT, "distinct_ports", 30, true },
};
enum { ANOM_METRICS = sizeof(anom_metrics) / sizeof(anom_metrics[0]) };

/* another detector's incident on the host within this long explains it */
#define ANOM_CLAIM_NS (60ULL * DET_NS)

struct anom_host {
	uint64_t last_ns;		/* last window judged */
};

struct det_anomaly {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
};
_Static_assert(offsetof(struct det_anomaly, b) == 0, "det_base first: det_base_* take the state");

static void *det_anomaly_create(const struct det_env *env)
{
	return det_base_new(sizeof(struct det_anomaly), env, 8192, sizeof(struct anom_host), 30ULL * DET_NS,
			    30ULL * DET_NS);
}

/* Judge src's window that just closed (the engine says so on the frame that closed it). */
static void det_anomaly_judge(struct det_anomaly *s, const struct detect_pkt *p, const struct stats *st)
{
	const struct det_env *env = s->b.env;
	const uint8_t *host = p->pi->src;
	struct stats_host_window w;
	unsigned int i, over = 0, volume = 0, fanout = 0, worst = ANOM_METRICS;
	char detail[sizeof(((struct detect_incident *)0)->detail)];
	size_t n = 0;
	struct det_key k;
	struct detect_incident *inc;
	bool is_new;

	if (!stats_host_window(st, host, p->ts_ns, &w) || w.learning || w.windows < ANOM_MIN_WINDOWS ||
	    p->ts_ns - w.first_ns < (uint64_t)env->cfg->learning_s * DET_NS)
		return;
	detail[0] = 0;
	for (i = 0; i < ANOM_METRICS; i++) {
		unsigned int m = anom_metrics[i].m;
		double floor = anom_metrics[i].floor ? anom_metrics[i].floor : env->cfg->floor;

		if (w.z[m] < env->cfg->k || w.obs[m] < floor || w.obs[m] < ANOM_PEAK_MULT * w.peak[m])
			continue;
		over++;
		fanout += anom_metrics[i].fanout;
		volume += !anom_metrics[i].fanout;
		if (worst == ANOM_METRICS || w.z[m] > w.z[anom_metrics[worst].m])
			worst = i;
		if (n < sizeof(detail))
			n += (size_t)snprintf(detail + n, sizeof(detail) - n, "%s%s %.0f vs %.1f (peak %.0f)", n ? "; " : "",
					      anom_metrics[i].name, w.obs[m], w.expected[m], w.peak[m]);
	}
	if (!volume || !fanout || det_claimed(env->claimed, host, p->ts_ns, ANOM_CLAIM_NS))
		return;
	k = det_key(1, host, NULL, 0, 0);
	inc = det_incidents_open(s->b.inc, &k, p->ts_ns, &is_new);
	if (is_new) {
		unsigned int m = anom_metrics[worst].m;

		inc->start_ns = p->ts_ns - (uint64_t)(w.window_s * 1e9);
		inc->metric = anom_metrics[worst].name;
		inc->window_s = w.window_s;
		inc->expected = w.expected[m];
		inc->threshold = env->cfg->k;
		memcpy(inc->src, host, 16);
		memcpy(inc->dst, p->pi->dst, 16);
		inc->proto = p->pi->proto;
		inc->src_port = p->pi->src_port;
		inc->dst_port = p->pi->dst_port;
		inc->icmp = p->pi->proto == 1 || p->pi->proto == 58;
		if (inc->icmp) {
			inc->icmp_type = (uint8_t)p->pi->src_port;
			inc->icmp_code = (uint8_t)p->pi->dst_port;
			inc->src_port = inc->dst_port = 0;
		}
		det_incident_add_host(inc, host);
		/* what it changed into: fan-out is discovery, volume a flood or a transfer */
		inc->technique = m == STATS_M_DST_HOSTS - STATS_M_PPS_OUT || m == STATS_M_DST_PORTS - STATS_M_PPS_OUT ||
					 m == STATS_M_NEW_FLOWS - STATS_M_PPS_OUT
				 ? "T1046"
				 : "T1498";
	}
	{
		unsigned int m = anom_metrics[worst].m;

		inc->observed = w.obs[m];
		inc->zscore = w.z[m];
	}
	inc->distinct = over;
	inc->count += (uint64_t)(w.obs[0] * w.window_s);
	snprintf(inc->detail, sizeof(inc->detail), "%s", detail);
	det_incidents_report(s->b.inc, inc, is_new, p->ts_ns);
}

static void det_anomaly_packet(void *st, const struct detect_pkt *p)
{
	struct det_anomaly *s = st;
	const struct stats *eng = s->b.env->stats;

	s->b.now_ns = p->ts_ns;
	if (!p->pi || !p->src_home || !eng || !p->res || !p->res->src.fresh)
		return;
	det_anomaly_judge(s, p, eng);
}

static void det_anomaly_tick(void *st, uint64_t now_ns)
{
	struct det_anomaly *s = st;

	det_base_tick(&s->b, now_ns, DET_NS, NULL, s);
}

const struct det_ops det_anomaly_ops = {
	.create = det_anomaly_create,
	.destroy = det_base_destroy,
	.packet = det_anomaly_packet,
	.tick = det_anomaly_tick,
	.finish = det_base_finish,
	.stats = det_base_stats,
};
