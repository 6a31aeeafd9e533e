/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wire.h: the vigil event transport, shared by the sensor's publisher and
 * vigil-collector. Pure framing code: no sockets, no JSON parser, so both ends
 * and the tests agree on one definition. docs/transport.md has the rationale.
 *
 * Sockets: the collector binds a ZMQ_ROUTER, each sensor connects a ZMQ_DEALER.
 *
 * Sensor -> collector, one ZeroMQ multipart message per event, exactly 4 frames:
 *   [0] "VGL1"            magic, 4 bytes, no NUL
 *   [1] sensor name       1..63 bytes, printable ASCII 0x20..0x7e, no NUL
 *   [2] seq               8 bytes, big-endian u64; 1, 2, 3 ... per event for the
 *                         life of the sensor process; 0 is never sent
 *   [3] event JSON        one JSON object (EVE style), UTF-8, no trailing newline,
 *                         with a string member "event_type"; at most
 *                         WIRE_EVENT_MAX bytes
 * Collector -> sensor, exactly 2 frames (the ROUTER adds the routing id):
 *   [0] "VGA1"            magic
 *   [1] ack seq           8 bytes, big-endian u64, cumulative: every event of this
 *                         sensor up to and including seq is stored (or was dropped
 *                         by the sensor itself and will never come)
 * Anything else is malformed and dropped by the receiver (counted by reason).
 */
#ifndef VIGIL_WIRE_H
#define VIGIL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_MAGIC_EVENT "VGL1"
#define WIRE_MAGIC_ACK "VGA1"
#define WIRE_MAGIC_LEN 4
#define WIRE_SEQ_LEN 8
#define WIRE_NAME_MAX 63		/* bytes, without a terminator */
#define WIRE_EVENT_MAX (1u << 20)	/* bytes of event JSON */
#define WIRE_EVENT_FRAMES 4
#define WIRE_ACK_FRAMES 2

/* One received frame, borrowed from the caller. */
struct wire_frame {
	const void *data;
	size_t len;
};

/* A decoded event; pointers borrow the frames (sensor and json are NOT NUL-terminated). */
struct wire_event {
	const char *sensor;
	size_t sensor_len;
	uint64_t seq;
	const char *json;
	size_t json_len;
};

/* Why a message was rejected; WIRE_OK is 0 so "if (verdict)" reads as "bad". */
enum wire_verdict {
	WIRE_OK = 0,
	WIRE_BAD_FRAMES,	/* wrong number of frames */
	WIRE_BAD_MAGIC,
	WIRE_BAD_NAME,		/* empty, too long, or a byte outside 0x20..0x7e */
	WIRE_BAD_SEQ,		/* not 8 bytes, or 0 */
	WIRE_BAD_SIZE,		/* empty or larger than WIRE_EVENT_MAX, or holds a NUL */
	WIRE_BAD_JSON,		/* not JSON, or trailing bytes (checked by the collector) */
	WIRE_BAD_NOT_OBJECT,	/* valid JSON but not an object */
	WIRE_BAD_EVENT_TYPE,	/* no string "event_type" */
	WIRE_BAD_MISMATCH,	/* "sensor_name"/"vigil_seq" in the JSON disagree with the frames */
	WIRE_VERDICT_MAX,
};

/* Short stable name of a verdict for logs and stats ("bad_magic"); never NULL. */
const char *wire_verdict_name(enum wire_verdict v);

static inline void wire_put_u64(uint8_t out[WIRE_SEQ_LEN], uint64_t v)
{
	for (int i = WIRE_SEQ_LEN - 1; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t wire_get_u64(const uint8_t in[WIRE_SEQ_LEN])
{
	uint64_t v = 0;

	for (int i = 0; i < WIRE_SEQ_LEN; i++)
		v = (v << 8) | in[i];
	return v;
}

/* true if name[0..len) is a valid sensor name (1..63 bytes of 0x20..0x7e). */
bool wire_name_valid(const char *name, size_t len);

/*
 * Check the framing of an event message (frames after any routing id) and fill
 * *ev with pointers into the frames. The JSON is only checked for size and NUL
 * bytes here; parsing it is the receiver's job. Returns WIRE_OK or the reason.
 */
enum wire_verdict wire_event_decode(const struct wire_frame *f, size_t n, struct wire_event *ev);

/* Check an ack message and return its seq in *seq. Returns WIRE_OK or the reason. */
enum wire_verdict wire_ack_decode(const struct wire_frame *f, size_t n, uint64_t *seq);

#endif
