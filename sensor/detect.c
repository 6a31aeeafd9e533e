// SPDX-License-Identifier: GPL-2.0-only
/*
 * detect.c: the registry. One table row per detector (its facts, where its
 * struct config_detector block sits, its det_ops), so adding one is its id in
 * detect.h, a row here, its block's rows in config.c and its file; the
 * pipeline only ever calls detect_*(). Calls go one way: the registry calls
 * the detectors and det_common.c, which never call back (what they need of
 * the registry, the claimed hosts and the statistics engine, is in their
 * det_env). Also owns packet time: reordered frames are clamped, clock
 * resets rebased.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "det_common.h"
#include "detect.h"

struct detect_row {
	struct detect_info info;
	size_t block;			/* offset of its struct config_detector in struct config */
	const struct det_ops *ops;
};

#define DETECT_BLOCK(member) offsetof(struct config, member)

/* Every detector's operations, each defined in its own file (det_flood_ops adapts det_flood.c). */
extern const struct det_ops det_flood_ops, det_synflood_ops, det_portscan_ops, det_hostsweep_ops,
	det_bruteforce_ops, det_exfil_ops, det_beacon_ops, det_dnstunnel_ops, det_newservice_ops,
	det_anomaly_ops, det_lateral_ops, det_intel_ops;

