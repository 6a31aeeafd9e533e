// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_poller.c: how fast one core runs the receive loop on a capture held in
 * memory and fed through a net_ring port. Mode pipeline is the loop exactly as
 * the sensor runs it: pipeline_packets and pipeline_tick (parse, statistics,
 * every detector, alerts, evidence) with the configuration's defaults. Mode
 * poller is the same loop without the detectors and evidence (parse ->
 * statistics), rx without the statistics too, evidence the poller mode plus
 * the copy of every frame into evidence's pre-trigger ring; stats is the
 * statistics alone per packet without DPDK. The feed (what the NIC and the
 * kernel do live: fill buffers) runs on the second core by default, so the
 * poller's core is charged only for its own work; -f same puts it back on the
 * poller's core, copy included.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_pause.h>

#include "clock.h"
#include "config.h"
#include "dp.h"
#include "evidence.h"
#include "pipeline.h"
#include "pkt.h"
#include "poller.h"
#include "replay.h"
#include "stats.h"

enum { BENCH_BURST = 32 };

struct bench_cap {
	uint8_t *buf;		/* frames back to back */
	uint32_t *off;		/* frame i at buf + off[i], off[n] = end */
	uint64_t *ts;
	uint64_t n;
	uint64_t span_ns;	/* last - first + one mean gap: the offset of each new pass */
};

struct bench_run {
	struct bench_cap *cap;
	struct dp_port *port;
	struct stats *st;
	struct evidence *ev;	/* NULL: no evidence ring */
	struct pipeline *pl;	/* mode pipeline: the sensor's consumer, and nothing else */
	uint64_t next;		/* frame to inject */
	uint64_t pass;
	uint64_t deadline_ns;
	uint64_t packets;
	volatile bool stop;	/* feed thread: the deadline passed */
	int feed_cpu;		/* -1: feed on the poller's core */
	int feed_ret;
	struct pkt_info pi[512];
	int rc[512];
	uint64_t ts[512];
	struct stats_result res[512];
	double checksum;	/* keeps the scores alive */
};

/* CPU time of this thread: per-core figures on a machine shared with other work */
static uint64_t bench_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static int bench_load(const char *path, uint64_t max, struct bench_cap *c)
{
	struct replay *rp = NULL;
	struct replay_frame f;
	uint64_t cap_bytes = 1 << 20, used = 0, cap_n = 1024;
	char err[256];
	int ret;

	memset(c, 0, sizeof(*c));
	ret = replay_open(path, &rp, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "bench: %s\n", err);
		return ret;
	}
	c->buf = malloc(cap_bytes);
	c->off = malloc((cap_n + 1) * sizeof(*c->off));
	c->ts = malloc(cap_n * sizeof(*c->ts));
	while (c->buf && c->off && c->ts && c->n < max && (ret = replay_next(rp, &f, err, sizeof(err))) > 0) {
		if (f.caplen < 14)
			continue;
		if (used + f.caplen > cap_bytes) {
			cap_bytes *= 2;
			c->buf = realloc(c->buf, cap_bytes);
		}
		if (c->n + 1 >= cap_n) {
			cap_n *= 2;
			c->off = realloc(c->off, (cap_n + 1) * sizeof(*c->off));
			c->ts = realloc(c->ts, cap_n * sizeof(*c->ts));
		}
		if (!c->buf || !c->off || !c->ts)
			break;
		memcpy(c->buf + used, f.data, f.caplen);
		c->off[c->n] = (uint32_t)used;
		c->ts[c->n] = f.ts_ns;
		used += f.caplen;
		c->n++;
	}
	replay_close(rp);
	if (!c->buf || !c->off || !c->ts)
		return -ENOMEM;
	if (ret < 0 || c->n == 0) {
		fprintf(stderr, "bench: %s: %s\n", path, ret < 0 ? err : "no frames");
		return -EINVAL;
	}
	c->off[c->n] = (uint32_t)used;
	c->span_ns = c->ts[c->n - 1] - c->ts[0];
	c->span_ns += c->span_ns / c->n + 1;
	return 0;
}

