/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reload.h: what SIGHUP may change in a running sensor. Detector settings,
 * home_net, allowlists, flow timeout and log level apply at once; keys bound to
 * ports, memory, sockets or files opened at start need a restart, so a reload
 * keeps their running values and names them. Pure: two configs in, one out.
 */
#ifndef VIGIL_SENSOR_RELOAD_H
#define VIGIL_SENSOR_RELOAD_H

#include <stddef.h>

#include "config.h"

/*
 * Make next safe to apply over running: every restart-only key that differs is
 * set back to its running value and named in kept ("dpdk.memory_mb, xdp.pin_dir",
 * "" when none). Returns how many keys were kept back.
 */
int reload_prepare(const struct config *running, struct config *next, char *kept, size_t kept_len);

/* 1 if the key (dotted, as in docs/config.md) applies on SIGHUP, 0 if it needs a restart. */
int reload_key_is_live(const char *key);

#endif
