// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_pcap.c: vigil-gen writes captures itself instead of linking libpcap, so
 * the format details (magic, resolution, record header) are explicit here and
 * the output is byte-for-byte reproducible from a seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_pcap.h"

struct gen_pcap {
	FILE *fp;
	bool nsec;
	bool is_stdout;
	int err;	/* first error, sticky */
};

static int pcap_put(struct gen_pcap *pc, const void *data, size_t len)
{
	if (pc->err)
		return pc->err;
	if (fwrite(data, 1, len, pc->fp) != len)
		pc->err = errno ? -errno : -EIO;
	return pc->err;
}

struct gen_pcap *gen_pcap_open(const char *path, bool nsec)
{
	struct gen_pcap *pc = calloc(1, sizeof(*pc));
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = {
		.magic = nsec ? GEN_PCAP_MAGIC_NSEC : GEN_PCAP_MAGIC_USEC,
		.major = 2,
		.minor = 4,
		.snaplen = GEN_PCAP_SNAPLEN,
		.linktype = GEN_PCAP_LINKTYPE_ETHERNET,
	};
	int err;

	if (!pc)
		return NULL;
	pc->nsec = nsec;
	pc->is_stdout = strcmp(path, "-") == 0;
	pc->fp = pc->is_stdout ? stdout : fopen(path, "wb");
	if (!pc->fp) {
		err = errno;
		free(pc);
		errno = err;
		return NULL;
	}
	setvbuf(pc->fp, NULL, _IOFBF, 1 << 20);
	if (pcap_put(pc, &hdr, sizeof(hdr))) {
		err = -pc->err;
		gen_pcap_close(pc);
		errno = err;
		return NULL;
	}
	return pc;
}

int gen_pcap_write(struct gen_pcap *pc, uint64_t ts_ns, const void *frame, uint32_t len)
{
	uint32_t rec[4];

	if (len > GEN_PCAP_SNAPLEN)
		return -EMSGSIZE;
	rec[0] = (uint32_t)(ts_ns / 1000000000u);
	rec[1] = (uint32_t)(ts_ns % 1000000000u);
	if (!pc->nsec)
		rec[1] /= 1000;
	rec[2] = len;	/* captured */
	rec[3] = len;	/* on the wire */
	if (pcap_put(pc, rec, sizeof(rec)))
		return pc->err;
	return pcap_put(pc, frame, len);
}

int gen_pcap_close(struct gen_pcap *pc)
{
	int err;

	if (!pc)
		return 0;
	err = pc->err;
	if (fflush(pc->fp) && !err)
		err = -errno;
	if (!pc->is_stdout && fclose(pc->fp) && !err)
		err = -errno;
	free(pc);
	return err;
}
