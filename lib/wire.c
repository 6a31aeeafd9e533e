// SPDX-License-Identifier: GPL-2.0-only
/*
 * wire.c: frame checks for the sensor -> collector transport (see wire.h).
 * Kept free of sockets and JSON so the same rules are applied by both ends and
 * can be unit-tested and fuzzed on plain byte arrays.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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
		[WIRE_BAD_ID] = "bad_id",
		[WIRE_BAD_STATUS] = "bad_status",
		[WIRE_BAD_FILE_NAME] = "bad_file_name",
		[WIRE_BAD_DIGEST] = "bad_digest",
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
	if (ev->seq == 0 || ev->seq > WIRE_SEQ_MAX)
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

const char *wire_ev_status_name(enum wire_ev_status s)
{
	static const char *const names[WIRE_EV_STATUS_MAX] = {
		[WIRE_EV_OK] = "ok",
		[WIRE_EV_NOT_FOUND] = "not_found",
		[WIRE_EV_TOO_LARGE] = "too_large",
		[WIRE_EV_INCOMPLETE] = "incomplete",
		[WIRE_EV_ERROR] = "error",
	};

	if ((unsigned)s >= WIRE_EV_STATUS_MAX)
		return "unknown";
	return names[s];
}

bool wire_ev_file_name_valid(const char *name, size_t len)
{
	if (!name || len == 0 || len > WIRE_EV_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* An 8-byte big-endian id that is not 0. */
static bool wire_id(const struct wire_frame *f, uint64_t *out)
{
	if (f->len != WIRE_SEQ_LEN)
		return false;
	*out = wire_get_u64(f->data);
	return *out != 0;
}

enum wire_verdict wire_evreq_decode(const struct wire_frame *f, size_t n, struct wire_evreq *req)
{
	if (n != WIRE_EVREQ_FRAMES)
		return WIRE_BAD_FRAMES;
	if (f[0].len != WIRE_MAGIC_LEN || memcmp(f[0].data, WIRE_MAGIC_EVREQ, WIRE_MAGIC_LEN))
		return WIRE_BAD_MAGIC;
	if (!wire_id(&f[1], &req->request_id) || !wire_id(&f[2], &req->incident_id))
		return WIRE_BAD_ID;
	return WIRE_OK;
}

enum wire_verdict wire_evrep_decode(const struct wire_frame *f, size_t n, struct wire_evrep *rep)
{
	const char *hex;

	if (n != WIRE_EVREP_FRAMES)
		return WIRE_BAD_FRAMES;
	if (f[0].len != WIRE_MAGIC_LEN || memcmp(f[0].data, WIRE_MAGIC_EVREP, WIRE_MAGIC_LEN))
		return WIRE_BAD_MAGIC;
	if (!wire_name_valid(f[1].data, f[1].len))
		return WIRE_BAD_NAME;
	if (!wire_id(&f[2], &rep->request_id))
		return WIRE_BAD_ID;
	if (f[3].len != 1 || *(const uint8_t *)f[3].data >= WIRE_EV_STATUS_MAX)
		return WIRE_BAD_STATUS;
	rep->status = (enum wire_ev_status)*(const uint8_t *)f[3].data;
	if (rep->status == WIRE_EV_OK ? !wire_ev_file_name_valid(f[4].data, f[4].len)
				      : f[4].len && !wire_ev_file_name_valid(f[4].data, f[4].len))
		return WIRE_BAD_FILE_NAME;
	if (rep->status != WIRE_EV_OK) {
		if (f[5].len)
			return WIRE_BAD_DIGEST;
		if (f[6].len)
			return WIRE_BAD_SIZE;
	} else {
		if (f[5].len != WIRE_SHA256_HEX)
			return WIRE_BAD_DIGEST;
		hex = f[5].data;
		for (size_t i = 0; i < WIRE_SHA256_HEX; i++)
			if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
				return WIRE_BAD_DIGEST;
		if (f[6].len == 0 || f[6].len > WIRE_EVIDENCE_MAX)
			return WIRE_BAD_SIZE;
	}
	rep->sensor = f[1].data;
	rep->sensor_len = f[1].len;
	rep->file_name = f[4].len ? f[4].data : NULL;
	rep->file_name_len = f[4].len;
	rep->sha256 = rep->status == WIRE_EV_OK ? f[5].data : NULL;
	rep->data = f[6].len ? f[6].data : NULL;
	rep->data_len = f[6].len;
	return WIRE_OK;
}

bool wire_endpoint_local(const char *ep)
{
	if (!ep)
		return false;
	if (!strncmp(ep, "ipc://", 6) || !strncmp(ep, "inproc://", 9))
		return true;
	if (strncmp(ep, "tcp://", 6))
		return false;
	ep += 6;
	return !strncmp(ep, "127.", 4) || !strncmp(ep, "[::1]:", 6) || !strncmp(ep, "localhost:", 10);
}

bool wire_key_valid(const char *s)
{
	static const char z85[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

	if (!s || strlen(s) != WIRE_KEY_LEN)
		return false;
	for (size_t i = 0; i < WIRE_KEY_LEN; i++)
		if (!strchr(z85, s[i]))
			return false;
	return true;
}

/* "name = value" with optional spaces; value copied when it is a valid key. */
static bool wire_key_line(const char *line, const char *name, char *out)
{
	size_t n = strlen(name);
	char val[64];

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, name, n))
		return false;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line++ != '=')
		return false;
	while (*line == ' ' || *line == '\t')
		line++;
	if (sscanf(line, "%63s", val) != 1 || !wire_key_valid(val))
		return false;
	memcpy(out, val, WIRE_KEY_LEN + 1);
	return true;
}

int wire_key_load(const char *path, char *pub, char *sec)
{
	char line[256];
	bool got_pub = false, got_sec = false;
	FILE *fp = fopen(path, "re");
	struct stat sb;

	if (!fp)
		return -errno;
	/* a secret key others can read (or a FIFO, a device) is refused, not used */
	if (sec && (fstat(fileno(fp), &sb) || !S_ISREG(sb.st_mode) || (sb.st_mode & 077))) {
		fclose(fp);
		return -EPERM;
	}
	while (fgets(line, sizeof(line), fp)) {
		if (line[0] == '#')
			continue;
		if (wire_key_line(line, "public-key", pub))
			got_pub = true;
		else if (sec && wire_key_line(line, "secret-key", sec))
			got_sec = true;
	}
	fclose(fp);
	if (!got_pub || (sec && !got_sec))
		return -EINVAL;
	return 0;
}

int wire_key_format(char *buf, size_t len, const char *pub, const char *sec)
{
	int n;

	if (sec)
		n = snprintf(buf, len,
			     "# vigil CURVE key pair: keep this file secret (mode 0600)\n"
			     "public-key = %s\nsecret-key = %s\n", pub, sec);
	else
		n = snprintf(buf, len, "# vigil CURVE public key: list it in the peer's configuration\n"
			     "public-key = %s\n", pub);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}
