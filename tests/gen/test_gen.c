// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_gen.c: checks vigil-gen's frames and captures against the formats
 * themselves: checksums recomputed here by another method, pcap headers parsed
 * here by hand, and the binary run twice to show the output follows the seed.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gen_frame.h"
#include "gen_pcap.h"
#include "gen_profile.h"

static unsigned n_pass, n_fail;

static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		n_pass++;
	else
		n_fail++;
	return ok;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Reference check, independent of gen_frame_csum_*: sum native-endian 16-bit
 * words of a zero-padded copy (RFC 1071 sec. 2(B): byte order independence).
 * Data that includes a correct checksum sums to 0xffff in either byte order.
 */
static bool ref_csum_ok(const uint8_t *pseudo, size_t plen, const uint8_t *data, size_t len)
{
	static uint8_t buf[2048];
	uint32_t sum = 0;
	size_t total = plen + len;

	if (total + 1 > sizeof(buf))
		return false;
	if (plen)
		memcpy(buf, pseudo, plen);
	memcpy(buf + plen, data, len);
	buf[total] = 0;
	for (size_t i = 0; i < total; i += 2) {
		uint16_t w;

		memcpy(&w, buf + i, 2);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

struct parsed {
	bool ok;
	char why[96];
	uint8_t proto;
	uint32_t saddr, daddr;
	uint16_t sport, dport;	/* ICMP: type, code */
	uint8_t tcp_flags;
	size_t l4_payload;
};

/* Validate one Ethernet/IPv4 frame: lengths, IPv4 and L4 checksums. */
static struct parsed parse_frame(const uint8_t *f, size_t len)
{
	struct parsed r = { 0 };
	const uint8_t *ip = f + 14, *l4;
	size_t iplen, l4len, ihl;
	uint8_t pseudo[12];

	if (len < 60 || len > 1514) {
		snprintf(r.why, sizeof(r.why), "frame length %zu", len);
		return r;
	}
	if (be16(f + 12) != 0x0800 || (ip[0] >> 4) != 4) {
		snprintf(r.why, sizeof(r.why), "not IPv4");
		return r;
	}
	ihl = (size_t)(ip[0] & 15) * 4;
	iplen = be16(ip + 2);
	if (ihl != 20 || iplen < ihl || 14 + iplen > len || (14 + iplen < len && len != 60)) {
		snprintf(r.why, sizeof(r.why), "IPv4 length %zu in a %zu-byte frame", iplen, len);
		return r;
	}
	if (!ref_csum_ok(NULL, 0, ip, ihl)) {
		snprintf(r.why, sizeof(r.why), "IPv4 header checksum");
		return r;
	}
	r.proto = ip[9];
	r.saddr = (uint32_t)be16(ip + 12) << 16 | be16(ip + 14);
	r.daddr = (uint32_t)be16(ip + 16) << 16 | be16(ip + 18);
	l4 = ip + ihl;
	l4len = iplen - ihl;
	memcpy(pseudo, ip + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = ip[9];
	pseudo[10] = (uint8_t)(l4len >> 8);
	pseudo[11] = (uint8_t)l4len;
	switch (r.proto) {
	case IPPROTO_UDP:
		if (l4len < 8 || be16(l4 + 4) != l4len) {
			snprintf(r.why, sizeof(r.why), "UDP length %u, IP says %zu", be16(l4 + 4), l4len);
			return r;
		}
		if (be16(l4 + 6) == 0 || !ref_csum_ok(pseudo, 12, l4, l4len)) {
			snprintf(r.why, sizeof(r.why), "UDP checksum");
			return r;
		}
		r.l4_payload = l4len - 8;
		break;
	case IPPROTO_TCP:
		if (l4len < 20 || (size_t)(l4[12] >> 4) * 4 > l4len) {
			snprintf(r.why, sizeof(r.why), "TCP header length");
			return r;
		}
		if (!ref_csum_ok(pseudo, 12, l4, l4len)) {
			snprintf(r.why, sizeof(r.why), "TCP checksum");
			return r;
		}
		r.tcp_flags = l4[13];
		r.l4_payload = l4len - (size_t)(l4[12] >> 4) * 4;
		break;
	case IPPROTO_ICMP:
		if (l4len < 8 || !ref_csum_ok(NULL, 0, l4, l4len)) {
			snprintf(r.why, sizeof(r.why), "ICMP checksum");
			return r;
		}
		r.sport = l4[0];
		r.dport = l4[1];
		r.l4_payload = l4len - 8;
		r.ok = true;
		return r;
	default:	/* another protocol: its payload as given, no header or checksum of ours */
		r.l4_payload = l4len;
		r.ok = true;
		return r;
	}
	r.sport = be16(l4);
	r.dport = be16(l4 + 2);
	r.ok = true;
	return r;
}

/* ---- frame builder: one row per case ---- */

static const uint8_t payload87[87];

static void test_frames(void)
{
	static const uint8_t wiki_ip[20] = {	/* the IPv4 header example of RFC 1071 tutorials / Wikipedia */
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};
	static const uint8_t big[1500];
	const struct {
		const char *name;
		struct gen_pkt pkt;
		int want_len;		/* frame length or -errno */
		size_t cap;
	} rows[] = {
		{ "udp known IPv4 header", { .proto = IPPROTO_UDP, .saddr = 0xc0a80001, .daddr = 0xc0a800c7,
		  .df = true, .ttl = 64, .sport = 1234, .dport = 53, .payload = payload87, .payload_len = 87 },
		  14 + 115, 2048 },
		{ "udp empty padded", { .proto = IPPROTO_UDP, .saddr = 0x0a000001, .daddr = 0x0a000002,
		  .sport = 1, .dport = 2 }, 60, 2048 },
		{ "udp odd payload", { .proto = IPPROTO_UDP, .saddr = 0xc6336401, .daddr = 0xc000020a,
		  .sport = 40000, .dport = 9, .payload = big, .payload_len = 333 }, 14 + 20 + 8 + 333, 2048 },
		{ "tcp syn", { .proto = IPPROTO_TCP, .saddr = 0xc6336442, .daddr = 0xc000020a, .sport = 50000,
		  .dport = 80, .seq = 0xdeadbeef, .tcp_flags = GEN_TCP_SYN, .window = 1024 }, 60, 2048 },
		{ "tcp full mss", { .proto = IPPROTO_TCP, .saddr = 0xc000020a, .daddr = 0xc6336401, .sport = 443,
		  .dport = 50000, .tcp_flags = GEN_TCP_ACK, .payload = big, .payload_len = 1460 }, 1514, 2048 },
		{ "icmp echo", { .proto = IPPROTO_ICMP, .saddr = 0xc6336442, .daddr = 0xc0000201, .icmp_type = 8,
		  .icmp_id = 0x1234, .icmp_seq = 7, .payload = big, .payload_len = 56 }, 98, 2048 },
		{ "icmp odd payload", { .proto = IPPROTO_ICMP, .saddr = 1, .daddr = 2, .icmp_type = 8,
		  .payload = big, .payload_len = 41 }, 14 + 20 + 8 + 41, 2048 },
		{ "udp over mtu", { .proto = IPPROTO_UDP, .payload = big, .payload_len = 1473 }, -EMSGSIZE, 2048 },
		{ "buffer too small", { .proto = IPPROTO_UDP, .payload_len = 100 }, -EMSGSIZE, 100 },
		{ "gre raw payload (an IP-protocol probe)", { .proto = 47, .saddr = 1, .daddr = 2, .payload = payload87,
		  .payload_len = 24 }, 60, 2048 },
		{ "igmp raw over 60 bytes", { .proto = 2, .saddr = 1, .daddr = 2, .payload = payload87, .payload_len = 87 },
		  14 + 20 + 87, 2048 },
	};
	uint8_t buf[2048];

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int len = gen_frame_build(&rows[i].pkt, buf, rows[i].cap);
		struct parsed p;

		if (!check(len == rows[i].want_len, "frame %s: length %d (want %d)", rows[i].name, len,
			   rows[i].want_len) || len < 0)
			continue;
		p = parse_frame(buf, (size_t)len);
		check(p.ok, "frame %s: valid (%s)", rows[i].name, p.ok ? "checksums ok" : p.why);
		check(p.proto == rows[i].pkt.proto && p.saddr == rows[i].pkt.saddr &&
		      p.daddr == rows[i].pkt.daddr && p.l4_payload == rows[i].pkt.payload_len,
		      "frame %s: addresses and payload length", rows[i].name);
	}
	gen_frame_build(&rows[0].pkt, buf, sizeof(buf));
	check(memcmp(buf + 14, wiki_ip, 20) == 0, "frame udp known IPv4 header: bytes and checksum 0xb861");
	check(gen_frame_csum_fold(gen_frame_csum_add(0, wiki_ip, 20)) == 0,
	      "csum of a correct header folds to 0");
}

/* ---- pcap writer ---- */

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *d = NULL;
	long n;

	*len = 0;
	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		d = malloc((size_t)n + 1);
		if (d && fread(d, 1, (size_t)n, fp) != (size_t)n) {
			free(d);
			d = NULL;
		}
		*len = d ? (size_t)n : 0;
	}
	fclose(fp);
	return d;
}

