// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_profile.c: what the traffic looks like. Benign is a mix of short sessions
 * (DNS, HTTPS, NTP, ping) interleaved as a Poisson stream; the attack profiles
 * are the textbook floods and scans the detectors are expected to catch.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "gen_frame.h"
#include "gen_profile.h"
#include "gen_rng.h"

enum {
	BENIGN_MAX_SESS = 32,
	BENIGN_SERVERS = 32,
	BENIGN_NTP_SERVERS = 3,
	BENIGN_DNS_UPSTREAMS = 2,
	POOL_BYTES = 4096,
	SCAN_PORTS = 1024,
	EPHEMERAL_LO = 32768,
	EPHEMERAL_HI = 60999,
};

static const char *const profile_names[GEN_PROFILE_MAX] = {
	[GEN_PROFILE_BENIGN] = "benign",
	[GEN_PROFILE_UDPFLOOD] = "udpflood",
	[GEN_PROFILE_SYNFLOOD] = "synflood",
	[GEN_PROFILE_PORTSCAN] = "portscan",
	[GEN_PROFILE_HOSTSWEEP] = "hostsweep",
};

static const double profile_rates[GEN_PROFILE_MAX] = {
	[GEN_PROFILE_BENIGN] = 200,
	[GEN_PROFILE_UDPFLOOD] = 20000,
	[GEN_PROFILE_SYNFLOOD] = 20000,
	[GEN_PROFILE_PORTSCAN] = 200,
	[GEN_PROFILE_HOSTSWEEP] = 50,
};

static const char *const dns_names[] = {
	"www.example.com", "api.example.net", "cdn.example.org", "mail.example.com",
	"login.example.com", "static.example.net", "updates.example.org", "news.example.com",
	"img.example.net", "git.example.org", "chat.example.com", "video.example.net",
};

static const uint16_t scan_open_ports[] = { 22, 80, 443 };

enum sess_kind {
	SESS_DNS,
	SESS_HTTPS_OUT,
	SESS_HTTPS_IN,
	SESS_NTP,
	SESS_PING,
};

enum sess_step {
	/* DNS */
	DNS_QUERY = 0, DNS_UP_QUERY, DNS_UP_ANSWER, DNS_ANSWER,
	/* TCP */
	TCP_SYN = 0, TCP_SYNACK, TCP_ACK, TCP_REQ, TCP_DATA, TCP_FIN1, TCP_FIN2, TCP_LAST,
	/* NTP, ping */
	REQ_OUT = 0, REQ_BACK,
};

struct gen_sess {
	enum sess_kind kind;
	unsigned step;
	uint32_t client, server, upstream;
	uint16_t cport, sport, uport;
	uint32_t cseq, sseq;
	uint32_t req_left, resp_left;
	unsigned unacked;
	uint16_t id;		/* DNS transaction id, ICMP echo id */
	uint16_t seq;		/* ICMP echo seq */
	uint16_t left;		/* ICMP echo pairs still to send */
	uint8_t name;		/* index into dns_names */
	bool aaaa;
	bool recurse;
};

struct gen_profile {
	enum gen_profile_kind kind;
	struct gen_net net;
	struct gen_rng rng;
	double period_ns;	/* mean gap between frames, or between probes */
	uint64_t n;		/* frames (flood, benign) or probes (scans) so far */
	uint64_t t_ns;		/* time of the last frame */
	uint8_t pool[POOL_BYTES];	/* random bytes payloads are cut from */
	uint8_t scratch[GEN_FRAME_MAX];	/* payload under construction */

	/* benign */
	struct gen_sess sess[BENIGN_MAX_SESS];
	unsigned n_sess;
	uint32_t servers[BENIGN_SERVERS];	/* external servers, index 0 the most popular */
	uint32_t ntp[BENIGN_NTP_SERVERS];
	uint32_t dns_up[BENIGN_DNS_UPSTREAMS];

