// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c: vigil-collector. `vigil-collector -c FILE` stores the events every
 * sensor sends; `query` reads them back; `keygen` writes CURVE key pairs. The
 * only place that exits, handles signals, and turns errors into exit codes.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "atomic_file.h"
#include "log.h"
#include "paths.h"
#include "version.h"
#include "collector_config.h"
#include "collector_fetch.h"
#include "collector_query.h"
#include "collector_serve.h"
#include "collector_stats.h"
#include "wire.h"

#define MAIN_DEFAULT_CONFIG "/etc/vigil/collector.yaml"

static volatile sig_atomic_t main_stop;

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

static void main_usage(FILE *fp)
{
	fprintf(fp,
		"usage: vigil-collector [-c collector.yaml]\n"
		"       vigil-collector --version\n"
		"       vigil-collector query [-c collector.yaml] [--json | --csv] [--incidents] [--follow]\n"
		"                             [--event-type TYPE] [--limit N] [--since T] [--until T]\n"
		"                             [--sensor NAME] [--detector NAME] [--addr IP[/LEN]] [--severity N]\n"
		"       vigil-collector evidence INCIDENT_ID [--sensor NAME] [-o FILE] -c collector.yaml\n"
		"       vigil-collector keygen [--force] NAME\n"
		"  -c, --config FILE   configuration (collector.listen, collector.sqlite, ...);\n"
		"                      default " MAIN_DEFAULT_CONFIG "\n"
		"  query               print stored events in time order: a table of alerts (120 columns),\n"
		"                      CSV with --csv, raw lines with --json; --incidents: one row per incident\n"
		"                      (first/last seen, detector, hosts, peak vs expected, evidence);\n"
		"                      --limit N keeps the last N, --follow prints new ones until ^C;\n"
		"                      T is 2026-11-23T13:00:00[.us][+0000|Z], 2026-11-23, @EPOCH, now,\n"
		"                      or 15m, 2h, 7d (\"2h ago\"); --addr matches src_ip or dest_ip in an\n"
		"                      address or prefix (192.0.2.0/24); --severity N keeps severities 1..N\n"
		"  evidence ID         fetch incident ID's pcapng from the sensor through the running collector\n"
		"                      (collector.control), write it to FILE (default ./<file name>), check its\n"
		"                      SHA-256; --sensor is needed only when several sensors reported ID\n"
		"  keygen NAME         write a CURVE key pair to NAME.key (mode 0600) and NAME.pub\n");
}

/*
 * keygen [--force] NAME: NAME.key (secret, 0600) and NAME.pub; the public key on
 * stdout. Both through lib/atomic_file: a new file created 0600 next to the name
 * and renamed over it, so --force replaces an existing file (its old mode and
 * any link at the name go with it) instead of writing a secret into it;
 * without --force an existing name is never replaced.
 */
static int main_keygen(int argc, char **argv)
{
	char pub[WIRE_KEY_LEN + 1], sec[WIRE_KEY_LEN + 1], path[4096], text[512];
	bool force = argc == 2 && !strcmp(argv[0], "--force");
	const char *name = force ? argv[1] : argv[0];
	unsigned int flags = ATOMIC_FILE_SYNC | (force ? 0 : ATOMIC_FILE_NOREPLACE);

	if (argc == 1 && (!strcmp(argv[0], "--help") || !strcmp(argv[0], "-h"))) {
		main_usage(stdout);
		return 0;
	}
	/* a NAME that looks like an option is a typo, not a file to create */
	if (argc != (force ? 2 : 1) || !name[0] || name[0] == '-') {
		main_usage(stderr);
		return 2;
	}
	if (!zmq_has("curve")) {
		fprintf(stderr, "vigil-collector: this libzmq has no CURVE support\n");
		return 1;
	}
	if (zmq_curve_keypair(pub, sec)) {
		fprintf(stderr, "vigil-collector: keygen: %s\n", zmq_strerror(zmq_errno()));
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		int len = wire_key_format(text, sizeof(text), pub, i == 0 ? sec : NULL), rc;

		snprintf(path, sizeof(path), "%s.%s", name, i == 0 ? "key" : "pub");
		rc = len < 0 ? len : atomic_file_put(AT_FDCWD, path, text, (size_t)len, i == 0 ? 0600 : 0644, flags);
		if (rc) {
			fprintf(stderr, "vigil-collector: %s: %s%s\n", path, strerror(-rc),
				rc == -EEXIST ? " (use --force to replace it)" : "");
			explicit_bzero(sec, sizeof(sec));
			explicit_bzero(text, sizeof(text));
			return 1;
		}
	}
	explicit_bzero(sec, sizeof(sec));
	explicit_bzero(text, sizeof(text));
	printf("%s\n", pub);
	return 0;
}