static void test_pcap_writer(const char *dir)
{
	static const uint8_t f1[60] = { 1, 2, 3 }, f2[100] = { 9 };
	char path[512];

	for (int nsec = 0; nsec <= 1; nsec++) {
		struct gen_pcap *pc;
		uint8_t *d;
		size_t len;
		bool ok;

		snprintf(path, sizeof(path), "%s/unit-%d.pcap", dir, nsec);
		pc = gen_pcap_open(path, nsec);
		if (!check(pc != NULL, "pcap %s: open", nsec ? "nsec" : "usec"))
			continue;
		ok = gen_pcap_write(pc, 1700000000ull * 1000000000ull + 123456789ull, f1, sizeof(f1)) == 0 &&
		     gen_pcap_write(pc, 1700000001ull * 1000000000ull + 999999999ull, f2, sizeof(f2)) == 0;
		ok = gen_pcap_close(pc) == 0 && ok;
		check(ok, "pcap %s: write and close", nsec ? "nsec" : "usec");
		d = slurp(path, &len);
		if (!check(d && len == 24 + 16 + 60 + 16 + 100, "pcap %s: file size %zu", nsec ? "nsec" : "usec", len)) {
			free(d);
			continue;
		}
		check(le32(d) == (nsec ? 0xa1b23c4du : 0xa1b2c3d4u) && d[4] == 2 && d[6] == 4 &&
		      le32(d + 16) == 65535 && le32(d + 20) == 1, "pcap %s: file header", nsec ? "nsec" : "usec");
		check(le32(d + 24) == 1700000000u && le32(d + 28) == (nsec ? 123456789u : 123456u) &&
		      le32(d + 32) == 60 && le32(d + 36) == 60 && memcmp(d + 40, f1, 60) == 0,
		      "pcap %s: first record", nsec ? "nsec" : "usec");
		check(le32(d + 100) == 1700000001u && le32(d + 104) == (nsec ? 999999999u : 999999u) &&
		      le32(d + 108) == 100 && le32(d + 112) == 100 && memcmp(d + 116, f2, 100) == 0,
		      "pcap %s: second record", nsec ? "nsec" : "usec");
		free(d);
		unlink(path);
	}
	check(gen_pcap_open("/nonexistent-dir/x.pcap", false) == NULL && errno == ENOENT,
	      "pcap: open in a missing directory fails with ENOENT");
}

