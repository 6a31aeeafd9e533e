// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c: vigil-sensor. Reads the config, sets up the XDP program and the
 * DPDK port (live on an interface, or a capture replayed through the same
 * program and the same poller), runs the pipeline, and shuts down cleanly.
 * The only place in the sensor that exits.
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "alert.h"
#include "config.h"
#include "dp.h"
#include "log.h"
#include "pipeline.h"
#include "poller.h"
#include "publish.h"
#include "replay.h"
#include "xdp_loader.h"


static volatile bool sensor_stop;

struct sensor_opts {
	const char *config;
	const char *replay;
	const char *alerts_json;
	const char *flows_json;
	bool check_config;
	bool verbose;
};

/* Replay feed state: one pending frame survives a full ring. */
struct sensor_replay {
	struct replay *rp;
	struct dp_port *port;
	int prog_fd;
	bool pending;
	struct replay_frame frame;
	uint64_t last_ts;
	uint64_t runt;		/* shorter than an Ethernet header */
	uint64_t xdp_errors;	/* refused by BPF_PROG_TEST_RUN (size) */
	uint64_t not_handed;	/* accounted in XDP only */
	char err[256];
};

struct sensor_ctx {
	struct pipeline *pl;
	struct sensor_replay *rs;
};

static void sensor_on_signal(int sig)
{
	(void)sig;
	sensor_stop = true;
}

static int sensor_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && log_get_level() < LOG_LEVEL_DEBUG)
		return 0;
	if (level == LIBBPF_INFO && log_get_level() < LOG_LEVEL_INFO)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void sensor_usage(FILE *fp)
{
	fprintf(fp,
		"usage: vigil-sensor -c sensor.yaml [-r capture.pcap] [--alerts-json FILE] [--flows-json FILE]\n"
		"       vigil-sensor -c sensor.yaml --check-config\n"
		"  -c, --config FILE      YAML configuration\n"
		"  -r, --read FILE        replay a pcap/pcapng capture through the pipeline, then exit\n"
		"      --alerts-json FILE also write every alert, one JSON object per line\n"
		"      --flows-json FILE  write every flow record as an EVE flow event, one per line\n"
		"      --check-config     validate the configuration and exit (0 valid, 1 not)\n"
		"  -v, --verbose          debug logging\n");
}

static int sensor_parse_args(int argc, char **argv, struct sensor_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "read", required_argument, NULL, 'r' },
		{ "alerts-json", required_argument, NULL, 'A' },
		{ "flows-json", required_argument, NULL, 'F' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:r:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'r': o->replay = optarg; break;
		case 'A': o->alerts_json = optarg; break;
		case 'F': o->flows_json = optarg; break;
		case 'C': o->check_config = true; break;
		case 'v': o->verbose = true; break;
		case 'h': sensor_usage(stdout); return 1;
		default: sensor_usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil-sensor: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->config) {
		fprintf(stderr, "vigil-sensor: -c sensor.yaml is required\n");
		return -EINVAL;
	}
	return 0;
}

static enum log_level sensor_log_level(const char *name)
{
	if (!strcmp(name, "error"))
		return LOG_LEVEL_ERROR;
	if (!strcmp(name, "warn") || !strcmp(name, "warning"))
		return LOG_LEVEL_WARN;
	if (!strcmp(name, "debug"))
		return LOG_LEVEL_DEBUG;
	return LOG_LEVEL_INFO;
}

/* Replay feed: read frames, account them through the XDP program, queue the handed-off ones. */
static int sensor_replay_feed(void *ctx, uint16_t max)
{
	struct sensor_ctx *sc = ctx;
	struct sensor_replay *rs = sc->rs;
	uint16_t done = 0;

	while (done < max) {
		uint16_t flags = 0;
		int rc;

		if (!rs->pending) {
			rc = replay_next(rs->rp, &rs->frame, rs->err, sizeof(rs->err));
			if (rc < 0)
				return rc;
			if (rc == 0)
				return 0;
			if (rs->frame.ts_ns > rs->last_ts)
				rs->last_ts = rs->frame.ts_ns;
			rc = xdp_loader_run_frame(rs->prog_fd, rs->frame.data, rs->frame.caplen,
						  rs->frame.ts_ns, NULL, &flags);
			if (rc == -EINVAL) {
				rs->runt++;
				continue;
			}
			if (rc < 0) {
				rs->xdp_errors++;
				continue;
			}
			if (!(flags & VIGIL_META_F_HANDOFF)) {
				rs->not_handed++;
				continue;
			}
			rs->pending = true;
		}
		if (dp_port_inject(rs->port, rs->frame.data, rs->frame.caplen, rs->frame.ts_ns) < 0)
			return 1; /* ring full: the poller drains it, then we go on */
		rs->pending = false;
		done++;
	}
	return 1;
}

