// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_pcap.c: capture reading through libpcap (pcap, pcapng), turning every
 * link type that carries IP into the Ethernet frame the XDP program parses, so
 * a capture from a cooked, raw-IP, loopback or NFLOG socket replays like a tap.
 * A classic pcap file (version 2.4) is also mapped and its records read in
 * place, without libpcap's two copies a frame (stdio's buffer, then its own):
 * reading was a sixth of a replay. A record libpcap would treat specially
 * (longer than the snapshot length, cut short by the end of the file) hands
 * the rest of the file back to libpcap at that record, so what comes out,
 * errors included, is what libpcap gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "replay.h"

#define REPLAY_ETH_HLEN 14u
#define REPLAY_BUF (65535u + 2u * REPLAY_ETH_HLEN)
/* link-layer types as libpcap names them; not every header set has them all */
#define REPLAY_DLT_IPV4 228
#define REPLAY_DLT_IPV6 229
#define REPLAY_DLT_NFLOG 239
#define REPLAY_DLT_IPOIB 242
#define REPLAY_DLT_LINUX_SLL2 276
#define REPLAY_ETHERTYPE_IPV4 0x0800
#define REPLAY_ETHERTYPE_IPV6 0x86dd
/* NFLOG: one TLV holds the packet (netfilter's NFULA_PAYLOAD) */
#define REPLAY_NFULA_PAYLOAD 9

/* a classic pcap file read in place */
struct replay_map {
	const uint8_t *base;	/* the file, mapped (frames given out point into it
				 * until replay_close); NULL: not mapped */
	int active;		/* 0: libpcap reads the rest */
	size_t len;
	size_t off;		/* the next record */
	uint32_t max_caplen;	/* longer records go to libpcap (its snapshot length) */
	uint32_t frac_ns;	/* 1000: microsecond stamps, 1: nanosecond */
	int swapped;		/* written on a host of the other byte order */
};

struct replay {
	pcap_t *pc;
	int nsec;
	int dlt;
	uint64_t last_ts;
	struct replay_map m;
	struct replay_stats st;
	uint8_t buf[REPLAY_BUF];
};

/* where the network layer starts in a frame of this link type, and its ethertype */
struct replay_l3 {
	uint32_t off;
	uint16_t ethertype;	/* 0: no IP found (the frame becomes a non-IP frame) */
};

