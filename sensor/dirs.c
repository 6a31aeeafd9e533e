// SPDX-License-Identifier: GPL-2.0-only
/*
 * dirs.c: make the directories the configuration names before anything opens
 * a file in them (and before capabilities are dropped). Paths come from the
 * config table's rows, so this is the one place that knows which keys are
 * directories and which are files inside one.
 */
#include <string.h>

#include "dirs.h"
#include "log.h"
#include "paths.h"

#define DIRS_MODE 0750

int dirs_make(const struct config *cfg)
{
	const struct {
		const char *key, *path;
		bool parent;	/* the path is a file: make its directory */
		bool needed;	/* a failure stops the sensor */
	} want[] = {
		{ "evidence.dir", cfg->evidence_enabled ? cfg->evidence_dir : "", false, false },
		{ "collector.spool_dir", cfg->collector_spool_dir, false, true },
		{ "state.path", cfg->state_path, true, true },
		{ "outputs.eve.filename", cfg->eve_filename, true, true },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!want[i].path[0])
			continue;
		rc = want[i].parent ? paths_mkdir_parent(want[i].path, DIRS_MODE)
				    : paths_mkdir_p(want[i].path, DIRS_MODE);
		if (!rc)
			continue;
		if (!want[i].needed) {
			pr_warn("%s '%s': cannot make the directory: %s", want[i].key, want[i].path, strerror(-rc));
			continue;
		}
		pr_err("%s '%s': cannot make the directory: %s", want[i].key, want[i].path, strerror(-rc));
		return rc;
	}
	return 0;
}
