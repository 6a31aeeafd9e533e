/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * version.h: what a vigil binary says about itself: `--version` and the
 * vigil_build_info metric read the same strings, fixed at build time.
 */
#ifndef VIGIL_VERSION_H
#define VIGIL_VERSION_H

#include <stdio.h>

/* The release (meson's project version), e.g. "0.1.0". */
const char *version_release(void);
/* `git describe` of the tree that was built, or the release outside git. */
const char *version_git(void);
/* Build type, optimisation, sanitizers and compiler, one line. */
const char *version_build(void);
/* Library versions the binary was built against: "DPDK 22.11.11, libbpf 1.1.2, ...". */
const char *version_libs(void);
/* The version a library was built against, by name ("dpdk", "libbpf", ...); "" when unknown. */
const char *version_lib(const char *name);

/*
 * The vigil_build_info metric (Prometheus text, HELP and TYPE lines included):
 * value 1, labelled daemon, version, git, dpdk, libbpf. Returns snprintf's count.
 */
int version_metric(char *buf, size_t len, const char *daemon);

/*
 * `PROG --version`: release and git describe on the first line, then build and
 * library lines; extra (may be NULL) is printed as one more line, for what
 * only that binary can ask at run time.
 */
void version_print(FILE *fp, const char *prog, const char *extra);

#endif
