// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats_event.c: turns the sensor's counters into an EVE stats event. The
 * field names follow Suricata's stats{} (uptime, decoder.pkts, detect.alert,
 * flow) where one exists; what is vigil's own sits under stats.vigil_*.
 */
#include "eve.h"
#include "intel.h"
#include "stats_event.h"

static void stats_event_add(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

/* stats.vigil_intel: reloads, and per feed what is in use, hits and failed reads */
static struct json_object *stats_event_intel(const struct intel_stats *is)
{
	struct json_object *o = json_object_new_object(), *feeds = json_object_new_array();
	uint32_t i;

	stats_event_add(o, "reloads", is->reloads);
	stats_event_add(o, "reload_errors", is->reload_errors);
	for (i = 0; i < is->n; i++) {
		const struct intel_feed_stats *fs = &is->feed[i];
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "name", json_object_new_string(fs->name));
		json_object_object_add(f, "loaded", json_object_new_boolean(fs->loaded));
		stats_event_add(f, "ipv4", fs->indicators[INTEL_TYPE_IPV4]);
		stats_event_add(f, "ipv6", fs->indicators[INTEL_TYPE_IPV6]);
		stats_event_add(f, "domains", fs->indicators[INTEL_TYPE_DOMAIN]);
		stats_event_add(f, "ignored", fs->ignored);
		stats_event_add(f, "hits", fs->hits);
		stats_event_add(f, "loads", fs->loads);
		stats_event_add(f, "errors", fs->errors);
		json_object_array_add(feeds, f);
	}
	json_object_object_add(o, "feeds", feeds);
	return o;
}

struct json_object *stats_event_json(const struct alert_ctx *ctx, const struct stats_event_in *in)
{
	struct eve_header h = {
		.wall_ns = in->wall_ns,
		.event_type = "stats",
		.sensor_name = ctx->sensor_name,
		.in_iface = ctx->in_iface,
		.no_tuple = true,
	};
	struct json_object *o, *st, *dec, *det, *fl, *pub;

	o = eve_new(&h);
	if (!o)
		return NULL;
	st = json_object_new_object();
	stats_event_add(st, "uptime", in->uptime_s);
	dec = json_object_new_object();
	stats_event_add(dec, "pkts", in->packets);
	stats_event_add(dec, "invalid", in->bad_eth + in->bad_vlan + in->bad_ip4 + in->bad_ip6 + in->bad_l4);
	stats_event_add(dec, "non_ip", in->non_ip);
	stats_event_add(dec, "bad_eth", in->bad_eth);
	stats_event_add(dec, "bad_vlan", in->bad_vlan);
	stats_event_add(dec, "bad_ipv4", in->bad_ip4);
	stats_event_add(dec, "bad_ipv6", in->bad_ip6);
	stats_event_add(dec, "bad_l4", in->bad_l4);
	json_object_object_add(st, "decoder", dec);
	det = json_object_new_object();
	stats_event_add(det, "alert", in->alerts);
	stats_event_add(det, "alerts_dropped", in->alerts_dropped);
	json_object_object_add(st, "detect", det);
	fl = json_object_new_object();
	stats_event_add(fl, "emitted", in->flows);
	stats_event_add(fl, "harvest_errors", in->harvest_errors);
	json_object_object_add(st, "flow", fl);
	if (in->has_publish) {
		pub = json_object_new_object();
		stats_event_add(pub, "published", in->pub_published);
		stats_event_add(pub, "acked", in->pub_acked);
		stats_event_add(pub, "queued", in->pub_queued);
		stats_event_add(pub, "resent", in->pub_resent);
		stats_event_add(pub, "dropped_full", in->pub_dropped_full);
		stats_event_add(pub, "dropped_spool", in->pub_dropped_spool);
		stats_event_add(pub, "spool_errors", in->pub_spool_errors);
		stats_event_add(pub, "spool_bytes", in->pub_spool_bytes);
		stats_event_add(pub, "refused", in->pub_refused);
		json_object_object_add(pub, "connected", json_object_new_boolean(in->pub_connected));
		json_object_object_add(st, "vigil_publish", pub);
	}
	if (in->intel && in->intel->n)
		json_object_object_add(st, "vigil_intel", stats_event_intel(in->intel));
	if (in->version) {
		struct json_object *vs = json_object_new_object();

		json_object_object_add(vs, "version", json_object_new_string(in->version));
		json_object_object_add(st, "vigil_sensor", vs);
	}
	json_object_object_add(o, "stats", st);
	return o;
}

bool stats_event_due(uint64_t *next, uint64_t now_ns, uint32_t interval_s)
{
	uint64_t step = (uint64_t)interval_s * 1000000000ULL;

	if (!interval_s)
		return false;
	if (!*next) {
		*next = now_ns + step;
		return false;
	}
	if (now_ns < *next)
		return false;
	/* after a pause (replay gap), the next one is a full interval away */
	*next = now_ns + step;
	return true;
}
