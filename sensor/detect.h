/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * detect.h: the detector registry. One table names every detector (its
 * vigil.detector value, signature_id, category, severity, config block and
 * callbacks); the pipeline hands each parsed frame to detect_packet() and the
 * clock to detect_tick(), and receives incidents through one callback.
 * Pure: time is an argument; nothing here reads a clock or does I/O.
 */
#ifndef VIGIL_DETECT_H
#define VIGIL_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "pkt.h"

enum detect_id {
	DETECT_FLOOD = 0,
	DETECT_SYNFLOOD,
	DETECT_PORTSCAN,
	DETECT_HOSTSWEEP,
	DETECT_BRUTEFORCE,
	DETECT_EXFIL,
	DETECT_BEACON,
	DETECT_DNSTUNNEL,
	DETECT_NEWSERVICE,
	DETECT_ANOMALY,
	DETECT_LATERAL,
	DETECT_INTEL,
	DETECT_MAX,
};

enum detect_state {
	DETECT_START = 0,
	DETECT_UPDATE = 1,
	DETECT_END = 2,
};

enum { DETECT_MAX_HOSTS = 8, DETECT_MAX_PORTS = 8, DETECT_MAX_FLOWS = 8 };

/* One conversation an incident is about: its client, server, ports and protocol. */
struct detect_tuple {
	uint8_t src[16];		/* the side that started it (IPv4-mapped) */
	uint8_t dst[16];
	uint16_t src_port;		/* TCP/UDP ports; ICMP: type and code (icmp set) */
	uint16_t dst_port;
	uint8_t proto;
	uint8_t pad[3];
};

/* What the intel detector matched (det_intel.c); feed[0] == 0 for every other detector. */
struct detect_intel {
	char feed[32];			/* intel.feeds[].name */
	char indicator[96];		/* as the feed lists it ("198.51.100.0/24", "evil.example") */
	char matched[96];		/* what the traffic carried (the address, the full name) */
	const char *type;		/* static: "ipv4-addr", "ipv6-addr", "domain-name" */
	const char *where;		/* static: "ip.src", "ip.dst", "dns.query", "dns.cname", "tls.sni", "http.host" */
	uint8_t confidence;		/* 0..100 */
	uint8_t pad[7];
};

/* The one shape every detector reports; alert.c turns it into an EVE alert. */
struct detect_incident {
	enum detect_id det;
	enum detect_state state;
	uint64_t incident_id;		/* unique within a sensor run, from 1 */
	uint64_t ts_ns;			/* when this event was decided (packet time) */
	const char *metric;		/* static string: what was measured */
	double observed;
	double expected;		/* learned mean; 0 while learning */
	double threshold;		/* what observed had to exceed */
	double zscore;			/* (observed - expected) / spread; 0 while learning */
	double window_s;
	double peak;			/* highest observed over the incident */
	uint64_t count;			/* packets / probes / queries in the incident so far */
	uint64_t start_ns;		/* onset: first packet of the window that crossed */
	uint64_t last_ns;		/* last evidence */
	bool learning;			/* floors alone applied */
	bool src_spread;		/* no source sent most of it (spoofed or distributed): src is
					 * one of many, and blocking it would stop nothing */
	uint8_t src[16];		/* attacker / internal host; IPv4-mapped */
	uint8_t dst[16];		/* victim / peer; all zero when many */
	uint16_t src_port;		/* the conversation's ports when it is about one (0: none, or many) */
	uint16_t dst_port;
	uint8_t proto;
	uint8_t icmp;			/* 1: ICMP/ICMPv6, icmp_type/icmp_code hold what was sent, not ports */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t arp;			/* 1: about ARP requests (no IP protocol, no ports) */
	uint8_t severity;		/* 1 high .. 3 low, from the evidence; 0: the detector's default */
	const char *technique;		/* static MITRE ATT&CK id ("T1110.001"); NULL: the detector's default */
	uint8_t n_hosts;		/* further hosts involved (victims of a sweep, ...) */
	uint8_t n_ports;
	uint8_t hosts[DETECT_MAX_HOSTS][16];
	uint16_t ports[DETECT_MAX_PORTS];
	uint32_t distinct;		/* distinct hosts/ports/names counted, beyond the samples */
	uint8_t n_flows;		/* conversations sampled in flows[] */
	uint32_t flow_count;		/* conversations involved so far (>= n_flows) */
	struct detect_tuple flows[DETECT_MAX_FLOWS];
	char detail[160];		/* e.g. the tunnelling domain, what an anomaly changed; "" when none */
	enum config_action action;	/* from the detector's config block */
	bool offender_dst;		/* containment blocks dst, not src (intel: the listed side) */
	struct detect_intel intel;
};

/* Whose frames make an incident's evidence file (pipeline.c asks evidence.c for them). */
enum detect_evidence_hosts {
	DETECT_EVIDENCE_SOURCE = 0,	/* the source */
	DETECT_EVIDENCE_VICTIM,		/* the destination when known (a flood's victim), else the source */
	DETECT_EVIDENCE_PAIR,		/* the source, and with it the destination when known */
};

/* Static facts of one detector (the registry table's row). */
struct detect_info {
	const char *name;		/* vigil.detector, config block detectors.<name> */
	uint32_t signature_id;
	const char *signature;
	const char *category;
	int severity;			/* 1 high .. 3 low, as Suricata: the default, incidents may say otherwise */
	const char *technique;		/* MITRE ATT&CK technique id, the default of its incidents */
	enum detect_evidence_hosts evidence;
};

struct det_conn;
struct intel_set;
struct stats;
struct stats_result;

