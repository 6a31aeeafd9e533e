// SPDX-License-Identifier: GPL-2.0-only
/*
 * flowlog.c: EVE flow events from the summed per-CPU XDP flow records, with
 * Suricata's flow{} field names, so flow tables can be compared with other
 * tools and fed to the same pipelines as alerts.
 */
#include <stdio.h>

#include "eve.h"
#include "flowlog.h"

static void flowlog_tcp_flags(char *buf, size_t len, uint8_t f)
{
	snprintf(buf, len, "%02x", f);
}

struct json_object *flowlog_json(const struct alert_ctx *ctx, const struct vigil_flow_key *k,
				 const struct vigil_flow *f, const char *reason)
{
	int cli = f->initiator == VIGIL_DIR_BA ? 1 : 0;	/* index of the client's direction */
	const uint8_t *src = cli ? k->addr_b : k->addr_a, *dst = cli ? k->addr_a : k->addr_b;
	uint16_t sport = cli ? k->port_b : k->port_a, dport = cli ? k->port_a : k->port_b;
	struct eve_header h = {
		.wall_ns = (uint64_t)((int64_t)f->last_ns + ctx->wall_offset_ns),
		.event_type = "flow",
		.sensor_name = ctx->sensor_name,
		.in_iface = ctx->in_iface,
		.src = src,
		.dst = dst,
		.src_port = sport,
		.dst_port = dport,
		.proto = k->proto,
		.flow_id = eve_flow_id(k->addr_a, k->port_a, k->addr_b, k->port_b, k->proto),
	};
	char ts[64];
	struct json_object *o, *fl, *tcp;

	o = eve_new(&h);
	if (!o)
		return NULL;
	fl = json_object_new_object();
	json_object_object_add(fl, "pkts_toserver", json_object_new_int64((int64_t)f->pkts[cli]));
	json_object_object_add(fl, "pkts_toclient", json_object_new_int64((int64_t)f->pkts[!cli]));
	json_object_object_add(fl, "bytes_toserver", json_object_new_int64((int64_t)f->bytes[cli]));
	json_object_object_add(fl, "bytes_toclient", json_object_new_int64((int64_t)f->bytes[!cli]));
	eve_timestamp(ts, sizeof(ts), (uint64_t)((int64_t)f->first_ns + ctx->wall_offset_ns));
	json_object_object_add(fl, "start", json_object_new_string(ts));
	eve_timestamp(ts, sizeof(ts), (uint64_t)((int64_t)f->last_ns + ctx->wall_offset_ns));
	json_object_object_add(fl, "end", json_object_new_string(ts));
	json_object_object_add(fl, "age",
			       json_object_new_int64((int64_t)((f->last_ns - f->first_ns) / 1000000000ULL)));
	json_object_object_add(fl, "reason", json_object_new_string(reason));
	json_object_object_add(fl, "min_len", json_object_new_int64(f->min_len));
	json_object_object_add(fl, "max_len", json_object_new_int64(f->max_len));
	if (f->vlan_id) {
		struct json_object *vl = json_object_new_array();

		json_object_array_add(vl, json_object_new_int(f->vlan_id));
		json_object_object_add(o, "vlan", vl);
	}
	json_object_object_add(o, "flow", fl);
	if (k->proto == 6) {
		char b[8];

		tcp = json_object_new_object();
		flowlog_tcp_flags(b, sizeof(b), f->tcp_flags[0] | f->tcp_flags[1]);
		json_object_object_add(tcp, "tcp_flags", json_object_new_string(b));
		flowlog_tcp_flags(b, sizeof(b), f->tcp_flags[cli]);
		json_object_object_add(tcp, "tcp_flags_ts", json_object_new_string(b));
		flowlog_tcp_flags(b, sizeof(b), f->tcp_flags[!cli]);
		json_object_object_add(tcp, "tcp_flags_tc", json_object_new_string(b));
		json_object_object_add(tcp, "syn_count", json_object_new_int64(f->syn));
		json_object_object_add(tcp, "fin_count", json_object_new_int64(f->fin));
		json_object_object_add(tcp, "rst_count", json_object_new_int64(f->rst));
		json_object_object_add(o, "tcp", tcp);
	}
	return o;
}
