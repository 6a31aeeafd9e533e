// SPDX-License-Identifier: GPL-2.0-only
/*
 * appliance.c: what makes the sensor a service rather than a program: a
 * SIGHUP that changes settings without losing what was learned, state that
 * survives a restart, containment with a TTL, a metrics endpoint, and no more
 * privilege than needed once the ports are open.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/capability.h>

#include "clock.h"
#include "appliance.h"
#include "caps.h"
#include "contain.h"
#include "intel.h"
#include "log.h"
#include "metrics.h"
#include "output.h"
#include "poller.h"
#include "reload.h"
#include "state.h"
#include "state_writer.h"
#include "stats.h"
#include "vigil_user.h"
#include "xdp_loader.h"

static volatile sig_atomic_t appliance_hup;

/*
 * A SIGHUP's config is parsed on a thread of its own and swapped in by the
 * packet thread once it is whole: a slow file system (or a test hook standing
 * in for one) never freezes the frames.
 */
struct appliance_reload {
	pthread_t thr;
	bool running;			/* a parse is in flight (joined by the packet thread) */
	bool again;			/* another SIGHUP came meanwhile: parse once more after this one */
	int done;			/* set by the parse thread when next/rc/err are ready (atomic) */
	int rc;
	struct config *next;
	struct config_error err;
	const char *path;
	uint64_t delay_ns;		/* VIGIL_TEST_RELOAD_DELAY_MS: the parse waits first (a slow disk) */
};

struct appliance {
	struct config *cfg;
	const char *config_path;
	struct pipeline *pl;
	struct publish *pub;
	int stats_fd;
	struct metrics *metrics;
	uint64_t next_metrics_ns;
	uint64_t metrics_events;	/* alert events in the last snapshot */
	uint64_t reloads, reload_failures;
	uint64_t start_s;
	char *text;
	uint64_t next_save_ns;		/* CLOCK_MONOTONIC */
	uint64_t saves, save_failures;	/* periodic (by the writer) and final */
	struct state_writer *writer;	/* writes, fsyncs, renames; NULL when state.path is empty */
	struct state_image *image;	/* the packet thread's snapshot buffer (swapped with the writer's) */
	uint64_t writes_seen;		/* writer results already counted */
	uint64_t saves_skipped;		/* periodic saves not taken: the previous write was in flight */
	uint64_t snapshot_ns, snapshot_max_ns;	/* packet thread, last and longest */
	uint64_t save_ns, save_max_ns;		/* write + fsync + rename, last and longest */
	struct contain *contain;	/* NULL until appliance_contain_start */
	const struct xdp_maps *maps;
	bool inline_live;
	bool tap_logged;
	uint64_t block_failures;
	const struct poller_stats *poller;	/* the receive loop's counters (same thread), or NULL */
	const struct vigil_user *user;		/* a replay's flow core (same thread), or NULL */
	struct appliance_reload reload;
	struct output *output;		/* EVE files reopened on SIGHUP, or NULL */
	struct intel *intel;		/* intel.feeds, re-read off this thread; NULL: none configured */
};

static void appliance_on_hup(int sig)
{
	(void)sig;
	appliance_hup = 1;
}

int appliance_drop_caps(const struct config *cfg)
{
	uint64_t keep = caps_bit(CAP_NET_ADMIN) | caps_bit(CAP_BPF);
	struct caps_result res;
	char names[128];
	int rc;

	if (!cfg->drop_caps)
		return 0;
	rc = caps_restrict(keep, &res);
	caps_names(keep, names, sizeof(names));
	if (rc == -EAGAIN) {
		pr_warn("capabilities: %u of %u threads still hold more than %s", res.missed, res.threads, names);
		return 0;
	}
	if (rc < 0) {
		pr_err("cannot drop capabilities: %s (set sensor.drop_caps: false to run without)", strerror(-rc));
		return rc;
	}
	pr_info("capabilities: kept %s in all %u threads", names, res.threads);
	return 0;
}

/* ---- containment: the rules are sensor/contain.c, the map calls are here ---- */

