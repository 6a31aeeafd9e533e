/* SPDX-License-Identifier: GPL-2.0-only */
/* collector_config.h: vigil-collector's YAML configuration (table in collector_config.c). */
#ifndef VIGIL_COLLECTOR_CONFIG_H
#define VIGIL_COLLECTOR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define COLLECTOR_PATH_MAX 256

struct collector_config {
	char listen[COLLECTOR_PATH_MAX];	/* ZeroMQ endpoint to bind, e.g. tcp://127.0.0.1:7800 */
	char events_jsonl[COLLECTOR_PATH_MAX];	/* JSON-lines file every stored event is appended to */
	char log_level[16];
};

struct collector_config_error {
	char msg[512];	/* "file:line:col: what was expected" */
};

void collector_config_defaults(struct collector_config *cfg);
int collector_config_load(struct collector_config *cfg, const char *path,
			  struct collector_config_error *err);

#endif
