/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * testlib.h: the few helpers vigil's C tests share. Each case prints its name
 * and verdict; testlib_done() prints "N passed, N failed" and gives the exit code.
 */
#ifndef VIGIL_TESTLIB_H
#define VIGIL_TESTLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int testlib_pass, testlib_fail;

/* Record one case: name and whether it held; on failure print why (printf-style). */
static inline bool testlib_case(const char *name, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline bool testlib_case(const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		testlib_pass++;
		printf("ok   %s\n", name);
		return true;
	}
	testlib_fail++;
	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return false;
}

static inline int testlib_done(void)
{
	printf("%u passed, %u failed\n", testlib_pass, testlib_fail);
	return testlib_fail ? 1 : 0;
}

#endif
