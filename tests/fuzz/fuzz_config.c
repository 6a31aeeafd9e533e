// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config.c: libFuzzer target for the sensor's YAML config loader
 * (config_load_string over the table in sensor/config.c, walked by lib/cfgtab.c).
 * Config files are outside input too: a typo must give an error, never a crash.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_config_strings_ok(const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_error err;
	struct config cfg;
	int rc;

	config_defaults(&cfg);
	memset(&err, 0, sizeof(err));
	/* data is not NUL-terminated: any read past size is an ASan report */
	rc = config_load_string(&cfg, "fuzz.yaml", (const char *)data, size, &err);
	if (rc) {
		if (rc != -EINVAL && rc != -ENOMEM)
			abort();
		/* every refusal says where and why, on one line; a problem inside an
		 * 'include'd file names that file first */
		if (!err.msg[0] || strchr(err.msg, '\n'))
			abort();
		if (strncmp(err.msg, "fuzz.yaml:", 10) && !memmem(data, size, "include", 7))
			abort();
		return 0;
	}
	/* accepted: every field within what the table allows */
	if (cfg.n_interfaces > CONFIG_MAX_IFACES || cfg.n_home_net > CONFIG_MAX_CIDRS)
		abort();
	for (uint32_t i = 0; i < cfg.n_home_net; i++)
		if (cfg.home_net[i].prefix_len > 128)
			abort();
	for (uint32_t i = 0; i < cfg.n_interfaces; i++)
		fuzz_config_strings_ok(cfg.interfaces[i], sizeof(cfg.interfaces[i]));
	fuzz_config_strings_ok(cfg.sensor_name, sizeof(cfg.sensor_name));
	fuzz_config_strings_ok(cfg.xdp_object, sizeof(cfg.xdp_object));
	fuzz_config_strings_ok(cfg.xdp_pin_dir, sizeof(cfg.xdp_pin_dir));
	fuzz_config_strings_ok(cfg.collector_endpoint, sizeof(cfg.collector_endpoint));
	fuzz_config_strings_ok(cfg.log_level, sizeof(cfg.log_level));
	/* strtod takes "nan" and "inf": a bound check must not let them through */
	if (!isfinite(cfg.flood.k) || !isfinite(cfg.flood.floor) || !isfinite(cfg.flood.ext.flood.half_life_s))
		abort();
	if ((unsigned)cfg.mode > CONFIG_MODE_INLINE || (unsigned)cfg.xdp_handoff > CONFIG_HANDOFF_SAMPLE)
		abort();
	return 0;
}
