// SPDX-License-Identifier: GPL-2.0-only
/*
 * collector_evidence.c: the state behind `vigil-collector evidence`, kept out
 * of the receive loop so it can be tested without sockets: routing ids by
 * sensor, the requests in flight, and the safe storing of a fetched file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "atomic_file.h"
#include "collector_evidence.h"

struct collector_ev_route {
	char sensor[WIRE_NAME_MAX + 1];
	uint8_t rid[COLLECTOR_EV_RID_MAX];
	size_t rid_len;
	int64_t seen_ms;
};

struct collector_ev_routes {
	struct collector_ev_route *r;
	size_t n, cap, max;
	uint32_t *slots;	/* index + 1 into r, 0: empty; nslots a power of two, at most half full */
	size_t nslots;
};

int collector_ctl_req_decode(const struct wire_frame *f, size_t n, struct collector_ctl_req *req)
{
	if (n != COLLECTOR_CTL_REQ_FRAMES || f[0].len != WIRE_MAGIC_LEN ||
	    memcmp(f[0].data, COLLECTOR_CTL_MAGIC_REQ, WIRE_MAGIC_LEN) || f[1].len != WIRE_SEQ_LEN)
		return -EINVAL;
	req->incident_id = wire_get_u64(f[1].data);
	if (!req->incident_id || (f[2].len && !wire_name_valid(f[2].data, f[2].len)))
		return -EINVAL;
	memcpy(req->sensor, f[2].data, f[2].len);
	req->sensor[f[2].len] = '\0';
	return 0;
}

int collector_ctl_rep_decode(const struct wire_frame *f, size_t n, struct collector_ctl_rep *rep)
{
	if (n != COLLECTOR_CTL_REP_FRAMES || f[0].len != WIRE_MAGIC_LEN ||
	    memcmp(f[0].data, COLLECTOR_CTL_MAGIC_REP, WIRE_MAGIC_LEN) || f[1].len != 1 ||
	    *(const uint8_t *)f[1].data >= COLLECTOR_EV_STATUS_MAX)
		return -EINVAL;
	rep->status = (enum collector_ev_status)*(const uint8_t *)f[1].data;
	rep->msg = f[2];
	rep->sensor = f[3];
	rep->file_name = f[4];
	rep->sha256 = f[5];
	rep->path = f[6];
	rep->data = f[7];
	if (rep->status == COLLECTOR_EV_OK &&
	    (!wire_ev_file_name_valid(f[4].data, f[4].len) || f[5].len != WIRE_SHA256_HEX || !f[7].len))
		return -EINVAL;
	return 0;
}

struct collector_ev_routes *collector_ev_routes_new(size_t max)
{
	struct collector_ev_routes *r = calloc(1, sizeof(struct collector_ev_routes));

	if (r)
		r->max = max ? max : COLLECTOR_EV_ROUTES_MAX;
	return r;
}

void collector_ev_routes_free(struct collector_ev_routes *r)
{
	if (!r)
		return;
	free(r->slots);
	free(r->r);
	free(r);
}

static size_t collector_ev_routes_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return (size_t)h;
}

static struct collector_ev_route *collector_ev_routes_find(const struct collector_ev_routes *r, const char *sensor)
{
	size_t mask = r->nslots - 1;

	if (!r->nslots)
		return NULL;
	for (size_t i = collector_ev_routes_hash(sensor) & mask; r->slots[i]; i = (i + 1) & mask)
		if (!strcmp(r->r[r->slots[i] - 1].sensor, sensor))
			return &r->r[r->slots[i] - 1];
	return NULL;
}

static void collector_ev_routes_index(struct collector_ev_routes *r, size_t idx)
{
	size_t mask = r->nslots - 1, i;

	for (i = collector_ev_routes_hash(r->r[idx].sensor) & mask; r->slots[i]; i = (i + 1) & mask)
		;
	r->slots[i] = (uint32_t)(idx + 1);
}

