/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_fetch.h: `vigil-collector evidence`: ask the running collector,
 * over its local control socket, to fetch an incident's evidence file from the
 * sensor; write it and check its SHA-256 here again.
 */
#ifndef VIGIL_COLLECTOR_FETCH_H
#define VIGIL_COLLECTOR_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct collector_fetch_opts {
	const char *control;	/* collector.control */
	uint64_t incident_id;
	const char *sensor;	/* NULL: the collector finds it */
	const char *out;	/* NULL: ./<file name> */
	uint32_t wait_ms;	/* how long to wait for the collector's answer */
};

/* What the collector sent back: the verified file (malloc'ed) and what it is. */
struct collector_fetch_result {
	char sensor[64];
	char sha256[65];	/* hex, as the collector checked it against the stored event */
	uint8_t *data;
	size_t len;
};

/*
 * Ask the collector for the file, keep it in memory, hash it again. 0 with res
 * filled (free it with collector_fetch_result_free), or -errno with msg as for
 * collector_fetch_run. For the CLI and the console's download.
 */
int collector_fetch_get(const struct collector_fetch_opts *o, struct collector_fetch_result *res, char *msg,
			size_t msg_len);
void collector_fetch_result_free(struct collector_fetch_result *res);

/*
 * Fetch, write, verify. Returns 0 with msg = "saved FILE: N bytes, sha256 X
 * (verified)", or -errno with msg = one line saying what went wrong
 * (collector not running, sensor not connected, unknown incident, timeout,
 * digest mismatch ...). Nothing is printed here.
 */
int collector_fetch_run(const struct collector_fetch_opts *o, char *msg, size_t msg_len);

#endif
