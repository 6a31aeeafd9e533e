/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * paths.h: where an installed binary finds its own files, and directories a
 * configuration names made when missing. No path of the build tree is built
 * into a binary: the XDP object is looked up relative to the executable.
 */
#ifndef VIGIL_PATHS_H
#define VIGIL_PATHS_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Directory of the running executable (from /proc/self/exe) into out.
 * 0, or -errno (-ENAMETOOLONG when out is too small).
 */
int paths_exe_dir(char *out, size_t len);

/*
 * First of the candidates (relative to the executable's directory) that is
 * readable, as an absolute path into out. 0, or -ENOENT when none is.
 */
int paths_find_near_exe(const char *const *rel, size_t n, char *out, size_t len);

/*
 * mkdir -p dir: each missing component is made with mode (an existing one is
 * left as it is). 0, or -errno; -ENOTDIR when a component is not a directory.
 */
int paths_mkdir_p(const char *dir, mode_t mode);

/* mkdir -p of the directory that holds file ("x" alone: nothing to do). 0 or -errno. */
int paths_mkdir_parent(const char *file, mode_t mode);

#endif