static void sensor_packets(void *ctx, const struct poller_pkt *pkts, uint16_t n)
{
	struct sensor_ctx *sc = ctx;

	pipeline_packets(sc->pl, pkts, n);
}

static void sensor_tick(void *ctx, uint64_t now_ns)
{
	struct sensor_ctx *sc = ctx;

	pipeline_tick(sc->pl, now_ns);
}

static uint64_t sensor_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sensor_xdp_cfg(const struct config *cfg, struct vigil_xdp_cfg *x)
{
	memset(x, 0, sizeof(*x));
	x->mode = cfg->mode == CONFIG_MODE_INLINE ? VIGIL_MODE_INLINE : VIGIL_MODE_TAP;
	x->handoff = (uint32_t)cfg->xdp_handoff;
	x->handoff_n = cfg->xdp_handoff_n;
}

static void sensor_log_xdp_stats(int stats_fd)
{
	uint64_t st[VIGIL_STAT_MAX];
	char line[1024];
	size_t off = 0;
	int i;

	if (stats_fd < 0 || xdp_stats_read(stats_fd, st) < 0)
		return;
	for (i = 0; i < VIGIL_STAT_MAX && off < sizeof(line); i++)
		if (st[i])
			off += (size_t)snprintf(line + off, sizeof(line) - off, " %s=%llu",
						xdp_stat_name((enum vigil_stat)i), (unsigned long long)st[i]);
	line[off < sizeof(line) ? off : sizeof(line) - 1] = '\0';
	pr_info("xdp:%s", off ? line : " no frames");
}

