// SPDX-License-Identifier: GPL-2.0-only
/*
 * dp_eal.c: EAL arguments built from the config instead of a command line:
 * in-memory (nothing left in /dev/hugepages), no PCI scan unless a PCI port is
 * configured, a fixed memory size, and a unique file prefix per process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "dp.h"

static bool dp_eal_hugepages_free(uint32_t need_mb)
{
	FILE *fp = fopen("/proc/meminfo", "r");
	unsigned long free_pages = 0, size_kb = 0;
	char line[128];

	if (!fp)
		return false;
	while (fgets(line, sizeof(line), fp)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(fp);
	return free_pages * size_kb >= (unsigned long)need_mb * 1024UL;
}

int dp_eal_init(const struct dp_eal_cfg *cfg)
{
	char mem[16], prefix[48], loglvl[32];
	char *argv[16];
	int argc = 0, ret;

	snprintf(mem, sizeof(mem), "%u", cfg->memory_mb);
	snprintf(prefix, sizeof(prefix), "vigil-%d", (int)getpid());
	snprintf(loglvl, sizeof(loglvl), "--log-level=%d", cfg->verbose ? 7 : 4);
	argv[argc++] = "vigil";
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "--no-pci";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--file-prefix";
	argv[argc++] = prefix;
	argv[argc++] = loglvl;
	if (cfg->hugepages && dp_eal_hugepages_free(cfg->memory_mb)) {
		argv[argc++] = "--in-memory";
	} else {
		argv[argc++] = "--no-huge";
		argv[argc++] = "--no-shconf";
	}
	argv[argc] = NULL;
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		return rte_errno ? -rte_errno : -EINVAL;
	return 0;
}

void dp_eal_cleanup(void)
{
	rte_eal_cleanup();
}