	/* portscan, hostsweep */
	uint16_t ports[SCAN_PORTS];
	uint32_t pos;		/* next index of the current pass */
	unsigned stage;		/* 0: a probe is next, 1: the reply, 2: the attacker's RST */
	uint64_t probe_t;
	uint32_t probe_seq;
	uint16_t probe_port;
	uint32_t probe_dst;
	uint16_t scan_sport;
	uint16_t sweep_id;
};

int gen_profile_lookup(const char *name)
{
	for (int i = 0; i < GEN_PROFILE_MAX; i++)
		if (strcmp(name, profile_names[i]) == 0)
			return i;
	return -ENOENT;
}

const char *gen_profile_name(enum gen_profile_kind kind)
{
	return (unsigned)kind < GEN_PROFILE_MAX ? profile_names[kind] : "?";
}

double gen_profile_default_rate(enum gen_profile_kind kind)
{
	return (unsigned)kind < GEN_PROFILE_MAX ? profile_rates[kind] : 0;
}

bool gen_profile_is_attack(enum gen_profile_kind kind)
{
	return kind != GEN_PROFILE_BENIGN;
}

uint32_t gen_net_hosts(uint8_t len)
{
	if (len >= 32)
		return 1;
	if (len == 31)
		return 2;
	return (uint32_t)((1ull << (32 - len)) - 2);
}

uint32_t gen_net_host(uint32_t base, uint8_t len, uint32_t idx)
{
	uint32_t mask = len ? ~0u << (32 - (len > 32 ? 32 : len)) : 0;
	uint64_t hosts = gen_net_hosts(len);

	base &= mask;
	if (len >= 31)
		return base + (uint32_t)(idx % hosts);
	return base + 1 + (uint32_t)(((uint64_t)idx + hosts - 1) % hosts);
}

static bool in_prefix(uint32_t addr, uint32_t base, uint8_t len)
{
	uint32_t mask = len ? ~0u << (32 - len) : 0;

	return (addr & mask) == (base & mask);
}

static uint32_t rand_host(struct gen_rng *r, uint32_t base, uint8_t len)
{
	return gen_net_host(base, len, len >= 31 ? gen_rng_next(r) : 1 + gen_rng_below(r, gen_net_hosts(len)));
}

/* a random external address that is neither internal nor the attacker (if possible) */
static uint32_t rand_external(struct gen_profile *p)
{
	uint32_t a = 0;

	for (int i = 0; i < 16; i++) {
		a = rand_host(&p->rng, p->net.external, p->net.external_len);
		if (!in_prefix(a, p->net.internal, p->net.internal_len) && a != p->net.attacker)
			break;
	}
	return a;
}

static uint32_t internal_host(struct gen_profile *p, uint32_t n)
{
	return gen_net_host(p->net.internal, p->net.internal_len, n);
}

/* index in [0, n) with a heavy skew towards 0: popular destinations get most traffic */
static uint32_t skewed(struct gen_rng *r, uint32_t n)
{
	double u = gen_rng_double(r);

	return (uint32_t)(u * u * u * n);
}

static void pkt_init(struct gen_profile *p, struct gen_pkt *k, uint8_t proto, uint32_t src, uint32_t dst)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src_mac, p->net.src_mac, 6);
	memcpy(k->dst_mac, p->net.dst_mac, 6);
	k->proto = proto;
	k->saddr = src;
	k->daddr = dst;
	k->ip_id = (uint16_t)gen_rng_next(&p->rng);
	k->df = proto == IPPROTO_TCP;
	k->ttl = in_prefix(src, p->net.internal, p->net.internal_len) ? 64 : 52;
}

static const uint8_t *pool_bytes(struct gen_profile *p, size_t len)
{
	return p->pool + gen_rng_below(&p->rng, (uint32_t)(POOL_BYTES - len));
}

/* ---- benign sessions ---- */

