/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sdnotify.h: systemd's readiness and watchdog protocol (sd_notify(3)),
 * written out: one datagram of "KEY=VALUE" lines to $NOTIFY_SOCKET. Outside
 * systemd (no $NOTIFY_SOCKET) every call does nothing and returns 0.
 */
#ifndef VIGIL_SDNOTIFY_H
#define VIGIL_SDNOTIFY_H

#include <stdint.h>

/*
 * Send state (e.g. "READY=1\nSTATUS=watching eth1"). 1 when sent, 0 when not
 * under systemd, -errno when the socket refused it.
 */
int sdnotify_send(const char *state);

/*
 * The watchdog period systemd expects pings within ($WATCHDOG_USEC, only when
 * $WATCHDOG_PID is unset or ours), in ns; 0 when the watchdog is off.
 */
uint64_t sdnotify_watchdog_ns(void);

/*
 * Ping the watchdog when now_ns (any monotonic clock) has passed *next_ns, then
 * set *next_ns half a period later. period_ns 0: nothing.
 */
void sdnotify_watchdog_tick(uint64_t period_ns, uint64_t now_ns, uint64_t *next_ns);

#endif
