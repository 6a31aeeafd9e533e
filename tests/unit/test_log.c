// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_log.c: lib/log's level names, the one parser the sensor, its reload
 * and the collector share: a table of names and the level each gives.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "testlib.h"

static const struct {
	const char *name;
	int rc;
	enum log_level level;
} cases[] = {
	{ "error", 0, LOG_LEVEL_ERROR },
	{ "warn", 0, LOG_LEVEL_WARN },
	{ "warning", 0, LOG_LEVEL_WARN },	/* the name a logged line carries */
	{ "info", 0, LOG_LEVEL_INFO },
	{ "debug", 0, LOG_LEVEL_DEBUG },
	{ "", -EINVAL, LOG_LEVEL_DEBUG },
	{ "WARN", -EINVAL, LOG_LEVEL_DEBUG },
	{ "verbose", -EINVAL, LOG_LEVEL_DEBUG },
	{ "warnings", -EINVAL, LOG_LEVEL_DEBUG },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum log_level got = LOG_LEVEL_DEBUG;	/* untouched on error */
		int rc = log_level_parse(cases[i].name, &got);

		testlib_case(cases[i].name[0] ? cases[i].name : "(empty)", rc == cases[i].rc && got == cases[i].level,
			     "rc %d level %d, want rc %d level %d", rc, (int)got, cases[i].rc, (int)cases[i].level);
	}
	/* every name the config tables offer parses, to its own index */
	for (int i = 0; log_level_names[i]; i++) {
		enum log_level got;

		testlib_case(log_level_names[i], log_level_parse(log_level_names[i], &got) == 0 && (int)got == i,
			     "index %d", i);
	}
	return testlib_done();
}