static size_t dns_message(struct gen_profile *p, const struct gen_sess *s, bool answer, uint8_t *m)
{
	const char *name = dns_names[s->name];
	size_t n = 12;
	uint16_t qtype = s->aaaa ? 28 : 1;

	memset(m, 0, 12);
	m[0] = s->id >> 8;
	m[1] = s->id & 0xff;
	m[2] = answer ? 0x81 : 0x01;	/* QR, RD (RA in answers) */
	m[3] = answer ? 0x80 : 0x00;
	m[5] = 1;			/* QDCOUNT */
	m[7] = answer ? 1 : 0;		/* ANCOUNT */
	while (*name) {
		size_t l = strcspn(name, ".");

		m[n++] = (uint8_t)l;
		memcpy(m + n, name, l);
		n += l;
		name += l + (name[l] == '.');
	}
	m[n++] = 0;
	m[n++] = 0;
	m[n++] = (uint8_t)qtype;
	m[n++] = 0;
	m[n++] = 1;			/* IN */
	if (answer) {
		uint32_t a = p->servers[s->name % BENIGN_SERVERS];
		static const uint8_t rr[] = { 0xc0, 0x0c, 0, 0, 0, 1, 0, 0, 0x01, 0x2c };

		memcpy(m + n, rr, sizeof(rr));
		m[n + 3] = (uint8_t)qtype;
		n += sizeof(rr);
		m[n++] = 0;
		m[n++] = s->aaaa ? 16 : 4;
		if (s->aaaa) {
			static const uint8_t doc6[] = { 0x20, 0x01, 0x0d, 0xb8 };

			memset(m + n, 0, 16);
			memcpy(m + n, doc6, 4);
			m[n + 15] = (uint8_t)(a & 0xff);
			n += 16;
		} else {
			m[n++] = a >> 24;
			m[n++] = a >> 16;
			m[n++] = a >> 8;
			m[n++] = a;
		}
	}
	return n;
}

static void sess_start(struct gen_profile *p, struct gen_sess *s)
{
	struct gen_rng *r = &p->rng;
	double u = gen_rng_double(r);
	uint32_t client = internal_host(p, GEN_HOST_CLIENT_FIRST +
					   skewed(r, GEN_HOST_CLIENT_LAST - GEN_HOST_CLIENT_FIRST + 1));

	memset(s, 0, sizeof(*s));
	s->client = client;
	s->cport = (uint16_t)gen_rng_range(r, EPHEMERAL_LO, EPHEMERAL_HI);
	s->id = (uint16_t)gen_rng_next(r);
	s->cseq = (uint32_t)gen_rng_next(r);
	s->sseq = (uint32_t)gen_rng_next(r);
	if (u < 0.35) {
		s->kind = SESS_DNS;
		s->server = internal_host(p, GEN_HOST_RESOLVER);
		s->sport = 53;
		s->name = (uint8_t)skewed(r, sizeof(dns_names) / sizeof(dns_names[0]));
		s->aaaa = gen_rng_double(r) < 0.2;
		s->recurse = gen_rng_double(r) < 0.25;
		s->upstream = p->dns_up[gen_rng_below(r, BENIGN_DNS_UPSTREAMS)];
		s->uport = (uint16_t)gen_rng_range(r, 1024, 65535);
		return;
	}
	if (u < 0.85) {
		double v = gen_rng_double(r);

		s->kind = u < 0.70 ? SESS_HTTPS_OUT : SESS_HTTPS_IN;
		s->sport = 443;
		if (s->kind == SESS_HTTPS_OUT) {
			s->server = p->servers[skewed(r, BENIGN_SERVERS)];
		} else {
			/* external clients of the internal web servers .10 .. .12 */
			s->server = internal_host(p, GEN_HOST_CLIENT_FIRST + skewed(r, 3));
			s->client = rand_external(p);
		}
		s->req_left = gen_rng_double(r) < 0.05 ? gen_rng_range(r, 2000, 20000)
							: gen_rng_range(r, 80, 1200);
		if (v < 0.6)
			s->resp_left = gen_rng_range(r, 300, 6000);
		else if (v < 0.9)
			s->resp_left = gen_rng_range(r, 6000, 60000);
		else
			s->resp_left = gen_rng_range(r, 60000, 300000);
		return;
	}
	if (u < 0.93) {
		s->kind = SESS_NTP;
		s->server = p->ntp[skewed(r, BENIGN_NTP_SERVERS)];
		s->sport = 123;
		return;
	}
	s->kind = SESS_PING;
	s->server = p->servers[skewed(r, BENIGN_SERVERS)];
	s->left = (uint16_t)gen_rng_range(r, 1, 4);
	s->seq = 1;
}

