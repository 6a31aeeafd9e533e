// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench_xdp.bpf.c: the yardsticks scripts/bench-xdp.sh measures vigil against
 * (XDP_PASS, and the least a flow counter can do: a 5-tuple LRU per-CPU update
 * with a timestamp) and the frame generator its live run drives a veth with.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct bench_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u32 proto;
};

struct bench_val {
	__u64 pkts;
	__u64 bytes;
	__u64 last_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct bench_key);
	__type(value, struct bench_val);
} bench_flows SEC(".maps");

/* bench_gen's state: a frame counter per CPU, and the flow count (0: random sources) */
struct bench_gen_cfg {
	__u32 flows;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_gen_cfg);
} bench_gen_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_gen_seq SEC(".maps");

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* IPv4/UDP/TCP only, no options, no VLAN: the floor a flow counter cannot go under */
SEC("xdp")
int bench_ref(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph = (void *)(eth + 1);
	struct udphdr *uh = (void *)(iph + 1);
	struct bench_key k = {};
	struct bench_val *v, nv = {};
	__u32 len = data_end - data;

	/* verifier: Ethernet, a 20-byte IPv4 header and the ports must be in the packet */
	if ((void *)(uh + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	k.saddr = iph->saddr;
	k.daddr = iph->daddr;
	k.sport = uh->source;
	k.dport = uh->dest;
	k.proto = iph->protocol;
	v = bpf_map_lookup_elem(&bench_flows, &k);
	if (v) {
		v->pkts++;
		v->bytes += len;
		v->last_ns = bpf_ktime_get_ns();
		return XDP_DROP;
	}
	nv.pkts = 1;
	nv.bytes = len;
	nv.last_ns = bpf_ktime_get_ns();
	bpf_map_update_elem(&bench_flows, &k, &nv, BPF_ANY);
	return XDP_DROP;
}

/*
 * Live-frames generator (BPF_F_TEST_XDP_LIVE_FRAMES): rewrites the UDP source
 * port (flows > 0: one of that many flows in turn) or the IPv4 source address
 * (flows == 0: random, every frame a new flow) and transmits the frame.
 * The IPv4 checksum is left as it is: the receiver does not check it.
 */
SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct iphdr *iph = data + sizeof(struct ethhdr);
	struct udphdr *uh = (void *)(iph + 1);
	struct bench_gen_cfg *cfg;
	__u32 zero = 0;
	__u64 *seq;

	/* verifier: the header fields rewritten must be in the packet */
	if ((void *)(uh + 1) > data_end)
		return XDP_DROP;
	cfg = bpf_map_lookup_elem(&bench_gen_cfg, &zero);
	seq = bpf_map_lookup_elem(&bench_gen_seq, &zero);
	/* verifier: map lookups may return NULL */
	if (!cfg || !seq)
		return XDP_DROP;
	if (cfg->flows) {
		uh->source = bpf_htons(10000 + (__u16)(*seq % cfg->flows));
		(*seq)++;
	} else {
		iph->saddr = bpf_get_prandom_u32();
	}
	return XDP_TX;
}
