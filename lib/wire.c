// SPDX-License-Identifier: GPL-2.0-only
/*
 * wire.c: frame checks for the sensor -> collector transport (see wire.h).
 * Kept free of sockets and JSON so the same rules are applied by both ends and
 * can be unit-tested and fuzzed on plain byte arrays.
 */
#include <string.h>

#include "wire.h"

const char *wire_verdict_name(enum wire_verdict v)
{
	static const char *const names[WIRE_VERDICT_MAX] = {
		[WIRE_OK] = "ok",
		[WIRE_BAD_FRAMES] = "bad_frames",
		[WIRE_BAD_MAGIC] = "bad_magic",
		[WIRE_BAD_NAME] = "bad_name",
		[WIRE_BAD_SEQ] = "bad_seq",
		[WIRE_BAD_SIZE] = "bad_size",
		[WIRE_BAD_JSON] = "bad_json",
		[WIRE_BAD_NOT_OBJECT] = "not_object",
		[WIRE_BAD_EVENT_TYPE] = "no_event_type",
		[WIRE_BAD_MISMATCH] = "mismatch",
	};

	if ((unsigned)v >= WIRE_VERDICT_MAX)
		return "unknown";
	return names[v];
}

bool wire_name_valid(const char *name, size_t len)
{
	if (!name || len == 0 || len > WIRE_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
}

enum wire_verdict wire_event_decode(const struct wire_frame *f, size_t n, struct wire_event *ev)
{
	if (n != WIRE_EVENT_FRAMES)
		return WIRE_BAD_FRAMES;
	if (f[0].len != WIRE_MAGIC_LEN || memcmp(f[0].data, WIRE_MAGIC_EVENT, WIRE_MAGIC_LEN))
		return WIRE_BAD_MAGIC;
	if (!wire_name_valid(f[1].data, f[1].len))
		return WIRE_BAD_NAME;
	if (f[2].len != WIRE_SEQ_LEN)
		return WIRE_BAD_SEQ;
	ev->seq = wire_get_u64(f[2].data);
	if (ev->seq == 0)
		return WIRE_BAD_SEQ;
	if (f[3].len == 0 || f[3].len > WIRE_EVENT_MAX || memchr(f[3].data, 0, f[3].len))
		return WIRE_BAD_SIZE;
	ev->sensor = f[1].data;
	ev->sensor_len = f[1].len;
	ev->json = f[3].data;
	ev->json_len = f[3].len;
	return WIRE_OK;
}

enum wire_verdict wire_ack_decode(const struct wire_frame *f, size_t n, uint64_t *seq)
{
	if (n != WIRE_ACK_FRAMES)
		return WIRE_BAD_FRAMES;
	if (f[0].len != WIRE_MAGIC_LEN || memcmp(f[0].data, WIRE_MAGIC_ACK, WIRE_MAGIC_LEN))
		return WIRE_BAD_MAGIC;
	if (f[1].len != WIRE_SEQ_LEN)
		return WIRE_BAD_SEQ;
	*seq = wire_get_u64(f[1].data);
	return WIRE_OK;
}
