// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_bruteforce.c: password guessing seen from the wire, one source against
 * one service of one host. Where the protocol says so in the clear
 * (Kerberos, LDAP, SMB2, FTP, POP3, IMAP, SMTP, MySQL, PostgreSQL, MSSQL,
 * HTTP with credentials) only refused logins count: a Windows logon's burst
 * of twenty Kerberos and ten LDAP exchanges refuses nothing. Where it is
 * opaque (SSH, RDP, VNC, Telnet, TLS-wrapped services) a guess is a short,
 * small session that carried the client's data. The service is known by its
 * banner or framing (SSH on any port is SSH) or by port (the defaults and
 * detectors.bruteforce.ports). A burst of netlogon authentications (as
 * Zerologon makes) is reported the same way. A login accepted after the
 * refusals raises the incident to severity 1.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "det_common.h"

enum { BRUTE_WIN_NS = 60ULL * DET_NS, BRUTE_MAX_PORTS = CONFIG_MAX_ALLOW };
/* an opaque session that looks like one guess: this short, this small, with the client's data */
static const uint64_t BRUTE_GUESS_NS = 60ULL * DET_NS;
enum { BRUTE_GUESS_BYTES = 65536 };

/* opaque authentication services known by port (their banner is encrypted, or absent) */
static const uint16_t det_bruteforce_opaque_ports[] = { 22, 23, 3389, 5900, 993, 995, 465, 636, 5986 };

enum brute_kind {
	BRUTE_FAILS = 0,	/* logins refused in the clear */
	BRUTE_GUESSES,		/* short sessions with an opaque service */
	BRUTE_NETLOGON,		/* netlogon authentications */
	BRUTE_KINDS,
};

static const char *const det_bruteforce_metric[BRUTE_KINDS] = { "failed_logins", "short_sessions",
								 "netlogon_authentications" };

struct brute_ent {
	uint64_t start_ns;		/* the open window's start, 0: none */
	uint32_t n[BRUTE_KINDS];	/* this window */
	uint32_t refused_total;		/* refusals while an incident is open (for the success note) */
	uint16_t cports[DETECT_MAX_FLOWS];	/* the client ports of the window's latest attempts */
	uint8_t n_cports;		/* attempts recorded in cports[] (ring, mod DETECT_MAX_FLOWS) */
	uint8_t app;
};

struct det_bruteforce {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct { uint16_t lo, hi; } ports[BRUTE_MAX_PORTS];
	uint32_t n_ports;
};
_Static_assert(offsetof(struct det_bruteforce, b) == 0, "det_base first: det_base_* take the state");

static void det_bruteforce_ports(struct det_bruteforce *s)
{
	const struct config_detector *cfg = s->b.env->cfg;
	uint32_t i;

	s->n_ports = 0;
	for (i = 0; i < cfg->n_ports && i < BRUTE_MAX_PORTS; i++)
		if (!det_parse_port_range(cfg->ports[i], &s->ports[s->n_ports].lo, &s->ports[s->n_ports].hi))
			s->n_ports++;
}

static void *det_bruteforce_create(const struct det_env *env)
{
	struct det_bruteforce *s = det_base_new(sizeof(*s), env, 16384, sizeof(struct brute_ent),
						10ULL * DET_NS, 60ULL * DET_NS);

	if (s)
		det_bruteforce_ports(s);
	return s;
}

static int det_bruteforce_reconfigure(void *st)
{
	det_bruteforce_ports(st);
	return 0;
}

/* An authentication service whose failures are not visible: by its banner, or by port. */
static bool det_bruteforce_opaque(const struct det_bruteforce *s, const struct det_conn *c)
{
	unsigned int i;

	switch (c->app) {
	case DET_APP_SSH:
	case DET_APP_RDP:
	case DET_APP_VNC:
	case DET_APP_TELNET:
		return true;
	case DET_APP_NONE:
	case DET_APP_TLS:
		break;
	default:
		return false;	/* a protocol that says whether a login failed: its verdicts count */
	}
	if (c->proto != 6)
		return false;
	for (i = 0; i < sizeof(det_bruteforce_opaque_ports) / sizeof(det_bruteforce_opaque_ports[0]); i++)
		if (c->sport == det_bruteforce_opaque_ports[i])
			return true;
	for (i = 0; i < s->n_ports; i++)
		if (c->sport >= s->ports[i].lo && c->sport <= s->ports[i].hi)
			return true;
	return false;
}

static struct det_key det_bruteforce_key(const struct det_conn *c)
{
	return det_key(1, c->cli, c->srv, c->sport, c->proto);
}

static struct brute_ent *det_bruteforce_ent(struct det_bruteforce *s, const struct det_conn *c, uint64_t now)
{
	struct det_key k = det_bruteforce_key(c);
	bool created;
	struct brute_ent *e = det_table_get(s->b.tab, &k, now, &created);

	if (e->start_ns && now >= e->start_ns + BRUTE_WIN_NS)
		memset(e->n, 0, sizeof(e->n)), e->start_ns = 0, e->n_cports = 0;
	if (!e->start_ns)
		e->start_ns = now;
	if (c->app)
		e->app = c->app;
	return e;
}

