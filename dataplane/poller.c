// SPDX-License-Identifier: GPL-2.0-only
/*
 * poller.c: one lcore's receive loop. No locks and no shared writes: the
 * consumer's state belongs to this loop. Time comes from the frames when they
 * carry it (replay), so a capture replayed twice gives the same results.
 */
#include <time.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "clock.h"
#include "poller.h"

enum {
	POLLER_MAX_BURST = 512,
};

/* busy TSC cycles counted so far into st->busy_ns */
static void poller_flush_busy(struct poller_stats *st, uint64_t *cycles)
{
	st->busy_ns += (uint64_t)((double)*cycles * 1e9 / (double)rte_get_tsc_hz());
	*cycles = 0;
}

int poller_run(struct dp_port *port, uint16_t burst, uint64_t tick_ns, const struct poller_ops *ops,
	       void *ctx, volatile bool *stop, struct poller_stats *st)
{
	struct rte_mbuf *mbufs[POLLER_MAX_BURST];
	struct poller_pkt pkts[POLLER_MAX_BURST];
	bool input_done = false;
	unsigned int idle = 0;
	uint64_t now = 0, next_tick = 0, t_rx, busy = 0;
	int ret = 0;

	if (burst == 0 || burst > POLLER_MAX_BURST)
		burst = 32;
	while (!*stop) {
		uint16_t n, i;

		if (ops->feed && !input_done) {
			int fr = ops->feed(ctx, burst);

			if (fr < 0) {
				ret = fr;
				break;
			}
			if (fr == 0)
				input_done = true;
		}
		t_rx = rte_rdtsc();
		n = dp_port_rx(port, mbufs, burst);
		if (n == 0) {
			st->empty_polls++;
			if (ops->feed && input_done)
				break;
			if (!ops->feed) {
				now = clock_mono_ns();
				/* a small box shares its cores: after a quiet spell, nap instead of spinning */
				if (++idle > 256) {
					struct timespec nap = { 0, 100000 };

					nanosleep(&nap, NULL);
				} else {
					rte_pause();
				}
			}
		} else {
			idle = 0;
			uint64_t live_now = ops->feed ? 0 : clock_mono_ns();

			/* the mbufs and frames were written by another core (or the NIC): fetch them all first */
			for (i = 0; i < n; i++)
				rte_prefetch0(mbufs[i]);
			for (i = 0; i < n; i++) {
				uint64_t ts;

				pkts[i].data = dp_mbuf_data(mbufs[i], &pkts[i].len, &ts);
				rte_prefetch0(pkts[i].data);
				pkts[i].ts_ns = ts ? ts : live_now;
				/* time only moves forward for the timer; frames keep their own stamps */
				if (pkts[i].ts_ns > now)
					now = pkts[i].ts_ns;
			}
			ops->packets(ctx, pkts, n);
			dp_port_free_bulk(mbufs, n);
			busy += rte_rdtsc() - t_rx;
			st->bursts++;
			st->packets += n;
		}
		if (now && now >= next_tick) {
			poller_flush_busy(st, &busy);	/* the tick may read st */
			ops->tick(ctx, now);
			next_tick = now - now % tick_ns + tick_ns;
		}
	}
	poller_flush_busy(st, &busy);
	if (now)
		ops->tick(ctx, now);
	return ret;
}
