/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dp.h: DPDK set-up for vigil: the EAL with a small fixed memory, one mbuf
 * pool, and the ports the poller reads: net_af_xdp on an interface (live, with
 * vigil's XDP program loaded by the PMD) or a net_ring port that the replay
 * path fills from a capture. Everything after the port is the same code.
 */
#ifndef VIGIL_DP_H
#define VIGIL_DP_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;

struct dp_eal_cfg {
	uint32_t memory_mb;
	bool hugepages;		/* false, or none free: --no-huge */
	bool verbose;		/* DPDK's own log at info instead of warnings */
};

/* Initialise the EAL once per process. 0 or -errno. */
int dp_eal_init(const struct dp_eal_cfg *cfg);
void dp_eal_cleanup(void);

struct dp_port;

struct dp_port_cfg {
	uint32_t mbufs;
	uint16_t burst;
};

struct dp_port_stats {
	uint64_t ipackets;
	uint64_t imissed;
	uint64_t ierrors;
	uint64_t rx_nombuf;
	uint64_t inject_full;	/* replay: frames that waited for ring space */
	uint64_t inject_trunc;	/* replay: frames longer than an mbuf, truncated */
};

/* Live: net_af_xdp on ifname, XDP object at xdp_prog loaded and attached by the PMD. */
int dp_port_open_af_xdp(const char *ifname, const char *xdp_prog, const struct dp_port_cfg *cfg,
			struct dp_port **out);

/* Replay: a net_ring port fed with dp_port_inject(). */
int dp_port_open_ring(const struct dp_port_cfg *cfg, struct dp_port **out);

/* Receive up to n mbufs (caller frees them with dp_port_free_bulk). */
uint16_t dp_port_rx(struct dp_port *p, struct rte_mbuf **pkts, uint16_t n);
void dp_port_free_bulk(struct rte_mbuf **pkts, uint16_t n);

/* Replay: copy a frame into an mbuf stamped with ts_ns and queue it. 0, -ENOBUFS (ring or pool full). */
int dp_port_inject(struct dp_port *p, const void *frame, uint32_t len, uint64_t ts_ns);

/* Replay: dp_port_inject for n frames at once (one pool and one ring operation): frames queued, in order. */
uint16_t dp_port_inject_bulk(struct dp_port *p, const uint8_t *const *frames, const uint32_t *lens,
			     const uint64_t *ts_ns, uint16_t n);

/* Frame bytes, length and (replay) timestamp of an mbuf; ts 0 when the mbuf has none. */
const uint8_t *dp_mbuf_data(const struct rte_mbuf *m, uint32_t *len, uint64_t *ts_ns);

void dp_port_get_stats(struct dp_port *p, struct dp_port_stats *out);

/* Stop and close the port (the af_xdp PMD detaches its program). NULL-safe. */
void dp_port_close(struct dp_port *p);

#endif
