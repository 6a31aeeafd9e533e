/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * atomic_file.h: the one way vigil writes a file that readers must see whole
 * or not at all (learned state, evidence, fetched evidence, key pairs): a
 * temporary file created next to it with O_EXCL | O_NOFOLLOW (a name planted
 * by someone else is never followed or truncated), written, optionally
 * fsync'ed, renamed over the final name (a symlink there is replaced, not
 * followed), and the directory fsync'ed. Also the check of a directory the
 * daemon writes into: owned by its user, not writable by group or others.
 */
#ifndef VIGIL_ATOMIC_FILE_H
#define VIGIL_ATOMIC_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ATOMIC_FILE_SYNC 1u		/* fsync the file before the rename and the directory after */
#define ATOMIC_FILE_NOREPLACE 2u	/* -EEXIST if the final name exists (never replaced) */

#define ATOMIC_FILE_NAME_MAX 255

struct atomic_file {
	int dirfd;			/* the directory the file goes into */
	bool own_dir;			/* dirfd was opened here (closed at the end) */
	int fd;				/* the temporary file; -1 when none */
	unsigned int flags;
	int err;			/* the first write error, kept: commit then fails with it */
	char name[ATOMIC_FILE_NAME_MAX + 1];	/* final name in dirfd */
	char tmp[ATOMIC_FILE_NAME_MAX + 32];	/* temporary name in dirfd */
	uint8_t *buf;			/* writes are gathered here (64 KiB) */
	size_t used;
	uint64_t bytes;			/* bytes written so far */
};

/*
 * Start writing the file name in the directory dirfd (path must then be a
 * plain name), or, with dirfd AT_FDCWD, the file path (its directory is opened
 * here). mode as for open(2) (umask applies). Returns 0 or -errno; on error
 * af holds nothing to free.
 */
int atomic_file_open(struct atomic_file *af, int dirfd, const char *path, mode_t mode, unsigned int flags);

/* Append bytes (gathered, written in 64 KiB pieces). 0 or -errno (ENOSPC...); an error sticks. */
int atomic_file_write(struct atomic_file *af, const void *data, size_t len);

/*
 * Make it the file: write what is gathered, fsync (ATOMIC_FILE_SYNC), rename
 * over the final name (renameat2 RENAME_NOREPLACE with ATOMIC_FILE_NOREPLACE),
 * fsync the directory (ATOMIC_FILE_SYNC). 0, or -errno with the temporary file
 * removed and the final name untouched. af is finished either way.
 */
int atomic_file_commit(struct atomic_file *af);

/* Give up: the temporary file is removed, the final name untouched. Safe on a finished af. */
void atomic_file_abort(struct atomic_file *af);

/* open + write + commit of one buffer. 0 or -errno. */
int atomic_file_put(int dirfd, const char *path, const void *data, size_t len, mode_t mode, unsigned int flags);

/*
 * Open the directory path for files the daemon writes, creating it with mode
 * when missing (parents must exist). Refused unless it is a directory owned by
 * the effective user and not writable by group or others: -EPERM with the
 * reason in why ("owned by uid 1000", "writable by others (mode 0777)"), since
 * anyone else who can write there can plant links or files the daemon would
 * follow. Returns a directory fd (O_CLOEXEC) or -errno.
 */
int atomic_file_dir(const char *path, mode_t mode, char *why, size_t whylen);

#endif