/* ---- profiles ---- */

static const struct gen_net test_net = {
	.internal = 0xc0000200, .internal_len = 24,	/* 192.0.2.0/24 */
	.external = 0xc6336400, .external_len = 24,	/* 198.51.100.0/24 */
	.victim = 0xc000020a, .attacker = 0xc6336442,
	.src_mac = { 2, 0, 0, 0, 0, 1 }, .dst_mac = { 2, 0, 0, 0, 0, 2 },
};

static bool is_internal(uint32_t a)
{
	return (a & 0xffffff00) == test_net.internal;
}

static void test_profiles(void)
{
	static uint8_t buf[2048];

	for (int kind = 0; kind < GEN_PROFILE_MAX; kind++) {
		const char *name = gen_profile_name(kind);
		struct gen_profile *p = gen_profile_new(kind, &test_net, 1000, 42);
		unsigned n = kind == GEN_PROFILE_PORTSCAN ? 2200 : 3000, bad = 0, order = 0;
		uint64_t prev = 0, t;
		bool in = false, out = false, ports[1025] = { 0 }, hosts[256] = { 0 };
		unsigned n_ports = 0, n_hosts = 0, n_synack = 0, n_rst = 0, size_bad = 0, flag_bad = 0;
		unsigned dns = 0, tcp = 0, ntp = 0, icmp = 0;
		char first_bad[96] = "";

		if (!check(p != NULL, "profile %s: created", name))
			continue;
		check(gen_profile_lookup(name) == kind, "profile %s: lookup by name", name);
		for (unsigned i = 0; i < n; i++) {
			int len = gen_profile_next(p, &t, buf, sizeof(buf));
			struct parsed f;

			if (len < 0) {
				bad++;
				continue;
			}
			if (t < prev)
				order++;
			prev = t;
			f = parse_frame(buf, (size_t)len);
			if (!f.ok) {
				if (!bad++)
					snprintf(first_bad, sizeof(first_bad), "%s", f.why);
				continue;
			}
			if (memcmp(buf, test_net.dst_mac, 6) || memcmp(buf + 6, test_net.src_mac, 6))
				flag_bad++;
			if (is_internal(f.saddr))
				out = true;
			else
				in = true;
			switch (kind) {
			case GEN_PROFILE_BENIGN:
				dns += f.proto == IPPROTO_UDP && (f.sport == 53 || f.dport == 53);
				ntp += f.proto == IPPROTO_UDP && (f.sport == 123 || f.dport == 123);
				tcp += f.proto == IPPROTO_TCP;
				icmp += f.proto == IPPROTO_ICMP;
				break;
			case GEN_PROFILE_UDPFLOOD:
				size_bad += f.proto != IPPROTO_UDP || len < 64 || len > 512 ||
					    f.daddr != test_net.victim || is_internal(f.saddr);
				break;
			case GEN_PROFILE_SYNFLOOD:
				flag_bad += f.proto != IPPROTO_TCP || f.tcp_flags != GEN_TCP_SYN ||
					    (f.dport != 80 && f.dport != 443) || f.daddr != test_net.victim;
				break;
			case GEN_PROFILE_PORTSCAN:
				if (f.saddr == test_net.attacker && f.tcp_flags == GEN_TCP_SYN &&
				    f.dport >= 1 && f.dport <= 1024 && !ports[f.dport]) {
					ports[f.dport] = true;
					n_ports++;
				}
				n_synack += f.saddr == test_net.victim && f.tcp_flags == (GEN_TCP_SYN | GEN_TCP_ACK);
				n_rst += f.saddr == test_net.victim && f.tcp_flags == (GEN_TCP_RST | GEN_TCP_ACK);
				break;
			case GEN_PROFILE_HOSTSWEEP:
				if (f.saddr == test_net.attacker && f.proto == IPPROTO_ICMP && f.sport == 8 &&
				    is_internal(f.daddr) && !hosts[f.daddr & 0xff]) {
					hosts[f.daddr & 0xff] = true;
					n_hosts++;
				}
				break;
			}
		}
		gen_profile_free(p);
		check(bad == 0, "profile %s: %u frames all valid%s%s", name, n, bad ? ", first problem: " : "",
		      first_bad);
		check(order == 0, "profile %s: times never go backwards", name);
		check(flag_bad == 0, "profile %s: MACs%s as configured", name,
		      kind == GEN_PROFILE_SYNFLOOD ? ", SYN-only to 80/443" : "");
		switch (kind) {
		case GEN_PROFILE_BENIGN:
			check(in && out, "profile benign: both directions");
			check(dns && tcp && ntp && icmp, "profile benign: dns %u tcp %u ntp %u icmp %u all present",
			      dns, tcp, ntp, icmp);
			check(prev > 2.5e9 && prev < 3.5e9, "profile benign: 3000 frames at 1000 pps take ~3 s (%.2f)",
			      prev / 1e9);
			break;
		case GEN_PROFILE_UDPFLOOD:
			check(size_bad == 0, "profile udpflood: 64..512-byte UDP to the victim from outside");
			check(prev == 2999000000ull, "profile udpflood: evenly paced at the rate");
			break;
		case GEN_PROFILE_PORTSCAN:
			check(n_ports == 1024, "profile portscan: all ports 1..1024 probed (%u)", n_ports);
			check(n_synack >= 3 && n_rst >= 1000, "profile portscan: SYN-ACK for open (%u), RST for closed (%u)",
			      n_synack, n_rst);
			break;
		case GEN_PROFILE_HOSTSWEEP:
			check(n_hosts == 254, "profile hostsweep: every internal address probed (%u)", n_hosts);
			check(in && out, "profile hostsweep: live hosts reply");
			break;
		}
	}
	check(gen_profile_lookup("nope") == -ENOENT, "profile lookup of an unknown name fails");
	check(gen_profile_new(GEN_PROFILE_BENIGN, &test_net, 0, 1) == NULL && errno == EINVAL,
	      "profile with rate 0 is refused");
	check(gen_net_host(0xc0000200, 24, 10) == 0xc000020a && gen_net_host(0xc0000200, 24, 255) == 0xc0000201 &&
	      gen_net_host(0x0a000000, 30, 10) == 0x0a000002 && gen_net_host(0x0a000001, 32, 5) == 0x0a000001,
	      "gen_net_host wraps inside the usable hosts");
}

