// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c: stderr log sink with a level filter and a program prefix. The only
 * process-wide state in lib/: set once by main() before threads start. When
 * stderr is the journal ($JOURNAL_STREAM names its device and inode), each
 * line starts with its syslog priority, "<3>" .. "<7>", which journald keeps
 * as the entry's priority, and the program prefix (journald has it) is left out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log.h"

static const char *log_prog = "vigil";
static enum log_level log_max = LOG_LEVEL_INFO;
static bool log_journal;	/* set by log_setup() */

bool log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st))
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

const char *const log_level_names[] = { "error", "warn", "info", "debug", NULL };

int log_level_parse(const char *name, enum log_level *out)
{
	for (int i = LOG_LEVEL_ERROR; i <= LOG_LEVEL_DEBUG; i++) {
		if (!strcmp(name, log_level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (!strcmp(name, "warning")) {
		*out = LOG_LEVEL_WARN;
		return 0;
	}
	return -EINVAL;
}

void log_setup(const char *prog, enum log_level max_level)
{
	if (prog)
		log_prog = prog;
	log_max = max_level;
	log_journal = log_stderr_is_journal();
}

enum log_level log_get_level(void)
{
	return log_max;
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { 3, 4, 6, 7 };	/* LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG */
	char buf[1024];

	if (level > log_max)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* one fprintf per message so lines from several threads do not interleave */
	if (log_journal)
		fprintf(stderr, "<%d>%s: %s\n", prio[level], names[level], buf);
	else
		fprintf(stderr, "%s: %s: %s\n", log_prog, names[level], buf);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}