static void appliance_contain_cfg(struct appliance *a)
{
	struct contain_cfg cc = {
		.inline_mode = a->inline_live,
		.ttl_ns = (uint64_t)a->cfg->block_ttl_s * 1000000000ULL,
		.never = a->cfg->never_block,
		.n_never = a->cfg->n_never_block,
		.fixed = a->cfg->xdp_blocklist,
		.n_fixed = a->cfg->n_xdp_blocklist,
	};

	if (a->contain)
		contain_set_cfg(a->contain, &cc);
}

static void appliance_key(const struct config_cidr *c, struct vigil_block_key *k, char *text, size_t len)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = c->prefix_len;
	memcpy(k->addr, c->addr, sizeof(k->addr));
	if (xdp_block_format(k, text, len) < 0)
		snprintf(text, len, "?");
}

/* Lift blocks handed back by contain_expired / contain_drain. */
static void appliance_unblock(struct appliance *a, const struct config_cidr *keys, size_t n, const char *why)
{
	struct vigil_block_key k;
	char text[64];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		appliance_key(&keys[i], &k, text, sizeof(text));
		rc = xdp_block_remove(a->maps, &k);
		if (rc < 0 && rc != -ENOENT)
			pr_err("containment: cannot unblock %s: %s", text, strerror(-rc));
		else
			pr_info("containment: unblocked %s (%s)", text, why);
	}
}

/* The pipeline's action hook: what containment does with an incident event. */
static const char *appliance_on_incident(void *ctx, const struct detect_incident *inc)
{
	struct appliance *a = ctx;
	const struct config_detector *blk = detect_block(a->cfg, inc->det);
	const char *name = detect_info(inc->det) ? detect_info(inc->det)->name : "?";
	struct vigil_block_key k;
	struct config_cidr key;
	enum contain_verdict v;
	char text[64];
	int rc;

	v = contain_incident(a->contain, inc, blk->allow_cidrs, blk->n_allow_cidrs, inc->ts_ns, &key);
	switch (v) {
	case CONTAIN_BLOCK:
		appliance_key(&key, &k, text, sizeof(text));
		rc = xdp_block_add(a->maps, &k);
		if (rc < 0) {
			contain_forget(a->contain, &key);
			a->block_failures++;
			pr_err("containment: cannot block %s (%s incident %llu): %s", text, name,
			       (unsigned long long)inc->incident_id, strerror(-rc));
			return NULL;
		}
		pr_warn("containment: blocked %s for %u s (%s incident %llu)", text, a->cfg->block_ttl_s, name,
			(unsigned long long)inc->incident_id);
		return "blocked";
	case CONTAIN_ACTIVE:
		return "blocked";
	case CONTAIN_TAP:
		if (!a->tap_logged)
			pr_warn("containment: %s%s.action is block, but the sensor is not inline: "
				"incidents are only alerted (alert.action \"allowed\"); logged once",
				inc->intel.feed[0] ? "intel.feeds " : "detectors.", inc->intel.feed[0] ? inc->intel.feed : name);
		a->tap_logged = true;
		return NULL;
	case CONTAIN_ALLOWLISTED:
	case CONTAIN_NO_OFFENDER:
	case CONTAIN_FULL:
		memset(&k, 0, sizeof(k));
		k.prefixlen = 128;
		memcpy(k.addr, inc->offender_dst ? inc->dst : inc->src, 16);
		if (xdp_block_format(&k, text, sizeof(text)) < 0)
			snprintf(text, sizeof(text), "?");
		pr_info("containment: %s incident %llu not blocked: %s %s", name, (unsigned long long)inc->incident_id,
			text, contain_verdict_name(v));
		return NULL;
	case CONTAIN_NONE:
	default:
		return NULL;
	}
}

int appliance_contain_start(struct appliance *a, const struct xdp_maps *m, bool inline_live)
{
	struct contain_cfg cc = { 0 };

	a->maps = m;
	a->inline_live = inline_live;
	a->contain = contain_new(&cc);
	if (!a->contain) {
		pr_err("containment: %s", strerror(errno));
		return -ENOMEM;
	}
	appliance_contain_cfg(a);
	pipeline_set_action(a->pl, appliance_on_incident, a);
	return 0;
}

static void appliance_contain_drain(struct appliance *a)
{
	struct config_cidr keys[64];
	size_t n;

	if (!a->contain)
		return;
	while ((n = contain_drain(a->contain, keys, 64)) > 0)
		appliance_unblock(a, keys, n, "shutdown");
}

