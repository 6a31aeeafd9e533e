// SPDX-License-Identifier: GPL-2.0-only
/*
 * det_lateral.c: lateral movement over Windows admin protocols, the steps of
 * an intrusion after the first host falls. Read from the clear parts of the
 * protocols (det_app.c): remote execution (a service created through svcctl,
 * as PsExec does; a task registered; WMI's IWbemLevel1Login; DCOM remote
 * activation), administrative shares (ADMIN$, C$), the remote registry, and
 * replication of directory secrets (DRSUAPI's GetNCChanges) asked by a host
 * that is not a domain controller (DCSync: only DCs replicate; a DC is a host
 * seen answering Kerberos). Remote execution, the service control manager,
 * administrative shares and DCSync are reported whenever they happen (each
 * pair once a day: users do not do them, administrators and their tools
 * do, and an analyst wants to know which); interactive admin access (RDP,
 * WinRM), DCOM and the remote registry are reported for pairs never seen
 * while learning. Each (source, host, kind) is one incident, then known.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "det_common.h"

enum lateral_kind {
	LAT_SVC = 0,		/* service control: CreateService (remote execution, PsExec) */
	LAT_SVCCTL,		/* the service control manager opened remotely */
	LAT_TASK,		/* a scheduled task registered remotely */
	LAT_WMI,		/* remote WMI */
	LAT_DCOM,		/* remote DCOM activation */
	LAT_DCSYNC,		/* directory replication from a host that is no DC */
	LAT_ADMIN_SHARE,	/* ADMIN$ or C$ connected */
	LAT_WINREG,		/* the remote registry */
	LAT_WINRM,		/* WinRM (5985/5986) */
	LAT_RDP,		/* remote desktop */
	LAT_KINDS,
};

struct lateral_row {
	const char *metric;
	const char *technique;
	uint8_t severity;
	uint8_t always;		/* reported even for pairs seen while learning (once a day) */
	const char *what;
};

static const struct lateral_row lat_rows[LAT_KINDS] = {
	[LAT_SVC] = { "remote_service_create", "T1569.002", 1, 1, "created a service remotely (svcctl)" },
	[LAT_SVCCTL] = { "remote_service_control", "T1569.002", 2, 1, "opened the service control manager remotely (svcctl)" },
	[LAT_TASK] = { "remote_task", "T1053.005", 1, 1, "registered a scheduled task remotely" },
	[LAT_WMI] = { "remote_wmi", "T1047", 2, 1, "logged on to WMI remotely (IWbemLevel1Login)" },
	[LAT_DCOM] = { "remote_dcom", "T1021.003", 2, 0, "activated a DCOM object remotely" },
	[LAT_DCSYNC] = { "directory_replication", "T1003.006", 1, 1, "asked a DC to replicate directory secrets (DRSUAPI GetNCChanges) and is no DC" },
	[LAT_ADMIN_SHARE] = { "admin_share", "T1021.002", 2, 1, "connected to an administrative share" },
	[LAT_WINREG] = { "remote_registry", "T1112", 3, 0, "opened the registry remotely (winreg)" },
	[LAT_WINRM] = { "winrm", "T1021.006", 3, 0, "used WinRM" },
	[LAT_RDP] = { "rdp", "T1021.001", 3, 0, "opened a remote desktop" },
};

enum { LAT_DAY_NS_S = 86400 };

struct lateral_pair {
	uint64_t reported_ns;	/* last report (always-kinds repeat after a day) */
	uint8_t known;		/* seen while learning, or reported */
};

/* a host seen answering Kerberos: a domain controller */
struct lateral_dc {
	uint64_t seen_ns;
};

struct det_lateral {
	struct det_base b;		/* first: det_base_destroy/_finish/_learned take the state */
	struct det_table *dcs;
	uint64_t first_ns;		/* learning runs from the detector's first clock */
};
_Static_assert(offsetof(struct det_lateral, b) == 0, "det_base first: det_base_* take the state");

static void det_lateral_destroy(void *st)
{
	struct det_lateral *s = st;

	if (s)
		det_table_free(s->dcs);
	det_base_destroy(st);
}

static void *det_lateral_create(const struct det_env *env)
{
	struct det_lateral *s = det_base_new(sizeof(*s), env, 65536, sizeof(struct lateral_pair),
					     60ULL * DET_NS, 300ULL * DET_NS);

	if (!s)
		return NULL;
	s->dcs = det_table_new(1024, sizeof(struct lateral_dc));
	if (!s->dcs) {
		det_lateral_destroy(s);
		return NULL;
	}
	return s;
}

static bool det_lateral_is_dc(struct det_lateral *s, const uint8_t addr[16])
{
	struct det_key k = det_key(1, addr, NULL, 0, 0);

	return det_table_find(s->dcs, &k) != NULL;
}