int collector_ev_routes_set(struct collector_ev_routes *r, const char *sensor, const void *rid, size_t rid_len,
			    int64_t now_ms)
{
	struct collector_ev_route *e = collector_ev_routes_find(r, sensor);

	if (rid_len == 0 || rid_len > COLLECTOR_EV_RID_MAX || strlen(sensor) > WIRE_NAME_MAX)
		return -EINVAL;
	if (!e) {
		if (r->n >= r->max)
			return -ENOSPC;
		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			struct collector_ev_route *nr = realloc(r->r, cap * sizeof(*nr));

			if (!nr)
				return -ENOMEM;
			r->r = nr;
			r->cap = cap;
		}
		if (2 * (r->n + 1) > r->nslots) {
			size_t nslots = r->nslots ? 2 * r->nslots : 32;
			uint32_t *t = calloc(nslots, sizeof(*t));

			if (!t)
				return -ENOMEM;
			free(r->slots);
			r->slots = t;
			r->nslots = nslots;
			for (size_t i = 0; i < r->n; i++)
				collector_ev_routes_index(r, i);
		}
		e = &r->r[r->n];
		snprintf(e->sensor, sizeof(e->sensor), "%s", sensor);
		collector_ev_routes_index(r, r->n);
		r->n++;
	}
	memcpy(e->rid, rid, rid_len);
	e->rid_len = rid_len;
	e->seen_ms = now_ms;
	return 0;
}

const uint8_t *collector_ev_routes_get(const struct collector_ev_routes *r, const char *sensor, size_t *rid_len,
				       int64_t *seen_ms)
{
	const struct collector_ev_route *e = collector_ev_routes_find(r, sensor);

	if (!e)
		return NULL;
	*rid_len = e->rid_len;
	if (seen_ms)
		*seen_ms = e->seen_ms;
	return e->rid;
}

struct collector_ev_pending *collector_ev_pending_slot(struct collector_ev_pending *table)
{
	for (size_t i = 0; i < COLLECTOR_EV_PENDING_MAX; i++)
		if (!table[i].used)
			return &table[i];
	return NULL;
}

struct collector_ev_pending *collector_ev_pending_match(struct collector_ev_pending *table, const struct wire_evrep *rep,
							const void *rid, size_t rid_len)
{
	for (size_t i = 0; i < COLLECTOR_EV_PENDING_MAX; i++) {
		struct collector_ev_pending *p = &table[i];

		/* another sensor (any listed key) must not be able to answer for this one */
		if (p->used && p->request_id == rep->request_id && strlen(p->sensor) == rep->sensor_len &&
		    !memcmp(p->sensor, rep->sensor, rep->sensor_len) && p->sensor_rid_len == rid_len &&
		    !memcmp(p->sensor_rid, rid, rid_len))
			return p;
	}
	return NULL;
}

bool collector_ev_sensor_path_ok(const char *name)
{
	return name && wire_name_valid(name, strlen(name)) && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/');
}

/* mkdir -p path (mode 0750); an existing directory is fine. */
static int collector_ev_mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0750) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	if (mkdir(path, 0750) && errno != EEXIST)
		return -errno;
	return 0;
}

int collector_ev_save(const char *dir, const char *sensor, const char *file, const void *data, size_t len,
		      char *path, size_t path_len, char *why, size_t whylen)
{
	int dirfd = -1, sfd = -1, rc;

	if (why && whylen)
		why[0] = '\0';
	if (!dir || !dir[0] || !collector_ev_sensor_path_ok(sensor) || !wire_ev_file_name_valid(file, strlen(file)))
		return -EINVAL;
	if ((size_t)snprintf(path, path_len, "%s/%s/%s", dir, sensor, file) >= path_len)
		return -ENAMETOOLONG;
	/* the collector's own directory, and the sensor's below it without following a link */
	dirfd = atomic_file_dir(dir, 0750, why, whylen);
	if (dirfd < 0)
		return dirfd;
	if (mkdirat(dirfd, sensor, 0750) && errno != EEXIST) {
		rc = -errno;
		goto cleanup;
	}
	sfd = openat(dirfd, sensor, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sfd < 0) {
		rc = -errno;
		goto cleanup;
	}
	/* no fsync: it can stall this loop (and ingestion) for 100s of ms; the sensor keeps the original */
	rc = atomic_file_put(sfd, file, data, len, 0640, 0);
cleanup:
	if (sfd >= 0)
		close(sfd);
	close(dirfd);
	return rc;
}

int collector_ev_ipc_dir(const char *endpoint)
{
	char d[1024], *slash;

	if (!endpoint || strncmp(endpoint, "ipc://", 6))
		return 0;
	if ((size_t)snprintf(d, sizeof(d), "%s", endpoint + 6) >= sizeof(d))
		return -ENAMETOOLONG;
	slash = strrchr(d, '/');
	if (!slash || slash == d)
		return 0;
	*slash = '\0';
	return collector_ev_mkdirs(d);
}
