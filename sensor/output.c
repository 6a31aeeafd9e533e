// SPDX-License-Identifier: GPL-2.0-only
/*
 * output.c: one stdio stream (fopencookie) in front of the EVE files. The
 * pipeline and the stats writer print whole JSON lines into it; the cookie
 * collects bytes up to each newline, reads the line's event_type and appends
 * it to every file that wants that type. Writers need not know which files
 * exist, and a reopen swaps descriptors under a stream they keep.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "output.h"

const char *const output_type_names[] = { "alert", "incident", "flow", "stats", NULL };

_Static_assert(sizeof(output_type_names) / sizeof(output_type_names[0]) == OUTPUT_TYPE_MAX + 1,
	       "a name per output type");

struct output_file {
	char *path;
	int fd;
	uint32_t types;
};

struct output {
	struct output_file *files;
	size_t n;
	uint32_t wanted;	/* union of the files' types */
	FILE *stream;
	char *line;		/* bytes of the line being assembled */
	size_t len, cap;
	struct output_stats st;
};

int output_types_mask(const char (*names)[16], uint32_t n, uint32_t *mask)
{
	uint32_t i, m = 0;
	int t;

	for (i = 0; i < n; i++) {
		for (t = 0; t < OUTPUT_TYPE_MAX; t++)
			if (!strcmp(names[i], output_type_names[t]))
				break;
		if (t == OUTPUT_TYPE_MAX)
			return -EINVAL;
		m |= 1u << t;
	}
	*mask = m;
	return 0;
}

/* The type of an EVE line from its top-level "event_type"; -1 when absent or unknown. */
static int output_line_type(const char *line, size_t len)
{
	static const char key[] = "\"event_type\"";
	const char *p = memmem(line, len, key, sizeof(key) - 1), *end = line + len, *q;
	int t;

	if (!p)
		return -1;
	p += sizeof(key) - 1;
	while (p < end && (*p == ' ' || *p == ':'))
		p++;
	if (p >= end || *p != '"')
		return -1;
	p++;
	q = memchr(p, '"', (size_t)(end - p));
	if (!q)
		return -1;
	for (t = 0; t < OUTPUT_TYPE_MAX; t++)
		if (strlen(output_type_names[t]) == (size_t)(q - p) && !memcmp(p, output_type_names[t], (size_t)(q - p)))
			return t;
	return -1;
}

static int output_write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* One complete line (with its newline) to every file that wants its type. */
static void output_route(struct output *o, const char *line, size_t len)
{
	int t = output_line_type(line, len);
	bool sent = false;
	size_t i;

	o->st.lines++;
	for (i = 0; t >= 0 && i < o->n; i++) {
		if (!(o->files[i].types & (1u << t)))
			continue;
		sent = true;
		if (output_write_all(o->files[i].fd, line, len))
			o->st.write_errors++;
	}
	if (!sent)
		o->st.unrouted++;
}

static ssize_t output_cookie_write(void *cookie, const char *buf, size_t size)
{
	struct output *o = cookie;
	size_t done = 0;

	while (done < size) {
		const char *nl = memchr(buf + done, '\n', size - done);
		size_t take = nl ? (size_t)(nl - (buf + done)) + 1 : size - done;

		if (!o->len && nl) {
			output_route(o, buf + done, take);	/* the usual case: a whole line, no copy */
		} else {
			if (o->len + take > o->cap) {
				size_t cap = (o->len + take) * 2;
				char *p = realloc(o->line, cap);

				if (!p) {
					o->st.write_errors++;
					o->len = 0;
					return (ssize_t)size;	/* the line is lost, the stream goes on */
				}
				o->line = p;
				o->cap = cap;
			}
			memcpy(o->line + o->len, buf + done, take);
			o->len += take;
			if (nl) {
				output_route(o, o->line, o->len);
				o->len = 0;
			}
		}
		done += take;
	}
	return (ssize_t)size;
}

static int output_cookie_close(void *cookie)
{
	(void)cookie;
	return 0;
}

