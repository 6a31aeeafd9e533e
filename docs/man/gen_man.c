// SPDX-License-Identifier: GPL-2.0-only
/*
 * gen_man.c: writes vigil.yaml(5) from the same config tables that
 * docs/config.md is generated from (sensor/config.c, collector/collector_config.c),
 * so the manual cannot disagree with the loader. Run by the build (docs/meson.build).
 * usage: gen_man OUT VERSION
 */
#include <stdio.h>

#include "collector/collector_config.h"
#include "sensor/config.h"

int main(int argc, char **argv)
{
	FILE *fp;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OUT.5 VERSION\n", argv[0]);
		return 2;
	}
	fp = fopen(argv[1], "w");
	if (!fp) {
		perror(argv[1]);
		return 1;
	}
	fprintf(fp, ".\\\" Generated from sensor/config.c and collector/collector_config.c by docs/man/gen_man.c; do not edit.\n"
		    ".TH VIGIL.YAML 5 \"\" \"vigil %s\" \"vigil\"\n"
		    ".SH NAME\nvigil.yaml \\- configuration of vigil\\-sensor and vigil\\-collector\n"
		    ".SH SYNOPSIS\n/etc/vigil/sensor.yaml\n.br\n/etc/vigil/collector.yaml\n"
		    ".SH DESCRIPTION\n", argv[2]);
	rc = config_write_man_intro(fp);
	fprintf(fp, ".SH SENSOR KEYS\n.PP\nKeys of \\fB/etc/vigil/sensor.yaml\\fR, read by \\fBvigil\\-sensor\\fR(8).\n");
	rc = rc ? rc : config_write_man(fp);
	fprintf(fp, ".SH COLLECTOR KEYS\n.PP\nKeys of \\fB/etc/vigil/collector.yaml\\fR, read by "
		    "\\fBvigil\\-collector\\fR(8). The same YAML rules and error messages apply.\n");
	rc = rc ? rc : collector_config_write_man(fp);
	fprintf(fp, ".SH FILES\n.TP\n.B /usr/share/vigil/boards/BOARD/sensor.yaml\n"
		    "Board profiles (generic\\-x86, rpi4, ls1046a, atom\\-c3000) to \\fBinclude:\\fR.\n"
		    ".TP\n.B /etc/vigil/sensor.yaml, /etc/vigil/collector.yaml\nThe configuration the services read.\n"
		    ".SH SEE ALSO\n\\fBvigil\\-sensor\\fR(8), \\fBvigil\\-collector\\fR(8)\n");
	if (fclose(fp) || rc) {
		fprintf(stderr, "%s: write failed\n", argv[1]);
		return 1;
	}
	return 0;
}
