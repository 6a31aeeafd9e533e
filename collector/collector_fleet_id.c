// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_fleet_id.c: subjects and message ids of a fleet's stream. Sensor
 * names are printable ASCII and event types any string, but a NATS subject
 * token may not hold '.', '*', '>' or white space: those are escaped, so any
 * event type ("alert", "incident", what detection adds next) has a subject.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "collector_fleet_id.h"

static bool collector_fleet_id_plain(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '.' && c != '*' && c != '>' && c != '%';
}

/* Append s[0..len) escaped to buf at *off; false when it does not fit. */
static bool collector_fleet_id_token(char *buf, size_t size, size_t *off, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (collector_fleet_id_plain(c)) {
			if (*off + 1 >= size)
				return false;
			buf[(*off)++] = (char)c;
			continue;
		}
		if (*off + 3 >= size)
			return false;
		buf[(*off)++] = '%';
		buf[(*off)++] = hex[c >> 4];
		buf[(*off)++] = hex[c & 15];
	}
	return true;
}

int collector_fleet_subject(char *buf, size_t size, const char *prefix, const char *sensor, size_t sensor_len,
			    const char *type, size_t type_len)
{
	size_t off = 0, plen = strlen(prefix);

	if (!plen || !sensor_len || !type_len)
		return -EINVAL;
	if (type_len > COLLECTOR_FLEET_TYPE_MAX)
		type_len = COLLECTOR_FLEET_TYPE_MAX;
	if (plen + 2 >= size)
		return -ENAMETOOLONG;
	memcpy(buf, prefix, plen);
	off = plen;
	buf[off++] = '.';
	if (!collector_fleet_id_token(buf, size, &off, sensor, sensor_len) || off + 2 >= size)
		return -ENAMETOOLONG;
	buf[off++] = '.';
	if (!collector_fleet_id_token(buf, size, &off, type, type_len))
		return -ENAMETOOLONG;
	buf[off] = '\0';
	return (int)off;
}

int collector_fleet_msg_id(char *buf, size_t size, const char *sensor, size_t sensor_len, uint64_t seq)
{
	int n = snprintf(buf, size, "%.*s:%" PRIu64, (int)sensor_len, sensor, seq);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

int collector_fleet_msg_id_parse(const char *id, size_t len, char *sensor, uint64_t *seq)
{
	size_t colon = len, digits;
	uint64_t v = 0;

	while (colon > 0 && id[colon - 1] != ':')
		colon--;
	if (colon < 2)
		return -EINVAL;	/* no ':' or an empty name */
	digits = len - colon;
	if (!wire_name_valid(id, colon - 1) || digits == 0 || digits > 19 || id[colon] == '0')
		return -EINVAL;
	for (size_t i = colon; i < len; i++) {
		if (id[i] < '0' || id[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(id[i] - '0');	/* 19 digits cannot overflow 64 bits */
	}
	if (v == 0 || v > WIRE_SEQ_MAX)
		return -EINVAL;
	memcpy(sensor, id, colon - 1);
	sensor[colon - 1] = '\0';
	*seq = v;
	return 0;
}

bool collector_fleet_token_ok(const char *s)
{
	if (!s[0])
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	return true;
}
