/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * collector_console_assets.h: the console's files (collector/console/),
 * compiled into vigil-collector by collector/console/embed.py.
 */
#ifndef VIGIL_COLLECTOR_CONSOLE_ASSETS_H
#define VIGIL_COLLECTOR_CONSOLE_ASSETS_H

#include <stddef.h>

struct collector_console_asset {
	const char *name;		/* "console.js" */
	const char *ctype;		/* "text/javascript; charset=utf-8" */
	const unsigned char *data;
	size_t len;
};

extern const struct collector_console_asset collector_console_assets[];
extern const unsigned int collector_console_nassets;

#endif
