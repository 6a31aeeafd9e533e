// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp_port.c: the poller's ports. Live traffic arrives through net_af_xdp (the
 * PMD loads vigil's XDP object, whose xsks_map receives its socket); replayed
 * traffic through a net_ring port, each mbuf stamped with its capture time in
 * the standard rx timestamp dynfield, so the poller cannot tell them apart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus_vdev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_memcpy.h>
#include <rte_ring.h>

#include "dp.h"

enum {
	DP_RX_DESC = 2048,
	DP_TX_DESC = 512,
	DP_RING_SIZE = 4096,
};

struct dp_port {
	uint16_t port_id;
	bool started;
	bool has_port;
	bool is_vdev;
	char vdev_name[64];
	struct rte_mempool *pool;
	struct rte_ring *ring;
	struct dp_port_stats st;
};

static int dp_ts_offset = -1;
static uint64_t dp_ts_flag;

static int dp_port_ts_register(void)
{
	if (dp_ts_offset >= 0)
		return 0;
	if (rte_mbuf_dyn_rx_timestamp_register(&dp_ts_offset, &dp_ts_flag) < 0)
		return -rte_errno;
	return 0;
}

static int dp_port_pool(struct dp_port *p, const struct dp_port_cfg *cfg, const char *tag)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "vg_pool_%s", tag);
	p->pool = rte_pktmbuf_pool_create(name, cfg->mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	return p->pool ? 0 : -rte_errno;
}

static int dp_port_setup(struct dp_port *p)
{
	struct rte_eth_conf conf;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
	if (ret < 0)
		return ret;
	ret = rte_eth_rx_queue_setup(p->port_id, 0, DP_RX_DESC, rte_eth_dev_socket_id(p->port_id), NULL,
				     p->pool);
	if (ret < 0)
		return ret;
	ret = rte_eth_tx_queue_setup(p->port_id, 0, DP_TX_DESC, rte_eth_dev_socket_id(p->port_id), NULL);
	if (ret < 0)
		return ret;
	ret = rte_eth_dev_start(p->port_id);
	if (ret < 0)
		return ret;
	p->started = true;
	return 0;
}

int dp_port_open_af_xdp(const char *ifname, const char *xdp_prog, const struct dp_port_cfg *cfg,
			struct dp_port **out)
{
	struct dp_port *p;
	char args[512];
	int ret;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = dp_port_pool(p, cfg, ifname);
	if (ret < 0)
		goto cleanup;
	snprintf(p->vdev_name, sizeof(p->vdev_name), "net_af_xdp_%s", ifname);
	snprintf(args, sizeof(args), "iface=%s,start_queue=0,queue_count=1,xdp_prog=%s", ifname, xdp_prog);
	ret = rte_vdev_init(p->vdev_name, args);
	if (ret < 0)
		goto cleanup;
	p->is_vdev = true;
	ret = rte_eth_dev_get_port_by_name(p->vdev_name, &p->port_id);
	if (ret < 0)
		goto cleanup;
	p->has_port = true;
	ret = dp_port_setup(p);
	if (ret < 0)
		goto cleanup;
	*out = p;
	p = NULL;
cleanup:
	dp_port_close(p);
	return ret < 0 ? ret : 0;
}

int dp_port_open_ring(const struct dp_port_cfg *cfg, struct dp_port **out)
{
	struct dp_port *p;
	int ret;

	*out = NULL;
	ret = dp_port_ts_register();
	if (ret < 0)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	ret = dp_port_pool(p, cfg, "replay");
	if (ret < 0)
		goto cleanup;
	p->ring = rte_ring_create("vg_replay", DP_RING_SIZE, (int)rte_socket_id(),
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!p->ring) {
		ret = -rte_errno;
		goto cleanup;
	}
	ret = rte_eth_from_ring(p->ring);
	if (ret < 0) {
		ret = -rte_errno;
		goto cleanup;
	}
	p->port_id = (uint16_t)ret;
	p->has_port = true;
	ret = dp_port_setup(p);
	if (ret < 0)
		goto cleanup;
	*out = p;
	p = NULL;
cleanup:
	dp_port_close(p);
	return ret < 0 ? ret : 0;
}

