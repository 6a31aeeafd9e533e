// SPDX-License-Identifier: GPL-2.0-only
/*
 * intel.c: feeds kept current without pausing the packets. A thread of its
 * own stats the files (and re-reads all on SIGHUP), parses what changed and
 * publishes a new set; the packet thread only swaps a pointer between frames
 * and hands the old set back. Feeds are reference counted by the thread
 * alone, so a feed unchanged by a reload is shared, never copied.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpsl.h>

#include "clock.h"
#include "intel.h"
#include "log.h"

struct intel_ref {
	struct intel_feed *f;
	uint32_t refs;		/* sets holding it + 1 while it is its slot's version (thread only) */
};

struct intel_slot {
	struct config_feed cfg;	/* what cur was loaded as */
	struct intel_ref *cur;	/* the version in use, NULL: none yet */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool seen;		/* the stat fields hold the file loaded or tried last */
	bool missing;		/* the file was not there at the last look (said once) */
	uint64_t loads, errors;	/* under mu */
};

struct intel {
	pthread_t thr;
	bool thr_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	/* under mu */
	bool stop, force, busy;
	struct config_feed want[CONFIG_MAX_FEEDS];	/* the config's feeds */
	uint32_t n_want;
	uint32_t check_s;
	struct intel_set *pending;	/* published, not yet taken */
	int pending_flag;		/* atomic: pending != NULL (the packet thread's cheap test) */
	struct intel_set *retired;	/* handed back by the packet thread */
	uint64_t reloads;
	/* thread only (and intel_new before it starts) */
	struct intel_slot slot[CONFIG_MAX_FEEDS];
	uint32_t n_slot;
	psl_ctx_t *psl;
	bool psl_owned;
	/* packet thread */
	struct intel_set *current;
	uint64_t hits[CONFIG_MAX_FEEDS];
	char hit_names[CONFIG_MAX_FEEDS][CONFIG_FEED_NAME_LEN];
};

bool intel_set_match_addr(const struct intel_set *s, const uint8_t addr[16], struct intel_hit *hit)
{
	uint32_t i;

	for (i = 0; s && i < s->n; i++) {
		const struct intel_ind *ind = intel_feed_match_addr(s->feed[i].f, addr);

		if (ind) {
			hit->feed = &s->feed[i];
			hit->ind = ind;
			hit->confidence = ind->confidence <= 100 ? ind->confidence : s->feed[i].confidence;
			return true;
		}
	}
	return false;
}

bool intel_set_match_name(const struct intel_set *s, const char *name, struct intel_hit *hit)
{
	uint32_t i;

	for (i = 0; s && i < s->n; i++) {
		const struct intel_ind *ind = intel_feed_match_name(s->feed[i].f, name);

		if (ind) {
			hit->feed = &s->feed[i];
			hit->ind = ind;
			hit->confidence = ind->confidence <= 100 ? ind->confidence : s->feed[i].confidence;
			return true;
		}
	}
	return false;
}

static void intel_ref_put(struct intel_ref *r)
{
	if (r && !--r->refs) {
		intel_feed_free(r->f);
		free(r);
	}
}

static void intel_set_release(struct intel_set *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++)
		intel_ref_put(s->feed[i].ref);
	free(s);
}

/* A set of the slots' current versions (each referenced once more); NULL on ENOMEM. */
static struct intel_set *intel_set_build(struct intel *o)
{
	struct intel_set *s = calloc(1, sizeof(*s));
	uint32_t i;

	if (!s)
		return NULL;
	for (i = 0; i < o->n_slot; i++) {
		struct intel_set_feed *sf = &s->feed[i];
		struct intel_slot *sl = &o->slot[i];

		memcpy(sf->name, sl->cfg.name, sizeof(sf->name));
		sf->severity = (uint8_t)sl->cfg.severity;
		sf->confidence = (uint8_t)sl->cfg.confidence;
		sf->action = sl->cfg.action;
		sf->hits = &o->hits[i];
		if (sl->cur) {
			sl->cur->refs++;
			sf->f = sl->cur->f;
			sf->ref = sl->cur;
		}
	}
	s->n = o->n_slot;
	return s;
}

static bool intel_same_file(const struct config_feed *a, const struct config_feed *b)
{
	return !strcmp(a->path, b->path) && a->format == b->format;
}

/*
 * Bring slot i to want (its config): re-read the file when forced, when the
 * config names another file, or when the file changed. true if the slot's
 * set entry changed (a new version or new settings).
 */