static void sess_udp(struct gen_profile *p, struct gen_pkt *k, uint32_t src, uint16_t sport,
		     uint32_t dst, uint16_t dport, size_t len)
{
	pkt_init(p, k, IPPROTO_UDP, src, dst);
	k->sport = sport;
	k->dport = dport;
	k->payload = p->scratch;
	k->payload_len = (uint16_t)len;
}

/* a TCP segment of s; len bytes of TLS application data */
static void sess_tcp(struct gen_profile *p, struct gen_sess *s, struct gen_pkt *k, bool from_client,
		     uint8_t flags, uint32_t len)
{
	pkt_init(p, k, IPPROTO_TCP, from_client ? s->client : s->server,
		 from_client ? s->server : s->client);
	k->sport = from_client ? s->cport : s->sport;
	k->dport = from_client ? s->sport : s->cport;
	k->seq = from_client ? s->cseq : s->sseq;
	k->ack = flags & GEN_TCP_ACK ? (from_client ? s->sseq : s->cseq) : 0;
	k->tcp_flags = flags;
	k->window = from_client ? 64240 : 65160;
	if (len >= 5) {
		p->scratch[0] = 0x17;	/* TLS application data record */
		p->scratch[1] = 3;
		p->scratch[2] = 3;
		p->scratch[3] = (len - 5) >> 8;
		p->scratch[4] = (len - 5) & 0xff;
		memcpy(p->scratch + 5, pool_bytes(p, len - 5), len - 5);
		k->payload = p->scratch;
	} else if (len) {
		k->payload = pool_bytes(p, len);	/* the tail of a record */
	}
	k->payload_len = (uint16_t)len;
	if (from_client)
		s->cseq += len + !!(flags & (GEN_TCP_SYN | GEN_TCP_FIN));
	else
		s->sseq += len + !!(flags & (GEN_TCP_SYN | GEN_TCP_FIN));
}

