// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c: vigil-collector. `vigil-collector -c FILE` stores the events every
 * sensor sends; `vigil-collector query -c FILE ...` reads them back. The only
 * place that exits, handles signals, and turns errors into exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "collector_config.h"
#include "collector_query.h"
#include "collector_serve.h"
#include "collector_stats.h"

static volatile sig_atomic_t main_stop;

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

static void main_usage(FILE *fp)
{
	fprintf(fp,
		"usage: vigil-collector -c collector.yaml\n"
		"       vigil-collector query -c collector.yaml [--json] [--follow] [--event-type TYPE] [--limit N]\n"
		"  -c, --config FILE   configuration (collector.listen, collector.events_jsonl, ...)\n"
		"  query               print stored events: a table of alerts, or raw lines with --json;\n"
		"                      --limit N keeps the last N matches, --follow prints new ones until ^C\n");
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

static enum log_level main_level(const char *s)
{
	if (!strcmp(s, "error"))
		return LOG_LEVEL_ERROR;
	if (!strcmp(s, "warn") || !strcmp(s, "warning"))
		return LOG_LEVEL_WARN;
	if (!strcmp(s, "debug"))
		return LOG_LEVEL_DEBUG;
	return LOG_LEVEL_INFO;
}

static int main_load(const char *path, struct collector_config *cfg)
{
	struct collector_config_error err = { { 0 } };
	int rc;

	collector_config_defaults(cfg);
	if (!path) {
		fprintf(stderr, "vigil-collector: -c FILE is required\n");
		return -EINVAL;
	}
	rc = collector_config_load(cfg, path, &err);
	if (rc) {
		/* the loader's message already names file:line:col */
		fprintf(stderr, "vigil-collector: %s\n", err.msg[0] ? err.msg : strerror(-rc));
		return rc;
	}
	log_setup("vigil-collector", main_level(cfg->log_level));
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct collector_query_opts qo = { 0 };
	struct collector_config cfg;
	struct collector_stats st = { 0 };
	const char *cfg_path = NULL;
	bool query = false;
	char line[512], *end;
	int c, rc;

	log_setup("vigil-collector", LOG_LEVEL_INFO);
	if (argc > 1 && !strcmp(argv[1], "query")) {
		query = true;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "c:jft:n:h", opts, NULL)) != -1) {
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
		case 'n':
			errno = 0;
			qo.limit = (uint32_t)strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "vigil-collector: --limit wants a number, got '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			main_usage(stdout);
			return 0;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (!query && (qo.json || qo.follow || qo.event_type || qo.limit))) {
		main_usage(stderr);
		return 2;
	}
	if (main_load(cfg_path, &cfg))
		return 1;
	if (main_signals())
		return 1;

	if (query) {
		qo.path = cfg.events_jsonl;
		rc = collector_query_run(&qo, &main_stop, stdout);
		if (rc) {
			fprintf(stderr, "vigil-collector: %s: %s\n", cfg.events_jsonl, strerror(-rc));
			return 1;
		}
		return 0;
	}

	rc = collector_serve_run(&cfg, &main_stop, &st);
	collector_stats_format(&st, line, sizeof(line));
	pr_info("stopped: %s", line);
	return rc ? 1 : 0;
}