static uint16_t replay_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t replay_le16(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

/* raw IP: the version nibble says which */
static uint16_t replay_ip_version(const uint8_t *p, uint32_t len)
{
	if (!len)
		return 0;
	switch (p[0] >> 4) {
	case 4: return REPLAY_ETHERTYPE_IPV4;
	case 6: return REPLAY_ETHERTYPE_IPV6;
	}
	return 0;
}

/* BSD loopback family values for IPv4 and the IPv6 values of the BSDs and Linux */
static uint16_t replay_af(uint32_t af)
{
	switch (af) {
	case 2: return REPLAY_ETHERTYPE_IPV4;
	case 10: case 24: case 28: case 30: return REPLAY_ETHERTYPE_IPV6;
	}
	return 0;
}

/* PPP protocol field to ethertype */
static uint16_t replay_ppp_proto(uint16_t p)
{
	switch (p) {
	case 0x0021: return REPLAY_ETHERTYPE_IPV4;
	case 0x0057: return REPLAY_ETHERTYPE_IPV6;
	case 0x0281: return 0x8847;	/* MPLS unicast */
	case 0x0283: return 0x8848;	/* MPLS multicast */
	}
	return 0;
}

/* NFLOG: 4-byte header (family, version, resource id), then TLVs in host order, 4-aligned */
static int replay_nflog(const uint8_t *p, uint32_t len, struct replay_l3 *l3)
{
	uint32_t off = 4, tlen, type, i;

	if (len < 4)
		return -1;
	for (i = 0; i < 64 && off + 4 <= len; i++) {
		tlen = replay_le16(p + off);
		type = replay_le16(p + off + 2) & 0x7fff;
		if (tlen < 4 || off + tlen > len)
			return -1;
		if (type == REPLAY_NFULA_PAYLOAD) {
			l3->off = off + 4;
			l3->ethertype = p[0] == 10 ? REPLAY_ETHERTYPE_IPV6 :
					p[0] == 2 ? REPLAY_ETHERTYPE_IPV4 :
					replay_ip_version(p + off + 4, tlen - 4);
			return 0;
		}
		off += (tlen + 3) & ~3u;
	}
	return -1;
}

/* finds the network layer; -1 when the link header itself is cut short */
static int replay_find_l3(int dlt, const uint8_t *p, uint32_t len, struct replay_l3 *l3)
{
	uint32_t af;

	l3->off = 0;
	l3->ethertype = 0;
	switch (dlt) {
	case DLT_RAW:
	case 101:	/* LINKTYPE_RAW when libpcap hands it through unmapped */
		l3->ethertype = replay_ip_version(p, len);
		return 0;
	case REPLAY_DLT_IPV4:
		l3->ethertype = REPLAY_ETHERTYPE_IPV4;
		return 0;
	case REPLAY_DLT_IPV6:
		l3->ethertype = REPLAY_ETHERTYPE_IPV6;
		return 0;
	case DLT_NULL:
	case DLT_LOOP:
		if (len < 4)
			return -1;
		/* DLT_NULL is in the capturing host's order: a family fits in the low bytes */
		af = dlt == DLT_LOOP || (p[0] == 0 && p[1] == 0) ?
			     (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] :
			     (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
		l3->off = 4;
		l3->ethertype = replay_af(af);
		return 0;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -1;
		l3->off = 16;
		l3->ethertype = replay_be16(p + 14);
		return 0;
	case REPLAY_DLT_LINUX_SLL2:
		if (len < 20)
			return -1;
		l3->off = 20;
		l3->ethertype = replay_be16(p);
		return 0;
	case DLT_C_HDLC:
		if (len < 4)
			return -1;
		l3->off = 4;
		l3->ethertype = replay_be16(p + 2);
		return 0;
	case REPLAY_DLT_IPOIB:
		/* libpcap's IPoIB: 20-byte destination and source hardware
		 * addresses, then RFC 4391's ethertype and 2 reserved bytes */
		if (len < 44)
			return -1;
		l3->off = 44;
		l3->ethertype = replay_be16(p + 40);
		return 0;
	case DLT_PPP:
	case DLT_PPP_SERIAL:
		/* address/control 0xff 0x03 may be compressed away */
		l3->off = len >= 2 && p[0] == 0xff && p[1] == 0x03 ? 2 : 0;
		if (len < l3->off + 1)
			return -1;
		if (p[l3->off] & 1) {	/* compressed one-byte protocol field */
			l3->ethertype = replay_ppp_proto(p[l3->off]);
			l3->off += 1;
			return 0;
		}
		if (len < l3->off + 2)
			return -1;
		l3->ethertype = replay_ppp_proto(replay_be16(p + l3->off));
		l3->off += 2;
		return 0;
	case DLT_FDDI:
		/* frame control, two addresses, then LLC/SNAP carrying an ethertype */
		if (len < 13 + 8)
			return -1;
		l3->off = 21;
		if (p[13] == 0xaa && p[14] == 0xaa && p[15] == 0x03)
			l3->ethertype = replay_be16(p + 19);
		return 0;
	case REPLAY_DLT_NFLOG:
		return replay_nflog(p, len, l3);
	}
	return -1;
}

static int replay_dlt_supported(int dlt)
{
	struct replay_l3 l3;
	uint8_t probe[64] = { 0 };

	if (dlt == DLT_EN10MB)
		return 1;
	/* every case of replay_find_l3 accepts a long enough frame of zeroes but NFLOG */
	return dlt == REPLAY_DLT_NFLOG || replay_find_l3(dlt, probe, sizeof(probe), &l3) == 0;
}

static uint32_t replay_u32(const uint8_t *p, int swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

/*
 * Map the file when it is a classic pcap file of version 2.4 (libpcap has
 * opened it already and said it is good); anything else, or no memory for
 * the mapping (a 32-bit board and a large file), is read by libpcap.
 */
static void replay_map_open(struct replay *r, const char *path, const struct stat *sb)
{
	uint8_t hdr[24];
	uint32_t magic;
	uint16_t major, minor;
	void *base;
	int fd;

	if (sb->st_size < 24 || (uint64_t)sb->st_size > SIZE_MAX)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (read(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr)) {
		close(fd);
		return;
	}
	memcpy(&magic, hdr, 4);
	memcpy(&major, hdr + 4, 2);
	memcpy(&minor, hdr + 6, 2);
	r->m.swapped = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	if (r->m.swapped) {
		magic = __builtin_bswap32(magic);
		major = __builtin_bswap16(major);
		minor = __builtin_bswap16(minor);
	}
	if ((magic != 0xa1b2c3d4u && magic != 0xa1b23c4du) || major != 2 || minor != 4) {
		close(fd);
		return;
	}
	base = mmap(NULL, (size_t)sb->st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED)
		return;
	(void)madvise(base, (size_t)sb->st_size, MADV_SEQUENTIAL);
	r->m.base = base;
	r->m.active = 1;
	r->m.len = (size_t)sb->st_size;
	r->m.off = 24;
	r->m.max_caplen = (uint32_t)pcap_snapshot(r->pc);
	r->m.frac_ns = magic == 0xa1b23c4du ? 1 : 1000;
}

/* the rest of the file to libpcap, from the record at off (the mapping stays:
 * frames already given out point into it) */
static void replay_map_stop(struct replay *r)
{
	FILE *fp = pcap_file(r->pc);

	/* should the seek fail, libpcap reads on from the file's header: a
	 * record it cannot make sense of, an error, as a damaged file gives */
	if (fp)
		(void)fseeko(fp, (off_t)r->m.off, SEEK_SET);
	r->m.active = 0;
}

int replay_open(const char *path, struct replay **out, char *err, size_t errlen)
{
	return replay_open_flags(path, 0, out, err, errlen);
}

int replay_open_flags(const char *path, unsigned int flags, struct replay **out, char *err,
		      size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct replay *r = NULL;
	const char *name;
	struct stat sb;
	int ret = 0, dlt;

	*out = NULL;
	if (stat(path, &sb) != 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot open capture '%s': %s", path, strerror(errno));
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		snprintf(err, errlen, "capture '%s' is not a regular file", path);
		goto cleanup;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto cleanup;
	}
	r->pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (!r->pc) {
		ret = -EINVAL;
		snprintf(err, errlen, "'%s' is not a pcap or pcapng capture: %s", path, perr);
		goto cleanup;
	}
	r->nsec = pcap_get_tstamp_precision(r->pc) == PCAP_TSTAMP_PRECISION_NANO;
	dlt = pcap_datalink(r->pc);
	if (!replay_dlt_supported(dlt)) {
		ret = -ENOTSUP;
		name = pcap_datalink_val_to_name(dlt);
		snprintf(err, errlen,
			 "capture '%s' has link type %s (%d); vigil replays Ethernet, Linux cooked (SLL, SLL2), raw IP, NULL/LOOP, NFLOG, PPP, Cisco HDLC, IPoIB and FDDI captures",
			 path, name ? name : "unknown", dlt);
		goto cleanup;
	}
	r->dlt = dlt;
	r->st.file_bytes = (uint64_t)sb.st_size;
	if (!(flags & REPLAY_OPEN_NO_MAP))
		replay_map_open(r, path, &sb);
	*out = r;
	r = NULL;
cleanup:
	replay_close(r);
	return ret;
}

/*
 * A new Ethernet header in front of the network layer: zero addresses, the
 * ethertype found (0 when none, which the program counts as non-IP). A link
 * header cut short becomes a runt (caplen 0) so the caller still sees the frame.
 */
static void replay_to_ether(struct replay *r, const uint8_t *data, uint32_t caplen,
			    struct replay_frame *f)
{
	struct replay_l3 l3;
	uint32_t n;

	if (replay_find_l3(r->dlt, data, caplen, &l3) || l3.off > caplen) {
		r->st.bad_link++;
		f->data = r->buf;
		f->caplen = 0;
		return;
	}
	n = caplen - l3.off;
	if (n > REPLAY_BUF - REPLAY_ETH_HLEN)
		n = REPLAY_BUF - REPLAY_ETH_HLEN;
	memset(r->buf, 0, 12);
	r->buf[12] = (uint8_t)(l3.ethertype >> 8);
	r->buf[13] = (uint8_t)l3.ethertype;
	memcpy(r->buf + REPLAY_ETH_HLEN, data + l3.off, n);
	f->data = r->buf;
	f->caplen = REPLAY_ETH_HLEN + n;
}

/*
 * The next record of a mapped file into h and *data: 1, 0 at the end, -1 when
 * libpcap must read this record (and the rest).
 */
static int replay_map_next(struct replay *r, struct pcap_pkthdr *h, const uint8_t **data)
{
	const uint8_t *p = r->m.base + r->m.off;
	size_t left = r->m.len - r->m.off;
	int32_t frac;

	if (!left)
		return 0;
	if (left < 16)
		goto to_libpcap;	/* a header cut short: libpcap's error */
	h->caplen = replay_u32(p + 8, r->m.swapped);
	h->len = replay_u32(p + 12, r->m.swapped);
	if (h->caplen > r->m.max_caplen || h->caplen > left - 16)
		goto to_libpcap;	/* libpcap trims it, or says it is cut short */
	/* the file's fields are signed 32-bit, as libpcap reads them; it then
	 * gives the fraction in ns (we open with nanosecond precision) */
	h->ts.tv_sec = (time_t)(int32_t)replay_u32(p, r->m.swapped);
	frac = (int32_t)replay_u32(p + 4, r->m.swapped);
	h->ts.tv_usec = (suseconds_t)frac * (suseconds_t)r->m.frac_ns;
	*data = p + 16;
	r->m.off += 16 + (size_t)h->caplen;
	return 1;
to_libpcap:
	replay_map_stop(r);
	return -1;
}

int replay_next(struct replay *r, struct replay_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr mh, *h = &mh;
	const u_char *data;
	uint64_t ts;
	int rc = r->m.active ? replay_map_next(r, &mh, &data) : -1;

	if (rc == 0)
		return 0;
	if (rc < 0) {
		rc = pcap_next_ex(r->pc, &h, &data);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc != 1) {
			snprintf(err, errlen, "read error: %s", pcap_geterr(r->pc));
			return -EIO;
		}
	}
	ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
	     (uint64_t)h->ts.tv_usec * (r->nsec ? 1ULL : 1000ULL);
	if (ts < r->last_ts)
		r->st.ts_backwards++;
	r->last_ts = ts;
	if (r->dlt == DLT_EN10MB) {
		f->data = data;
		f->caplen = h->caplen;
		f->stable = h == &mh;	/* in the mapping, until replay_close */
	} else {
		replay_to_ether(r, data, h->caplen, f);
		f->stable = 0;
	}
	/* the original frame's length, whatever its link type: what is counted */
	f->wirelen = h->len > h->caplen ? h->len : h->caplen;
	f->ts_ns = ts;
	r->st.frames++;
	r->st.bytes += h->caplen;
	return 1;
}

void replay_get_stats(const struct replay *r, struct replay_stats *out)
{
	FILE *fp = r->pc ? pcap_file(r->pc) : NULL;
	long pos = fp ? ftell(fp) : -1;

	*out = r->st;
	if (r->m.active)
		out->file_read = r->m.off;
	else if (pos >= 0)
		out->file_read = (uint64_t)pos;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	if (r->m.base)
		munmap((void *)r->m.base, r->m.len);
	if (r->pc)
		pcap_close(r->pc);
	free(r);
}