/* ---- the binary ---- */

static int run(const char *const argv[], const char *out_path, const char *err_path)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(127);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static bool file_has(const char *path, const char *needle)
{
	size_t len;
	uint8_t *d = slurp(path, &len);
	bool r = d && (d[len] = 0, strstr((char *)d, needle) != NULL);

	free(d);
	return r;
}

/* Walk a pcap written by vigil-gen; returns records, or -1 with why set. */
static long walk_pcap(const uint8_t *d, size_t len, bool nsec, uint64_t start_s, uint64_t end_s, char *why,
		      size_t wlen)
{
	uint64_t prev = 0;
	size_t off = 24;
	long n = 0;

	if (len < 24 || le32(d) != (nsec ? 0xa1b23c4du : 0xa1b2c3d4u) || le32(d + 4) != (2u | 4u << 16) ||
	    le32(d + 16) != 65535 || le32(d + 20) != 1) {
		snprintf(why, wlen, "file header");
		return -1;
	}
	while (off < len) {
		uint32_t sec, frac, incl, orig;
		uint64_t ts;
		struct parsed f;

		if (len - off < 16) {
			snprintf(why, wlen, "truncated record header at %zu", off);
			return -1;
		}
		sec = le32(d + off);
		frac = le32(d + off + 4);
		incl = le32(d + off + 8);
		orig = le32(d + off + 12);
		ts = (uint64_t)sec * 1000000000ull + (nsec ? frac : frac * 1000ull);
		if (frac >= (nsec ? 1000000000u : 1000000u) || incl != orig || incl > 65535 ||
		    len - off - 16 < incl || ts < prev || sec < start_s || sec >= end_s) {
			snprintf(why, wlen, "record %ld at %zu: ts %u.%u len %u/%u", n, off, sec, frac, incl, orig);
			return -1;
		}
		f = parse_frame(d + off + 16, incl);
		if (!f.ok) {
			snprintf(why, wlen, "record %ld: %s", n, f.why);
			return -1;
		}
		prev = ts;
		off += 16 + incl;
		n++;
	}
	return n;
}

