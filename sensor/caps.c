// SPDX-License-Identifier: GPL-2.0-only
/*
 * caps.c: capset(2) and prctl(2) directly (no libcap), broadcast to every
 * thread with a real-time signal the way glibc broadcasts setuid(), then read
 * back from /proc/self/task/<tid>/status so a missed thread is known, not assumed.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>

#include "caps.h"

/* set before the broadcast, read by the handler in each thread */
static uint64_t caps_keep_mask;
static unsigned int caps_last_cap;
static atomic_uint caps_acks;
static atomic_uint caps_fails;

static const char *const caps_known[] = {
	[CAP_NET_ADMIN] = "cap_net_admin", [CAP_NET_RAW] = "cap_net_raw",
	[CAP_SYS_ADMIN] = "cap_sys_admin", [CAP_IPC_LOCK] = "cap_ipc_lock",
	[CAP_SYS_RESOURCE] = "cap_sys_resource", [CAP_DAC_OVERRIDE] = "cap_dac_override",
	[CAP_SETPCAP] = "cap_setpcap", [CAP_PERFMON] = "cap_perfmon", [CAP_BPF] = "cap_bpf",
};

/* Only raw system calls: this runs in signal handlers too. */
static int caps_apply_self(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct d[2];
	unsigned int c;

	for (c = 0; c <= caps_last_cap; c++)
		if (!(caps_keep_mask & caps_bit(c)) && syscall(SYS_prctl, PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    syscall(SYS_prctl, PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -1;
	syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); /* EINVAL on old kernels */
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[0].permitted &= (uint32_t)caps_keep_mask;
	d[1].permitted &= (uint32_t)(caps_keep_mask >> 32);
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	d[0].inheritable = d[1].inheritable = 0;
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	return syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -1 : 0;
}

static void caps_on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	if (caps_apply_self() < 0)
		atomic_fetch_add(&caps_fails, 1);
	atomic_fetch_add(&caps_acks, 1);
	errno = saved;
}

int caps_effective(pid_t tid, uint64_t *eff)
{
	char path[64], line[256];
	FILE *fp;
	int rc = -ENOENT;

	if (tid)
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/status");
	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	while (fgets(line, sizeof(line), fp)) {
		unsigned long long v;

		if (sscanf(line, "CapEff: %llx", &v) == 1) {
			*eff = v;
			rc = 0;
			break;
		}
	}
	fclose(fp);
	return rc;
}

void caps_names(uint64_t mask, char *buf, size_t len)
{
	size_t o = 0;
	unsigned int c;

	if (len)
		buf[0] = '\0';
	for (c = 0; c < 64 && o < len; c++) {
		int w;

		if (!(mask & caps_bit(c)))
			continue;
		if (c < sizeof(caps_known) / sizeof(caps_known[0]) && caps_known[c])
			w = snprintf(buf + o, len - o, "%s%s", o ? "," : "", caps_known[c]);
		else
			w = snprintf(buf + o, len - o, "%scap_%u", o ? "," : "", c);
		if (w > 0)
			o += (size_t)w;
	}
}

static unsigned int caps_read_last_cap(void)
{
	FILE *fp = fopen("/proc/sys/kernel/cap_last_cap", "r");
	unsigned int v = CAP_LAST_CAP;

	if (fp) {
		if (fscanf(fp, "%u", &v) != 1 || v > 63)
			v = CAP_LAST_CAP;
		fclose(fp);
	}
	return v;
}

int caps_signal(void)
{
	/* glibc keeps SIGRTMIN..SIGRTMIN+2 for itself; this one is free in DPDK and ZeroMQ */
	return SIGRTMAX - 3;
}

int caps_restrict(uint64_t keep, struct caps_result *res)
{
	int sig = caps_signal(), rc;
	struct sigaction sa;
	pid_t self = (pid_t)syscall(SYS_gettid), pid = getpid();
	unsigned int sent = 0, waited;
	struct dirent *de;
	DIR *dir;

	memset(res, 0, sizeof(*res));
	caps_keep_mask = keep;
	caps_last_cap = caps_read_last_cap();
	atomic_store(&caps_acks, 0);
	atomic_store(&caps_fails, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = caps_on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	/* left installed: a thread that unblocks the signal later still drops, never dies */
	if (sigaction(sig, &sa, NULL) < 0)
		return -errno;
	if (caps_apply_self() < 0)
		return errno == EPERM ? -EPERM : -errno;

	dir = opendir("/proc/self/task");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		pid_t tid = (pid_t)atoi(de->d_name);

		if (tid <= 0 || tid == self)
			continue;
		if (syscall(SYS_tgkill, pid, tid, sig) == 0)
			sent++;
	}
	closedir(dir);
	for (waited = 0; waited < 100 && atomic_load(&caps_acks) < sent; waited++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}

	/* check every thread, whatever the handlers said */
	rc = 0;
	dir = opendir("/proc/self/task");
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		uint64_t eff;

		if (tid <= 0)
			continue;
		res->threads++;
		if (caps_effective(tid, &eff) < 0 || (eff & ~keep))
			res->missed++;
	}
	closedir(dir);
	if (atomic_load(&caps_fails))
		rc = -EPERM;
	else if (res->missed)
		rc = -EAGAIN;
	return rc;
}