/* ---- learned state: sensor/state.c writes the file, the registry fills the sections ---- */

static void appliance_state_load(struct appliance *a)
{
	struct detect *d = pipeline_detect(a->pl);
	const char *path = a->cfg->state_path;
	struct state *s = NULL;
	char done[512];
	size_t o = 0;
	unsigned int i;
	int rc, total = 0;
	uint64_t now_wall = clock_ns(CLOCK_REALTIME), saved;

	rc = state_load(path, &s);
	if (rc == -ENOENT) {
		pr_info("state: no saved state at %s yet: detectors learn from scratch", path);
		return;
	}
	if (rc == -EBADMSG || rc == -EPROTO) {
		pr_warn("state: %s refused (%s): detectors learn from scratch; it is replaced at the next save", path,
			rc == -EBADMSG ? "damaged: bad magic, length or checksum" : "another version or byte order");
		return;
	}
	if (rc < 0) {
		pr_warn("state: cannot read %s: %s: detectors learn from scratch", path, strerror(-rc));
		return;
	}
	done[0] = '\0';
	for (i = 0; i < DETECT_MAX; i++) {
		const struct detect_info *di = detect_info((enum detect_id)i);
		const void *data;
		size_t len;
		int n;

		if (state_get(s, di->signature_id, &data, &len) < 0)
			continue;
		n = detect_load(d, (enum detect_id)i, data, len);
		if (n == -ENOENT)
			continue;	/* switched off now */
		if (n < 0) {
			pr_warn("state: %s: the %s section is refused (%s): that detector learns from scratch", path,
				di->name, strerror(-n));
			continue;
		}
		total += n;
		if (o < sizeof(done)) {
			int w = snprintf(done + o, sizeof(done) - o, "%s%s %d", o ? ", " : "", di->name, n);

			if (w > 0)
				o += (size_t)w;
		}
	}
	{	/* the statistics engine's host baselines (the anomaly detector judges by them) */
		const void *data;
		size_t len;
		int n;

		if (state_get(s, STATE_TAG_STATS, &data, &len) == 0) {
			n = pipeline_stats_load(a->pl, data, len);
			if (n >= 0 && o < sizeof(done)) {
				int w = snprintf(done + o, sizeof(done) - o, "%sstatistics hosts %d", o ? ", " : "", n);

				if (w > 0)
					o += (size_t)w;
				total += n;
			} else if (n < 0 && n != -ENOENT) {
				pr_warn("state: %s: the statistics section is refused (%s): host baselines are learned from scratch",
					path, strerror(-n));
			}
		}
	}
	saved = state_saved_wall_ns(s);
	pr_info("state: restored %d learned entries from %s (%s), saved %llu s ago", total, path,
		o ? done : "none", (unsigned long long)(now_wall > saved ? (now_wall - saved) / 1000000000ULL : 0));
	state_free(s);
}

/* The packet thread's time on a save, last and longest. */
static void appliance_state_timed(struct appliance *a, uint64_t t0)
{
	a->snapshot_ns = clock_ns(CLOCK_MONOTONIC) - t0;
	if (a->snapshot_ns > a->snapshot_max_ns)
		a->snapshot_max_ns = a->snapshot_ns;
}

/*
 * The snapshot: every detector's section serialised into a->image. On the
 * packet thread: memory copies only (the image keeps its buffer from one
 * snapshot to the next).
 */