uint16_t dp_port_rx(struct dp_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(p->port_id, 0, pkts, n);
}

void dp_port_free_bulk(struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
}

/* copy a frame into m (truncated to its room, counted) and stamp it with ts_ns */
static void dp_port_fill(struct dp_port *p, struct rte_mbuf *m, const void *frame, uint32_t len, uint64_t ts_ns)
{
	uint32_t room = rte_pktmbuf_tailroom(m);

	if (len > room) {
		p->st.inject_trunc++;
		len = room;
	}
	rte_memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	*RTE_MBUF_DYNFIELD(m, dp_ts_offset, rte_mbuf_timestamp_t *) = ts_ns;
	m->ol_flags |= dp_ts_flag;
}

int dp_port_inject(struct dp_port *p, const void *frame, uint32_t len, uint64_t ts_ns)
{
	struct rte_mbuf *m;

	m = rte_pktmbuf_alloc(p->pool);
	if (!m) {
		p->st.inject_full++;
		return -ENOBUFS;
	}
	dp_port_fill(p, m, frame, len, ts_ns);
	if (rte_ring_enqueue(p->ring, m) != 0) {
		rte_pktmbuf_free(m);
		p->st.inject_full++;
		return -ENOBUFS;
	}
	return 0;
}

uint16_t dp_port_inject_bulk(struct dp_port *p, const uint8_t *const *frames, const uint32_t *lens,
			     const uint64_t *ts_ns, uint16_t n)
{
	struct rte_mbuf *m[64];
	unsigned int free_n;
	uint16_t i, done;

	if (n > 64)
		n = 64;
	/* only what the ring can take: no copy made just to be thrown away (one producer) */
	free_n = rte_ring_free_count(p->ring);
	if (n > free_n)
		n = (uint16_t)free_n;
	if (n == 0 || rte_pktmbuf_alloc_bulk(p->pool, m, n) != 0) {
		p->st.inject_full++;
		return 0;
	}
	for (i = 0; i < n; i++)
		dp_port_fill(p, m[i], frames[i], lens[i], ts_ns[i]);
	done = (uint16_t)rte_ring_enqueue_burst(p->ring, (void **)m, n, NULL);
	if (done < n) {
		rte_pktmbuf_free_bulk(m + done, n - done);
		p->st.inject_full++;
	}
	return done;
}

const uint8_t *dp_mbuf_data(const struct rte_mbuf *m, uint32_t *len, uint64_t *ts_ns)
{
	*len = rte_pktmbuf_data_len(m);
	if (dp_ts_offset >= 0 && (m->ol_flags & dp_ts_flag))
		*ts_ns = *RTE_MBUF_DYNFIELD(m, dp_ts_offset, const rte_mbuf_timestamp_t *);
	else
		*ts_ns = 0;
	return rte_pktmbuf_mtod(m, const uint8_t *);
}

void dp_port_get_stats(struct dp_port *p, struct dp_port_stats *out)
{
	struct rte_eth_stats es;

	*out = p->st;
	if (rte_eth_stats_get(p->port_id, &es) == 0) {
		out->ipackets = es.ipackets;
		out->imissed = es.imissed;
		out->ierrors = es.ierrors;
		out->rx_nombuf = es.rx_nombuf;
	}
}

void dp_port_close(struct dp_port *p)
{
	if (!p)
		return;
	if (p->started)
		rte_eth_dev_stop(p->port_id);
	if (p->is_vdev)
		rte_vdev_uninit(p->vdev_name);	/* closes the port too */
	else if (p->has_port)
		rte_eth_dev_close(p->port_id);
	if (p->ring)
		rte_ring_free(p->ring);
	if (p->pool)
		rte_mempool_free(p->pool);
	free(p);
}