static bool intel_slot_update(struct intel *o, uint32_t i, const struct config_feed *want, bool force)
{
	struct intel_slot *sl = &o->slot[i];
	struct intel_feed_error err;
	struct intel_feed *f;
	struct stat st;
	bool other = !intel_same_file(&sl->cfg, want) || i >= o->n_slot, settings;
	int rc;

	settings = other || memcmp(&sl->cfg, want, sizeof(*want));
	if (other) {	/* another file: the old version is no version of this one */
		if (sl->cur) {
			intel_ref_put(sl->cur);
			sl->cur = NULL;
		}
		sl->seen = false;
	}
	sl->cfg = *want;
	if (stat(want->path, &st) != 0 && !force && sl->missing)
		return settings;
	if (stat(want->path, &st) == 0 && !force && sl->seen && st.st_dev == sl->dev && st.st_ino == sl->ino &&
	    st.st_size == sl->size && st.st_mtim.tv_sec == sl->mtime.tv_sec && st.st_mtim.tv_nsec == sl->mtime.tv_nsec)
		return settings;
	rc = intel_feed_load(want->path, (enum intel_format)want->format, o->psl, &f, &err);
	sl->missing = stat(want->path, &st) != 0;
	if (!sl->missing) {
		sl->dev = st.st_dev;
		sl->ino = st.st_ino;
		sl->size = st.st_size;
		sl->mtime = st.st_mtim;
		sl->seen = true;
	}
	if (rc < 0) {
		pthread_mutex_lock(&o->mu);
		sl->errors++;
		pthread_mutex_unlock(&o->mu);
		if (sl->cur)
			pr_err("intel: feed %s: %s; its previous version stays in use (%u addresses, %u names)", want->name,
			       err.msg, intel_feed_count(sl->cur->f, INTEL_TYPE_IPV4) +
			       intel_feed_count(sl->cur->f, INTEL_TYPE_IPV6), intel_feed_count(sl->cur->f, INTEL_TYPE_DOMAIN));
		else
			pr_err("intel: feed %s: %s; the feed is empty until it parses", want->name, err.msg);
		return settings;
	} else {
		struct intel_ref *r = malloc(sizeof(*r));
		const char *why;
		uint32_t ign = intel_feed_ignored(f, &why);

		if (!r) {
			intel_feed_free(f);
			pthread_mutex_lock(&o->mu);
			sl->errors++;
			pthread_mutex_unlock(&o->mu);
			pr_err("intel: feed %s: out of memory; its previous version stays in use", want->name);
			return settings;
		}
		r->f = f;
		r->refs = 1;
		intel_ref_put(sl->cur);
		sl->cur = r;
		pthread_mutex_lock(&o->mu);
		sl->loads++;
		pthread_mutex_unlock(&o->mu);
		pr_info("intel: feed %s: %u IPv4 and %u IPv6 prefixes, %u names from %s", want->name,
			intel_feed_count(f, INTEL_TYPE_IPV4), intel_feed_count(f, INTEL_TYPE_IPV6),
			intel_feed_count(f, INTEL_TYPE_DOMAIN), want->path);
		if (ign)
			pr_warn("intel: feed %s: %u entr%s skipped (%s)", want->name, ign, ign == 1 ? "y" : "ies", why);
		return true;
	}
}

/* Every wanted feed brought up to date; true if the set changed. */
static bool intel_scan(struct intel *o, const struct config_feed *want, uint32_t n_want, bool force)
{
	bool changed = n_want != o->n_slot;
	uint32_t i;

	for (i = 0; i < n_want; i++)
		changed |= intel_slot_update(o, i, &want[i], force);
	for (; i < o->n_slot; i++) {	/* feeds no longer configured */
		intel_ref_put(o->slot[i].cur);
		memset(&o->slot[i], 0, sizeof(o->slot[i]));
	}
	o->n_slot = n_want;
	return changed;
}

static void intel_release_retired(struct intel *o)
{
	struct intel_set *s;

	pthread_mutex_lock(&o->mu);
	s = o->retired;
	o->retired = NULL;
	pthread_mutex_unlock(&o->mu);
	while (s) {
		struct intel_set *n = s->next;

		intel_set_release(s);
		s = n;
	}
}

