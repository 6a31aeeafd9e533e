/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * eve.h: the common header of every event vigil emits, shaped like Suricata's
 * EVE JSON (timestamp, flow_id, event_type, addresses, ports, proto, in_iface)
 * so existing SIEM pipelines read it, plus small formatting helpers.
 */
#ifndef VIGIL_EVE_H
#define VIGIL_EVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* "2026-11-23T13:00:00.123456+0000" (UTC) from ns since the epoch. */
void eve_timestamp(char *buf, size_t len, uint64_t wall_ns);

/* Text form of a 16-byte address; IPv4-mapped addresses print as dotted quads. */
void eve_addr(char *buf, size_t len, const uint8_t addr[16]);

/* "TCP", "UDP", "ICMP", "IPv6-ICMP", "SCTP", or the number as text. */
void eve_proto(char *buf, size_t len, uint8_t proto, int ip_ver);

/* 64-bit flow id from a canonical 5-tuple (stable across runs; never 0). */
uint64_t eve_flow_id(const uint8_t a[16], uint16_t pa, const uint8_t b[16], uint16_t pb, uint8_t proto);

#define EVE_COMMUNITY_ID_LEN 31	/* "1:" + 28 base64 characters + NUL */

/*
 * Community ID v1 (https://github.com/corelight/community-id-spec) of a flow:
 * "1:" + base64(SHA-1(seed, addresses, proto, ports)), the same for both
 * directions. Addresses are 16 bytes (IPv4-mapped for v4, hashed as 4 bytes);
 * for ICMP/ICMPv6 the ports are the type and code. buf gets at least
 * EVE_COMMUNITY_ID_LEN bytes. Returns 0, or -EINVAL when the families differ.
 */
int eve_community_id(char *buf, size_t len, uint16_t seed, const uint8_t src[16], uint16_t sport,
		     const uint8_t dst[16], uint16_t dport, uint8_t proto);

struct eve_header {
	uint64_t wall_ns;
	const char *event_type;
	const char *sensor_name;
	const char *in_iface;	/* may be NULL */
	const uint8_t *src;	/* 16 bytes */
	const uint8_t *dst;
	uint16_t src_port;
	uint16_t dst_port;
	uint8_t proto;
	uint64_t flow_id;	/* 0: derived from the 5-tuple when src and dst are set */
	bool no_tuple;		/* stats and other events about no flow: no addresses at all */
	bool icmp;		/* ICMP/ICMPv6: icmp_type/icmp_code instead of ports */
	bool arp;		/* about ARP: proto "ARP", no ports, no flow ids */
	uint8_t icmp_type;
	uint8_t icmp_code;
};

/*
 * The ports the flow table keys an ICMP packet by (Zeek's convention, as the
 * XDP parser does): the type, and its request/reply counterpart or the code.
 */
void eve_icmp_ports(uint8_t proto, uint8_t type, uint8_t code, uint16_t *sport, uint16_t *dport);

/*
 * New JSON object holding the EVE header: timestamp, flow_id, community_id,
 * in_iface, event_type, src_ip/src_port, dest_ip/dest_port, proto, host and
 * sensor_name (docs/events.md). NULL on allocation failure. Caller owns it.
 */
struct json_object *eve_new(const struct eve_header *h);

/* Serialise obj as one line (no newline), caller frees nothing: valid until obj is put. */
const char *eve_line(struct json_object *obj);

#endif