static int main_load(const char *path, struct collector_config *cfg);

/* evidence ID [--sensor NAME] [-o FILE] -c FILE: one line on stdout (saved) or stderr (why not). */
static int main_evidence(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "sensor", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct collector_fetch_opts fo = { 0 };
	struct collector_config cfg;
	const char *cfg_path = NULL, *id = NULL;
	char msg[1024], *end;
	int c;

	while ((c = getopt_long(argc, argv, "c:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg_path = optarg;
			break;
		case 's':
			fo.sensor = optarg;
			break;
		case 'o':
			fo.out = optarg;
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		main_usage(stderr);
		return 2;
	}
	id = argv[optind];
	errno = 0;
	fo.incident_id = strtoull(id, &end, 10);
	if (errno || *end || end == id || id[0] == '-' || fo.incident_id == 0) {
		fprintf(stderr, "vigil-collector: evidence: the incident id is a number >= 1 (vigil.incident_id), "
			"got '%s'\n", id);
		return 2;
	}
	if (fo.sensor && !wire_name_valid(fo.sensor, strlen(fo.sensor))) {
		fprintf(stderr, "vigil-collector: evidence: '%s' is not a sensor name (1..63 printable characters)\n",
			fo.sensor);
		return 2;
	}
	if (main_load(cfg_path, &cfg))
		return 1;
	fo.control = cfg.control;
	/* the collector answers within its own timeout; this only guards against a hung collector */
	fo.wait_ms = cfg.evidence_timeout_ms + 5000;
	signal(SIGPIPE, SIG_IGN);
	if (collector_fetch_run(&fo, msg, sizeof(msg))) {
		fprintf(stderr, "vigil-collector: evidence %s: %s\n", id, msg);
		return 1;
	}
	printf("%s\n", msg);
	return 0;
}

static int main_signals(void)
{
	struct sigaction sa = { .sa_handler = main_on_signal };

	/* no SA_RESTART: a signal must interrupt zmq_poll()/nanosleep() */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static int main_load(const char *path, struct collector_config *cfg)
{
	struct collector_config_error err = { { 0 } };
	enum log_level level = LOG_LEVEL_INFO;
	int rc;

	collector_config_defaults(cfg);
	if (!path)
		path = MAIN_DEFAULT_CONFIG;
	rc = collector_config_load(cfg, path, &err);
	if (rc) {
		/* the loader's message already names file:line:col */
		fprintf(stderr, "vigil-collector: %s\n", err.msg[0] ? err.msg : strerror(-rc));
		return rc;
	}
	collector_config_resolve(cfg);
	(void)log_level_parse(cfg->log_level, &level);	/* the config table admits only log_level_names */
	log_setup("vigil-collector", level);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "event-type", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "sensor", required_argument, NULL, 's' },
		{ "detector", required_argument, NULL, 'd' },
		{ "addr", required_argument, NULL, 'a' },
		{ "severity", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "csv", no_argument, NULL, 'C' },
		{ "incidents", no_argument, NULL, 'I' },
		{ 0 },
	};
	struct collector_query_opts qo = { 0 };
	struct collector_config cfg;
	struct collector_stats st = { 0 };
	const char *cfg_path = NULL;
	bool query = false;
	char line[1024], *end;
	struct timespec now;
	int64_t now_us;
	int c, rc;

	log_setup("vigil-collector", LOG_LEVEL_INFO);
	clock_gettime(CLOCK_REALTIME, &now);
	now_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	if (argc > 1 && !strcmp(argv[1], "keygen"))
		return main_keygen(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "evidence")) {
		argv[1] = argv[0];
		return main_evidence(argc - 1, argv + 1);
	}
	if (argc > 1 && !strcmp(argv[1], "query")) {
		query = true;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "c:jft:n:S:U:s:d:a:v:hVCI", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'j':
			qo.json = true;
			break;
		case 'f':
			qo.follow = true;
			break;
		case 't':
			qo.event_type = optarg;
			break;
		case 'n': {
			unsigned long long v;

			/* strtoul took 4294967297 as 1 (cast to 32 bits); '-1' as the largest number */
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-' || v > UINT32_MAX) {
				fprintf(stderr, "vigil-collector: --limit wants a number 0..4294967295, got '%s'\n", optarg);
				return 2;
			}
			qo.limit = (uint32_t)v;
			break;
		}
		case 'S':
		case 'U':
			if (collector_query_parse_time(optarg, now_us, c == 'S' ? &qo.since_us : &qo.until_us)) {
				fprintf(stderr, "vigil-collector: --%s wants a time (2026-11-23T13:00:00Z, "
					"2026-11-23, @EPOCH, 15m, 2h, 7d), got '%s'\n", c == 'S' ? "since" : "until",
					optarg);
				return 2;
			}
			if (c == 'S')
				qo.has_since = true;
			else
				qo.has_until = true;
			break;
		case 's':
			qo.sensor = optarg;
			break;
		case 'd':
			qo.detector = optarg;
			break;
		case 'a': {
			uint8_t a[16];
			unsigned int bits;

			if (collector_query_parse_addr(optarg, a, &bits)) {
				fprintf(stderr, "vigil-collector: --addr wants an address or a prefix with its host "
					"bits clear (192.0.2.7, 192.0.2.0/24, 2001:db8::/32), got '%s'\n", optarg);
				return 2;
			}
			qo.addr = optarg;
			break;
		}
		case 'C':
			qo.csv = true;
			break;
		case 'I':
			qo.incidents = true;
			break;
		case 'v':
			errno = 0;
			qo.severity = (int)strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || qo.severity < 1 || qo.severity > 255) {
				fprintf(stderr, "vigil-collector: --severity wants 1..255, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		case 'V':
			version_print(stdout, "vigil-collector", NULL);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (!query && (qo.json || qo.follow || qo.event_type || qo.limit || qo.has_since ||
					  qo.has_until || qo.sensor || qo.detector || qo.addr || qo.severity ||
					  qo.csv || qo.incidents))) {
		main_usage(stderr);
		return 2;
	}
	if ((qo.json && qo.csv) || (qo.incidents && (qo.json || qo.follow || qo.event_type))) {
		fprintf(stderr, "vigil-collector: --json and --csv are exclusive; --incidents takes neither --json, "
			"--follow nor --event-type\n");
		return 2;
	}
	if (main_load(cfg_path, &cfg))
		return 1;
	if (main_signals())
		return 1;

	if (query) {
		qo.path = cfg.events_jsonl;
		qo.db = cfg.sqlite;
		rc = collector_query_run(&qo, &main_stop, stdout);
		if (rc) {
			if (rc != -EIO || !cfg.sqlite[0])
				fprintf(stderr, "vigil-collector: %s: %s\n", cfg.sqlite[0] ? cfg.sqlite : cfg.events_jsonl,
					strerror(-rc));
			return 1;
		}
		return 0;
	}

	/* the store's directories (an FHS default is not there on a fresh machine) */
	if ((rc = paths_mkdir_parent(cfg.events_jsonl, 0750)) ||
	    (cfg.sqlite[0] && (rc = paths_mkdir_parent(cfg.sqlite, 0750)))) {
		pr_err("cannot make the directory of %s: %s", rc && cfg.sqlite[0] ? cfg.sqlite : cfg.events_jsonl,
		       strerror(-rc));
		return 1;
	}
	rc = collector_serve_run(&cfg, &main_stop, &st);
	collector_stats_format(&st, line, sizeof(line));
	pr_info("stopped: %s", line);
	return rc ? 1 : 0;
}