/* Fill k with the next frame of s; returns true when s has no more frames. */
static bool sess_step(struct gen_profile *p, struct gen_sess *s, struct gen_pkt *k)
{
	uint32_t len;
	size_t n;

	switch (s->kind) {
	case SESS_DNS:
		switch (s->step) {
		case DNS_QUERY:
			n = dns_message(p, s, false, p->scratch);
			sess_udp(p, k, s->client, s->cport, s->server, 53, n);
			s->step = s->recurse ? DNS_UP_QUERY : DNS_ANSWER;
			return false;
		case DNS_UP_QUERY:
			n = dns_message(p, s, false, p->scratch);
			sess_udp(p, k, s->server, s->uport, s->upstream, 53, n);
			s->step = DNS_UP_ANSWER;
			return false;
		case DNS_UP_ANSWER:
			n = dns_message(p, s, true, p->scratch);
			sess_udp(p, k, s->upstream, 53, s->server, s->uport, n);
			s->step = DNS_ANSWER;
			return false;
		default:
			n = dns_message(p, s, true, p->scratch);
			sess_udp(p, k, s->server, 53, s->client, s->cport, n);
			return true;
		}
	case SESS_NTP:
		memcpy(p->scratch, pool_bytes(p, 48), 48);
		p->scratch[0] = s->step == REQ_OUT ? 0x23 : 0x24;	/* LI 0, VN 4, client/server */
		p->scratch[1] = s->step == REQ_OUT ? 0 : 2;		/* stratum */
		if (s->step == REQ_OUT) {
			sess_udp(p, k, s->client, s->cport, s->server, 123, 48);
			s->step = REQ_BACK;
			return false;
		}
		sess_udp(p, k, s->server, 123, s->client, s->cport, 48);
		return true;
	case SESS_PING:
		pkt_init(p, k, IPPROTO_ICMP, s->step == REQ_OUT ? s->client : s->server,
			 s->step == REQ_OUT ? s->server : s->client);
		k->icmp_type = s->step == REQ_OUT ? 8 : 0;
		k->icmp_id = s->id;
		k->icmp_seq = s->seq;
		k->payload = p->pool + s->id % (POOL_BYTES - 56);	/* the reply echoes it */
		k->payload_len = 56;
		if (s->step == REQ_OUT) {
			s->step = REQ_BACK;
			return false;
		}
		s->step = REQ_OUT;
		s->seq++;
		return --s->left == 0;
	case SESS_HTTPS_OUT:
	case SESS_HTTPS_IN:
		break;
	}

	switch (s->step) {
	case TCP_SYN:
		sess_tcp(p, s, k, true, GEN_TCP_SYN, 0);
		s->step = TCP_SYNACK;
		return false;
	case TCP_SYNACK:
		sess_tcp(p, s, k, false, GEN_TCP_SYN | GEN_TCP_ACK, 0);
		s->step = TCP_ACK;
		return false;
	case TCP_ACK:
		sess_tcp(p, s, k, true, GEN_TCP_ACK, 0);
		s->step = TCP_REQ;
		return false;
	case TCP_REQ:
		len = s->req_left < GEN_TCP_MSS ? s->req_left : GEN_TCP_MSS;
		s->req_left -= len;
		sess_tcp(p, s, k, true, GEN_TCP_ACK | (s->req_left ? 0 : GEN_TCP_PSH), len);
		if (!s->req_left)
			s->step = TCP_DATA;
		return false;
	case TCP_DATA:
		if (s->unacked >= 2 || (!s->resp_left && s->unacked)) {
			sess_tcp(p, s, k, true, GEN_TCP_ACK, 0);
			s->unacked = 0;
			if (!s->resp_left)
				s->step = TCP_FIN1;
			return false;
		}
		if (s->resp_left) {
			len = s->resp_left < GEN_TCP_MSS ? s->resp_left : GEN_TCP_MSS;
			s->resp_left -= len;
			sess_tcp(p, s, k, false, GEN_TCP_ACK | (s->resp_left ? 0 : GEN_TCP_PSH), len);
			s->unacked++;
			return false;
		}
		/* nothing left to send or acknowledge */
		__attribute__((fallthrough));
	case TCP_FIN1:
		sess_tcp(p, s, k, true, GEN_TCP_FIN | GEN_TCP_ACK, 0);
		s->step = TCP_FIN2;
		return false;
	case TCP_FIN2:
		sess_tcp(p, s, k, false, GEN_TCP_FIN | GEN_TCP_ACK, 0);
		s->step = TCP_LAST;
		return false;
	default:
		sess_tcp(p, s, k, true, GEN_TCP_ACK, 0);
		return true;
	}
}

static void benign_init(struct gen_profile *p)
{
	for (int i = 0; i < BENIGN_SERVERS; i++)
		p->servers[i] = rand_external(p);
	for (int i = 0; i < BENIGN_NTP_SERVERS; i++)
		p->ntp[i] = rand_external(p);
	for (int i = 0; i < BENIGN_DNS_UPSTREAMS; i++)
		p->dns_up[i] = rand_external(p);
}

static void benign_next(struct gen_profile *p, struct gen_pkt *k, uint64_t *t_ns)
{
	struct gen_sess *s;
	unsigned i;

	p->t_ns += (uint64_t)gen_rng_exp(&p->rng, p->period_ns);
	*t_ns = p->t_ns;
	if (!p->n_sess || (p->n_sess < BENIGN_MAX_SESS && gen_rng_double(&p->rng) < 0.15)) {
		i = p->n_sess++;
		sess_start(p, &p->sess[i]);
	} else {
		i = gen_rng_below(&p->rng, p->n_sess);
	}
	s = &p->sess[i];
	if (sess_step(p, s, k))
		p->sess[i] = p->sess[--p->n_sess];
}

