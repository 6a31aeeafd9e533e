// SPDX-License-Identifier: GPL-2.0-only
/*
 * sdnotify.c: the sd_notify datagram, without libsystemd: the protocol is one
 * AF_UNIX datagram to the path in $NOTIFY_SOCKET ('@' first: the abstract
 * namespace), so the daemons do not need the library to run under Type=notify.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdnotify.h"

int sdnotify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen, slen = strlen(state);
	socklen_t alen;
	ssize_t w;
	int fd, rc;

	if (!path || !path[0])
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof(sa.sun_path))
		return -EINVAL;
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	w = sendto(fd, state, slen, MSG_NOSIGNAL, (struct sockaddr *)&sa, alen);
	rc = w < 0 ? -errno : (size_t)w == slen ? 1 : -EMSGSIZE;
	close(fd);
	return rc;
}

uint64_t sdnotify_watchdog_ns(void)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;

	if (!us || !us[0] || !getenv("NOTIFY_SOCKET"))
		return 0;
	if (pid && pid[0] && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	errno = 0;
	v = strtoull(us, &end, 10);
	if (errno || *end || v == 0 || v > UINT64_MAX / 1000)
		return 0;
	return (uint64_t)v * 1000;
}

void sdnotify_watchdog_tick(uint64_t period_ns, uint64_t now_ns, uint64_t *next_ns)
{
	if (!period_ns || now_ns < *next_ns)
		return;
	sdnotify_send("WATCHDOG=1");
	*next_ns = now_ns + period_ns / 2;
}
