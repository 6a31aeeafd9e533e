// SPDX-License-Identifier: GPL-2.0-only
/*
 * eve.c: EVE-compatible event headers. Kept apart from the detectors so that
 * every event type (alert, flow, stats) carries the same field names and the
 * same timestamp format, which is what SIEM parsers key on.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "eve.h"

static const uint8_t eve_v4_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void eve_timestamp(char *buf, size_t len, uint64_t wall_ns)
{
	time_t secs = (time_t)(wall_ns / 1000000000ULL);
	unsigned int usec = (unsigned int)((wall_ns % 1000000000ULL) / 1000ULL);
	struct tm tm;
	char base[32];

	gmtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06u+0000", base, usec);
}

void eve_addr(char *buf, size_t len, const uint8_t addr[16])
{
	if (!memcmp(addr, eve_v4_prefix, 12))
		inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
}

void eve_proto(char *buf, size_t len, uint8_t proto, int ip_ver)
{
	switch (proto) {
	case 6: snprintf(buf, len, "TCP"); break;
	case 17: snprintf(buf, len, "UDP"); break;
	case 1: snprintf(buf, len, "ICMP"); break;
	case 58: snprintf(buf, len, "IPv6-ICMP"); break;
	case 132: snprintf(buf, len, "SCTP"); break;
	default: snprintf(buf, len, "%u", proto); break;
	}
	(void)ip_ver;
}

uint64_t eve_flow_id(const uint8_t a[16], uint16_t pa, const uint8_t b[16], uint16_t pb, uint8_t proto)
{
	/* FNV-1a over the canonical tuple, folded to 51 bits so it stays exact in JSON doubles */
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t buf[37];
	size_t i;

	memcpy(buf, a, 16);
	memcpy(buf + 16, b, 16);
	buf[32] = (uint8_t)(pa >> 8);
	buf[33] = (uint8_t)pa;
	buf[34] = (uint8_t)(pb >> 8);
	buf[35] = (uint8_t)pb;
	buf[36] = proto;
	for (i = 0; i < sizeof(buf); i++) {
		h ^= buf[i];
		h *= 0x100000001b3ULL;
	}
	h &= (1ULL << 51) - 1;
	return h ? h : 1;
}

struct json_object *eve_new(const struct eve_header *h)
{
	struct json_object *o = json_object_new_object();
	char buf[64];

	if (!o)
		return NULL;
	eve_timestamp(buf, sizeof(buf), h->wall_ns);
	json_object_object_add(o, "timestamp", json_object_new_string(buf));
	if (h->flow_id)
		json_object_object_add(o, "flow_id", json_object_new_int64((int64_t)h->flow_id));
	if (h->in_iface)
		json_object_object_add(o, "in_iface", json_object_new_string(h->in_iface));
	json_object_object_add(o, "event_type", json_object_new_string(h->event_type));
	if (h->src) {
		eve_addr(buf, sizeof(buf), h->src);
		json_object_object_add(o, "src_ip", json_object_new_string(buf));
		json_object_object_add(o, "src_port", json_object_new_int(h->src_port));
	}
	if (h->dst) {
		eve_addr(buf, sizeof(buf), h->dst);
		json_object_object_add(o, "dest_ip", json_object_new_string(buf));
		json_object_object_add(o, "dest_port", json_object_new_int(h->dst_port));
	}
	eve_proto(buf, sizeof(buf), h->proto, 0);
	json_object_object_add(o, "proto", json_object_new_string(buf));
	if (h->sensor_name)
		json_object_object_add(o, "sensor_name", json_object_new_string(h->sensor_name));
	return o;
}

const char *eve_line(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