/* frame i of the endless stream: the capture again and again, time moving on */
static const uint8_t *bench_frame(const struct bench_cap *c, uint64_t i, uint32_t *len, uint64_t *ts)
{
	uint64_t k = i % c->n, pass = i / c->n;

	*len = c->off[k + 1] - c->off[k];
	*ts = c->ts[k] + pass * c->span_ns;
	return c->buf + c->off[k];
}

static int bench_feed(void *ctx, uint16_t max)
{
	struct bench_run *r = ctx;
	uint16_t i;

	if (clock_mono_ns() >= r->deadline_ns)
		return 0;
	for (i = 0; i < max; i++) {
		uint32_t len;
		uint64_t ts;
		const uint8_t *f = bench_frame(r->cap, r->next, &len, &ts);

		if (dp_port_inject(r->port, f, len, ts) < 0)
			break;
		r->next++;
	}
	return 1;
}

/* the feed on its own core: inject until the deadline, then tell the poller to stop */
static void *bench_feed_thread(void *ctx)
{
	struct bench_run *r = ctx;
	cpu_set_t set;
	uint64_t i = 0;

	CPU_ZERO(&set);
	CPU_SET(r->feed_cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	/* an lcore id gives this thread its own mempool cache */
	r->feed_ret = rte_thread_register();
	while (!r->stop) {
		const uint8_t *f[BENCH_BURST];
		uint32_t len[BENCH_BURST];
		uint64_t ts[BENCH_BURST];
		uint16_t j, done;

		for (j = 0; j < BENCH_BURST; j++)
			f[j] = bench_frame(r->cap, r->next + j, &len[j], &ts[j]);
		done = dp_port_inject_bulk(r->port, f, len, ts, BENCH_BURST);
		r->next += done;
		if (done < BENCH_BURST)
			rte_pause();
		if (++i % 4 == 0 && clock_mono_ns() >= r->deadline_ns)
			break;
	}
	__atomic_store_n(&r->stop, true, __ATOMIC_RELEASE);
	if (r->feed_ret == 0)
		rte_thread_unregister();
	return NULL;
}

static void bench_packets(void *ctx, const struct poller_pkt *pkts, uint16_t n)
{
	struct bench_run *r = ctx;
	uint16_t i;

	if (r->pl) {
		pipeline_packets(r->pl, pkts, n);
		r->packets += n;
		return;
	}
	for (i = 0; i < n; i++) {
		r->rc[i] = pkt_parse(pkts[i].data, pkts[i].len, &r->pi[i]);
		r->ts[i] = pkts[i].ts_ns;
	}
	if (r->ev) {
		for (i = 0; i < n; i++) {
			bool ip = r->rc[i] == PKT_OK || r->rc[i] == PKT_BAD_L4;

			evidence_packet(r->ev, r->ts[i], pkts[i].data, pkts[i].len, ip ? r->pi[i].src : NULL,
					ip ? r->pi[i].dst : NULL);
		}
	}
	if (r->st) {
		stats_burst(r->st, r->pi, r->rc, r->ts, n, r->res);
		for (i = 0; i < n; i++)
			r->checksum += r->res[i].src.score + r->res[i].new_flow;
	} else {
		for (i = 0; i < n; i++)
			r->checksum += r->pi[i].len;
	}
	r->packets += n;
}

static void bench_tick(void *ctx, uint64_t now_ns)
{
	struct bench_run *r = ctx;

	if (r->pl)
		pipeline_tick(r->pl, now_ns);
}

/*
 * the full loop through DPDK: inject from memory -> net_ring -> poller -> parse -> [evidence] -> stats;
 * feed_cpu >= 0: the injection runs on that CPU, the poller (this thread) only receives
 */
static int bench_poller(struct bench_cap *cap, double secs, struct stats *st, struct evidence *ev,
			struct pipeline *pl, int feed_cpu)
{
	struct dp_port_cfg pcfg = { .mbufs = 8191, .burst = BENCH_BURST };
	struct poller_ops ops = { .feed = feed_cpu < 0 ? bench_feed : NULL, .packets = bench_packets,
				  .tick = bench_tick };
	struct poller_stats ps = { 0 };
	struct bench_run *r = calloc(1, sizeof(*r));
	pthread_t feeder;
	bool feeding = false;
	uint64_t t0, t1, c0, c1;
	int ret;

	if (!r)
		return -ENOMEM;
	r->cap = cap;
	r->st = st;
	r->ev = ev;
	r->pl = pl;
	ret = dp_port_open_ring(&pcfg, &r->port);
	if (ret < 0) {
		fprintf(stderr, "bench: ring port: %s\n", strerror(-ret));
		free(r);
		return ret;
	}
	t0 = clock_mono_ns();
	c0 = bench_cpu_ns();
	r->deadline_ns = t0 + (uint64_t)(secs * 1e9);
	r->feed_cpu = feed_cpu;
	if (feed_cpu >= 0) {
		ret = -pthread_create(&feeder, NULL, bench_feed_thread, r);
		if (ret < 0) {
			fprintf(stderr, "bench: feed thread: %s\n", strerror(-ret));
			goto cleanup;
		}
		feeding = true;
	}
	/* the poller stops when the feed thread says so (or, same-core feed, when the
	 * feed ends); the timer every 100 ms of frame time, as the sensor's */
	ret = poller_run(r->port, BENCH_BURST, 100000000ULL, &ops, r, &r->stop, &ps);
	t1 = clock_mono_ns();
	c1 = bench_cpu_ns();
	if (feeding) {
		pthread_join(feeder, NULL);
		if (r->feed_ret < 0)
			fprintf(stderr, "bench: feed thread has no lcore id (rte_thread_register): slower pool\n");
	}
	/* mpps and ns_per_pkt per CPU second of this thread (the feed included); wall_* per elapsed second */
	/*
	 * The loop's own CPU time is at most both of: the wall time it was busy (receive to free of
	 * bursts with frames; preemption while busy inflates it) and this thread's CPU time (waiting
	 * for a slower feed inflates it). mpps uses the smaller: a lower bound of the loop's rate.
	 * cpu_mpps and busy_mpps are each alone; wall_mpps per elapsed second.
	 */
	{
		double busy_s = (double)ps.busy_ns / 1e9, cpu_s = (double)(c1 - c0) / 1e9;
		double use_s = busy_s > 0.0 && busy_s < cpu_s ? busy_s : cpu_s;

		printf("poller: packets=%llu seconds=%.3f busy_seconds=%.3f cpu_seconds=%.3f mpps=%.3f ns_per_pkt=%.1f "
		       "busy_mpps=%.3f cpu_mpps=%.3f wall_mpps=%.3f checksum=%.0f\n",
		       (unsigned long long)r->packets, (double)(t1 - t0) / 1e9, busy_s, cpu_s,
		       (double)r->packets / use_s / 1e6, use_s * 1e9 / (double)r->packets,
		       (double)r->packets / busy_s / 1e6, (double)r->packets / cpu_s / 1e6,
		       (double)r->packets / ((double)(t1 - t0) / 1e3), r->checksum);
	}
	printf("feed: %s empty_polls=%llu\n", feed_cpu >= 0 ? "second-core" : "same-core",
	       (unsigned long long)ps.empty_polls);
cleanup:
	dp_port_close(r->port);
	free(r);
	return ret;
}

/* the statistics alone: pre-parsed frames, bursts of 32, no DPDK */
static int bench_stats(struct bench_cap *cap, double secs, struct stats *st)
{
	uint64_t n = cap->n, i, done = 0, t0, t1, now;
	struct pkt_info *pi = calloc(n, sizeof(*pi));
	int *rc = calloc(n, sizeof(*rc));
	uint64_t *ts = calloc(BENCH_BURST, sizeof(*ts));
	struct stats_result res[BENCH_BURST];
	double checksum = 0;

	if (!pi || !rc || !ts) {
		free(pi);
		free(rc);
		free(ts);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		uint32_t len;
		uint64_t t;
		const uint8_t *f = bench_frame(cap, i, &len, &t);

		rc[i] = pkt_parse(f, len, &pi[i]);
	}
	t0 = bench_cpu_ns();
	do {
		for (i = 0; i < 4096; i += BENCH_BURST) {
			uint64_t k = done % n, j, m = n - k < BENCH_BURST ? n - k : BENCH_BURST;

			for (j = 0; j < m; j++)
				ts[j] = cap->ts[k + j] + (done / n) * cap->span_ns;
			stats_burst(st, pi + k, rc + k, ts, (uint16_t)m, res);
			checksum += res[0].src.score + res[0].new_flow;
			done += m;
		}
		now = bench_cpu_ns();
	} while (now - t0 < (uint64_t)(secs * 1e9));
	t1 = now;
	printf("stats: packets=%llu ns_per_pkt=%.1f checksum=%.0f\n", (unsigned long long)done,
	       (double)(t1 - t0) / (double)done, checksum);
	free(pi);
	free(rc);
	free(ts);
	return 0;
}

/* the evidence folder and the files the run left in it */
static void bench_rmdir(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	const char *pcap = NULL, *mode = "poller";
	double secs = 3.0;
	uint64_t max = 2000000;
	struct dp_eal_cfg ecfg = { .memory_mb = 64, .hugepages = true };
	struct bench_cap cap;
	struct stats_cfg scfg;
	struct stats_counters c;
	struct stats *st = NULL;
	struct evidence *ev = NULL;
	struct pipeline *pl = NULL;
	struct config cfg;
	struct alert_ctx actx = { .sensor_name = "bench", .in_iface = "bench" };
	char evdir[] = "/tmp/vigil-bench-evidence.XXXXXX";
	bool evdir_made = false;
	/* EAL pins this thread to CPU 0 (-l 0); the feed takes CPU 1 when there is one */
	int feed_cpu = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 1 : -1;
	int opt, ret, rc = 1;

	while ((opt = getopt(argc, argv, "r:m:s:n:f:")) != -1) {
		switch (opt) {
		case 'r': pcap = optarg; break;
		case 'm': mode = optarg; break;
		case 's': secs = atof(optarg); break;
		case 'n': max = strtoull(optarg, NULL, 10); break;
		case 'f': feed_cpu = strcmp(optarg, "same") ? atoi(optarg) : -1; break;
		default: goto usage;
		}
	}
	if (!pcap || (strcmp(mode, "poller") && strcmp(mode, "stats") && strcmp(mode, "rx") &&
		      strcmp(mode, "evidence") && strcmp(mode, "pipeline")) || secs <= 0)
		goto usage;
	ret = bench_load(pcap, max, &cap);
	if (ret < 0)
		return 1;
	stats_cfg_default(&scfg);
	st = stats_new(&scfg);
	if (!st) {
		fprintf(stderr, "bench: stats_new: %s\n", strerror(errno));
		return 1;
	}
	printf("capture: %s frames=%llu\n", pcap, (unsigned long long)cap.n);
	if (!strcmp(mode, "evidence")) {
		/* the pre-trigger ring as the sensor keeps it: 16 MiB, 128 bytes a frame; no incident opens a file */
		struct evidence_cfg ec = {
			.sensor_name = "bench", .ring_bytes = 16u << 20, .ring_ns = 10ULL * 1000000000ULL,
			.snaplen = 128, .post_packets = 1000, .post_ns = 1000000000ULL, .budget_bytes = 1u << 20,
			.max_open = 4,
		};

		if (!mkdtemp(evdir)) {
			fprintf(stderr, "bench: mkdtemp: %s\n", strerror(errno));
			goto cleanup;
		}
		evdir_made = true;
		ec.dir = evdir;
		ev = evidence_new(&ec);
		if (!ev) {
			fprintf(stderr, "bench: evidence_new: %s\n", strerror(errno));
			goto cleanup;
		}
	}
	if (!strcmp(mode, "pipeline")) {
		/* the sensor's consumer with every default: statistics, every detector,
		 * alerts (built, then dropped: no file, no collector), evidence files */
		struct pipeline_out out = { .flows_fd = -1 };

		config_defaults(&cfg);
		if (!mkdtemp(evdir)) {
			fprintf(stderr, "bench: mkdtemp: %s\n", strerror(errno));
			goto cleanup;
		}
		evdir_made = true;
		if (cfg.evidence_enabled) {
			struct evidence_cfg ec = {
				.dir = evdir, .sensor_name = "bench", .ring_bytes = cfg.evidence_ring_mib << 20,
				.ring_ns = (uint64_t)cfg.evidence_pre_s * 1000000000ULL,
				.snaplen = cfg.evidence_snaplen, .post_packets = cfg.evidence_post_packets,
				.post_ns = (uint64_t)cfg.evidence_post_s * 1000000000ULL,
				.budget_bytes = (uint64_t)cfg.evidence_budget_mib << 20,
				.max_open = cfg.evidence_max_open,
			};

			ev = evidence_new(&ec);
			if (!ev) {
				fprintf(stderr, "bench: evidence_new: %s\n", strerror(errno));
				goto cleanup;
			}
			out.evidence = ev;
		}
		pl = pipeline_new(&cfg, &actx, &out);
		if (!pl) {
			fprintf(stderr, "bench: pipeline_new: %s\n", strerror(errno));
			goto cleanup;
		}
	}
	if (!strcmp(mode, "stats")) {
		ret = bench_stats(&cap, secs, st);
	} else {
		ret = dp_eal_init(&ecfg);
		if (ret < 0) {
			fprintf(stderr, "bench: EAL: %s\n", strerror(-ret));
			goto cleanup;
		}
		/* rx: the same loop without statistics, the baseline of the ratios */
		ret = bench_poller(&cap, secs, strcmp(mode, "rx") ? st : NULL, pl ? NULL : ev, pl, feed_cpu);
		dp_eal_cleanup();
	}
	if (pl) {
		struct pipeline_stats ps;
		struct detect_stats ds;

		pipeline_get_stats(pl, &ps);
		pipeline_get_detect_stats(pl, &ds);
		printf("pipeline: packets=%llu alerts=%llu evidence_failed=%llu\n", (unsigned long long)ps.packets,
		       (unsigned long long)ps.alerts, (unsigned long long)ps.evidence_failed);
	}
	stats_get_counters(st, &c);
	printf("tables: new_hosts=%llu new_sockets=%llu evicted_hosts=%llu evicted_sockets=%llu host_windows=%llu\n",
	       (unsigned long long)c.new_hosts,
	       (unsigned long long)c.new_sockets, (unsigned long long)c.evict_hosts,
	       (unsigned long long)c.evict_sockets, (unsigned long long)c.host_windows);
	if (ev) {
		struct evidence_stats es;

		evidence_get_stats(ev, &es);
		printf("evidence: ring_frames=%llu ring_truncated=%llu files=%llu\n",
		       (unsigned long long)es.ring_frames, (unsigned long long)es.ring_truncated,
		       (unsigned long long)es.files);
	}
	rc = ret < 0 ? 1 : 0;
cleanup:
	pipeline_free(pl);
	evidence_free(ev, NULL, NULL);
	if (evdir_made)
		bench_rmdir(evdir);
	stats_free(st);
	free(cap.buf);
	free(cap.off);
	free(cap.ts);
	return rc;
usage:
	fprintf(stderr, "usage: vigil-bench-poller -r capture.pcap [-m pipeline|poller|rx|evidence|stats] [-s seconds] [-n max_frames] [-f same|CPU]\n");
	return 2;
}
