/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * evidence.h: packets an analyst can open, saved with every incident. A
 * bounded pre-trigger ring holds the start of the last frames the poller saw
 * (a fixed number of bytes per frame, so the cost per packet is bounded);
 * when an incident starts, the frames of its hosts are written from the ring
 * to a pcapng file, the next frames of those hosts follow until a packet or
 * time limit, and the file's SHA-256 is computed as it is written. The file
 * is written under a temporary name (lib/atomic_file: O_EXCL | O_NOFOLLOW, in a
 * directory owned by the sensor's user and writable by nobody else) and
 * renamed when complete; a write error (a full disk) gives the capture up and
 * leaves nothing under the final name. Files live
 * in one directory under a disk budget: the oldest go first, and are counted.
 * Time is an argument: replay writes the same evidence as live.
 */
#ifndef VIGIL_EVIDENCE_H
#define VIGIL_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "sha256.h"

struct evidence_cfg {
	const char *dir;		/* directory for the pcapng files (created if missing) */
	const char *sensor_name;	/* file name prefix and pcapng section comment */
	uint32_t ring_bytes;		/* memory of the pre-trigger ring */
	uint64_t ring_ns;		/* frames older than this are not written as pre-trigger */
	uint32_t snaplen;		/* bytes kept per frame (ring and file) */
	uint32_t post_packets;		/* after the trigger: at most this many frames ... */
	uint64_t post_ns;		/* ... during at most this long */
	uint64_t budget_bytes;		/* all evidence files together */
	uint32_t max_open;		/* incidents being captured at once */
};

/* What an incident's evidence is; sha256 is set once the file is complete. */
struct evidence_info {
	uint64_t incident_id;
	char detector[24];
	char path[512];
	char sha256[SHA256_HEX_LEN];	/* empty until complete */
	uint64_t packets;
	uint64_t bytes;			/* file size */
	bool complete;			/* the file is there under path, sha256 set */
	int error;			/* when not complete: why (-errno, e.g. -ENOSPC); nothing was left */
};

struct evidence_stats {
	uint64_t ring_frames;		/* frames copied into the ring */
	uint64_t ring_truncated;	/* of those, cut to snaplen */
	uint64_t files;			/* evidence files completed */
	uint64_t files_deleted;		/* removed to stay within the budget */
	uint64_t bytes_on_disk;
	uint64_t busy;			/* incidents without evidence: max_open captures already running */
	uint64_t write_errors;
	int last_error;			/* errno of the last write error (ENOSPC ...), 0 if none */
};

typedef void (*evidence_done_fn)(void *ctx, const struct evidence_info *info);

struct evidence;

/*
 * NULL with errno on a bad cfg, an unusable directory (EPERM: not owned by this
 * user, or writable by group or others) or no memory.
 */
struct evidence *evidence_new(const struct evidence_cfg *cfg);

/* Flush and close every open capture (each reported through done), then free. NULL-safe. */
void evidence_free(struct evidence *ev, evidence_done_fn done, void *ctx);

/*
 * One frame the poller saw, with its addresses (16 bytes, IPv4-mapped; NULL for
 * non-IP frames): into the ring, and into every open capture it belongs to.
 */
void evidence_packet(struct evidence *ev, uint64_t ts_ns, const uint8_t *frame, uint32_t len,
		     const uint8_t *src, const uint8_t *dst);

/*
 * An incident started: capture the frames involving host a (and, when b is not
 * NULL, only those between a and b). The file is opened and the matching ring
 * frames written at once; info gets its path. post_packets bounds the frames
 * saved after the trigger (0: cfg.post_packets). Returns 0, -EBUSY (max_open
 * captures running; counted) or -errno from the file system.
 */
int evidence_start(struct evidence *ev, uint64_t incident_id, const char *detector, const uint8_t a[16],
		   const uint8_t *b, uint32_t post_packets, uint64_t now_ns, struct evidence_info *info);

/* Close captures whose packet or time limit is reached; done() is called for each (complete or failed). */
void evidence_tick(struct evidence *ev, uint64_t now_ns, evidence_done_fn done, void *ctx);

void evidence_get_stats(const struct evidence *ev, struct evidence_stats *out);

#endif
