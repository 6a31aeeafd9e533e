// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_ingest.c: libFuzzer target for the collector's ingest state machine:
 * sequences of messages from several identities (CURVE keys bound to sensor
 * names, an unlisted key, or keyless peers) through the frame decoder
 * (wire_event_decode), the binding and rate checks (collector_auth), the JSON
 * checks, dedupe, the seq window and the names limit (collector_ingest) into a
 * store, then a store reopen whose rescan must recover what was acked.
 *
 * Input: a mode byte (bit 0: CURVE, identities are keys; else keyless), then
 * records, each one message:
 *   kind bit 0     0 framed: u8 name_len, name, seq, u16le json_len, json; the
 *                  magic and the 8-byte seq frame are built (fuzzes the JSON)
 *                  1 raw: u8 n_frames (0..5), then per frame u16le len + bytes
 *   kind bits 1-2  sender: key 0 (names "a", "b"), key 1 ("c"), key 2 ("d"),
 *                  3: a key that is not listed (CURVE mode only)
 *   kind bit 3     framed seq: 8 bytes big-endian (else 1 byte)
 *   kind bit 4     then u16le: ms the clock moves before this message
 * A length longer than what is left takes what is left.
 * Checked after every message: a refused or malformed one stored nothing and
 * got no ack; nothing is stored past a seq refused by a rate limit before
 * that seq itself; a stored one came from an identity its name is bound to; acks
 * per name never go back and equal the name's highest stored seq; no seq above
 * 2^63 - 1 and no jump beyond the window is stored; the names stay within the
 * limit; the counters add up. After the reopen: every ack is recovered.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "wire.h"
#include "collector_auth.h"
#include "collector_ingest.h"
#include "collector_stats.h"
#include "collector_store.h"

#define FUZZ_INGEST_FRAMES_MAX 5
#define FUZZ_INGEST_SENSORS_MAX 64
#define FUZZ_INGEST_NOW_US 1700000000000000LL	/* a fixed start time: inputs replay alike */
#define FUZZ_INGEST_WINDOW 1000
#define FUZZ_INGEST_NAMES 8
#define FUZZ_INGEST_KEY_RATE 40

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_ingest_cursor {
	const uint8_t *p;
	size_t left;
};

struct fuzz_ingest_acked {
	char name[WIRE_NAME_MAX + 1];
	uint64_t ack;
	uint64_t refused;	/* the lowest seq refused by a rate and not stored since, 0: none */
	int64_t refused_us;	/* when the first of those refusals came */
};

static int fuzz_ingest_fd = -1;
static char fuzz_ingest_path[64];
static const char fuzz_ingest_keys[3][96] = {
	"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7 a b",
	"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID c",
	"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6 d",
};

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

static uint64_t fuzz_ingest_u64(struct fuzz_ingest_cursor *c)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | fuzz_ingest_u8(c);
	return v;
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