static int output_open_fd(const char *path, bool append)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (append ? 0 : O_TRUNC), 0640);
}

struct output *output_new(const struct output_file_cfg *files, size_t n, char *msg, size_t msglen)
{
	cookie_io_functions_t io = { .write = output_cookie_write, .close = output_cookie_close };
	struct output *o = calloc(1, sizeof(*o));
	size_t i;
	int err;

	if (!o)
		return NULL;
	o->files = calloc(n ? n : 1, sizeof(*o->files));
	if (!o->files)
		goto fail;
	for (i = 0; i < n; i++) {
		o->files[i].fd = -1;
		o->files[i].types = files[i].types;
		o->files[i].path = strdup(files[i].path);
		if (!o->files[i].path)
			goto fail;
		o->n = i + 1;
		o->files[i].fd = output_open_fd(files[i].path, files[i].append);
		if (o->files[i].fd < 0) {
			snprintf(msg, msglen, "cannot open '%s': %s", files[i].path, strerror(errno));
			goto fail;
		}
		o->wanted |= files[i].types;
	}
	o->stream = fopencookie(o, "w", io);
	if (!o->stream)
		goto fail;
	/* lines reach the cookie at each fflush; a big buffer keeps most of them whole */
	setvbuf(o->stream, NULL, _IOFBF, 1 << 16);
	return o;
fail:
	err = errno;
	output_free(o);
	errno = err;
	return NULL;
}

struct output *output_open_sensor(const struct config *cfg, const char *alerts_json, const char *flows_json,
				  const char *stats_json, char *msg, size_t msglen)
{
	struct output_file_cfg f[4];
	size_t n = 0;
	uint32_t mask;

	if (cfg->eve_filename[0]) {
		if (output_types_mask(cfg->eve_types, cfg->n_eve_types, &mask)) {
			snprintf(msg, msglen, "outputs.eve.types: unknown event type");
			errno = EINVAL;
			return NULL;
		}
		f[n++] = (struct output_file_cfg){ cfg->eve_filename, mask, cfg->eve_append };
	}
	if (alerts_json)
		f[n++] = (struct output_file_cfg){ alerts_json, 1u << OUTPUT_ALERT | 1u << OUTPUT_INCIDENT, true };
	if (flows_json)
		f[n++] = (struct output_file_cfg){ flows_json, 1u << OUTPUT_FLOW, true };
	if (stats_json)
		f[n++] = (struct output_file_cfg){ stats_json, 1u << OUTPUT_STATS, true };
	return output_new(f, n, msg, msglen);
}

FILE *output_stream(struct output *o)
{
	return o->stream;
}

bool output_wants(const struct output *o, enum output_type t)
{
	return o && (o->wanted & (1u << t));
}

int output_reopen(struct output *o, char *msg, size_t msglen)
{
	int rc = 0;
	size_t i;

	if (!o)
		return 0;
	fflush(o->stream);
	for (i = 0; i < o->n; i++) {
		int fd = output_open_fd(o->files[i].path, true);

		if (fd < 0) {
			if (!rc) {
				rc = -errno;
				snprintf(msg, msglen, "cannot reopen '%s': %s (still writing to the old file)",
					 o->files[i].path, strerror(errno));
			}
			continue;
		}
		close(o->files[i].fd);
		o->files[i].fd = fd;
	}
	o->st.reopens++;
	return rc;
}

void output_get_stats(const struct output *o, struct output_stats *st)
{
	if (o)
		*st = o->st;
	else
		memset(st, 0, sizeof(*st));
}

void output_free(struct output *o)
{
	size_t i;

	if (!o)
		return;
	if (o->stream)
		fclose(o->stream);	/* flushes into the files below */
	if (o->len)
		output_route(o, o->line, o->len);	/* a last line without its newline */
	for (i = 0; i < o->n; i++) {
		if (o->files[i].fd >= 0)
			close(o->files[i].fd);
		free(o->files[i].path);
	}
	free(o->files);
	free(o->line);
	free(o);
}
