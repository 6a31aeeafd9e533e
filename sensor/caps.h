/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * caps.h: give up root's powers once the sensor is set up. Linux keeps
 * capabilities per thread, and DPDK has started threads of its own by then,
 * so the drop is applied in every thread of the process and then checked.
 */
#ifndef VIGIL_SENSOR_CAPS_H
#define VIGIL_SENSOR_CAPS_H

#include <stdint.h>
#include <sys/types.h>

/* Bit for capability number c in a caps mask. */
static inline uint64_t caps_bit(unsigned int c)
{
	return c < 64 ? 1ULL << c : 0;
}

struct caps_result {
	unsigned int threads;	/* threads in the process when checked */
	unsigned int missed;	/* threads whose effective set is still wider than keep */
};

/*
 * In every thread: drop the bounding set to keep, set permitted = effective =
 * keep, clear inheritable and ambient, and set no_new_privs. Threads that block
 * the signal used to reach them keep their capabilities and are counted in
 * res->missed. Returns 0 when every thread holds at most keep, -EPERM when the
 * drop was refused, -EAGAIN when some thread was missed, or -errno.
 */
int caps_restrict(uint64_t keep, struct caps_result *res);

/*
 * The signal caps_restrict reaches the other threads with. A thread that
 * blocks all signals must leave this one open, or it keeps its capabilities.
 */
int caps_signal(void);

/* Effective capabilities of thread tid of this process (0: the calling thread). */
int caps_effective(pid_t tid, uint64_t *eff);

/* "cap_net_admin,cap_bpf" for a mask, into buf. */
void caps_names(uint64_t mask, char *buf, size_t len);

#endif