/* ---- attacks ---- */

static void flood_next(struct gen_profile *p, struct gen_pkt *k, uint64_t *t_ns)
{
	static const uint16_t windows[] = { 1024, 2048, 4096, 8192, 16384, 29200, 64240, 65535 };
	struct gen_rng *r = &p->rng;

	*t_ns = (uint64_t)((double)p->n++ * p->period_ns);
	pkt_init(p, k, p->kind == GEN_PROFILE_UDPFLOOD ? IPPROTO_UDP : IPPROTO_TCP, rand_external(p),
		 p->net.victim);
	k->ttl = (uint8_t)gen_rng_range(r, 32, 128);
	k->sport = (uint16_t)gen_rng_range(r, 1024, 65535);
	if (p->kind == GEN_PROFILE_UDPFLOOD) {
		size_t payload = gen_rng_range(r, 64, 512) - GEN_FRAME_L2L3 - 8;

		k->dport = (uint16_t)gen_rng_range(r, 1, 65535);
		k->payload = pool_bytes(p, payload);
		k->payload_len = (uint16_t)payload;
		return;
	}
	k->dport = gen_rng_below(r, 2) ? 443 : 80;
	k->seq = (uint32_t)gen_rng_next(r);
	k->tcp_flags = GEN_TCP_SYN;
	k->window = windows[gen_rng_below(r, sizeof(windows) / sizeof(windows[0]))];
}

static void scan_shuffle(struct gen_profile *p)
{
	for (uint32_t i = 0; i < SCAN_PORTS; i++)
		p->ports[i] = (uint16_t)(i + 1);
	for (uint32_t i = SCAN_PORTS - 1; i > 0; i--) {
		uint32_t j = gen_rng_below(&p->rng, i + 1);
		uint16_t t = p->ports[i];

		p->ports[i] = p->ports[j];
		p->ports[j] = t;
	}
}

static bool port_open(uint16_t port)
{
	for (size_t i = 0; i < sizeof(scan_open_ports) / sizeof(scan_open_ports[0]); i++)
		if (scan_open_ports[i] == port)
			return true;
	return false;
}

static void portscan_next(struct gen_profile *p, struct gen_pkt *k, uint64_t *t_ns)
{
	bool open;

	if (p->stage == 0) {
		if (p->pos == SCAN_PORTS) {
			scan_shuffle(p);	/* another pass */
			p->pos = 0;
		}
		p->probe_t = (uint64_t)((double)p->n++ * p->period_ns);
		p->probe_port = p->ports[p->pos++];
		p->probe_seq = (uint32_t)gen_rng_next(&p->rng);
		*t_ns = p->probe_t;
		pkt_init(p, k, IPPROTO_TCP, p->net.attacker, p->net.victim);
		k->df = false;
		k->sport = p->scan_sport;
		k->dport = p->probe_port;
		k->seq = p->probe_seq;
		k->tcp_flags = GEN_TCP_SYN;
		k->window = 1024;
		p->stage = 1;
		return;
	}
	open = port_open(p->probe_port);
	*t_ns = p->probe_t + (uint64_t)(p->period_ns * p->stage / 3);
	if (p->stage == 1) {
		/* the victim answers: SYN-ACK when open, RST-ACK when closed */
		pkt_init(p, k, IPPROTO_TCP, p->net.victim, p->net.attacker);
		k->sport = p->probe_port;
		k->dport = p->scan_sport;
		k->seq = open ? (uint32_t)gen_rng_next(&p->rng) : 0;
		k->ack = p->probe_seq + 1;
		k->tcp_flags = open ? GEN_TCP_SYN | GEN_TCP_ACK : GEN_TCP_RST | GEN_TCP_ACK;
		k->window = open ? 65160 : 0;
		p->stage = open ? 2 : 0;
		return;
	}
	/* half-open scan: the attacker resets the open port */
	pkt_init(p, k, IPPROTO_TCP, p->net.attacker, p->net.victim);
	k->df = false;
	k->sport = p->scan_sport;
	k->dport = p->probe_port;
	k->seq = p->probe_seq + 1;
	k->tcp_flags = GEN_TCP_RST;
	p->stage = 0;
}

