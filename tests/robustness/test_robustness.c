// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_robustness.c: every capture of tcpdump's regression suite (many fuzzed
 * or truncated) through the capture reader, the real XDP program and the
 * harvest, in one process, so 830 files take seconds and run under sanitizers.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "replay.h"
#include "xdp_loader.h"

#define ROBUST_FILES_MAX 2048
#define ROBUST_FRAMES_MAX 200000u	/* per capture: bounds a pathological file */
#define ROBUST_SECONDS_MAX 20.0		/* per capture: "never hangs" */

struct robust_totals {
	uint64_t frames, flows, accounted_flows_pkts;
	unsigned int files, refused, read_errors, failed;
};

static int robust_cb(void *ctx, const struct vigil_flow_key *key, const struct vigil_flow *f)
{
	struct robust_totals *t = ctx;

	(void)key;
	t->flows++;
	t->accounted_flows_pkts += f->pkts[0] + f->pkts[1];
	return 0;
}

static double robust_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int robust_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* one capture: 0 done (or refused cleanly), -1 a contract broken (message printed) */
static int robust_one(const struct xdp_maps *m, int flows_fd, const char *path,
		      struct robust_totals *t)
{
	uint64_t before[VIGIL_STAT_MAX], after[VIGIL_STAT_MAX], flows_before, pkts_before;
	struct replay_frame f;
	struct replay *r = NULL;
	char err[512];
	uint32_t n = 0, rv;
	uint16_t flags;
	double t0 = robust_now();
	int rc, h;

	rc = replay_open(path, &r, err, sizeof(err));
	if (rc == -ENOTSUP || rc == -EINVAL) {
		t->refused++;	/* not a capture, or a link type without IP: a clean refusal */
		return 0;
	}
	if (rc) {
		printf("FAIL %s: replay_open %d: %s\n", path, rc, err);
		return -1;
	}
	if (xdp_stats_read(m->stats_fd, before)) {
		printf("FAIL %s: stats\n", path);
		replay_close(r);
		return -1;
	}
	while (n < ROBUST_FRAMES_MAX && (rc = replay_next(r, &f, err, sizeof(err))) == 1) {
		n++;
		/* the same call the sensor's replay makes; refusals are counted there */
		xdp_loader_run_frame_wire(m->prog_fd, f.data, f.caplen, f.wirelen, f.ts_ns, &rv,
					  &flags);
		if (robust_now() - t0 > ROBUST_SECONDS_MAX) {
			printf("FAIL %s: still reading after %.0f s (%u frames)\n", path,
			       ROBUST_SECONDS_MAX, n);
			replay_close(r);
			return -1;
		}
	}
	replay_close(r);
	if (rc < 0)
		t->read_errors++;	/* a truncated file: the frames before it still count */
	flows_before = t->flows;
	pkts_before = t->accounted_flows_pkts;
	h = xdp_flows_harvest(flows_fd, 0, 0, true, robust_cb, t);
	if (h < 0 || xdp_stats_read(m->stats_fd, after)) {
		printf("FAIL %s: harvest %d\n", path, h);
		return -1;
	}
	/* every accounted frame is in exactly one harvested flow */
	if (after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED] !=
	    t->accounted_flows_pkts - pkts_before) {
		printf("FAIL %s: %llu frames accounted, %llu in the %llu flows harvested\n", path,
		       (unsigned long long)(after[VIGIL_STAT_ACCOUNTED] - before[VIGIL_STAT_ACCOUNTED]),
		       (unsigned long long)(t->accounted_flows_pkts - pkts_before),
		       (unsigned long long)(t->flows - flows_before));
		return -1;
	}
	t->frames += n;
	return 0;
}

int main(int argc, char **argv)
{
	struct robust_totals t = { 0 };
	struct xdp_loader *l = NULL;
	struct xdp_maps *m;
	struct dirent *de;
	char **names = NULL, path[4096];
	size_t n = 0, i;
	DIR *d = NULL;
	int flows_fd = -1, err, rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: test_robustness vigil.bpf.o CAPTURE_DIR\n");
		return 2;
	}
	d = opendir(argv[2]);
	if (!d) {
		printf("SKIP: no capture directory %s: %s\n", argv[2], strerror(errno));
		return 77;
	}
	names = calloc(ROBUST_FILES_MAX, sizeof(*names));
	if (!names)
		goto cleanup;
	while ((de = readdir(d)) && n < ROBUST_FILES_MAX)
		if (de->d_name[0] != '.' && (strstr(de->d_name, ".pcap") || strstr(de->d_name, ".cap")))
			names[n++] = strdup(de->d_name);
	qsort(names, n, sizeof(*names), robust_cmp);

	err = xdp_loader_open(argv[1], &l);
	if (err) {
		printf("FAIL load %s: %s\n", argv[1], strerror(-err));
		goto cleanup;
	}
	m = xdp_loader_maps(l);
	err = xdp_flows_table_open(NULL, NULL, 65536, &flows_fd);
	if (!err)
		err = xdp_flows_table_install(m->flows_outer_fd, flows_fd);
	if (err) {
		printf("FAIL flow table: %s\n", strerror(-err));
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], names[i]);
		t.files++;
		if (robust_one(m, flows_fd, path, &t))
			t.failed++;
	}
	printf("%u captures: %llu frames, %llu flows; %u refused cleanly (link type or not a capture), %u ended in a read error\n",
	       t.files, (unsigned long long)t.frames, (unsigned long long)t.flows, t.refused,
	       t.read_errors);
	printf("%u passed, %u failed\n", t.files - t.failed, t.failed);
	rc = t.failed || !t.files ? 1 : 0;
cleanup:
	if (d)
		closedir(d);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (flows_fd >= 0)
		close(flows_fd);
	xdp_loader_free(l);
	return rc;
}
