/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * flowlog.h: XDP flow records as EVE flow events. The initiator (sender of the
 * first frame) is the client: src_*, pkts_toserver and bytes_toserver are its side.
 */
#ifndef VIGIL_FLOWLOG_H
#define VIGIL_FLOWLOG_H

#include <json-c/json.h>

#include "alert.h"
#include "vigil_flow.h"

/* reason: "timeout" or "shutdown". NULL on allocation failure; caller puts it. */
struct json_object *flowlog_json(const struct alert_ctx *ctx, const struct vigil_flow_key *k,
				 const struct vigil_flow *f, const char *reason);

#endif
