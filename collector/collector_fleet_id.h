/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_fleet_id.h: how an event is named on a fleet's JetStream stream:
 * its subject PREFIX.<sensor>.<event_type> (each name one NATS token) and its
 * message id <sensor>:<seq>, by which the stream drops what it holds already.
 * No NATS here, so the rules are unit-testable (tests/fleet/test_fleet_id.c).
 */
#ifndef VIGIL_COLLECTOR_FLEET_ID_H
#define VIGIL_COLLECTOR_FLEET_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define COLLECTOR_FLEET_TYPE_MAX 64	/* bytes of an event_type kept in the subject (the JSON has it whole) */
#define COLLECTOR_FLEET_SUBJECT_MAX (32 + 1 + 3 * WIRE_NAME_MAX + 1 + 3 * COLLECTOR_FLEET_TYPE_MAX + 1)
#define COLLECTOR_FLEET_ID_MAX (WIRE_NAME_MAX + 1 + 20 + 1)

/*
 * PREFIX.<sensor>.<event_type> into buf: bytes NATS forbids or reserves in a
 * token (space and controls, '.', '*', '>', and '%' itself, non-ASCII) become
 * %XX; an event_type longer than COLLECTOR_FLEET_TYPE_MAX bytes is cut there.
 * Returns the length, or -ENAMETOOLONG / -EINVAL (an empty name).
 */
int collector_fleet_subject(char *buf, size_t size, const char *prefix, const char *sensor, size_t sensor_len,
			    const char *type, size_t type_len);

/* "<sensor>:<seq>" into buf (COLLECTOR_FLEET_ID_MAX). Returns the length or -ENAMETOOLONG. */
int collector_fleet_msg_id(char *buf, size_t size, const char *sensor, size_t sensor_len, uint64_t seq);

/*
 * Split a message id at its last ':' into a sensor name (a valid wire name,
 * into sensor[WIRE_NAME_MAX + 1]) and a seq 1 .. WIRE_SEQ_MAX in decimal
 * without leading zeros. 0 or -EINVAL.
 */
int collector_fleet_msg_id_parse(const char *id, size_t len, char *sensor, uint64_t *seq);

/* A name usable as one NATS token and as a consumer/stream name: 1..n of [A-Za-z0-9_-]. */
bool collector_fleet_token_ok(const char *s);

#endif