/* One more attempt of a kind in c's window: an incident once floor of them are in. */
static void det_bruteforce_count(struct det_bruteforce *s, const struct det_conn *c, enum brute_kind kind,
				 uint64_t now)
{
	const struct det_env *env = s->b.env;
	struct brute_ent *e = det_bruteforce_ent(s, c, now);
	struct det_key k = det_bruteforce_key(c);
	struct detect_incident *inc;
	bool is_new;

	e->n[kind]++;
	e->cports[e->n_cports++ % DETECT_MAX_FLOWS] = c->cport;
	if (e->n_cports >= 2 * DETECT_MAX_FLOWS)
		e->n_cports -= DETECT_MAX_FLOWS;
	if (kind != BRUTE_GUESSES)
		e->refused_total++;
	inc = det_incidents_find(s->b.inc, &k);
	if (!inc && e->n[kind] < env->cfg->floor)
		return;
	inc = det_incidents_open(s->b.inc, &k, now, &is_new);
	if (is_new) {
		inc->start_ns = e->start_ns;
		inc->metric = det_bruteforce_metric[kind];
		inc->window_s = (double)BRUTE_WIN_NS / DET_NS;
		inc->threshold = env->cfg->floor;
		memcpy(inc->src, c->cli, 16);
		memcpy(inc->dst, c->srv, 16);
		inc->src_port = c->cport;
		inc->dst_port = c->sport;
		inc->proto = c->proto;
		det_incident_add_port(inc, c->sport);
		det_incident_add_host(inc, c->srv);
		if (kind == BRUTE_NETLOGON) {
			inc->technique = "T1210";
			inc->severity = 1;
		}
		snprintf(inc->detail, sizeof(inc->detail), "%s%s", det_app_name((enum det_app)e->app),
			 kind == BRUTE_FAILS ? " logins refused" : kind == BRUTE_NETLOGON ? " netlogon authentication burst"
											: " sessions that end after a few seconds");
		/* the attempts that made the incident, oldest first, so that their flow events are found */
		for (unsigned int i = e->n_cports > DETECT_MAX_FLOWS ? e->n_cports - DETECT_MAX_FLOWS : 0;
		     i < e->n_cports; i++)
			det_incident_add_flow(inc, c->cli, e->cports[i % DETECT_MAX_FLOWS], c->srv, c->sport, c->proto);
	}
	det_incident_add_flow(inc, c->cli, c->cport, c->srv, c->sport, c->proto);
	inc->observed = e->n[kind] > inc->observed ? e->n[kind] : inc->observed;
	inc->count = is_new ? e->n[kind] : inc->count + 1;
	det_incidents_report(s->b.inc, inc, is_new, now);
}

/* The server accepted a login: after refusals, the guessing may have worked. */
static void det_bruteforce_accepted(struct det_bruteforce *s, const struct det_conn *c, uint64_t now)
{
	struct det_key k = det_bruteforce_key(c);
	struct detect_incident *inc = det_incidents_find(s->b.inc, &k);
	struct brute_ent *e = det_table_find(s->b.tab, &k);

	if (!inc || !e)
		return;
	inc->severity = 1;
	snprintf(inc->detail, sizeof(inc->detail), "%s login accepted after %u refused",
		 det_app_name((enum det_app)e->app), e->refused_total);
	det_incidents_report(s->b.inc, inc, false, now);
}

static void det_bruteforce_packet(void *st, const struct detect_pkt *p)
{
	struct det_bruteforce *s = st;

	s->b.now_ns = p->ts_ns;
	if (!p->conn || !p->news)
		return;
	if (p->news & DET_CONN_NEWS_AUTH_FAIL)
		det_bruteforce_count(s, p->conn, BRUTE_FAILS, p->ts_ns);
	if (p->news & DET_CONN_NEWS_NETLOGON_AUTH)
		det_bruteforce_count(s, p->conn, BRUTE_NETLOGON, p->ts_ns);
	if (p->news & DET_CONN_NEWS_AUTH_OK)
		det_bruteforce_accepted(s, p->conn, p->ts_ns);
}

/* An opaque session that ended: a guess when short, small, and the client had its say. */
static void det_bruteforce_conn(void *st, const struct det_conn *c, enum det_conn_event ev, uint64_t now_ns)
{
	struct det_bruteforce *s = st;

	if (ev != DET_CONN_EV_END || c->proto != 6 || !c->segs[0] || !(c->status & DET_CONN_ANSWERED))
		return;
	if (c->last_ns - c->first_ns > BRUTE_GUESS_NS || c->bytes[0] > BRUTE_GUESS_BYTES ||
	    c->bytes[1] > BRUTE_GUESS_BYTES || !det_bruteforce_opaque(s, c))
		return;
	s->b.now_ns = now_ns;
	det_bruteforce_count(s, c, BRUTE_GUESSES, now_ns);
}

static bool det_bruteforce_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct det_bruteforce *s = ctx;
	struct brute_ent *e = v;

	(void)k;
	if (e->start_ns && s->b.now_ns >= e->start_ns + BRUTE_WIN_NS && !det_incidents_find(s->b.inc, k))
		e->refused_total = 0;
	return det_base_idle(&s->b, last_ns, 600ULL * DET_NS);
}

static void det_bruteforce_tick(void *st, uint64_t now_ns)
{
	struct det_bruteforce *s = st;

	det_base_tick(&s->b, now_ns, 10ULL * DET_NS, det_bruteforce_walk, s);
}

const struct det_ops det_bruteforce_ops = {
	.create = det_bruteforce_create,
	.destroy = det_base_destroy,
	.packet = det_bruteforce_packet,
	.tick = det_bruteforce_tick,
	.finish = det_base_finish,
	.conn = det_bruteforce_conn,
	.reconfigure = det_bruteforce_reconfigure,
	.stats = det_base_stats,
};
