// SPDX-License-Identifier: GPL-2.0-only
/*
 * eve.c: EVE-compatible event headers. Kept apart from the detectors so that
 * every event type (alert, flow, stats) carries the same field names and the
 * same timestamp format, which is what SIEM parsers key on.
 */
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>
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

/* SHA-1 (FIPS 180-4), only for Community ID: 20-byte digest of a short message. */
static uint32_t eve_rol(uint32_t v, int n)
{
	return (v << n) | (v >> (32 - n));
}

static void eve_sha1_block(uint32_t hs[5], const uint8_t blk[64])
{
	uint32_t w[80], a = hs[0], b = hs[1], c = hs[2], d = hs[3], e = hs[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 |
		       (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = eve_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k, t;

		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = eve_rol(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = eve_rol(b, 30);
		b = a;
		a = t;
	}
	hs[0] += a;
	hs[1] += b;
	hs[2] += c;
	hs[3] += d;
	hs[4] += e;
}

/* msg is at most 64 bytes here (Community ID input is <= 40), so two blocks at most */
static void eve_sha1(const uint8_t *msg, size_t len, uint8_t out[20])
{
	uint32_t hs[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	uint8_t buf[128] = { 0 };
	size_t total = len + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;

	memcpy(buf, msg, len);
	buf[len] = 0x80;
	for (int i = 0; i < 8; i++)
		buf[total - 1 - i] = (uint8_t)(bits >> (8 * i));
	for (size_t off = 0; off < total; off += 64)
		eve_sha1_block(hs, buf + off);
	for (int i = 0; i < 5; i++) {
		out[4 * i] = (uint8_t)(hs[i] >> 24);
		out[4 * i + 1] = (uint8_t)(hs[i] >> 16);
		out[4 * i + 2] = (uint8_t)(hs[i] >> 8);
		out[4 * i + 3] = (uint8_t)hs[i];
	}
}

static void eve_base64(char *out, const uint8_t *in, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0) |
			     (i + 2 < len ? in[i + 2] : 0);

		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/*
 * ICMP types that have a reply (or request) counterpart, per the spec: the pair
 * is hashed as (type, counterpart) so both directions give one id. Returns
 * false when the type has none (one-way: the endpoints keep their order).
 */
static bool eve_icmp_peer(uint8_t proto, uint16_t type, uint16_t *peer)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 }, { 16, 15 },
					 { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 },
					 { 135, 136 }, { 136, 135 }, { 130, 131 }, { 131, 130 },
					 { 144, 145 }, { 145, 144 }, { 139, 140 }, { 140, 139 } };
	const uint8_t (*t)[2] = proto == 1 ? v4 : v6;
	size_t n = proto == 1 ? sizeof(v4) / sizeof(v4[0]) : sizeof(v6) / sizeof(v6[0]);

	for (size_t i = 0; i < n; i++)
		if (t[i][0] == type) {
			*peer = t[i][1];
			return true;
		}
	return false;
}

void eve_icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sport, uint16_t *dport)
{
	uint16_t peer;

	*sport = type;
	*dport = eve_icmp_peer(proto, type, &peer) ? peer : code;
}