static struct fuzz_ingest_acked *fuzz_ingest_slot(struct fuzz_ingest_acked *acked, size_t *n, const char *name)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp(acked[i].name, name))
			return &acked[i];
	if (*n == FUZZ_INGEST_SENSORS_MAX)
		abort();	/* more names than the limit lets in */
	snprintf(acked[i].name, sizeof(acked[i].name), "%s", name);
	acked[i].ack = 0;
	acked[i].refused = 0;
	(*n)++;
	return &acked[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_ingest_acked acked[FUZZ_INGEST_SENSORS_MAX];
	struct fuzz_ingest_cursor c = { data, size };
	struct collector_auth_cfg acfg = { .key_rate = FUZZ_INGEST_KEY_RATE };
	struct collector_ingest_ctx ctx = { .seq_window = FUZZ_INGEST_WINDOW, .max_sensors = FUZZ_INGEST_NAMES };
	struct collector_store_scan scan;
	struct collector_stats st;
	struct collector_store_cfg cfg = { .jsonl = fuzz_ingest_store_file() };
	int64_t now = FUZZ_INGEST_NOW_US;
	size_t n_acked = 0, i;
	uint64_t msgs = 0;
	bool curve;
	char err[256];

	if (!cfg.jsonl || collector_store_open(&cfg, &ctx.store, &scan, err, sizeof(err)) ||
	    collector_auth_new(fuzz_ingest_keys[0], sizeof(fuzz_ingest_keys[0]), 3, &acfg, &ctx.auth, err,
			       sizeof(err)))
		abort();	/* the harness, not the input */
	curve = fuzz_ingest_u8(&c) & 1;
	memset(&st, 0, sizeof(st));
	while (c.left) {
		struct wire_frame f[FUZZ_INGEST_FRAMES_MAX];
		struct collector_ingest_out out;
		struct fuzz_ingest_acked *a;
		uint8_t seq[WIRE_SEQ_LEN];
		unsigned kind = fuzz_ingest_u8(&c), n;
		int id = (int)(kind >> 1 & 3), rc;
		uint64_t stored = st.stored, last;

		if (!curve)
			id = COLLECTOR_AUTH_KEYLESS;
		else if (id == 3)
			id = COLLECTOR_AUTH_UNKNOWN;
		if (!(kind & 1)) {
			f[0].data = WIRE_MAGIC_EVENT;
			f[0].len = WIRE_MAGIC_LEN;
			f[1].len = fuzz_ingest_take(&c, fuzz_ingest_u8(&c), (const uint8_t **)&f[1].data);
			wire_put_u64(seq, kind & 8 ? fuzz_ingest_u64(&c) : fuzz_ingest_u8(&c));
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
		if (kind & 16)
			now += (int64_t)fuzz_ingest_u16(&c) * 1000;
		rc = collector_ingest(&ctx, id, f, n, now, &st, &out);
		if (rc)
			abort();	/* a memfd does not fail to take a line */
		msgs++;
		if (out.result == COLLECTOR_INGEST_REFUSED &&
		    (out.refusal == COLLECTOR_REFUSE_KEY_RATE || out.refusal == COLLECTOR_REFUSE_GLOBAL_RATE) &&
		    collector_store_known(ctx.store, out.sensor, strlen(out.sensor)) &&
		    out.seq > collector_store_last(ctx.store, out.sensor, strlen(out.sensor))) {
			/* a transient refusal: nothing after it may be stored before it (a gap acked over it) */
			a = fuzz_ingest_slot(acked, &n_acked, out.sensor);
			if (!a->refused)
				a->refused_us = now;
			if (!a->refused || out.seq < a->refused)
				a->refused = out.seq;
		}
		if (out.result == COLLECTOR_INGEST_MALFORMED || out.result == COLLECTOR_INGEST_REFUSED) {
			if (st.stored != stored || out.ack)
				abort();
			if (out.result == COLLECTOR_INGEST_MALFORMED &&
			    (out.verdict == WIRE_OK || out.verdict >= WIRE_VERDICT_MAX))
				abort();
			if (out.result == COLLECTOR_INGEST_REFUSED &&
			    (out.refusal == COLLECTOR_REFUSE_NONE || out.refusal >= COLLECTOR_REFUSE_MAX))
				abort();
			continue;
		}
		if (out.verdict != WIRE_OK || !wire_name_valid(out.sensor, strlen(out.sensor)) || !out.seq ||
		    out.seq > WIRE_SEQ_MAX || out.ack < out.seq || out.ack > WIRE_SEQ_MAX)
			abort();
		/* only the identity a name is bound to gets it stored or acked */
		if (!collector_auth_may(ctx.auth, id, out.sensor, strlen(out.sensor)))
			abort();
		a = fuzz_ingest_slot(acked, &n_acked, out.sensor);
		last = a->ack;
		if (out.result != COLLECTOR_INGEST_DUPLICATE && a->refused) {
			/* stored over a seq the collector itself refused, while the sensor could still resend it */
			if (out.seq > a->refused && now - a->refused_us < COLLECTOR_INGEST_HOLD_US)
				abort();
			a->refused = 0;
		}
		if (out.ack < a->ack)
			abort();	/* acks are cumulative: they never go back */
		if (out.result != COLLECTOR_INGEST_DUPLICATE && out.seq - last > FUZZ_INGEST_WINDOW)
			abort();	/* a jump beyond the window was stored */
		if (out.ack != collector_store_last(ctx.store, out.sensor, strlen(out.sensor)))
			abort();	/* an ack is the name's own highest stored seq, nothing else */
		a->ack = out.ack;
		if (collector_store_count(ctx.store) > FUZZ_INGEST_NAMES)
			abort();
	}
	if (st.received != msgs || st.stored + st.duplicates + st.malformed + st.refused_msgs != msgs)
		abort();
	if (collector_store_flush(ctx.store))
		abort();
	collector_store_free(ctx.store);

	/* a restarted collector must know every ack it sent, or it stores duplicates */
	if (collector_store_open(&cfg, &ctx.store, &scan, err, sizeof(err)))
		abort();
	if (scan.unusable || scan.torn_bytes || scan.quarantined || scan.lines != st.stored)
		abort();
	for (i = 0; i < n_acked; i++)
		if (collector_store_last(ctx.store, acked[i].name, strlen(acked[i].name)) != acked[i].ack)
			abort();
	collector_store_free(ctx.store);
	collector_auth_free(ctx.auth);
	return 0;
}