static void *intel_thread(void *arg)
{
	struct intel *o = arg;
	struct config_feed want[CONFIG_MAX_FEEDS];
	uint32_t n_want;
	bool force;

	pthread_mutex_lock(&o->mu);
	while (!o->stop) {
		if (!o->force) {
			if (o->check_s) {
				uint64_t t = clock_mono_ns() + (uint64_t)o->check_s * 1000000000ULL;
				struct timespec ts = { .tv_sec = (time_t)(t / 1000000000ULL),
						       .tv_nsec = (long)(t % 1000000000ULL) };

				pthread_cond_timedwait(&o->cv, &o->mu, &ts);
			} else {
				pthread_cond_wait(&o->cv, &o->mu);
			}
		}
		if (o->stop)
			break;
		force = o->force;
		o->force = false;
		o->busy = true;
		n_want = o->n_want;
		memcpy(want, o->want, sizeof(want));
		pthread_mutex_unlock(&o->mu);

		intel_release_retired(o);
		if (intel_scan(o, want, n_want, force)) {
			struct intel_set *s = intel_set_build(o), *old;

			pthread_mutex_lock(&o->mu);
			old = o->pending;
			if (s) {
				o->pending = s;
				__atomic_store_n(&o->pending_flag, 1, __ATOMIC_RELEASE);
			}
			pthread_mutex_unlock(&o->mu);
			if (s && old)
				intel_set_release(old);	/* never taken */
			if (!s)
				pr_err("intel: out of memory: the feeds in use stay");
		}
		pthread_mutex_lock(&o->mu);
		o->busy = false;
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

struct intel *intel_new(const struct config *cfg)
{
	struct intel *o = calloc(1, sizeof(*o));
	pthread_condattr_t ca;
	int rc;

	if (!o)
		return NULL;
	pthread_mutex_init(&o->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&o->cv, &ca);
	pthread_condattr_destroy(&ca);
	/* the system's list (package publicsuffix), else the one built into libpsl */
	o->psl = psl_latest(NULL);
	o->psl_owned = o->psl != NULL;
	if (!o->psl)
		o->psl = (psl_ctx_t *)psl_builtin();
	o->n_want = cfg->n_intel_feeds;
	memcpy(o->want, cfg->intel_feeds, sizeof(o->want));
	o->check_s = cfg->intel_check_s;
	for (rc = 0; rc < (int)o->n_want; rc++)
		memcpy(o->hit_names[rc], o->want[rc].name, sizeof(o->hit_names[rc]));
	intel_scan(o, o->want, o->n_want, true);
	o->current = intel_set_build(o);
	if (!o->current) {
		intel_free(o);
		errno = ENOMEM;
		return NULL;
	}
	rc = pthread_create(&o->thr, NULL, intel_thread, o);
	if (rc) {
		intel_free(o);
		errno = rc;
		return NULL;
	}
	o->thr_started = true;
	return o;
}

void intel_free(struct intel *o)
{
	uint32_t i;

	if (!o)
		return;
	if (o->thr_started) {
		pthread_mutex_lock(&o->mu);
		o->stop = true;
		pthread_cond_signal(&o->cv);
		pthread_mutex_unlock(&o->mu);
		pthread_join(o->thr, NULL);
	}
	intel_release_retired(o);
	intel_set_release(o->pending);
	intel_set_release(o->current);
	for (i = 0; i < o->n_slot; i++)
		intel_ref_put(o->slot[i].cur);
	if (o->psl_owned)
		psl_free(o->psl);
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	free(o);
}

const struct intel_set *intel_poll(struct intel *o)
{
	struct intel_set *s, *old;

	if (!o)
		return NULL;
	if (!__atomic_load_n(&o->pending_flag, __ATOMIC_ACQUIRE))
		return o->current;
	pthread_mutex_lock(&o->mu);
	s = o->pending;
	o->pending = NULL;
	__atomic_store_n(&o->pending_flag, 0, __ATOMIC_RELAXED);
	if (s) {
		old = o->current;
		o->current = s;
		old->next = o->retired;
		o->retired = old;
		o->reloads++;
	}
	pthread_mutex_unlock(&o->mu);
	return o->current;
}

void intel_reconfigure(struct intel *o, const struct config *cfg)
{
	uint32_t i;

	if (!o)
		return;
	/* a slot that now holds another feed starts counting its hits again */
	for (i = 0; i < CONFIG_MAX_FEEDS; i++)
		if (i >= cfg->n_intel_feeds || strcmp(o->hit_names[i], cfg->intel_feeds[i].name)) {
			o->hits[i] = 0;
			memcpy(o->hit_names[i], i < cfg->n_intel_feeds ? cfg->intel_feeds[i].name : "",
			       i < cfg->n_intel_feeds ? sizeof(o->hit_names[i]) : 1);
		}
	pthread_mutex_lock(&o->mu);
	o->n_want = cfg->n_intel_feeds;
	memcpy(o->want, cfg->intel_feeds, sizeof(o->want));
	o->check_s = cfg->intel_check_s;
	o->force = true;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
}

void intel_get_stats(struct intel *o, struct intel_stats *out)
{
	const struct intel_set *s = o ? o->current : NULL;
	uint32_t i, t;

	memset(out, 0, sizeof(*out));
	if (!o)
		return;
	pthread_mutex_lock(&o->mu);
	out->reloads = o->reloads;
	for (i = 0; i < o->n_want && i < CONFIG_MAX_FEEDS; i++) {
		struct intel_feed_stats *fs = &out->feed[i];

		memcpy(fs->name, o->want[i].name, sizeof(fs->name));
		fs->loads = o->slot[i].loads;
		fs->errors = o->slot[i].errors;
		out->reload_errors += fs->errors;
	}
	out->n = i;
	pthread_mutex_unlock(&o->mu);
	/* what is in use: the packet thread's set (this is the packet thread) */
	for (i = 0; s && i < s->n && i < out->n; i++) {
		if (strcmp(s->feed[i].name, out->feed[i].name))
			continue;
		out->feed[i].loaded = s->feed[i].f != NULL;
		for (t = 0; t < INTEL_TYPE_MAX; t++)
			out->feed[i].indicators[t] = intel_feed_count(s->feed[i].f, (enum intel_type)t);
		out->feed[i].ignored = intel_feed_ignored(s->feed[i].f, NULL);
	}
	for (i = 0; i < out->n; i++)
		out->feed[i].hits = o->hits[i];
}

bool intel_idle(struct intel *o)
{
	bool idle;

	pthread_mutex_lock(&o->mu);
	idle = !o->force && !o->busy && !o->pending;
	pthread_mutex_unlock(&o->mu);
	return idle;
}