/* One use of an admin protocol by c's client on its server. */
static void det_lateral_use(struct det_lateral *s, const struct det_conn *c, enum lateral_kind kind, uint64_t now)
{
	const struct det_env *env = s->b.env;
	const struct lateral_row *r = &lat_rows[kind];
	/* the service control manager opened, then a service created: one incident that grows */
	enum lateral_kind key_kind = kind == LAT_SVC ? LAT_SVCCTL : kind;
	struct det_key k = det_key(1, c->cli, c->srv, kind, 0), ik = det_key(2, c->cli, c->srv, key_kind, 0);
	bool created, is_new, learning = now - s->first_ns < (uint64_t)env->cfg->learning_s * DET_NS;
	struct lateral_pair *e = det_table_get(s->b.tab, &k, now, &created);
	struct detect_incident *inc;

	if (learning && !r->always) {
		e->known = 1;
		return;
	}
	if (e->known && (!r->always || (e->reported_ns && now < e->reported_ns + LAT_DAY_NS_S * 1000000000ULL)))
		return;
	e->known = 1;
	e->reported_ns = now;
	inc = det_incidents_open(s->b.inc, &ik, now, &is_new);
	if (is_new) {
		inc->start_ns = c->first_ns;
		inc->metric = r->metric;
		inc->threshold = 1;
		inc->window_s = (double)env->cfg->learning_s;
		memcpy(inc->src, c->cli, 16);
		memcpy(inc->dst, c->srv, 16);
		inc->src_port = c->cport;
		inc->dst_port = c->sport;
		inc->proto = c->proto;
		inc->severity = r->severity;
		inc->technique = r->technique;
		det_incident_add_host(inc, c->srv);
		det_incident_add_port(inc, c->sport);
		snprintf(inc->detail, sizeof(inc->detail), "%s%s%s", r->what,
			 kind != LAT_ADMIN_SHARE ? ""
			 : (c->facts.smb_shares & DET_SMB_ADMIN) ? " (ADMIN$)" : " (a drive, C$...)",
			 r->always ? "" : ", to a host it never did so with while learning");
	} else if (r->severity < inc->severity) {
		inc->severity = r->severity;
		inc->technique = r->technique;
		snprintf(inc->detail, sizeof(inc->detail), "%s", r->what);
	}
	det_incident_add_flow(inc, c->cli, c->cport, c->srv, c->sport, c->proto);
	inc->observed++;
	inc->count++;
	det_incidents_report(s->b.inc, inc, is_new, now);
}

static void det_lateral_packet(void *st, const struct detect_pkt *p)
{
	struct det_lateral *s = st;
	const struct det_conn *c = p->conn;
	const struct det_app_facts *f;

	s->b.now_ns = p->ts_ns;
	if (!s->first_ns)
		s->first_ns = p->ts_ns;
	if (!c || c->proto != 6 || !(c->home & 1) || !(c->home & 2))
		return;	/* inside the site: one internal host acting on another */
	f = &c->facts;
	/* a DC is a host that answers Kerberos */
	if (!p->from_client && c->sport == 88 && (c->flags[1] & 0x12) == 0x12) {
		struct det_key k = det_key(1, c->srv, NULL, 0, 0);
		bool created;
		struct lateral_dc *dc = det_table_get(s->dcs, &k, p->ts_ns, &created);

		dc->seen_ns = p->ts_ns;
	}
	if (p->news & DET_CONN_NEWS_RPC_OP) {
		if (f->rpc_ops & DET_RPC_OP_SVC_CREATE)
			det_lateral_use(s, c, LAT_SVC, p->ts_ns);
		if (f->rpc_ops & DET_RPC_OP_TASK_REGISTER)
			det_lateral_use(s, c, LAT_TASK, p->ts_ns);
		if ((f->rpc_ops & DET_RPC_OP_DRS_GETNCCHANGES) && !det_lateral_is_dc(s, c->cli))
			det_lateral_use(s, c, LAT_DCSYNC, p->ts_ns);
	}
	if (p->news & DET_CONN_NEWS_RPC_IF) {
		if (f->rpc_ifaces & (1u << DET_RPC_WMI))
			det_lateral_use(s, c, LAT_WMI, p->ts_ns);
		if (f->rpc_ifaces & (1u << DET_RPC_DCOM))
			det_lateral_use(s, c, LAT_DCOM, p->ts_ns);
		if (f->rpc_ifaces & (1u << DET_RPC_WINREG))
			det_lateral_use(s, c, LAT_WINREG, p->ts_ns);
		if (f->rpc_ifaces & (1u << DET_RPC_SVCCTL))
			det_lateral_use(s, c, LAT_SVCCTL, p->ts_ns);
	}
	if ((p->news & DET_CONN_NEWS_SMB_SHARE) && (f->smb_shares & (DET_SMB_ADMIN | DET_SMB_DRIVE)))
		det_lateral_use(s, c, LAT_ADMIN_SHARE, p->ts_ns);
	/* interactive access: the first bytes of the client on RDP or WinRM */
	if (p->from_client && p->payload_len && c->segs[0] == 1) {
		if (c->app == DET_APP_RDP || (c->sport == 3389 && c->app != DET_APP_NONE))
			det_lateral_use(s, c, LAT_RDP, p->ts_ns);
		else if ((c->sport == 5985 || c->sport == 5986) && (c->app == DET_APP_HTTP || c->app == DET_APP_TLS))
			det_lateral_use(s, c, LAT_WINRM, p->ts_ns);
	}
}

static bool det_lateral_dc_walk(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	const struct det_lateral *s = ctx;

	(void)k;
	(void)v;
	return s->b.now_ns > last_ns + 7 * 86400ULL * DET_NS;
}

static void det_lateral_tick(void *st, uint64_t now_ns)
{
	struct det_lateral *s = st;

	if (!s->first_ns)
		s->first_ns = now_ns;
	if (det_base_walk_due(&s->b, now_ns, 3600ULL * DET_NS))
		det_table_walk(s->dcs, det_lateral_dc_walk, s);
	det_incidents_tick(s->b.inc, now_ns);
}

const struct det_ops det_lateral_ops = {
	.create = det_lateral_create,
	.destroy = det_lateral_destroy,
	.packet = det_lateral_packet,
	.tick = det_lateral_tick,
	.finish = det_base_finish,
	.stats = det_base_stats,
};