static int appliance_state_snapshot(struct appliance *a)
{
	struct detect *d = pipeline_detect(a->pl);
	unsigned int i;
	int rc = 0;

	state_image_begin(a->image, clock_ns(CLOCK_REALTIME));
	for (i = 0; i < DETECT_MAX; i++) {
		size_t size = detect_save_size(d, (enum detect_id)i);
		void *data;
		long len;

		if (!size)
			continue;
		rc = state_image_reserve(a->image, detect_info((enum detect_id)i)->signature_id, size, &data);
		if (rc < 0)
			goto cleanup;
		len = detect_save(d, (enum detect_id)i, data, size);
		if (len < 0) {
			rc = (int)len;
			goto cleanup;
		}
		rc = state_image_commit(a->image, (size_t)len);
		if (rc < 0)
			goto cleanup;
	}
	if (pipeline_stats_engine(a->pl)) {
		const struct stats *st = pipeline_stats_engine(a->pl);
		void *data;
		long len;

		rc = state_image_reserve(a->image, STATE_TAG_STATS, stats_save_size(st), &data);
		if (rc < 0)
			goto cleanup;
		len = stats_save(st, data, stats_save_size(st));
		if (len < 0) {
			rc = (int)len;
			goto cleanup;
		}
		rc = state_image_commit(a->image, (size_t)len);
	}
cleanup:
	if (rc < 0) {
		a->save_failures++;
		pr_err("state: cannot save %s: snapshot: %s", a->cfg->state_path, strerror(-rc));
	}
	return rc;
}

static void appliance_state_write_done(struct appliance *a, int rc, uint64_t ns)
{
	a->save_ns = ns;
	if (ns > a->save_max_ns)
		a->save_max_ns = ns;
	if (rc < 0) {
		a->save_failures++;
		pr_err("state: cannot save %s: %s", a->cfg->state_path, strerror(-rc));
	} else {
		a->saves++;
	}
}

/* Count (and log a failure of) the write the writer finished since the last look. */
static void appliance_state_reap(struct appliance *a)
{
	struct state_writer_stats st;

	if (!a->writer || state_writer_busy(a->writer))
		return;
	state_writer_stats(a->writer, &st);
	if (st.writes == a->writes_seen)
		return;
	a->writes_seen = st.writes;
	appliance_state_write_done(a, st.last_rc, st.last_ns);
}

/*
 * Periodic: snapshot here, the writer thread writes; never waits for the disk.
 * Everything it costs the packet thread (snapshot and hand-off) is timed.
 */
static void appliance_state_save_async(struct appliance *a)
{
	uint64_t t0;
	int rc;

	if (state_writer_busy(a->writer)) {
		a->saves_skipped++;
		return;
	}
	t0 = clock_ns(CLOCK_MONOTONIC);
	appliance_state_reap(a);
	if (appliance_state_snapshot(a) == 0) {	/* a failed one is counted and logged there */
		/* not -EBUSY: busy was checked above and only this thread submits */
		rc = state_writer_submit(a->writer, &a->image);
		if (rc < 0) {
			a->save_failures++;
			pr_err("state: cannot save %s: writer: %s", a->cfg->state_path, strerror(-rc));
		}
	}
	appliance_state_timed(a, t0);
	pr_debug("state: snapshot handed to the writer in %.3f ms", (double)a->snapshot_ns / 1e6);
}

/*
 * Shutdown: the write in flight finishes, the writer is joined, and the last
 * snapshot is written here, synchronously (the poller has stopped).
 */
static int appliance_state_save_final(struct appliance *a)
{
	uint64_t t0;
	int rc;

	state_writer_stop(a->writer);
	appliance_state_reap(a);
	t0 = clock_ns(CLOCK_MONOTONIC);
	rc = appliance_state_snapshot(a);
	appliance_state_timed(a, t0);
	if (rc < 0)
		return rc;
	t0 = clock_ns(CLOCK_MONOTONIC);
	rc = state_write(a->cfg->state_path, a->image);
	appliance_state_write_done(a, rc, clock_ns(CLOCK_MONOTONIC) - t0);
	return rc;
}

