// SPDX-License-Identifier: GPL-2.0-only
/*
 * flow_scan.c: reads the XDP flow table in batches of 256 without deleting
 * anything (expiry stays with xdp_flows_harvest) and hands each record, its
 * per-CPU copies summed, to flow_rates_update. Kept apart from the pure core
 * because it includes <bpf/bpf.h>.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flow_rates.h"

#define FLOW_SCAN_BATCH 256u

static void flow_scan_sum(const uint8_t *v, int ncpu, size_t stride, struct vigil_flow *out)
{
	int c;

	memset(out, 0, sizeof(*out));
	for (c = 0; c < ncpu; c++) {
		const struct vigil_flow *f = (const struct vigil_flow *)(v + (size_t)c * stride);

		if (!f->pkts[0] && !f->pkts[1])
			continue;
		out->pkts[0] += f->pkts[0];
		out->pkts[1] += f->pkts[1];
		out->bytes[0] += f->bytes[0];
		out->bytes[1] += f->bytes[1];
		out->handed += f->handed;
		if (f->last_ns > out->last_ns)
			out->last_ns = f->last_ns;
	}
}

int flow_rates_scan(struct flow_rates *fr, struct stats *st, int flows_fd, uint64_t now_ns)
{
	size_t stride = (sizeof(struct vigil_flow) + 7) & ~(size_t)7;
	struct vigil_flow_key *keys = NULL;
	uint8_t *vals = NULL;
	uint64_t in_batch = 0, out_batch = 0;
	int ncpu = libbpf_num_possible_cpus(), err = 0, n = 0;
	bool first = true, last = false;
	struct flow_rates_counters c;
	struct bpf_map_info info = { 0 };
	__u32 count, i, ilen = sizeof(info);

	if (ncpu < 0)
		return ncpu;
	/* a shared flow table (xdp.flow_map: shared) holds one copy per key, not one per CPU */
	if (!bpf_obj_get_info_by_fd(flows_fd, &info, &ilen) && info.type == BPF_MAP_TYPE_LRU_HASH)
		ncpu = 1;
	keys = calloc(FLOW_SCAN_BATCH, sizeof(*keys));
	vals = calloc(FLOW_SCAN_BATCH, stride * (size_t)ncpu);
	if (!keys || !vals) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (!last) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);

		count = FLOW_SCAN_BATCH;
		err = bpf_map_lookup_batch(flows_fd, first ? NULL : &in_batch, &out_batch, keys, vals, &count, &o);
		if (err == -ENOENT)
			last = true;	/* the end; count may still hold the final records */
		else if (err)
			goto cleanup;
		for (i = 0; i < count; i++) {
			struct vigil_flow f;

			flow_scan_sum(vals + (size_t)i * stride * ncpu, ncpu, stride, &f);
			flow_rates_update(fr, st, &keys[i], &f, now_ns);
			n++;
		}
		in_batch = out_batch;
		first = false;
	}
	err = n;
cleanup:
	flow_rates_get_counters(fr, &c);
	(void)c;
	free(keys);
	free(vals);
	return err;
}
