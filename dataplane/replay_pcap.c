// SPDX-License-Identifier: GPL-2.0-only
/*
 * replay_pcap.c: capture reading through libpcap, which handles pcap (micro
 * and nanosecond) and pcapng. Timestamps are taken as recorded, even when they
 * go backwards; the consumers decide how to treat time that does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include "replay.h"

struct replay {
	pcap_t *pc;
	int nsec;
	uint64_t last_ts;
	struct replay_stats st;
};

int replay_open(const char *path, struct replay **out, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct replay *r = NULL;
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
	if (dlt != DLT_EN10MB) {
		ret = -ENOTSUP;
		snprintf(err, errlen, "capture '%s' has link type %s (%d); vigil replays Ethernet captures",
			 path, pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "unknown", dlt);
		goto cleanup;
	}
	*out = r;
	r = NULL;
cleanup:
	replay_close(r);
	return ret;
}

int replay_next(struct replay *r, struct replay_frame *f, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t ts;
	int rc;

	rc = pcap_next_ex(r->pc, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, errlen, "read error: %s", pcap_geterr(r->pc));
		return -EIO;
	}
	ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
	     (uint64_t)h->ts.tv_usec * (r->nsec ? 1ULL : 1000ULL);
	if (ts < r->last_ts)
		r->st.ts_backwards++;
	r->last_ts = ts;
	f->data = data;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->ts_ns = ts;
	r->st.frames++;
	r->st.bytes += h->caplen;
	return 1;
}

void replay_get_stats(const struct replay *r, struct replay_stats *out)
{
	*out = r->st;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	if (r->pc)
		pcap_close(r->pc);
	free(r);
}
