/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h: the one log sink shared by every vigil binary (sensor, collector, tools).
 * Messages go to stderr with a level prefix; nothing here is meant for per-packet
 * use: the hot path counts into reason enums instead of logging.
 */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/*
 * The level names a configuration accepts (log.level), in enum order, NULL
 * terminated: the sensor's and the collector's config tables use this list.
 */
extern const char *const log_level_names[];

/*
 * Parse a level name: one of log_level_names, or "warning" (the name a logged
 * line carries) for LOG_LEVEL_WARN. 0 with *out set, or -EINVAL (*out untouched).
 */
int log_level_parse(const char *name, enum log_level *out);

/* Set the most verbose level printed (default LOG_LEVEL_INFO) and the program name prefix. */
void log_setup(const char *prog, enum log_level max_level);
enum log_level log_get_level(void);
/* true when stderr is the journal ($JOURNAL_STREAM): lines then carry "<N>" priorities */
bool log_stderr_is_journal(void);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define pr_err(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