/* One frame as the detectors see it. pi is NULL for non-IP frames (ARP). */
struct detect_pkt {
	uint64_t ts_ns;
	const struct pkt_info *pi;
	const uint8_t *frame;
	uint32_t len;
	const uint8_t *payload;		/* UDP or TCP payload (pkt_info's), NULL when none */
	uint32_t payload_len;
	bool src_home;			/* inside sensor.home_net */
	bool dst_home;
	const struct det_conn *conn;	/* its conversation (det_conn.h), NULL: none (ARP, fragments, ICMP errors) */
	bool from_client;		/* sent by the side that opened the conversation */
	uint16_t news;			/* what this frame revealed about it (enum det_conn_news) */
	const struct stats_result *res;	/* the statistics engine's scores of this frame, NULL: none */
};

typedef void (*detect_emit_fn)(void *ctx, const struct detect_incident *inc);

struct detect_stats {
	uint64_t packets;
	uint64_t allowlisted;		/* packets a detector skipped by its allowlist */
	uint64_t incidents[DETECT_MAX];
	uint64_t events;
	uint64_t time_backwards;	/* frames older than the newest seen: clamped */
};

/* What one detector holds now (metrics: vigil_detector_*{detector}); every detector reports hosts. */
struct detect_detector_stats {
	uint64_t hosts;			/* keys (hosts, pairs, domains...) it tracks now */
	uint64_t learning;		/* of those, still learning (detectors that say so; else 0) */
	uint64_t evictions;		/* idle keys dropped to make room */
	uint64_t restored;		/* keys restored from saved state */
};

struct detect;

const struct detect_info *detect_info(enum detect_id id);
/* DETECT_MAX when no detector has that name */
enum detect_id detect_lookup(const char *name);
/* Detector id's block of cfg (borrowed); NULL for an unknown id. */
const struct config_detector *detect_block(const struct config *cfg, enum detect_id id);

/* NULL with errno (EINVAL: a bad allow_ports entry; ENOMEM). Borrows cfg. */
struct detect *detect_new(const struct config *cfg, detect_emit_fn emit, void *ctx);
void detect_free(struct detect *d);

/*
 * Parse-free entry point: the frame already parsed by pkt_parse (pi may be NULL
 * for a non-IP frame). Out-of-order timestamps are clamped to the newest seen.
 */
void detect_frame(struct detect *d, uint64_t ts_ns, const uint8_t *frame, uint32_t len,
		  const struct pkt_info *pi, const struct stats_result *res);

/*
 * The per-host statistics engine (dataplane/stats.h) the detectors read
 * learned behaviour from (anomaly); borrowed, NULL: none. Frames must then
 * come with their stats_result (detect_frame's res).
 */
void detect_set_stats(struct detect *d, const struct stats *st);
const struct stats *detect_stats(const struct detect *d);

/*
 * The indicators the intel detector matches (sensor/intel.h); borrowed, NULL:
 * none. Set again by the owner whenever a reload swaps a new set in, on the
 * packet thread, so a frame sees one set from start to end.
 */
void detect_set_intel(struct detect *d, const struct intel_set *set);
const struct intel_set *detect_intel(const struct detect *d);

/* The same with the frame's view already built (tests; home flags are filled in here). */
void detect_packet(struct detect *d, const struct detect_pkt *p);

/* Advance time (live timer or end of a replay burst): closes windows, ends incidents. */
void detect_tick(struct detect *d, uint64_t now_ns);

/* End every open incident (shutdown, end of capture). */
void detect_finish(struct detect *d, uint64_t now_ns);

/*
 * Number incidents from base + 1 (only raises the counter). The pipeline passes
 * the first frame's wall-clock second * 1e6, so ids stay unique across restarts
 * (evidence files and the collector key on them) and replay stays deterministic.
 */
void detect_set_id_base(struct detect *d, uint64_t base);

void detect_get_stats(const struct detect *d, struct detect_stats *out);
/* Detector id's own counters; zeroed when it is off. */
void detect_get_detector_stats(const struct detect *d, enum detect_id id, struct detect_detector_stats *out);

/*
 * Learned state across restarts (sensor/state.c keeps it, one section per
 * detector tagged by its signature_id). detect_save_size: an upper bound of
 * what detect_save writes for id, 0 when id is off or learns nothing.
 * detect_save: bytes written, -ENOSPC, or -ENOENT (off or stateless).
 * detect_load: only before the first frame; records are checked at once and
 * anchored to the first clock seen (ages are kept, not time stamps). Returns
 * the records restored or waiting for that clock, -ENOENT (off or stateless),
 * -EBUSY (frames already seen), -EPROTO (other version) or -EINVAL (damaged).
 */
size_t detect_save_size(struct detect *d, enum detect_id id);
long detect_save(struct detect *d, enum detect_id id, void *buf, size_t len);
int detect_load(struct detect *d, enum detect_id id, const void *buf, size_t len);

/*
 * SIGHUP: take every detector block from cfg (now the borrowed config) while
 * keeping what was learned. A detector switched on starts learning, one
 * switched off is dropped. 0, or -EINVAL (a bad allow_ports entry: nothing
 * changed), -ENOMEM, or the first error of a detector's own reconfigure.
 */
int detect_reconfigure(struct detect *d, const struct config *cfg);

/* true if another detector had an incident involving addr within the last window_ns */
bool detect_claimed(const struct detect *d, const uint8_t addr[16], uint64_t now_ns, uint64_t window_ns);

/* Threshold rule shared by every detector: see docs/detectors.md. */
double detect_threshold(double floor, bool learning, double learned, double min_fraction);

#endif
