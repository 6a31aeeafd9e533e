// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c: stderr log sink with a level filter and a program prefix. The only
 * process-wide state in lib/: set once by main() before threads start.
 */
#include <stdio.h>
#include <time.h>

#include "log.h"

static const char *log_prog = "vigil";
static enum log_level log_max = LOG_LEVEL_INFO;

void log_setup(const char *prog, enum log_level max_level)
{
	if (prog)
		log_prog = prog;
	log_max = max_level;
}

enum log_level log_get_level(void)
{
	return log_max;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	char buf[1024];

	if (level > log_max)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* one fprintf per message so lines from several threads do not interleave */
	fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], buf);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
