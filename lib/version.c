// SPDX-License-Identifier: GPL-2.0-only
/*
 * version.c: the build's identity, from two generated headers: vigil_build.h
 * (meson options and the libraries' pkg-config versions, fixed at configure
 * time) and vigil_git.h (`git describe`, refreshed by every build).
 */
#include <string.h>

#include "vigil_build.h"
#include "vigil_git.h"
#include "version.h"

static const struct {
	const char *name, *version;
} version_libs_tab[] = {
	{ "dpdk", VIGIL_VER_DPDK },
	{ "libbpf", VIGIL_VER_LIBBPF },
	{ "libzmq", VIGIL_VER_LIBZMQ },
	{ "json-c", VIGIL_VER_JSONC },
	{ "libyaml", VIGIL_VER_YAML },
	{ "sqlite", VIGIL_VER_SQLITE },
	{ "libpcap", VIGIL_VER_PCAP },
};

#define VERSION_NLIBS (sizeof(version_libs_tab) / sizeof(version_libs_tab[0]))

const char *version_release(void)
{
	return VIGIL_VERSION;
}

const char *version_git(void)
{
	return VIGIL_GIT_DESCRIBE;
}

const char *version_build(void)
{
	return VIGIL_BUILD_OPTIONS;
}

const char *version_lib(const char *name)
{
	size_t i;

	for (i = 0; i < VERSION_NLIBS; i++)
		if (!strcmp(version_libs_tab[i].name, name))
			return version_libs_tab[i].version;
	return "";
}

const char *version_libs(void)
{
	return VIGIL_VER_LIBS;
}

int version_metric(char *buf, size_t len, const char *daemon)
{
	return snprintf(buf, len,
			"# HELP vigil_build_info The build of this daemon (value 1)\n"
			"# TYPE vigil_build_info gauge\n"
			"vigil_build_info{daemon=\"%s\",version=\"%s\",git=\"%s\",dpdk=\"%s\",libbpf=\"%s\"} 1\n",
			daemon, VIGIL_VERSION, VIGIL_GIT_DESCRIBE, VIGIL_VER_DPDK, VIGIL_VER_LIBBPF);
}

void version_print(FILE *fp, const char *prog, const char *extra)
{
	fprintf(fp, "%s %s (git %s)\n", prog, version_release(), version_git());
	fprintf(fp, "build: %s\n", version_build());
	fprintf(fp, "built against: %s\n", version_libs());
	if (extra && extra[0])
		fprintf(fp, "%s\n", extra);
}
