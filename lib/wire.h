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
 *                         life of the sensor process; 0 and >= 2^63 are never sent
 *   [3] event JSON        one JSON object (EVE style), UTF-8, no trailing newline,
 *                         with a string member "event_type"; at most
 *                         WIRE_EVENT_MAX bytes
 * Collector -> sensor, exactly 2 frames (the ROUTER adds the routing id):
 *   [0] "VGA1"            magic
 *   [1] ack seq           8 bytes, big-endian u64, cumulative: every event of this
 *                         sensor up to and including seq is stored (or was dropped
 *                         by the sensor itself and will never come)
 * Evidence (docs/transport.md "Evidence"): the collector asks a sensor for the
 * pcapng file of one incident over the same connection.
 * Collector -> sensor, exactly 3 frames (after the routing id):
 *   [0] "VGE1"            magic
 *   [1] request id        8 bytes, big-endian u64, never 0; echoed in the reply
 *   [2] incident id       8 bytes, big-endian u64, never 0
 * Sensor -> collector, exactly 7 frames:
 *   [0] "VGR1"            magic
 *   [1] sensor name       as in events
 *   [2] request id        8 bytes, the request's
 *   [3] status            1 byte, enum wire_ev_status
 *   [4] file name         WIRE_EV_OK: 1..255 bytes of [A-Za-z0-9._-], not starting
 *                         with '.'; else empty or such a name
 *   [5] sha256            WIRE_EV_OK: 64 lower-case hex digits of frame 6; else empty
 *   [6] file bytes        WIRE_EV_OK: 1..WIRE_EVIDENCE_MAX bytes; else empty
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
#define WIRE_SEQ_MAX ((UINT64_C(1) << 63) - 1)	/* highest valid seq: SQLite's INTEGER is signed */
#define WIRE_NAME_MAX 63		/* bytes, without a terminator */
#define WIRE_EVENT_MAX (1u << 20)	/* bytes of event JSON */
#define WIRE_EVENT_FRAMES 4
#define WIRE_ACK_FRAMES 2
#define WIRE_MAGIC_EVREQ "VGE1"
#define WIRE_MAGIC_EVREP "VGR1"
#define WIRE_EVREQ_FRAMES 3
#define WIRE_EVREP_FRAMES 7
#define WIRE_EVIDENCE_MAX (64u << 20)	/* bytes of one evidence file on the wire */
#define WIRE_EV_NAME_MAX 255		/* bytes of an evidence file name */
#define WIRE_SHA256_HEX 64

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
	WIRE_BAD_SEQ,		/* not 8 bytes, 0, or above WIRE_SEQ_MAX */
	WIRE_BAD_SIZE,		/* empty or larger than WIRE_EVENT_MAX, or holds a NUL */
	WIRE_BAD_JSON,		/* not JSON, or trailing bytes (checked by the collector) */
	WIRE_BAD_NOT_OBJECT,	/* valid JSON but not an object */
	WIRE_BAD_EVENT_TYPE,	/* no string "event_type" */
	WIRE_BAD_MISMATCH,	/* "sensor_name"/"vigil_seq" in the JSON disagree with the frames */
	WIRE_BAD_ID,		/* evidence: request or incident id not 8 bytes, or 0 */
	WIRE_BAD_STATUS,	/* evidence reply: status not 1 byte or unknown */
	WIRE_BAD_FILE_NAME,	/* evidence reply: file name missing or not [A-Za-z0-9._-], leading '.' */
	WIRE_BAD_DIGEST,	/* evidence reply: sha256 not 64 lower-case hex digits (or set without a file) */
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

/* Outcome of an evidence request, as the sensor reports it (frame 3). */
enum wire_ev_status {
	WIRE_EV_OK = 0,		/* file, name and digest follow */
	WIRE_EV_NOT_FOUND,	/* no file for that incident (or evidence is off on the sensor) */
	WIRE_EV_TOO_LARGE,	/* the file exceeds WIRE_EVIDENCE_MAX */
	WIRE_EV_INCOMPLETE,	/* the file ends inside a pcapng block: still being captured */
	WIRE_EV_ERROR,		/* the sensor could not read it */
	WIRE_EV_STATUS_MAX,
};

/* "ok", "not_found", ...; never NULL. */
const char *wire_ev_status_name(enum wire_ev_status s);

/* A decoded evidence request. */
struct wire_evreq {
	uint64_t request_id;
	uint64_t incident_id;
};

/* A decoded evidence reply; pointers borrow the frames (NOT NUL-terminated). */
struct wire_evrep {
	const char *sensor;
	size_t sensor_len;
	uint64_t request_id;
	enum wire_ev_status status;
	const char *file_name;
	size_t file_name_len;
	const char *sha256;		/* WIRE_SHA256_HEX bytes when status is WIRE_EV_OK, else NULL */
	const uint8_t *data;
	size_t data_len;
};

/* true if name[0..len) may be an evidence file name: 1..255 of [A-Za-z0-9._-], no leading '.'. */
bool wire_ev_file_name_valid(const char *name, size_t len);

/* Check an evidence request (frames after any routing id). WIRE_OK or the reason. */
enum wire_verdict wire_evreq_decode(const struct wire_frame *f, size_t n, struct wire_evreq *req);

/*
 * Check an evidence reply (frames after the routing id) and fill *rep with
 * pointers into the frames. The digest is checked for form only; whether it
 * matches the bytes is the receiver's check. WIRE_OK or the reason.
 */
enum wire_verdict wire_evrep_decode(const struct wire_frame *f, size_t n, struct wire_evrep *rep);

/*
 * CURVE keys travel as Z85 text: 40 characters for 32 bytes. A key pair file
 * (written by `vigil-collector keygen`, mode 0600) holds the lines
 * "public-key = <z85>" and "secret-key = <z85>"; a public key file holds only
 * the first line. '#' starts a comment.
 */
#define WIRE_KEY_LEN 40

/*
 * true for endpoints whose traffic never leaves the host: ipc://, inproc://,
 * tcp://127.x.y.z:..., tcp://[::1]:..., tcp://localhost:... The only ones where
 * plain ZMTP is accepted without collector.plain_tcp / sensor's plain_tcp.
 */
bool wire_endpoint_local(const char *ep);

/* true if s is exactly 40 characters of the Z85 alphabet. */
bool wire_key_valid(const char *s);

/*
 * Read a key file. pub (41 bytes) gets the public key; sec (41 bytes, may be
 * NULL) the secret key, which must then be present. Returns 0, -ENOENT/-EACCES..
 * from opening, -EPERM when sec is wanted and the file is not a regular file or
 * is readable or writable by group or others (a secret must be 0600 or
 * stricter), -EINVAL for a file without the wanted valid key(s).
 */
int wire_key_load(const char *path, char *pub, char *sec);

/* Text of a key pair file (sec NULL: a public key file) into buf. Returns strlen or -ENOSPC. */
int wire_key_format(char *buf, size_t len, const char *pub, const char *sec);

#endif
