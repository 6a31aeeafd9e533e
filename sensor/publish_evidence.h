/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish_evidence.h: the sensor's half of evidence fetching: find an
 * incident's pcapng file in the evidence directory (dataplane/evidence.c names it
 * <sensor>-<detector>-<incident>.pcapng), read it whole, hash it again and
 * check it is not cut inside a block. Files only: the publisher's thread sends
 * the result (lib/wire.h, docs/transport.md "Evidence").
 */
#ifndef VIGIL_SENSOR_PUBLISH_EVIDENCE_H
#define VIGIL_SENSOR_PUBLISH_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"
#include "wire.h"

/* What one request found; data is malloc'ed (owned by the caller) when status is WIRE_EV_OK. */
struct publish_evidence_file {
	enum wire_ev_status status;
	char name[WIRE_EV_NAME_MAX + 1];	/* the wire name: the file's, any byte outside
						   [A-Za-z0-9._-] replaced by '_'; "" if none */
	uint8_t *data;
	size_t len;
	char sha256[SHA256_HEX_LEN];
};

/*
 * Look for the newest regular file <dir>/<sensor>-<detector>-<incident>.pcapng
 * (detector: [a-z0-9_]+) and load it, at most max bytes. Never fails: the
 * outcome is out->status (dir NULL or "" -> WIRE_EV_NOT_FOUND). Free out->data.
 */
void publish_evidence_load(const char *dir, const char *sensor, uint64_t incident, size_t max,
			   struct publish_evidence_file *out);

/* true if d[0..len) is a whole sequence of pcapng blocks that starts with a section header. */
bool publish_evidence_pcapng_whole(const uint8_t *d, size_t len);

#endif
