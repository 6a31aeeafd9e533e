// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_intel.c: libFuzzer target for the intel feed parsers (every format:
 * the first byte picks it) and the name readers of sensor/intel_names.c
 * (DNS, TLS ClientHello, HTTP Host) over the same bytes. Feeds come from
 * outside: a bad one must give an error naming a line, never a crash; every
 * indicator parsed must then match itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "intel_feed.h"
#include "intel_names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_intel_name(void *ctx, const char *name, enum intel_name_where w)
{
	(void)ctx;
	if (strlen(name) >= INTEL_NAMES_MAX || w >= INTEL_WHERE_MAX)
		abort();
}

static void fuzz_intel_addr(void *ctx, const uint8_t addr[16], uint8_t plen, const struct intel_ind *ind)
{
	const struct intel_feed *f = ctx;
	const struct intel_ind *hit = intel_feed_match_addr(f, addr);

	/* the prefix's own first address is inside it: some listed prefix at least as long holds it */
	if (!hit || hit->prefix_len < plen || !ind->value)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intel_feed_error err;
	struct intel_feed *f = NULL;
	char out[INTEL_NAMES_MAX];
	int rc;

	if (!size)
		return 0;
	rc = intel_feed_parse("fuzz", (const char *)data + 1, size - 1, (enum intel_format)(data[0] % INTEL_FORMAT_MAX),
			      psl_builtin(), &f, &err);
	if (rc == 0) {
		intel_feed_walk_addrs(f, fuzz_intel_addr, f);
		intel_feed_free(f);
	} else if (!memchr(err.msg, 0, sizeof(err.msg)) || strncmp(err.msg, "fuzz", 4)) {
		abort();
	}
	intel_names_dns(data, (uint32_t)size, fuzz_intel_name, NULL);
	if (intel_names_sni(data, (uint32_t)size, out) >= INTEL_NAMES_MAX ||
	    intel_names_http_host(data, (uint32_t)size, out) >= INTEL_NAMES_MAX)
		abort();
	return 0;
}