int main(int argc, char **argv)
{
	struct sensor_opts opts = { 0 };
	struct config cfg;
	struct config_error cerr;
	struct sensor_replay rs = { .prog_fd = -1 };
	struct sensor_ctx sc = { .rs = &rs };
	struct xdp_loader *xl = NULL;
	struct xdp_maps live_maps, *maps = NULL;
	struct dp_port *port = NULL;
	struct publish *pub = NULL;
	struct pipeline *pl = NULL;
	struct pipeline_out out = { .flows_fd = -1 };
	struct pipeline_stats pst;
	struct poller_stats pollst = { 0 };
	struct vigil_xdp_cfg xcfg;
	struct alert_ctx actx;
	struct dp_eal_cfg ecfg;
	struct dp_port_cfg pcfg;
	const char *obj, *ifname = NULL;
	bool eal_up = false, pinned = false;
	uint32_t prog_id = 0;
	int ifindex = 0, flows_fd = -1, ret, rc = 1;
	uint64_t end_ns;

	xdp_maps_init(&live_maps);
	ret = sensor_parse_args(argc, argv, &opts);
	if (ret)
		return ret > 0 ? 0 : 2;
	log_setup("vigil-sensor", opts.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);

	config_defaults(&cfg);
	ret = config_load(&cfg, opts.config, &cerr);
	if (ret < 0) {
		fprintf(stderr, "%s\n", cerr.msg);
		return 1;
	}
	if (opts.check_config) {
		printf("%s: configuration valid\n", opts.config);
		return 0;
	}
	if (!opts.verbose)
		log_setup("vigil-sensor", sensor_log_level(cfg.log_level));
	libbpf_set_print(sensor_libbpf_log);

	obj = cfg.xdp_object[0] ? cfg.xdp_object : VIGIL_BPF_OBJ_PATH;
	if (access(obj, R_OK) != 0) {
		pr_err("XDP object '%s': %s", obj, strerror(errno));
		return 1;
	}

	/* validate everything that can be checked before DPDK starts */
	if (opts.replay) {
		char err[512];

		ret = replay_open(opts.replay, &rs.rp, err, sizeof(err));
		if (ret < 0) {
			pr_err("%s", err);
			return 1;
		}
	} else {
		if (cfg.n_interfaces == 0) {
			pr_err("%s: sensor.interfaces is empty: name the interface to watch, or replay a capture with -r",
			       opts.config);
			return 1;
		}
		if (cfg.mode == CONFIG_MODE_INLINE) {
			pr_err("sensor.mode inline is not supported yet; use tap");
			return 1;
		}
		ifname = cfg.interfaces[0];
		ifindex = (int)if_nametoindex(ifname);
		if (!ifindex) {
			pr_err("interface '%s' does not exist", ifname);
			return 1;
		}
		ret = bpf_xdp_query_id(ifindex, 0, &prog_id);
		if (ret == 0 && prog_id) {
			if (!cfg.xdp_force) {
				pr_err("interface '%s' already has an XDP program (id %u); set xdp.force: true to replace it",
				       ifname, prog_id);
				return 1;
			}
			pr_warn("replacing XDP program %u on '%s' (xdp.force)", prog_id, ifname);
			xdp_loader_detach(ifindex, prog_id);
			prog_id = 0;
		}
	}

	if (opts.alerts_json) {
		out.alerts = fopen(opts.alerts_json, "a");
		if (!out.alerts) {
			pr_err("cannot open '%s': %s", opts.alerts_json, strerror(errno));
			goto cleanup;
		}
	}
	if (opts.flows_json) {
		out.flows = fopen(opts.flows_json, "w");
		if (!out.flows) {
			pr_err("cannot open '%s': %s", opts.flows_json, strerror(errno));
			goto cleanup;
		}
	}

	ecfg = (struct dp_eal_cfg){ .memory_mb = cfg.dpdk_memory_mb, .hugepages = cfg.dpdk_hugepages,
				    .verbose = opts.verbose };
	pcfg = (struct dp_port_cfg){ .mbufs = cfg.dpdk_mbufs, .burst = (uint16_t)cfg.dpdk_burst };
	ret = dp_eal_init(&ecfg);
	if (ret < 0) {
		pr_err("DPDK EAL initialisation failed: %s", strerror(-ret));
		goto cleanup;
	}
	eal_up = true;
	sensor_xdp_cfg(&cfg, &xcfg);

	if (opts.replay) {
		ret = xdp_loader_open(obj, &xl);
		if (ret < 0) {
			pr_err("cannot load XDP object '%s': %s", obj, strerror(-ret));
			goto cleanup;
		}
		maps = xdp_loader_maps(xl);
		ret = xdp_flows_table_open(NULL, NULL, cfg.xdp_flow_entries, &flows_fd);
		if (ret < 0) {
			pr_err("cannot create the flow table: %s", strerror(-ret));
			goto cleanup;
		}
		/* replay: every frame goes to the poller, as a tap's hand-off 'all' would */
		ret = dp_port_open_ring(&pcfg, &port);
		if (ret < 0) {
			pr_err("cannot open the replay port: %s", strerror(-ret));
			goto cleanup;
		}
		rs.port = port;
		rs.prog_fd = maps->prog_fd;
		actx = (struct alert_ctx){ .sensor_name = cfg.sensor_name, .in_iface = "replay",
					   .wall_offset_ns = 0 };
	} else {
		ret = dp_port_open_af_xdp(ifname, obj, &pcfg, &port);
		if (ret < 0) {
			pr_err("cannot open AF_XDP port on '%s': %s", ifname, strerror(-ret));
			goto cleanup;
		}
		ret = xdp_loader_from_ifindex(ifindex, &live_maps);
		if (ret < 0) {
			pr_err("the XDP program on '%s' is not vigil's: %s", ifname, strerror(-ret));
			goto cleanup;
		}
		maps = &live_maps;
		xdp_loader_prog_id(maps->prog_fd, &prog_id);
		ret = xdp_flows_table_open(cfg.xdp_pin_dir, ifname, cfg.xdp_flow_entries, &flows_fd);
		if (ret < 0) {
			pr_err("cannot open the flow table under %s: %s", cfg.xdp_pin_dir, strerror(-ret));
			goto cleanup;
		}
		pinned = true;
		actx = (struct alert_ctx){
			.sensor_name = cfg.sensor_name, .in_iface = ifname,
			.wall_offset_ns = (int64_t)(sensor_clock_ns(CLOCK_REALTIME) - sensor_clock_ns(CLOCK_MONOTONIC)),
		};
	}
	ret = xdp_cfg_write(maps->cfg_fd, &xcfg);
	if (ret == 0)
		ret = xdp_flows_table_install(maps->flows_outer_fd, flows_fd);
	if (ret < 0) {
		pr_err("cannot configure the XDP program: %s", strerror(-ret));
		goto cleanup;
	}
	out.flows_fd = flows_fd;

	if (cfg.collector_endpoint[0]) {
		struct publish_cfg pc = {
			.endpoint = cfg.collector_endpoint, .sensor_name = cfg.sensor_name,
			.queue_max = cfg.collector_queue_max, .retry_ms = cfg.collector_retry_ms,
		};

		pub = publish_new(&pc);
		if (!pub) {
			pr_err("cannot start the publisher to '%s': %s", cfg.collector_endpoint, strerror(errno));
			goto cleanup;
		}
		out.pub = pub;
	}
	pl = pipeline_new(&cfg, &actx, &out);
	if (!pl) {
		pr_err("cannot set up the pipeline: %s", strerror(errno));
		goto cleanup;
	}
	sc.pl = pl;

	signal(SIGINT, sensor_on_signal);
	signal(SIGTERM, sensor_on_signal);
	if (opts.replay)
		pr_info("replaying %s", opts.replay);
	else
		pr_info("watching %s (XDP program %u, tap mode)", ifname, prog_id);

	{
		struct poller_ops ops = {
			.feed = opts.replay ? sensor_replay_feed : NULL,
			.packets = sensor_packets,
			.tick = sensor_tick,
		};

		ret = poller_run(port, (uint16_t)cfg.dpdk_burst, 100000000ULL, &ops, &sc, &sensor_stop, &pollst);
	}
	if (ret < 0) {
		pr_err("replay of %s failed: %s", opts.replay, rs.err);
		goto cleanup;
	}
	end_ns = opts.replay ? rs.last_ts : sensor_clock_ns(CLOCK_MONOTONIC);
	pipeline_finish(pl, end_ns);

	pipeline_get_stats(pl, &pst);
	sensor_log_xdp_stats(maps->stats_fd);
	pr_info("poller: packets=%llu non_ip=%llu bad_eth=%llu bad_vlan=%llu bad_ip4=%llu bad_ip6=%llu bad_l4=%llu alerts=%llu flows=%llu",
		(unsigned long long)pst.packets, (unsigned long long)pst.parse[PKT_NON_IP],
		(unsigned long long)pst.parse[PKT_BAD_ETH], (unsigned long long)pst.parse[PKT_BAD_VLAN],
		(unsigned long long)pst.parse[PKT_BAD_IP4], (unsigned long long)pst.parse[PKT_BAD_IP6],
		(unsigned long long)pst.parse[PKT_BAD_L4], (unsigned long long)pst.alerts,
		(unsigned long long)pst.flows);
	if (opts.replay)
		pr_info("replay: runt=%llu xdp_refused=%llu", (unsigned long long)rs.runt,
			(unsigned long long)rs.xdp_errors);
	if (pub) {
		struct publish_stats ps;

		if (publish_flush(pub, 3000) < 0) {
			publish_stats(pub, &ps);
			pr_warn("collector %s did not acknowledge %llu events before exit", cfg.collector_endpoint,
				(unsigned long long)ps.queued);
		}
	}
	rc = 0;
cleanup:
	pipeline_free(pl);
	publish_free(pub);
	dp_port_close(port); /* af_xdp: the PMD detaches its program */
	if (!opts.replay && ifindex && prog_id && !cfg.xdp_stay_attached)
		xdp_loader_detach(ifindex, prog_id); /* in case the PMD left it; a foreign one stays */
	if (pinned && !cfg.xdp_stay_attached)
		xdp_flows_table_unpin(cfg.xdp_pin_dir, ifname);
	if (flows_fd >= 0)
		close(flows_fd);
	xdp_maps_close(&live_maps);
	xdp_loader_free(xl);
	if (eal_up)
		dp_eal_cleanup();
	replay_close(rs.rp);
	if (out.alerts)
		fclose(out.alerts);
	if (out.flows)
		fclose(out.flows);
	return rc;
}