static bool sweep_alive(struct gen_profile *p, uint32_t addr)
{
	uint32_t n = addr - (p->net.internal & (p->net.internal_len ? ~0u << (32 - p->net.internal_len) : 0));

	return n == GEN_HOST_RESOLVER || (n >= GEN_HOST_CLIENT_FIRST && n <= GEN_HOST_CLIENT_LAST);
}

static void hostsweep_next(struct gen_profile *p, struct gen_pkt *k, uint64_t *t_ns)
{
	uint32_t hosts = gen_net_hosts(p->net.internal_len);
	bool reply = p->stage == 1;

	if (!reply) {
		if (p->pos >= hosts)
			p->pos = 0;	/* another pass */
		p->probe_dst = gen_net_host(p->net.internal, p->net.internal_len,
					    p->pos + (p->net.internal_len < 31));
		p->pos++;
		p->probe_t = (uint64_t)((double)p->n++ * p->period_ns);
		*t_ns = p->probe_t;
		p->stage = sweep_alive(p, p->probe_dst) ? 1 : 0;
	} else {
		*t_ns = p->probe_t + (uint64_t)(p->period_ns / 2);
		p->stage = 0;
	}
	pkt_init(p, k, IPPROTO_ICMP, reply ? p->probe_dst : p->net.attacker,
		 reply ? p->net.attacker : p->probe_dst);
	k->icmp_type = reply ? 0 : 8;
	k->icmp_id = p->sweep_id;
	k->icmp_seq = (uint16_t)p->pos;
	k->payload = p->pool;
	k->payload_len = 32;
}

struct gen_profile *gen_profile_new(enum gen_profile_kind kind, const struct gen_net *net,
				    double rate_pps, uint64_t seed)
{
	struct gen_profile *p;

	if ((unsigned)kind >= GEN_PROFILE_MAX || !(rate_pps > 0) || rate_pps > 1e9) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->kind = kind;
	p->net = *net;
	p->period_ns = 1e9 / rate_pps;
	gen_rng_seed(&p->rng, seed);
	for (size_t i = 0; i < POOL_BYTES; i += 8) {
		uint64_t v = gen_rng_next(&p->rng);

		memcpy(p->pool + i, &v, 8);
	}
	switch (kind) {
	case GEN_PROFILE_BENIGN:
		benign_init(p);
		break;
	case GEN_PROFILE_PORTSCAN:
		scan_shuffle(p);
		p->scan_sport = (uint16_t)gen_rng_range(&p->rng, 40000, 60000);
		break;
	case GEN_PROFILE_HOSTSWEEP:
		p->sweep_id = (uint16_t)gen_rng_next(&p->rng);
		break;
	default:
		break;
	}
	return p;
}

int gen_profile_next(struct gen_profile *p, uint64_t *t_ns, uint8_t *buf, size_t cap)
{
	struct gen_pkt k;

	switch (p->kind) {
	case GEN_PROFILE_BENIGN:
		benign_next(p, &k, t_ns);
		break;
	case GEN_PROFILE_UDPFLOOD:
	case GEN_PROFILE_SYNFLOOD:
		flood_next(p, &k, t_ns);
		break;
	case GEN_PROFILE_PORTSCAN:
		portscan_next(p, &k, t_ns);
		break;
	case GEN_PROFILE_HOSTSWEEP:
		hostsweep_next(p, &k, t_ns);
		break;
	default:
		return -EINVAL;
	}
	return gen_frame_build(&k, buf, cap);
}

void gen_profile_free(struct gen_profile *p)
{
	free(p);
}
