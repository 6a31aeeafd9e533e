// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ingest.c: libFuzzer target for the collector's message path: the frame
 * decoder (wire_event_decode) and collector_ingest's JSON checks, dedupe and
 * store, then a store reopen whose rescan must recover what was acked.
 *
 * Input: records, each one message.
 *   kind & 1 == 0  framed: u8 name_len, name, u8 seq, u16le json_len, json;
 *                  the magic and an 8-byte seq frame are built (fuzzes the JSON)
 *   kind & 1 == 1  raw: u8 n_frames (0..5), then per frame u16le len + bytes
 * A length longer than what is left takes what is left.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wire.h"
#include "collector_ingest.h"
#include "collector_stats.h"
#include "collector_store.h"

#define FUZZ_INGEST_FRAMES_MAX 5
#define FUZZ_INGEST_SENSORS_MAX 64
#define FUZZ_INGEST_NOW_US 1700000000000000LL	/* a fixed receive time: inputs replay alike */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ingest_cursor {
	const uint8_t *p;
	size_t left;
};

struct fuzz_ingest_acked {
	char name[WIRE_NAME_MAX + 1];
	uint64_t ack;
};

static int fuzz_ingest_fd = -1;
static char fuzz_ingest_path[64];

static size_t fuzz_ingest_take(struct fuzz_ingest_cursor *c, size_t want, const uint8_t **out)
{
	size_t n = want < c->left ? want : c->left;

	*out = c->p;
	c->p += n;
	c->left -= n;
	return n;
}

static unsigned fuzz_ingest_u8(struct fuzz_ingest_cursor *c)
{
	const uint8_t *p;

	return fuzz_ingest_take(c, 1, &p) ? p[0] : 0;
}

static unsigned fuzz_ingest_u16(struct fuzz_ingest_cursor *c)
{
	return fuzz_ingest_u8(c) | fuzz_ingest_u8(c) << 8;
}

/* An empty store file for this input (a memfd reopened by path). JSON-lines
 * only: SQLite wants -wal/-shm files beside its database, which a memfd has not. */
static const char *fuzz_ingest_store_file(void)
{
	if (fuzz_ingest_fd < 0) {
		fuzz_ingest_fd = memfd_create("vigil-fuzz-ingest", 0);
		if (fuzz_ingest_fd < 0)
			return NULL;
		snprintf(fuzz_ingest_path, sizeof(fuzz_ingest_path), "/proc/self/fd/%d", fuzz_ingest_fd);
	}
	if (ftruncate(fuzz_ingest_fd, 0))
		return NULL;
	return fuzz_ingest_path;
}

static void fuzz_ingest_note_ack(struct fuzz_ingest_acked *acked, size_t *n,
				 const struct collector_ingest_out *out)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(acked[i].name, out->sensor))
			break;
	if (i == *n) {
		if (*n == FUZZ_INGEST_SENSORS_MAX)
			return;
		snprintf(acked[i].name, sizeof(acked[i].name), "%s", out->sensor);
		acked[i].ack = 0;
		(*n)++;
	}
	/* acks are cumulative: they never go back */
	if (out->ack < acked[i].ack)
		abort();
	acked[i].ack = out->ack;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_ingest_acked acked[FUZZ_INGEST_SENSORS_MAX];
	struct fuzz_ingest_cursor c = { data, size };
	struct collector_store *store = NULL;
	struct collector_store_scan scan;
	struct collector_stats st;
	struct collector_store_cfg cfg = { .jsonl = fuzz_ingest_store_file() };
	size_t n_acked = 0, i;
	uint64_t msgs = 0;
	char err[256];

	if (!cfg.jsonl || collector_store_open(&cfg, &store, &scan, err, sizeof(err)))
		abort();	/* the harness, not the input */
	memset(&st, 0, sizeof(st));
	while (c.left) {
		struct wire_frame f[FUZZ_INGEST_FRAMES_MAX];
		struct collector_ingest_out out;
		uint8_t seq[WIRE_SEQ_LEN];
		unsigned kind = fuzz_ingest_u8(&c), n;
		int rc;

		if (!(kind & 1)) {
			f[0].data = WIRE_MAGIC_EVENT;
			f[0].len = WIRE_MAGIC_LEN;
			f[1].len = fuzz_ingest_take(&c, fuzz_ingest_u8(&c), (const uint8_t **)&f[1].data);
			wire_put_u64(seq, fuzz_ingest_u8(&c));
			f[2].data = seq;
			f[2].len = WIRE_SEQ_LEN;
			f[3].len = fuzz_ingest_take(&c, fuzz_ingest_u16(&c), (const uint8_t **)&f[3].data);
			n = WIRE_EVENT_FRAMES;
		} else {
			n = fuzz_ingest_u8(&c) % (FUZZ_INGEST_FRAMES_MAX + 1);
			for (i = 0; i < n; i++)
				f[i].len = fuzz_ingest_take(&c, fuzz_ingest_u16(&c),
							    (const uint8_t **)&f[i].data);
		}
		rc = collector_ingest(store, f, n, FUZZ_INGEST_NOW_US, &st, &out);
		if (rc)
			abort();	/* a memfd does not fail to take a line */
		msgs++;
		if (out.result == COLLECTOR_INGEST_MALFORMED) {
			if (out.verdict == WIRE_OK || out.verdict >= WIRE_VERDICT_MAX)
				abort();
			continue;
		}
		if (out.verdict != WIRE_OK || !wire_name_valid(out.sensor, strlen(out.sensor)) ||
		    !out.seq || out.ack < out.seq)
			abort();
		fuzz_ingest_note_ack(acked, &n_acked, &out);
	}
	if (st.received != msgs || st.stored + st.duplicates + st.malformed != msgs)
		abort();
	if (collector_store_flush(store))
		abort();
	collector_store_free(store);

	/* a restarted collector must know every ack it sent, or it stores duplicates */
	if (collector_store_open(&cfg, &store, &scan, err, sizeof(err)))
		abort();
	if (scan.unusable || scan.torn_bytes || scan.lines != st.stored)
		abort();
	for (i = 0; i < n_acked; i++)
		if (collector_store_last(store, acked[i].name, strlen(acked[i].name)) != acked[i].ack)
			abort();
	collector_store_free(store);
	return 0;
}