static void test_binary(const char *gen, const char *dir)
{
	char a[512], b[512], c[512], lab[512], out[512], err[512], why[128] = "", cmd[1200];
	const char *args_a[] = { gen, "--pcap", a, "--seed", "7", "--phase", "benign:3:300", "--phase",
				 "udpflood:1:5000", "--phase", "portscan:2:300", "--phase", "hostsweep:1:100",
				 "--phase", "synflood:1:2000", "--labels", lab, "--quiet", NULL };
	const char *args_b[] = { gen, "--pcap", b, "--seed", "7", "--phase", "benign:3:300", "--phase",
				 "udpflood:1:5000", "--phase", "portscan:2:300", "--phase", "hostsweep:1:100",
				 "--phase", "synflood:1:2000", "--quiet", NULL };
	const char *args_c[] = { gen, "--pcap", c, "--seed", "8", "--nsec", "--start", "1800000000", "--phase",
				 "benign:3:300", "--quiet", NULL };
	uint8_t *da, *db, *dc;
	size_t la, lb, lc;
	long n;
	int rc;

	snprintf(a, sizeof(a), "%s/a.pcap", dir);
	snprintf(b, sizeof(b), "%s/b.pcap", dir);
	snprintf(c, sizeof(c), "%s/c.pcap", dir);
	snprintf(lab, sizeof(lab), "%s/labels.tsv", dir);
	snprintf(out, sizeof(out), "%s/out.txt", dir);
	snprintf(err, sizeof(err), "%s/err.txt", dir);

	rc = run(args_a, out, err);
	check(rc == 0, "vigil-gen pcap run exits 0 (%d)", rc);
	rc = run(args_b, out, err);
	check(rc == 0, "vigil-gen second run exits 0 (%d)", rc);
	rc = run(args_c, out, err);
	check(rc == 0, "vigil-gen nsec run exits 0 (%d)", rc);
	da = slurp(a, &la);
	db = slurp(b, &lb);
	dc = slurp(c, &lc);
	check(da && db && la > 24 && la == lb && memcmp(da, db, la) == 0,
	      "same seed gives a byte-identical pcap (%zu bytes)", la);
	if (da) {
		n = walk_pcap(da, la, false, 1700000000, 1700000008, why, sizeof(why));
		/* ~900 benign (Poisson) + 5000 udp + 600 probes, 600 replies and 6 resets for the 3
		 * open ports + 100 probes and 12 replies of the 12 live hosts + 2000 syn */
		check(n > 9100 && n < 9350, "usec pcap: every record and frame valid, %ld records %s", n, why);
	}
	if (dc) {
		n = walk_pcap(dc, lc, true, 1800000000, 1800000003, why, sizeof(why));
		check(n > 700 && n < 1100, "nsec pcap: magic, --start and records valid, %ld records %s", n, why);
		check(!db || lc < 24 + 16 || lb < 24 + 16 || memcmp(db + 24 + 16, dc + 24 + 16, 60) != 0,
		      "another seed gives other frames");
	}
	check(file_has(lab, "start_epoch\tend_epoch\ttype\tattacker\tvictim\n") &&
	      file_has(lab, "1700000003.000\t1700000004.000\tudpflood\t198.51.100.0/24\t192.0.2.10\n") &&
	      file_has(lab, "1700000004.000\t1700000006.000\tportscan\t198.51.100.66\t192.0.2.10\n") &&
	      file_has(lab, "1700000006.000\t1700000007.000\thostsweep\t198.51.100.66\t192.0.2.0/24\n") &&
	      file_has(lab, "1700000007.000\t1700000008.000\tsynflood\t198.51.100.0/24\t192.0.2.10\n") &&
	      !file_has(lab, "benign"), "labels: header and one line per attack phase");

	if (system("command -v tshark >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof(cmd), "tshark -r '%s' -q -z io,stat,0 >/dev/null 2>&1", a);
		check(system(cmd) == 0, "tshark reads the pcap");
	} else {
		printf("skip - tshark not installed, pcap only checked by this test's own parser\n");
	}
	free(da);
	free(db);
	free(dc);

	{
		const struct {
			const char *name;
			const char *argv[8];
			int rc;
			const char *msg;
		} rows[] = {
			{ "no output", { "--phase", "benign" }, 1, "--iface or --pcap" },
			{ "no phase", { "--pcap", c }, 1, "--phase" },
			{ "bad rate", { "--pcap", c, "--phase", "benign", "--rate", "fast" }, 1, "--rate 'fast'" },
			{ "bad profile", { "--pcap", c, "--phase", "teardrop:5" }, 1, "--phase 'teardrop:5'" },
			{ "bad phase secs", { "--pcap", c, "--phase", "benign:0" }, 1, "--phase 'benign:0'" },
			{ "bad mac", { "--pcap", c, "--phase", "benign", "--dst-mac", "00:11" }, 1, "--dst-mac '00:11'" },
			{ "bad cidr", { "--pcap", c, "--phase", "benign", "--internal", "10.0.0.0/33" }, 1,
			  "--internal '10.0.0.0/33'" },
			{ "bad victim", { "--pcap", c, "--phase", "benign", "--victim", "1.2.3" }, 1, "--victim '1.2.3'" },
			{ "unknown option", { "--pcap", c, "--phase", "benign", "--bogus" }, 1, "'--bogus'" },
			{ "missing interface", { "--iface", "vgen-nope0", "--phase", "benign:1" }, 2,
			  "vigil-gen: interface 'vgen-nope0' does not exist\n" },
			{ "unwritable pcap", { "--pcap", "/nonexistent-dir/x.pcap", "--phase", "benign:1" }, 2,
			  "/nonexistent-dir/x.pcap" },
		};

		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			const char *argv[10] = { gen };

			for (int j = 0; j < 8 && rows[i].argv[j]; j++)
				argv[j + 1] = rows[i].argv[j];
			rc = run(argv, out, err);
			check(rc == rows[i].rc && file_has(err, rows[i].msg), "args %s: exit %d (want %d), message has %.*s",
			      rows[i].name, rc, rows[i].rc, (int)strcspn(rows[i].msg, "\n"), rows[i].msg);
		}
	}
	unlink(a);
	unlink(b);
	unlink(c);
	unlink(lab);
	unlink(out);
	unlink(err);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/vigil-gen-test.XXXXXX";

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_frames();
	test_pcap_writer(dir);
	test_profiles();
	if (argc > 1)
		test_binary(argv[1], dir);
	else
		printf("skip - no vigil-gen path given, binary not tested\n");
	rmdir(dir);
	printf("%u passed, %u failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