int eve_community_id(char *buf, size_t len, uint16_t seed, const uint8_t src[16], uint16_t sport,
		     const uint8_t dst[16], uint16_t dport, uint8_t proto)
{
	bool v4 = !memcmp(src, eve_v4_prefix, 12), ports = false, one_way = false;
	const uint8_t *a = src, *b = dst;
	uint16_t pa = sport, pb = dport;
	size_t alen = v4 ? 4 : 16, off = 0;
	uint8_t msg[48], digest[20];
	int cmp;

	if (len < EVE_COMMUNITY_ID_LEN || v4 != !memcmp(dst, eve_v4_prefix, 12))
		return -EINVAL;
	if (v4) {
		a += 12;
		b += 12;
	}
	switch (proto) {
	case 6: case 17: case 132:
		ports = true;
		break;
	case 1: case 58: {
		uint16_t peer;

		ports = true;
		/* ports are type and code; a known request/reply pair hashes as (type, peer) */
		if (eve_icmp_peer(proto, sport, &peer))
			pb = peer;
		else
			one_way = true;
		break;
	}
	default:
		break;
	}
	cmp = memcmp(a, b, alen);
	if (!one_way && (cmp > 0 || (cmp == 0 && ports && pa > pb))) {
		const uint8_t *t = a;
		uint16_t tp = pa;

		a = b;
		b = t;
		pa = pb;
		pb = tp;
	}
	msg[off++] = (uint8_t)(seed >> 8);
	msg[off++] = (uint8_t)seed;
	memcpy(msg + off, a, alen);
	off += alen;
	memcpy(msg + off, b, alen);
	off += alen;
	msg[off++] = proto;
	msg[off++] = 0;
	if (ports) {
		msg[off++] = (uint8_t)(pa >> 8);
		msg[off++] = (uint8_t)pa;
		msg[off++] = (uint8_t)(pb >> 8);
		msg[off++] = (uint8_t)pb;
	}
	eve_sha1(msg, off, digest);
	memcpy(buf, "1:", 2);
	eve_base64(buf + 2, digest, sizeof(digest));
	return 0;
}

struct json_object *eve_new(const struct eve_header *h)
{
	struct json_object *o = json_object_new_object();
	char buf[64];

	if (!o)
		return NULL;
	eve_timestamp(buf, sizeof(buf), h->wall_ns);
	json_object_object_add(o, "timestamp", json_object_new_string(buf));
	if (h->src && h->dst && !h->arp) {
		uint16_t sp = h->src_port, dp = h->dst_port;
		int c = memcmp(h->src, h->dst, 16);
		bool fwd;
		uint64_t fid;
		char cid[EVE_COMMUNITY_ID_LEN];

		if (h->icmp)
			eve_icmp_ports(h->proto, h->icmp_type, h->icmp_code, &sp, &dp);
		fwd = c < 0 || (c == 0 && sp <= dp);
		/* the flow table's canonical order, so an alert and its flow share the id */
		fid = h->flow_id ? h->flow_id : fwd ? eve_flow_id(h->src, sp, h->dst, dp, h->proto)
						    : eve_flow_id(h->dst, dp, h->src, sp, h->proto);
		json_object_object_add(o, "flow_id", json_object_new_int64((int64_t)fid));
		/* community id: ICMP hashes type and code (the spec pairs the types itself) */
		if (eve_community_id(cid, sizeof(cid), 0, h->src, h->icmp ? h->icmp_type : h->src_port, h->dst,
				     h->icmp ? h->icmp_code : h->dst_port, h->proto) == 0)
			json_object_object_add(o, "community_id", json_object_new_string(cid));
	}
	if (h->in_iface)
		json_object_object_add(o, "in_iface", json_object_new_string(h->in_iface));
	json_object_object_add(o, "event_type", json_object_new_string(h->event_type));
	if (h->src) {
		eve_addr(buf, sizeof(buf), h->src);
		json_object_object_add(o, "src_ip", json_object_new_string(buf));
		if (!h->icmp && !h->arp)
			json_object_object_add(o, "src_port", json_object_new_int(h->src_port));
	}
	if (h->dst) {
		eve_addr(buf, sizeof(buf), h->dst);
		json_object_object_add(o, "dest_ip", json_object_new_string(buf));
		if (!h->icmp && !h->arp)
			json_object_object_add(o, "dest_port", json_object_new_int(h->dst_port));
	}
	if (!h->no_tuple) {
		eve_proto(buf, sizeof(buf), h->proto, 0);
		json_object_object_add(o, "proto", json_object_new_string(h->arp ? "ARP" : buf));
	}
	if (h->icmp) {
		json_object_object_add(o, "icmp_type", json_object_new_int(h->icmp_type));
		json_object_object_add(o, "icmp_code", json_object_new_int(h->icmp_code));
	}
	if (h->sensor_name) {
		/* Suricata's name for the sensor is "host"; sensor_name is what the collector keys on */
		json_object_object_add(o, "host", json_object_new_string(h->sensor_name));
		json_object_object_add(o, "sensor_name", json_object_new_string(h->sensor_name));
	}
	return o;
}

const char *eve_line(struct json_object *obj)
{
	return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}
