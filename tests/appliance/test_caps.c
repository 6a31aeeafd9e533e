// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_caps.c: dropping capabilities reaches every thread. A child process
 * starts threads (one blocking the broadcast signal, as ZeroMQ's I/O threads
 * do), drops to CAP_NET_ADMIN + CAP_BPF, and each thread's CapEff is read back
 * from /proc. Needs root to have something to drop.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "caps.h"
#include "testlib.h"

static volatile int stop;

static void *idle_thread(void *arg)
{
	if (arg) {
		sigset_t all;

		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, NULL);
	}
	while (!stop)
		usleep(1000);
	return NULL;
}

/* Child: returns a bitmask of failures as its exit code. */
static int child(int block_one)
{
	uint64_t keep = caps_bit(CAP_NET_ADMIN) | caps_bit(CAP_BPF), eff = 0;
	struct caps_result res;
	pthread_t t[3];
	int i, rc, fail = 0;

	for (i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, idle_thread, (block_one && i == 2) ? (void *)1 : NULL);
	usleep(20000);
	rc = caps_restrict(keep, &res);
	if (block_one) {
		if (rc != -EAGAIN || res.missed != 1 || res.threads != 4)
			fail |= 1;
	} else {
		if (rc != 0 || res.missed != 0 || res.threads != 4)
			fail |= 1;
	}
	if (caps_effective(0, &eff) < 0 || eff != keep)
		fail |= 2;
	if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0)
		fail |= 4;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		fail |= 8;
	/* a thread created after the drop inherits the small set */
	{
		pthread_t late;

		pthread_create(&late, NULL, idle_thread, NULL);
		usleep(10000);
		stop = 1;
		pthread_join(late, NULL);
	}
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return fail;
}

static unsigned int test_threads_at_start(void)
{
	unsigned int n = 0;
	struct dirent *de;
	DIR *d = opendir("/proc/self/task");

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	if (d)
		closedir(d);
	return n;
}

static int run(int block_one)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(child(block_one));
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(void)
{
	char names[128];
	int f;

	caps_names(caps_bit(CAP_NET_ADMIN) | caps_bit(CAP_BPF), names, sizeof(names));
	testlib_case("names of the kept set", !strcmp(names, "cap_net_admin,cap_bpf"), "'%s'", names);
	if (test_threads_at_start() != 1) {
		/* qemu-user runs threads of its own, with signals blocked, in the same process */
		printf("SKIP: %u threads before the test started any (an emulator's): per-thread counts are not ours\n",
		       test_threads_at_start());
		testlib_done();
		return 77;
	}
	if (geteuid() != 0) {
		printf("SKIP: not root, no capabilities to drop\n");
		testlib_done();
		return 77;
	}
	f = run(0);
	testlib_case("4 threads: every thread reduced to net_admin+bpf", f == 0, "failure bits %d", f);
	f = run(1);
	testlib_case("a thread blocking the signal is found and reported (-EAGAIN, missed 1)",
		     f == 0, "failure bits %d", f);
	return testlib_done();
}
