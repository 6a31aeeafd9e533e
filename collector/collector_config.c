// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_config.c: vigil-collector's configuration table. It is small, but
 * going through the same table loader as the sensor gives it the same error
 * messages (file:line:col, did-you-mean) and the same YAML rules for free.
 */
#include <stddef.h>
#include <string.h>

#include "cfgtab.h"
#include "collector_config.h"

static const char *const collector_level_names[] = { "error", "warn", "info", "debug", NULL };

#define OFF(field) offsetof(struct collector_config, field)
#define SZ(field) sizeof(((struct collector_config *)0)->field)

static const struct cfgtab_row collector_rows[] = {
	{ .key = "collector.listen", .type = CFGTAB_STRING, .def = "tcp://127.0.0.1:7800",
	  .offset = OFF(listen), .size = SZ(listen), .doc = "ZeroMQ endpoint to bind" },
	{ .key = "collector.events_jsonl", .type = CFGTAB_STRING, .def = "vigil-events.jsonl",
	  .offset = OFF(events_jsonl), .size = SZ(events_jsonl),
	  .doc = "JSON-lines file every stored event is appended to" },
	{ .key = "log.level", .type = CFGTAB_STRING, .def = "info", .offset = OFF(log_level),
	  .size = SZ(log_level), .enum_names = collector_level_names,
	  .doc = "Most verbose messages logged" },
};

#define COLLECTOR_NROWS (sizeof(collector_rows) / sizeof(collector_rows[0]))

void collector_config_defaults(struct collector_config *cfg)
{
	char err[256];

	memset(cfg, 0, sizeof(*cfg));
	/* cannot fail unless the table above is wrong, which tests/config catches */
	cfgtab_defaults(collector_rows, COLLECTOR_NROWS, cfg, err, sizeof(err));
}

/* Loads into a copy: on error the caller's cfg is left as it was. */
int collector_config_load(struct collector_config *cfg, const char *path,
			  struct collector_config_error *err)
{
	struct collector_config tmp = *cfg;
	char dummy[8];
	int rc;

	rc = cfgtab_load_file(collector_rows, COLLECTOR_NROWS, &tmp, path, err ? err->msg : dummy,
			      err ? sizeof(err->msg) : sizeof(dummy));
	if (!rc)
		*cfg = tmp;
	return rc;
}
