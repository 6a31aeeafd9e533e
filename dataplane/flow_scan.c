// SPDX-License-Identifier: GPL-2.0-only
/*
 * flow_scan.c: reads the XDP flow table in batches of 256 without deleting
 * anything (expiry stays with xdp_flows_harvest) and hands each record, its
 * per-CPU copies summed by xdp_flow_sum, to flow_rates_update. Kept apart from the pure core
 * because it includes <bpf/bpf.h>.
 */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>

#include "flow_rates.h"
#include "xdp_loader.h"

#define FLOW_SCAN_BATCH 256u

int flow_rates_scan(struct flow_rates *fr, struct stats *st, int flows_fd, uint64_t now_ns)
{
	size_t stride = (sizeof(struct vigil_flow) + 7) & ~(size_t)7;
	struct vigil_flow_key *keys = NULL;
	uint8_t *vals = NULL;
	uint64_t in_batch = 0, out_batch = 0;
	/* copies per key: every possible CPU's, or one for a shared table (xdp.flow_map: shared) */
	int ncpu = xdp_flows_table_copies(flows_fd), err = 0, n = 0;
	bool first = true, last = false;
	__u32 count, i;

	if (ncpu < 0)
		return ncpu;
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

			xdp_flow_sum(vals + (size_t)i * stride * ncpu, (unsigned int)ncpu, stride, &f);
			flow_rates_update(fr, st, &keys[i], &f, now_ns);
			n++;
		}
		in_batch = out_batch;
		first = false;
	}
	err = n;
cleanup:
	free(keys);
	free(vals);
	return err;
}