static const struct detect_row detect_rows[DETECT_MAX] = {
	[DETECT_FLOOD] = { { "flood", 9100001, "VIGIL flood: packet rate towards host far above its baseline",
			     "Attempted Denial of Service", 2, "T1498.001", DETECT_EVIDENCE_VICTIM },
				DETECT_BLOCK(flood), &det_flood_ops },
	[DETECT_SYNFLOOD] = { { "synflood", 9100002, "VIGIL synflood: half-open TCP handshakes or unsolicited SYN-ACKs",
				"Attempted Denial of Service", 2, "T1499.001", DETECT_EVIDENCE_VICTIM },
				DETECT_BLOCK(synflood), &det_synflood_ops },
	[DETECT_PORTSCAN] = { { "portscan", 9100003, "VIGIL portscan: one source probing the ports or services of one host",
				"Detection of a Network Scan", 3, "T1046", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(portscan), &det_portscan_ops },
	[DETECT_HOSTSWEEP] = { { "hostsweep", 9100004, "VIGIL hostsweep: one source probing many internal hosts",
				 "Detection of a Network Scan", 3, "T1046", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(hostsweep), &det_hostsweep_ops },
	[DETECT_BRUTEFORCE] = { { "bruteforce", 9100005,
				  "VIGIL bruteforce: many short connections to an authentication service",
				  "Attempted User Privilege Gain", 2, "T1110.001", DETECT_EVIDENCE_PAIR },
				DETECT_BLOCK(bruteforce), &det_bruteforce_ops },
	[DETECT_EXFIL] = { { "exfil", 9100006, "VIGIL exfil: internal host uploading far above its baseline",
			     "Potential Corporate Privacy Violation", 2, "T1048", DETECT_EVIDENCE_PAIR },
				DETECT_BLOCK(exfil), &det_exfil_ops },
	[DETECT_BEACON] = { { "beacon", 9100007, "VIGIL beacon: regular connections to one outside destination",
			      "A Network Trojan was detected", 2, "T1071", DETECT_EVIDENCE_PAIR },
				DETECT_BLOCK(beacon), &det_beacon_ops },
	[DETECT_DNSTUNNEL] = { { "dnstunnel", 9100008, "VIGIL dnstunnel: DNS names or record types that carry data",
				 "Potential Corporate Privacy Violation", 2, "T1071.004", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(dnstunnel), &det_dnstunnel_ops },
	[DETECT_NEWSERVICE] = { { "newservice", 9100009, "VIGIL newservice: host serving or reaching a port never seen while learning",
				  "Potentially Bad Traffic", 2, "T1133", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(newservice), &det_newservice_ops },
	[DETECT_ANOMALY] = { { "anomaly", 9100010, "VIGIL anomaly: host traffic far outside its learned distribution",
			       "Misc activity", 3, "T1046", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(anomaly), &det_anomaly_ops },
	[DETECT_LATERAL] = { { "lateral", 9100011, "VIGIL lateral: an internal host using admin protocols on another",
			       "Attempted Administrator Privilege Gain", 2, "T1021", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(lateral), &det_lateral_ops },
	[DETECT_INTEL] = { { "intel", 9100012, "VIGIL intel: an address or name listed in a threat-intelligence feed",
			     "A Network Trojan was detected", 1, "T1071", DETECT_EVIDENCE_SOURCE },
				DETECT_BLOCK(intel), &det_intel_ops },
};

struct detect_port_range {
	uint16_t lo, hi;
};

struct detect_slot {
	struct det_env env;
	void *st;
	struct config_detector cfg;	/* a copy, taken at start and at each reconfigure */
	struct detect_port_range ports[CONFIG_MAX_ALLOW];
	uint32_t n_ports;
	void *saved;			/* loaded state waiting for the first clock */
	size_t saved_len;
};

struct detect {
	const struct config *cfg;
	detect_emit_fn emit;
	void *ctx;
	struct detect_slot slot[DETECT_MAX];
	struct det_table *claimed;	/* addr -> last incident time */
	struct det_conns *conns;	/* the conversations every detector reads */
	const struct stats *stats;	/* per-host learned behaviour (borrowed), NULL: none */
	const struct intel_set *intel;	/* indicators (borrowed), NULL: none */
	uint64_t next_id;
	uint64_t now_ns;		/* newest (rebased) packet time */
	uint64_t offset_ns;		/* added to frame times after a clock reset (modulo 2^64: a
					 * capture's clock may be anywhere, arithmetic never overflows) */
	uint64_t next_tick_ns;
	bool restore_pending;		/* some slot holds saved state */
	struct detect_stats st;
};

enum { DETECT_TICK_NS = 100000000, DETECT_REBASE_NS = 2000000000 };

const struct detect_info *detect_info(enum detect_id id)
{
	return id < DETECT_MAX ? &detect_rows[id].info : NULL;
}

enum detect_id detect_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < DETECT_MAX; i++)
		if (!strcmp(detect_rows[i].info.name, name))
			return (enum detect_id)i;
	return DETECT_MAX;
}

double detect_threshold(double floor, bool learning, double learned, double min_fraction)
{
	return det_threshold_rule(floor, learning, learned, min_fraction);
}

static int detect_parse_port(const char *s, struct detect_port_range *r)
{
	return det_parse_port_range(s, &r->lo, &r->hi);
}

static void detect_on_incident(void *ctx, const struct detect_incident *inc)
{
	struct detect *d = ctx;
	static const uint8_t zero[16];
	bool created;

	d->st.events++;
	if (inc->state == DETECT_START)
		d->st.incidents[inc->det]++;
	/* an incident claims its hosts for a while (anomaly leaves hosts to the specific detectors) */
	if (inc->state != DETECT_END && inc->det != DETECT_ANOMALY) {
		uint64_t *t;

		if (memcmp(inc->src, zero, 16)) {
			struct det_key k = det_key(1, inc->src, NULL, 0, 0);

			t = det_table_get(d->claimed, &k, inc->ts_ns, &created);
			*t = inc->ts_ns;
		}
		if (memcmp(inc->dst, zero, 16)) {
			struct det_key k = det_key(1, inc->dst, NULL, 0, 0);

			t = det_table_get(d->claimed, &k, inc->ts_ns, &created);
			*t = inc->ts_ns;
		}
	}
	if (d->emit)
		d->emit(d->ctx, inc);
}

/* Is a conversation outside a detector's view by its allowlists? */
static bool detect_allowed_conn(const struct detect_slot *s, const struct det_conn *c)
{
	uint32_t i, n = s->cfg.n_allow_cidrs < CONFIG_MAX_ALLOW ? s->cfg.n_allow_cidrs : CONFIG_MAX_ALLOW;

	if (n && (config_in_cidrs(s->cfg.allow_cidrs, n, c->cli) || config_in_cidrs(s->cfg.allow_cidrs, n, c->srv)))
		return true;
	if (c->proto != 6 && c->proto != 17)
		return false;
	for (i = 0; i < s->n_ports; i++)
		if ((c->sport >= s->ports[i].lo && c->sport <= s->ports[i].hi) ||
		    (c->cport >= s->ports[i].lo && c->cport <= s->ports[i].hi))
			return true;
	return false;
}

/* A conversation's outcome goes to every detector that listens (and does not allow it). */
static void detect_on_conn(void *ctx, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns)
{
	struct detect *d = ctx;
	unsigned int i;

	for (i = 0; i < DETECT_MAX; i++) {
		struct detect_slot *s = &d->slot[i];

		if (!s->st || !detect_rows[i].ops->conn)
			continue;
		if ((s->n_ports || s->cfg.n_allow_cidrs) && detect_allowed_conn(s, c))
			continue;
		detect_rows[i].ops->conn(s->st, c, ev, now_ns);
	}
}

bool detect_claimed(const struct detect *d, const uint8_t addr[16], uint64_t now_ns, uint64_t window_ns)
{
	return det_claimed(d->claimed, addr, now_ns, window_ns);
}

const struct config_detector *detect_block(const struct config *cfg, enum detect_id id)
{
	if (id >= DETECT_MAX)
		return NULL;
	return (const struct config_detector *)((const char *)cfg + detect_rows[id].block);
}

/* Detector i's block from cfg and its parsed allow_ports; -EINVAL on a bad port. */
static int detect_slot_cfg(const struct config *cfg, unsigned int i, struct config_detector *blk,
			   struct detect_port_range *ports, uint32_t *n_ports)
{
	uint32_t j, k;

	*blk = *detect_block(cfg, (enum detect_id)i);
	for (j = 0; blk->enabled && j < blk->n_allow_ports && j < CONFIG_MAX_ALLOW; j++)
		if (detect_parse_port(blk->allow_ports[j], &ports[j]))
			return -EINVAL;
	for (k = 0; blk->enabled && k < blk->n_ports && k < CONFIG_MAX_ALLOW; k++) {
		struct detect_port_range r;

		if (detect_parse_port(blk->ports[k], &r))
			return -EINVAL;
	}
	*n_ports = blk->enabled ? j : 0;
	return 0;
}

/* Create detector i from its slot's block; -errno. */
static int detect_slot_start(struct detect *d, unsigned int i)
{
	struct detect_slot *s = &d->slot[i];

	s->env.id = (enum detect_id)i;
	s->env.cfg = &s->cfg;
	s->env.all = d->cfg;
	s->env.min_fraction = d->cfg->detect_min_fraction > 0 ? d->cfg->detect_min_fraction : 0.25;
	s->env.emit = detect_on_incident;
	s->env.emit_ctx = d;
	s->env.next_id = &d->next_id;
	s->env.claimed = d->claimed;
	s->env.stats = d->stats;
	s->env.intel = d->intel;
	errno = 0;
	s->st = detect_rows[i].ops->create(&s->env);
	if (!s->st)
		return errno ? -errno : -ENOMEM;
	return 0;
}

static void detect_slot_stop(struct detect_slot *s, unsigned int i)
{
	if (s->st)
		detect_rows[i].ops->destroy(s->st);
	s->st = NULL;
	free(s->saved);
	s->saved = NULL;
	s->saved_len = 0;
}

struct detect *detect_new(const struct config *cfg, detect_emit_fn emit, void *ctx)
{
	struct detect *d = calloc(1, sizeof(*d));
	unsigned int i;
	int err = ENOMEM, rc;

	if (!d)
		return NULL;
	d->cfg = cfg;
	d->emit = emit;
	d->ctx = ctx;
	d->claimed = det_table_new(4096, sizeof(uint64_t));
	d->conns = det_conns_new(cfg->detect_connections ? cfg->detect_connections : 131072, detect_on_conn, d);
	if (!d->claimed || !d->conns)
		goto cleanup;
	for (i = 0; i < DETECT_MAX; i++) {
		struct detect_slot *s = &d->slot[i];

		if (detect_slot_cfg(cfg, i, &s->cfg, s->ports, &s->n_ports)) {
			err = EINVAL;
			goto cleanup;
		}
		if (!s->cfg.enabled)
			continue;
		rc = detect_slot_start(d, i);
		if (rc < 0) {
			err = -rc;
			goto cleanup;
		}
	}
	return d;
cleanup:
	detect_free(d);
	errno = err;
	return NULL;
}

int detect_reconfigure(struct detect *d, const struct config *cfg)
{
	struct config_detector blk[DETECT_MAX];
	struct detect_port_range ports[DETECT_MAX][CONFIG_MAX_ALLOW];
	uint32_t n_ports[DETECT_MAX];
	unsigned int i;
	int rc, first = 0;

	/* check everything first, so a bad entry changes nothing */
	for (i = 0; i < DETECT_MAX; i++)
		if (detect_slot_cfg(cfg, i, &blk[i], ports[i], &n_ports[i]))
			return -EINVAL;
	d->cfg = cfg;
	for (i = 0; i < DETECT_MAX; i++) {
		struct detect_slot *s = &d->slot[i];

		s->cfg = blk[i];
		memcpy(s->ports, ports[i], sizeof(s->ports));
		s->n_ports = n_ports[i];
		if (!s->cfg.enabled) {
			detect_slot_stop(s, i);
			continue;
		}
		if (!s->st) {
			rc = detect_slot_start(d, i);	/* switched on: starts learning */
			if (rc < 0 && !first)
				first = rc;
			continue;
		}
		s->env.all = cfg;
		s->env.min_fraction = cfg->detect_min_fraction > 0 ? cfg->detect_min_fraction : 0.25;
		if (detect_rows[i].ops->reconfigure) {
			rc = detect_rows[i].ops->reconfigure(s->st);
			if (rc < 0 && !first)
				first = rc;
		}
	}
	return first;
}

size_t detect_save_size(struct detect *d, enum detect_id id)
{
	struct detect_slot *s;
	const struct det_ops *ops;

	if (id >= DETECT_MAX || !d->slot[id].st)
		return 0;
	s = &d->slot[id];
	ops = detect_rows[id].ops;
	if (ops->save_size)
		return ops->save_size(s->st);
	if (s->saved)
		return s->saved_len;
	return ops->learned ? det_saved_size(ops->learned(s->st), ops->layout) : 0;
}

long detect_save(struct detect *d, enum detect_id id, void *buf, size_t len)
{
	struct detect_slot *s;
	const struct det_ops *ops;

	if (id >= DETECT_MAX || !d->slot[id].st)
		return -ENOENT;
	s = &d->slot[id];
	ops = detect_rows[id].ops;
	if (ops->save)
		return ops->save(s->st, d->now_ns, buf, len);
	if (!ops->learned)
		return -ENOENT;
	if (s->saved) {	/* restored but no clock yet: keep it as it was */
		if (len < s->saved_len)
			return -ENOSPC;
		memcpy(buf, s->saved, s->saved_len);
		return (long)s->saved_len;
	}
	return det_saved_save(ops->learned(s->st), ops->layout, d->now_ns, buf, len);
}

int detect_load(struct detect *d, enum detect_id id, const void *buf, size_t len)
{
	struct detect_slot *s;
	const struct det_ops *ops;
	int n;

	if (id >= DETECT_MAX || !d->slot[id].st)
		return -ENOENT;
	if (d->st.packets || d->now_ns)
		return -EBUSY;
	s = &d->slot[id];
	ops = detect_rows[id].ops;
	if (ops->load)
		return ops->load(s->st, buf, len);
	if (!ops->learned)
		return -ENOENT;
	n = det_saved_check(ops->layout, buf, len);
	if (n <= 0)
		return n;
	free(s->saved);
	s->saved = malloc(len);
	if (!s->saved) {
		s->saved_len = 0;
		return -ENOMEM;
	}
	memcpy(s->saved, buf, len);
	s->saved_len = len;
	d->restore_pending = true;
	return n;
}

/* Saved state goes in at the first clock: ages become times of this run. */
static void detect_restore(struct detect *d, uint64_t now_ns)
{
	unsigned int i;

	d->restore_pending = false;
	for (i = 0; i < DETECT_MAX; i++) {
		struct detect_slot *s = &d->slot[i];

		if (!s->saved)
			continue;
		if (s->st)
			det_saved_restore(detect_rows[i].ops->learned(s->st), detect_rows[i].ops->layout, s->saved,
					  s->saved_len, now_ns);
		free(s->saved);
		s->saved = NULL;
		s->saved_len = 0;
	}
}

void detect_free(struct detect *d)
{
	unsigned int i;

	if (!d)
		return;
	for (i = 0; i < DETECT_MAX; i++)
		detect_slot_stop(&d->slot[i], i);
	det_table_free(d->claimed);
	det_conns_free(d->conns);
	free(d);
}

static bool detect_allowed(const struct detect_slot *s, const struct detect_pkt *p)
{
	uint32_t i, n = s->cfg.n_allow_cidrs < CONFIG_MAX_ALLOW ? s->cfg.n_allow_cidrs : CONFIG_MAX_ALLOW;

	if (!p->pi)
		return false;
	if (n && (config_in_cidrs(s->cfg.allow_cidrs, n, p->pi->src) ||
		  config_in_cidrs(s->cfg.allow_cidrs, n, p->pi->dst)))
		return true;
	if (p->pi->proto != 6 && p->pi->proto != 17)
		return false;
	for (i = 0; i < s->n_ports; i++) {
		if (p->pi->dst_port >= s->ports[i].lo && p->pi->dst_port <= s->ports[i].hi)
			return true;
		if (p->pi->src_port >= s->ports[i].lo && p->pi->src_port <= s->ports[i].hi)
			return true;
	}
	return false;
}

static void detect_tick_all(struct detect *d, uint64_t now_ns)
{
	unsigned int i;

	det_conns_tick(d->conns, now_ns);
	for (i = 0; i < DETECT_MAX; i++)
		if (d->slot[i].st && detect_rows[i].ops->tick)
			detect_rows[i].ops->tick(d->slot[i].st, now_ns);
	d->next_tick_ns = now_ns - now_ns % DETECT_TICK_NS + DETECT_TICK_NS;
}

/* Frame time to detector time: monotonic; a jump back of more than 2 s is a clock reset. */
static uint64_t detect_time(struct detect *d, uint64_t ts_ns)
{
	uint64_t t = ts_ns + d->offset_ns;

	if (t >= d->now_ns) {
		d->now_ns = t;
		return t;
	}
	d->st.time_backwards++;
	if (d->now_ns - t > DETECT_REBASE_NS)
		d->offset_ns += d->now_ns - t;
	return d->now_ns;
}

void detect_packet(struct detect *d, const struct detect_pkt *in)
{
	struct detect_pkt p = *in;
	unsigned int i;

	d->st.packets++;
	p.ts_ns = detect_time(d, in->ts_ns);
	if (d->restore_pending)
		detect_restore(d, p.ts_ns);
	if (p.pi) {
		p.src_home = config_in_home_net(d->cfg, p.pi->src);
		p.dst_home = config_in_home_net(d->cfg, p.pi->dst);
	}
	if (p.ts_ns >= d->next_tick_ns)
		detect_tick_all(d, p.ts_ns);
	p.conn = NULL;
	p.from_client = false;
	p.news = 0;
	if (p.pi)
		p.conn = det_conns_packet(d->conns, p.ts_ns, p.pi, p.payload, p.payload_len, p.src_home, p.dst_home,
					  &p.from_client, &p.news);
	for (i = 0; i < DETECT_MAX; i++) {
		struct detect_slot *s = &d->slot[i];

		if (!s->st)
			continue;
		if ((s->n_ports || s->cfg.n_allow_cidrs) && detect_allowed(s, &p)) {
			d->st.allowlisted++;
			continue;
		}
		detect_rows[i].ops->packet(s->st, &p);
	}
}

void detect_set_stats(struct detect *d, const struct stats *st)
{
	unsigned int i;

	d->stats = st;
	for (i = 0; i < DETECT_MAX; i++)
		d->slot[i].env.stats = st;
}

const struct stats *detect_stats(const struct detect *d)
{
	return d->stats;
}

void detect_set_intel(struct detect *d, const struct intel_set *set)
{
	unsigned int i;

	d->intel = set;
	for (i = 0; i < DETECT_MAX; i++)
		d->slot[i].env.intel = set;
}

const struct intel_set *detect_intel(const struct detect *d)
{
	return d->intel;
}

void detect_frame(struct detect *d, uint64_t ts_ns, const uint8_t *frame, uint32_t len,
		  const struct pkt_info *pi, const struct stats_result *res)
{
	struct detect_pkt p = { .ts_ns = ts_ns, .pi = pi, .frame = frame, .len = len, .res = res };

	if (pi && pi->payload_len && frame && (uint32_t)pi->payload_off + pi->payload_len <= len) {
		p.payload = frame + pi->payload_off;
		p.payload_len = pi->payload_len;
	}
	detect_packet(d, &p);
}

void detect_tick(struct detect *d, uint64_t now_ns)
{
	if (now_ns < d->now_ns)
		return;
	d->now_ns = now_ns;
	if (d->restore_pending)
		detect_restore(d, now_ns);
	detect_tick_all(d, now_ns);
}

void detect_finish(struct detect *d, uint64_t now_ns)
{
	unsigned int i;

	now_ns += d->offset_ns;
	if (now_ns < d->now_ns)
		now_ns = d->now_ns;
	det_conns_finish(d->conns, now_ns);
	for (i = 0; i < DETECT_MAX; i++)
		if (d->slot[i].st && detect_rows[i].ops->finish)
			detect_rows[i].ops->finish(d->slot[i].st, now_ns);
}

void detect_get_stats(const struct detect *d, struct detect_stats *out)
{
	*out = d->st;
}

void detect_get_detector_stats(const struct detect *d, enum detect_id id, struct detect_detector_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (id < DETECT_MAX && d->slot[id].st && detect_rows[id].ops->stats)
		detect_rows[id].ops->stats(d->slot[id].st, out);
}

void detect_set_id_base(struct detect *d, uint64_t base)
{
	if (d->next_id < base)
		d->next_id = base;
}