static void *appliance_reload_thread(void *arg)
{
	struct appliance_reload *r = arg;

	if (r->delay_ns) {
		struct timespec ts = { .tv_sec = (time_t)(r->delay_ns / 1000000000ULL),
				       .tv_nsec = (long)(r->delay_ns % 1000000000ULL) };

		nanosleep(&ts, NULL);
	}
	config_defaults(r->next);
	r->rc = config_load(r->next, r->path, &r->err);
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* SIGHUP: start parsing the file off the packet thread (once more afterwards if one is in flight). */
static void appliance_reload_start(struct appliance *a)
{
	struct appliance_reload *r = &a->reload;
	int rc;

	if (r->running) {
		r->again = true;
		return;
	}
	if (!r->next)
		r->next = malloc(sizeof(*r->next));
	if (!r->next) {
		a->reload_failures++;
		pr_err("reload refused, running configuration kept: out of memory");
		return;
	}
	r->path = a->config_path;
	r->done = 0;
	memset(&r->err, 0, sizeof(r->err));
	rc = pthread_create(&r->thr, NULL, appliance_reload_thread, r);
	if (rc) {
		a->reload_failures++;
		pr_err("reload refused, running configuration kept: cannot start the parse: %s", strerror(rc));
		return;
	}
	r->running = true;
	pr_info("reload: reading %s", a->config_path);
}

/* intel.feeds after a (re)load: the feeds are read by their own thread; SIGHUP re-reads them all. */
static void appliance_intel_cfg(struct appliance *a)
{
	if (!a->intel && a->cfg->n_intel_feeds) {
		a->intel = intel_new(a->cfg);
		if (!a->intel)
			pr_err("intel: cannot start the feed reader: %s", strerror(errno));
	} else if (a->intel) {
		intel_reconfigure(a->intel, a->cfg);
	}
	detect_set_intel(pipeline_detect(a->pl), intel_poll(a->intel));
}

/* On the packet thread, once the parse is done: swap the new settings in (cheap: no I/O here). */
static void appliance_reload_apply(struct appliance *a)
{
	struct appliance_reload *r = &a->reload;
	enum log_level level = LOG_LEVEL_INFO;
	char kept[512];
	int rc, n;

	if (!r->running || !__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
		return;
	pthread_join(r->thr, NULL);
	r->running = false;
	if (r->rc < 0) {
		a->reload_failures++;
		pr_err("reload refused, running configuration kept: %s", r->err.msg[0] ? r->err.msg : strerror(-r->rc));
	} else {
		n = reload_prepare(a->cfg, r->next, kept, sizeof(kept));
		if (n)
			pr_warn("reload: %s changed but need%s a restart; running values kept", kept, n == 1 ? "s" : "");
		/* the pipeline and its detectors borrow *a->cfg: home_net, allowlists and
		 * timeouts they read from it apply from the next packet; nothing learned is reset */
		*a->cfg = *r->next;
		rc = detect_reconfigure(pipeline_detect(a->pl), a->cfg);
		appliance_intel_cfg(a);
		if (rc < 0)
			pr_err("reload: detector settings not applied: %s", strerror(-rc));
		appliance_contain_cfg(a);
		(void)log_level_parse(a->cfg->log_level, &level);	/* the config table admits only log_level_names */
		log_setup("vigil-sensor", level);
		a->reloads++;
		pr_info("reloaded %s", a->config_path);
	}
	if (r->again) {
		r->again = false;
		appliance_reload_start(a);
	}
}

static void appliance_snapshot(struct appliance *a)
{
	struct metrics_snapshot s;
	struct pipeline_stats ps;
	struct detect_stats ds;
	struct intel_stats is;
	unsigned int i;
	int n;

	memset(&s, 0, sizeof(s));
	if (a->stats_fd >= 0 && xdp_stats_read(a->stats_fd, s.xdp) == 0)
		s.have_xdp = true;
	if (a->user) {
		vigil_user_stats(a->user, s.xdp);
		s.have_xdp = true;
		s.have_flow_table = true;
		s.flow_entries = vigil_user_flows(a->user);
		s.flow_capacity = a->cfg->xdp_flow_entries;
	}
	pipeline_get_stats(a->pl, &ps);
	s.packets = ps.packets;
	memcpy(s.parse, ps.parse, sizeof(s.parse));
	s.flows = ps.flows;
	s.harvest_errors = ps.harvest_errors;
	s.alerts = ps.alerts;
	s.alerts_dropped = ps.alerts_dropped;
	pipeline_get_detect_stats(a->pl, &ds);
	for (i = 0; i < DETECT_MAX && s.n_detectors < METRICS_MAX_DETECTORS; i++) {
		struct detect_detector_stats dd;
		unsigned int k = s.n_detectors++;

		pipeline_get_detector_stats(a->pl, (enum detect_id)i, &dd);
		s.det[k].name = detect_info((enum detect_id)i)->name;
		s.det[k].incidents = ds.incidents[i];
		s.det[k].hosts = dd.hosts;
		s.det[k].learning = dd.learning;
		s.det[k].evictions = dd.evictions;
		s.det[k].restored = dd.restored;
	}
	if (a->pub) {
		struct publish_stats pst;

		publish_stats(a->pub, &pst);
		s.have_spool = true;
		s.spool_depth = pst.queued;
		s.spool_dropped = pst.dropped_full + pst.dropped_spool;
		s.spool_acked = pst.acked;
		s.collector_connected = pst.connected;
	}
	s.reloads = a->reloads;
	s.reload_failures = a->reload_failures;
	s.state_saves = a->saves;
	s.state_save_failures = a->save_failures;
	s.state_saves_skipped = a->saves_skipped;
	if (a->poller) {
		s.have_poller = true;
		s.poller_busy_ns = a->poller->busy_ns;
		s.poller_bursts = a->poller->bursts;
		s.poller_empty_polls = a->poller->empty_polls;
	}
	s.state_save_ns = a->save_ns;
	s.state_snapshot_ns = a->snapshot_ns;
	s.start_time_s = a->start_s;
	intel_get_stats(a->intel, &is);
	s.intel = &is;
	n = metrics_format(&s, a->text, 65536);
	if (n > 0)
		metrics_publish(a->metrics, a->text, (size_t)n);
}

struct appliance *appliance_new(struct config *cfg, const char *config_path, struct pipeline *pl,
				struct publish *pub, int stats_fd, int flows_fd)
{
	struct appliance *a = calloc(1, sizeof(*a));
	struct sigaction sa;

	if (!a)
		return NULL;
	a->cfg = cfg;
	a->config_path = config_path;
	a->pl = pl;
	a->pub = pub;
	a->stats_fd = stats_fd;
	a->start_s = clock_ns(CLOCK_REALTIME) / 1000000000ULL;
	{
		const char *delay = getenv("VIGIL_TEST_RELOAD_DELAY_MS");

		if (delay && delay[0]) {
			a->reload.delay_ns = strtoull(delay, NULL, 10) * 1000000ULL;
			pr_warn("reload: VIGIL_TEST_RELOAD_DELAY_MS=%s: every reload's parse waits that long first (a test "
				"hook, not for service)", delay);
		}
	}
	if (cfg->metrics_listen[0]) {
		a->text = malloc(65536);
		a->metrics = a->text ? metrics_new(cfg->metrics_listen, flows_fd, cfg->xdp_flow_entries) : NULL;
		if (!a->metrics) {
			int e = errno;

			pr_err("cannot serve metrics on %s: %s", cfg->metrics_listen, strerror(e));
			appliance_free(a);
			errno = e;
			return NULL;
		}
		pr_info("metrics on http://%s/metrics", cfg->metrics_listen);
		appliance_snapshot(a);
	}
	if (cfg->state_path[0]) {
		struct state_writer_cfg wc = { .path = cfg->state_path, .keep_signal = caps_signal() };
		const char *delay = getenv("VIGIL_TEST_STATE_WRITE_DELAY_MS");

		if (delay && delay[0]) {
			wc.delay_ns = strtoull(delay, NULL, 10) * 1000000ULL;
			pr_warn("state: VIGIL_TEST_STATE_WRITE_DELAY_MS=%s: every periodic write waits that long first "
				"(a test hook, not for service)", delay);
		}
		char why[160] = "";
		int rc = state_dir_check(cfg->state_path, why, sizeof(why));

		if (rc) {
			pr_err("state: cannot save to %s: its directory: %s", cfg->state_path,
			       rc == -EPERM ? why : strerror(-rc));
			appliance_free(a);
			errno = -rc;
			return NULL;
		}
		appliance_state_load(a);
		a->image = state_image_new();
		a->writer = a->image ? state_writer_new(&wc) : NULL;
		if (!a->writer) {
			int e = a->image ? errno : ENOMEM;

			pr_err("cannot start the state writer: %s", strerror(e));
			appliance_free(a);
			errno = e;
			return NULL;
		}
		a->next_save_ns = clock_ns(CLOCK_MONOTONIC) + (uint64_t)cfg->state_save_s * 1000000000ULL;
	}
	if (cfg->n_intel_feeds) {
		a->intel = intel_new(cfg);
		if (!a->intel) {
			int e = errno;

			pr_err("intel: cannot start the feed reader: %s", strerror(e));
			appliance_free(a);
			errno = e;
			return NULL;
		}
		detect_set_intel(pipeline_detect(pl), intel_poll(a->intel));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = appliance_on_hup;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	return a;
}

void appliance_tick(struct appliance *a, uint64_t now_ns)
{
	uint64_t mono;

	if (!a)
		return;
	if (appliance_hup) {
		char msg[512];

		appliance_hup = 0;
		/* logrotate's postrotate sends SIGHUP: reopen first, so no line goes to the moved file */
		if (output_reopen(a->output, msg, sizeof(msg)) < 0)
			pr_warn("%s", msg);
		appliance_reload_start(a);
	}
	appliance_reload_apply(a);
	if (a->intel)	/* a reload of the feeds, if one is ready: one pointer, between frames */
		detect_set_intel(pipeline_detect(a->pl), intel_poll(a->intel));
	if (a->contain && contain_active(a->contain)) {
		/* TTLs run on the incidents' clock (packet time in replay) */
		struct config_cidr keys[64];
		size_t n;

		while ((n = contain_expired(a->contain, now_ns, keys, 64)) > 0)
			appliance_unblock(a, keys, n, "TTL ended");
	}
	/* the rest is housekeeping on the wall clock */
	mono = clock_ns(CLOCK_MONOTONIC);
	if (a->writer) {
		appliance_state_reap(a);
		if (mono >= a->next_save_ns) {
			appliance_state_save_async(a);
			a->next_save_ns = mono + (uint64_t)a->cfg->state_save_s * 1000000000ULL;
		}
	}
	if (!a->metrics)
		return;
	/* once a second, and at once when an alert event was emitted (at most ten times a second):
	 * a scraper sees an incident when it opens, not up to a second later */
	if (mono >= a->next_metrics_ns ||
	    (pipeline_events(a->pl) != a->metrics_events && mono + 900000000ULL >= a->next_metrics_ns)) {
		a->metrics_events = pipeline_events(a->pl);
		appliance_snapshot(a);
		a->next_metrics_ns = mono + 1000000000ULL;
	}
}

void appliance_stop(struct appliance *a)
{
	if (!a)
		return;
	if (a->writer && appliance_state_save_final(a) == 0)
		pr_info("state: saved to %s (%u sections, %zu bytes in %.3f s); periodic saves: %llu written, "
			"%llu failed, %llu skipped while a write was in flight; packet thread: longest snapshot "
			"%.3f ms; longest write %.3f s", a->cfg->state_path, state_image_sections(a->image),
			state_image_len(a->image), (double)a->save_ns / 1e9,
			(unsigned long long)(a->saves - 1), (unsigned long long)a->save_failures,
			(unsigned long long)a->saves_skipped, (double)a->snapshot_max_ns / 1e6,
			(double)a->save_max_ns / 1e9);
	appliance_contain_drain(a);
}

void appliance_free(struct appliance *a)
{
	if (!a)
		return;
	if (a->reload.running)
		pthread_join(a->reload.thr, NULL);	/* a parse in flight ends by itself (regular files only) */
	free(a->reload.next);
	appliance_contain_drain(a);	/* error paths: nothing stays blocked without its TTL */
	contain_free(a->contain);
	state_writer_free(a->writer);	/* error paths: the write in flight finishes */
	state_image_free(a->image);
	if (a->metrics) {
		appliance_snapshot(a); /* a last scrape sees the final counters */
		metrics_free(a->metrics);
	}
	if (a->intel) {	/* after the last snapshot, which reads its counters */
		detect_set_intel(pipeline_detect(a->pl), NULL);
		intel_free(a->intel);
	}
	free(a->text);
	free(a);
}

void appliance_set_output(struct appliance *a, struct output *o)
{
	if (a)
		a->output = o;
}

void appliance_get_intel_stats(struct appliance *a, struct intel_stats *out)
{
	intel_get_stats(a ? a->intel : NULL, out);
}

void appliance_set_poller(struct appliance *a, const struct poller_stats *ps)
{
	a->poller = ps;
}

void appliance_set_user(struct appliance *a, const struct vigil_user *u)
{
	a->user = u;
}
