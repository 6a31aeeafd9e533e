// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c: vigil-sensor. Reads the config, sets up the XDP program and the
 * DPDK port live on an interface, or replays a capture through the XDP
 * program's user-space build (or, --replay-xdp, the program itself) without
 * DPDK; runs the pipeline, and shuts down cleanly. The only place in the
 * sensor that exits.
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
#include <rte_version.h>

#include "clock.h"
#include "alert.h"
#include "appliance.h"
#include "config.h"
#include "dp.h"
#include "dirs.h"
#include "evidence.h"
#include "intel.h"
#include "atomic_file.h"
#include "log.h"
#include "output.h"
#include "paths.h"
#include "pipeline.h"
#include "poller.h"
#include "publish.h"
#include "eve.h"
#include "stats_event.h"
#include "wire.h"
#include "replay.h"
#include "sdnotify.h"
#include "version.h"
#include "replay_feed.h"
#include "replay_progress.h"
#include "vigil_user.h"
#include "xdp_loader.h"


#define SENSOR_DEFAULT_CONFIG "/etc/vigil/sensor.yaml"

static volatile bool sensor_stop;

struct sensor_opts {
	const char *config;
	const char *replay;
	const char *alerts_json;
	const char *flows_json;
	const char *stats_json;
	bool check_config;
	bool replay_xdp;	/* replay through the XDP program (BPF_PROG_TEST_RUN) */
	bool verbose;
	bool version;
};

/* xdp.object "": the object installed beside the binary (<prefix>/lib/vigil), else the build tree's */
static const char *const sensor_obj_near_exe[] = { "../lib/vigil/vigil.bpf.o", "../ebpf/vigil.bpf.o" };

struct sensor_ctx {
	struct pipeline *pl;
	struct appliance *app;	/* SIGHUP reload, metrics */
	/* stats events (sensor/stats_event.h): to the publisher and --stats-json */
	struct publish *pub;
	const struct alert_ctx *actx;
	FILE *stats_fp;
	uint32_t stats_interval_s;
	uint64_t stats_next_ns, stats_start_ns;
	uint64_t watchdog_ns, watchdog_next_ns;	/* systemd's watchdog (0: off) */
};

/* One stats event from the pipeline's and the publisher's counters at now_ns (sensor clock). */
static void sensor_emit_stats(struct sensor_ctx *sc, uint64_t now_ns)
{
	struct stats_event_in in = {
		.wall_ns = (uint64_t)((int64_t)now_ns + sc->actx->wall_offset_ns),
		.uptime_s = (now_ns - sc->stats_start_ns) / 1000000000ULL,
		.version = version_release(),
	};
	struct pipeline_stats pst;
	struct publish_stats ps;
	struct intel_stats is;
	struct json_object *o;

	pipeline_get_stats(sc->pl, &pst);
	in.packets = pst.packets;
	in.non_ip = pst.parse[PKT_NON_IP];
	in.bad_eth = pst.parse[PKT_BAD_ETH];
	in.bad_vlan = pst.parse[PKT_BAD_VLAN];
	in.bad_ip4 = pst.parse[PKT_BAD_IP4];
	in.bad_ip6 = pst.parse[PKT_BAD_IP6];
	in.bad_l4 = pst.parse[PKT_BAD_L4];
	in.alerts = pst.alerts;
	in.alerts_dropped = pst.alerts_dropped;
	in.flows = pst.flows;
	in.harvest_errors = pst.harvest_errors;
	if (sc->pub) {
		publish_stats(sc->pub, &ps);
		in.has_publish = true;
		in.pub_published = ps.published;
		in.pub_acked = ps.acked;
		in.pub_queued = ps.queued;
		in.pub_resent = ps.resent;
		in.pub_dropped_full = ps.dropped_full;
		in.pub_dropped_spool = ps.dropped_spool;
		in.pub_spool_errors = ps.spool_errors;
		in.pub_spool_bytes = ps.spool_bytes;
		in.pub_refused = ps.refused;
		in.pub_connected = ps.connected;
	}
	appliance_get_intel_stats(sc->app, &is);
	in.intel = &is;
	o = stats_event_json(sc->actx, &in);
	if (!o)
		return;
	if (sc->stats_fp) {
		fprintf(sc->stats_fp, "%s\n", eve_line(o));
		fflush(sc->stats_fp);	/* a SIEM tails the file */
	}
	if (sc->pub)
		publish_event(sc->pub, eve_line(o));
	json_object_put(o);
}

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
		"usage: vigil-sensor [-c sensor.yaml] [-r capture.pcap] [--alerts-json FILE] [--flows-json FILE]\n"
		"       vigil-sensor [-c sensor.yaml] --check-config\n"
		"       vigil-sensor --version\n"
		"  -c, --config FILE      YAML configuration (default " SENSOR_DEFAULT_CONFIG ")\n"
		"  -r, --read FILE        replay a pcap/pcapng capture through the pipeline, then exit\n"
		"      --replay-xdp       replay through the XDP program itself (a syscall per frame)\n"
		"                         instead of its user-space build\n"
		"      --alerts-json FILE also write every alert, one JSON object per line\n"
		"      --flows-json FILE  write every flow record as an EVE flow event, one per line\n"
		"      --stats-json FILE  write the stats events (periodic and at exit), one per line\n"
		"      --check-config     validate the configuration and exit (0 valid, 1 not)\n"
		"  -v, --verbose          debug logging\n"
		"  -V, --version          version, build options and library versions\n");
}

static int sensor_parse_args(int argc, char **argv, struct sensor_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "read", required_argument, NULL, 'r' },
		{ "alerts-json", required_argument, NULL, 'A' },
		{ "flows-json", required_argument, NULL, 'F' },
		{ "stats-json", required_argument, NULL, 'S' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "replay-xdp", no_argument, NULL, 'X' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:r:vVh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'r': o->replay = optarg; break;
		case 'A': o->alerts_json = optarg; break;
		case 'F': o->flows_json = optarg; break;
		case 'S': o->stats_json = optarg; break;
		case 'C': o->check_config = true; break;
		case 'X': o->replay_xdp = true; break;
		case 'v': o->verbose = true; break;
		case 'V': o->version = true; break;
		case 'h': sensor_usage(stdout); return 1;
		default: sensor_usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vigil-sensor: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!o->config)
		o->config = SENSOR_DEFAULT_CONFIG;
	if (o->replay_xdp && !o->replay) {
		fprintf(stderr, "vigil-sensor: --replay-xdp goes with -r capture.pcap\n");
		return -EINVAL;
	}
	return 0;
}

/* The collectors to publish to: collector.endpoints, else collector.endpoint as a list of one. */
static uint32_t sensor_endpoints(const struct config *cfg, const char **list)
{
	if (!cfg->n_collector_endpoints) {
		list[0] = cfg->collector_endpoint;
		return 1;
	}
	for (uint32_t i = 0; i < cfg->n_collector_endpoints; i++)
		list[i] = cfg->collector_endpoints[i];
	return cfg->n_collector_endpoints;
}

/*
 * CURVE keys for the publisher from collector.curve_key / server_key (both or
 * neither); without them plain ZMTP only to a loopback/ipc endpoint or with
 * collector.plain_tcp, with a warning. pub[0] is '\0' for plain. 0 or -errno (logged).
 */
static int sensor_publish_keys(const struct config *cfg, char *pub, char *sec, char *srv)
{
	int rc;

	const char *eps[CONFIG_ENDPOINTS_MAX];
	uint32_t n = sensor_endpoints(cfg, eps);

	pub[0] = sec[0] = srv[0] = '\0';
	if (!cfg->collector_curve_key[0] && !cfg->collector_server_key[0]) {
		if (cfg->collector_plain_tcp) {
			pr_err("collector.plain_tcp was removed: without keys only a loopback collector is accepted; "
			       "set collector.curve_key and collector.server_key for %s", eps[0]);
			return -EINVAL;
		}
		for (uint32_t i = 0; i < n; i++) {
			if (wire_endpoint_local(eps[i]))
				continue;
			pr_err("collector %s is not local: set collector.curve_key and collector.server_key", eps[i]);
			return -EINVAL;
		}
		pr_warn("no collector.curve_key: keyless ZMTP to %s%s, for a demo on this host only (any local "
			"process could send as this sensor)", eps[0], n > 1 ? " and the other endpoints" : "");
		return 0;
	}
	if (!cfg->collector_curve_key[0] || !cfg->collector_server_key[0]) {
		pr_err("CURVE needs both collector.curve_key and collector.server_key");
		return -EINVAL;
	}
	rc = wire_key_load(cfg->collector_curve_key, pub, sec);
	if (rc) {
		pr_err("collector.curve_key %s: %s", cfg->collector_curve_key,
		       rc == -EINVAL ? "no valid public-key/secret-key lines"
		       : rc == -EPERM ? "readable by group or others, or not a regular file: chmod 600 it (it holds the "
					"sensor's secret key)"
				     : strerror(-rc));
		return rc;
	}
	rc = wire_key_load(cfg->collector_server_key, srv, NULL);
	if (rc) {
		pr_err("collector.server_key %s: %s", cfg->collector_server_key,
		       rc == -EINVAL ? "no valid public-key line" : strerror(-rc));
		explicit_bzero(sec, WIRE_KEY_LEN + 1);
		pub[0] = '\0';
		return rc;
	}
	return 0;
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
	appliance_tick(sc->app, now_ns);
	/* the packet loop's own tick: a stuck loop stops the pings and systemd restarts us */
	sdnotify_watchdog_tick(sc->watchdog_ns, clock_ns(CLOCK_MONOTONIC), &sc->watchdog_next_ns);
	if (!sc->stats_start_ns)
		sc->stats_start_ns = now_ns;
	if (stats_event_due(&sc->stats_next_ns, now_ns, sc->stats_interval_s))
		sensor_emit_stats(sc, now_ns);
}

static void sensor_xdp_cfg(const struct config *cfg, struct vigil_xdp_cfg *x)
{
	memset(x, 0, sizeof(*x));
	x->mode = cfg->mode == CONFIG_MODE_INLINE ? VIGIL_MODE_INLINE : VIGIL_MODE_TAP;
	x->handoff = (uint32_t)cfg->xdp_handoff;
	x->handoff_n = cfg->xdp_handoff_n;
	if (cfg->xdp_tunnel_inner)
		x->flags |= VIGIL_CFG_F_TUNNEL_INNER;
	if (cfg->xdp_precise_time)
		x->flags |= VIGIL_CFG_F_PRECISE_TIME;
	if (cfg->mode == CONFIG_MODE_INLINE && cfg->peer_interface[0])
		x->flags |= VIGIL_CFG_F_PEER;
	if (cfg->xdp_new_flow_rate)
		x->new_flow_ns = 1000000000ULL / cfg->xdp_new_flow_rate;
}

/* inline peer port and the configured blocklist into the program's maps */
static int sensor_xdp_maps(const struct config *cfg, const struct xdp_maps *m)
{
	struct vigil_block_key k;
	uint32_t i;
	int ret, peer;

	if (cfg->mode == CONFIG_MODE_INLINE && cfg->peer_interface[0]) {
		peer = (int)if_nametoindex(cfg->peer_interface);
		if (!peer)
			return -ENODEV;
		ret = xdp_peer_set(m->peer_fd, peer);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < cfg->n_xdp_blocklist; i++) {
		k.prefixlen = cfg->xdp_blocklist[i].prefix_len;
		memcpy(k.addr, cfg->xdp_blocklist[i].addr, sizeof(k.addr));
		ret = xdp_block_add(m, &k);
		if (ret < 0)
			return ret;
	}
	return xdp_block_sync(m);
}

/*
 * Replay's flow core: the XDP program's user-space build, configured as the
 * program would be (vg_cfg, the blocklist). 0 or -errno.
 */
static int sensor_replay_user(const struct config *cfg, const struct vigil_xdp_cfg *x,
			      struct vigil_user **out)
{
	struct vigil_user *u = vigil_user_new(cfg->xdp_flow_entries, cfg->xdp_flow_map == CONFIG_FLOW_MAP_SHARED);
	struct vigil_block_key k;
	uint32_t i;
	int ret;

	if (!u)
		return -errno;
	vigil_user_set_cfg(u, x);
	for (i = 0; i < cfg->n_xdp_blocklist; i++) {
		k.prefixlen = cfg->xdp_blocklist[i].prefix_len;
		memcpy(k.addr, cfg->xdp_blocklist[i].addr, sizeof(k.addr));
		ret = vigil_user_block_add(u, &k);
		if (ret < 0) {
			vigil_user_free(u);
			return ret;
		}
	}
	*out = u;
	return 0;
}

/* the program's counters by reason (the kernel's, or the user-space build's) */
static void sensor_log_xdp_stats(int stats_fd, const struct vigil_user *u)
{
	uint64_t st[VIGIL_STAT_MAX];
	char line[1024];
	size_t off = 0;
	int i;

	if (u)
		vigil_user_stats(u, st);
	else if (stats_fd < 0 || xdp_stats_read(stats_fd, st) < 0)
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
	enum log_level level = LOG_LEVEL_INFO;
	struct sensor_ctx sc = { 0 };
	struct replay *rp = NULL;
	struct replay_feed_stats rst = { 0 };
	struct vigil_user *user = NULL;
	struct xdp_loader *xl = NULL;
	struct xdp_maps live_maps, *maps = NULL;
	struct dp_port *port = NULL;
	struct publish *pub = NULL;
	struct pipeline *pl = NULL;
	struct pipeline_out out = { .flows_fd = -1 };
	struct evidence *evidence = NULL;
	struct output *output = NULL;
	struct pipeline_stats pst;
	struct poller_stats pollst = { 0 };
	struct vigil_xdp_cfg xcfg;
	struct alert_ctx actx;
	struct dp_eal_cfg ecfg;
	struct dp_port_cfg pcfg;
	const char *obj, *ifname = NULL;
	char obj_path[4096];
	bool eal_up = false, pinned = false;
	uint32_t prog_id = 0;
	int ifindex = 0, flows_fd = -1, ret, rc = 1;
	enum xdp_flows_pin pin_how = XDP_FLOWS_CREATED;
	uint64_t end_ns;

	xdp_maps_init(&live_maps);
	ret = sensor_parse_args(argc, argv, &opts);
	if (ret)
		return ret > 0 ? 0 : 2;
	if (opts.version) {
		char rt[128];

		snprintf(rt, sizeof(rt), "run time: %s, libbpf %s", rte_version(), libbpf_version_string());
		version_print(stdout, "vigil-sensor", rt);
		return 0;
	}
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
	if (!opts.verbose) {
		(void)log_level_parse(cfg.log_level, &level);	/* the config table admits only log_level_names */
		log_setup("vigil-sensor", level);
	}
	libbpf_set_print(sensor_libbpf_log);

	if (opts.replay && !opts.replay_xdp) {
		obj = NULL;	/* a replay runs the program's user-space build unless --replay-xdp */
	} else if (cfg.xdp_object[0]) {
		obj = cfg.xdp_object;
		if (access(obj, R_OK) != 0) {
			pr_err("XDP object '%s': %s", obj, strerror(errno));
			return 1;
		}
	} else if (paths_find_near_exe(sensor_obj_near_exe, 2, obj_path, sizeof(obj_path)) == 0) {
		obj = obj_path;
	} else {
		pr_err("no XDP object beside the executable (%s or %s from its directory): set xdp.object",
		       sensor_obj_near_exe[0], sensor_obj_near_exe[1]);
		return 1;
	}

	/* validate everything that can be checked before DPDK starts */
	if (opts.replay) {
		char err[512];

		ret = replay_open(opts.replay, &rp, err, sizeof(err));
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
		if (cfg.mode == CONFIG_MODE_INLINE && cfg.peer_interface[0] &&
		    !if_nametoindex(cfg.peer_interface)) {
			pr_err("sensor.peer_interface '%s' does not exist", cfg.peer_interface);
			return 1;
		}
		if (cfg.mode == CONFIG_MODE_INLINE && cfg.xdp_handoff == CONFIG_HANDOFF_ALL) {
			/* a frame handed to the poller is consumed there: with 'all', nothing would pass */
			pr_warn("inline mode: xdp.handoff 'all' would stop all traffic (the poller does not forward); using first_n with n=%u",
				cfg.xdp_handoff_n);
			cfg.xdp_handoff = CONFIG_HANDOFF_FIRST_N;
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

	/* the directories the config names, once the command line and the config are known good */
	if (dirs_make(&cfg) < 0)
		goto cleanup;
	{
		char msg[512];

		/* outputs.eve and the --*-json files, one stream routed by event type */
		output = output_open_sensor(&cfg, opts.alerts_json, opts.flows_json, opts.stats_json, msg, sizeof(msg));
		if (!output) {
			pr_err("%s", msg);
			goto cleanup;
		}
		out.alerts = output_wants(output, OUTPUT_ALERT) || output_wants(output, OUTPUT_INCIDENT) ?
			     output_stream(output) : NULL;
		out.flows = output_wants(output, OUTPUT_FLOW) ? output_stream(output) : NULL;
		sc.stats_fp = output_wants(output, OUTPUT_STATS) ? output_stream(output) : NULL;
	}

	if (obj)
		pr_info("XDP object %s", obj);
	ecfg = (struct dp_eal_cfg){ .memory_mb = cfg.dpdk_memory_mb, .hugepages = cfg.dpdk_hugepages,
				    .verbose = opts.verbose };
	pcfg = (struct dp_port_cfg){ .mbufs = cfg.dpdk_mbufs, .burst = (uint16_t)cfg.dpdk_burst };
	ret = opts.replay ? 0 : dp_eal_init(&ecfg);	/* a replay needs no DPDK */
	if (ret < 0) {
		pr_err("DPDK EAL initialisation failed: %s", strerror(-ret));
		goto cleanup;
	}
	eal_up = !opts.replay;
	sensor_xdp_cfg(&cfg, &xcfg);

	if (opts.replay && !opts.replay_xdp) {
		ret = sensor_replay_user(&cfg, &xcfg, &user);
		if (ret < 0) {
			pr_err("cannot set up the replay's flow table: %s", strerror(-ret));
			goto cleanup;
		}
		out.flows_user = user;
		actx = (struct alert_ctx){ .sensor_name = cfg.sensor_name, .in_iface = "replay",
					   .wall_offset_ns = 0 };
	} else if (opts.replay) {
		ret = xdp_loader_open(obj, &xl);
		if (ret < 0) {
			pr_err("cannot load XDP object '%s': %s", obj, strerror(-ret));
			goto cleanup;
		}
		maps = xdp_loader_maps(xl);
		ret = xdp_flows_table_open_kind(NULL, NULL, cfg.xdp_flow_entries,
						(enum xdp_flow_map)cfg.xdp_flow_map, &flows_fd, NULL);
		if (ret < 0) {
			pr_err("cannot create the flow table: %s", strerror(-ret));
			goto cleanup;
		}
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
		ret = xdp_flows_table_open_kind(cfg.xdp_pin_dir, ifname, cfg.xdp_flow_entries,
						(enum xdp_flow_map)cfg.xdp_flow_map, &flows_fd, &pin_how);
		if (ret < 0) {
			pr_err("cannot open the flow table under %s: %s", cfg.xdp_pin_dir, strerror(-ret));
			goto cleanup;
		}
		if (pin_how == XDP_FLOWS_REPLACED_KIND || pin_how == XDP_FLOWS_REPLACED_SIZE)
			pr_warn("flow table under %s/%s: the pinned one was %s; replaced by a new %s table "
				"of %u entries (its flows are dropped)", cfg.xdp_pin_dir, ifname,
				pin_how == XDP_FLOWS_REPLACED_KIND ? "of the other kind" : "of another size",
				cfg.xdp_flow_map == CONFIG_FLOW_MAP_SHARED ? "shared" : "per-CPU",
				cfg.xdp_flow_entries);
		pinned = true;
		actx = (struct alert_ctx){
			.sensor_name = cfg.sensor_name, .in_iface = ifname,
			.wall_offset_ns = (int64_t)(clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC)),
		};
	}
	ret = maps ? xdp_cfg_write(maps->cfg_fd, &xcfg) : 0;
	if (ret == 0 && maps)
		ret = sensor_xdp_maps(&cfg, maps);
	if (ret == 0 && maps)
		ret = xdp_flows_install(maps, flows_fd);
	if (ret < 0) {
		pr_err("cannot configure the XDP program: %s", strerror(-ret));
		goto cleanup;
	}
	pr_info("flow table: %s%s, %u entries", user ? "user space, " : "",
		cfg.xdp_flow_map == CONFIG_FLOW_MAP_SHARED ? "shared (LRU_HASH)" : "per-CPU (LRU_PERCPU_HASH)",
		cfg.xdp_flow_entries);
	out.flows_fd = flows_fd;

	/* set up: from here on only CAP_NET_ADMIN and CAP_BPF (threads started later inherit that) */
	if (appliance_drop_caps(&cfg) < 0)
		goto cleanup;
	if (cfg.collector_endpoint[0] || cfg.n_collector_endpoints) {
		const char *eps[CONFIG_ENDPOINTS_MAX];
		struct publish_cfg pc = {
			.endpoint = cfg.collector_endpoint, .sensor_name = cfg.sensor_name,
			.endpoints = eps, .n_endpoints = sensor_endpoints(&cfg, eps),
			.failover_ms = cfg.collector_failover_ms,
			.queue_max = cfg.collector_queue_max, .retry_ms = cfg.collector_retry_ms,
			.spool_dir = cfg.collector_spool_dir,
			.spool_max_bytes = (uint64_t)cfg.collector_spool_max_mb << 20,
			/* the collector fetches incident files from here (`vigil-collector evidence`) */
			.evidence_dir = cfg.evidence_enabled ? cfg.evidence_dir : NULL,
		};
		char kpub[WIRE_KEY_LEN + 1], ksec[WIRE_KEY_LEN + 1], ksrv[WIRE_KEY_LEN + 1];

		if (sensor_publish_keys(&cfg, kpub, ksec, ksrv) < 0)
			goto cleanup;
		if (kpub[0]) {
			pc.curve_public = kpub;
			pc.curve_secret = ksec;
			pc.curve_server = ksrv;
		}
		pub = publish_new(&pc);
		explicit_bzero(ksec, sizeof(ksec));
		if (!pub && errno == EPERM && cfg.collector_spool_dir[0]) {
			char why[160] = "";
			int fd = atomic_file_dir(cfg.collector_spool_dir, 0700, why, sizeof(why));

			if (fd >= 0)
				close(fd);
			pr_err("cannot start the publisher: collector.spool_dir '%s' is %s: it must be the sensor's own",
			       cfg.collector_spool_dir, why[0] ? why : "not usable");
			goto cleanup;
		}
		if (!pub) {
			pr_err("cannot start the publisher to '%s': %s", eps[0], strerror(errno));
			goto cleanup;
		}
		out.pub = pub;
	}
	if (cfg.evidence_enabled) {
		struct evidence_cfg ec = {
			.dir = cfg.evidence_dir, .sensor_name = cfg.sensor_name,
			.ring_bytes = cfg.evidence_ring_mib << 20, .ring_ns = (uint64_t)cfg.evidence_pre_s * 1000000000ULL,
			.snaplen = cfg.evidence_snaplen, .post_packets = cfg.evidence_post_packets,
			.post_ns = (uint64_t)cfg.evidence_post_s * 1000000000ULL,
			.budget_bytes = (uint64_t)cfg.evidence_budget_mib << 20, .max_open = cfg.evidence_max_open,
		};

		/* no evidence is a loss, not a reason to stop watching */
		evidence = evidence_new(&ec);
		if (!evidence && errno == EPERM) {
			char why[160] = "";
			int fd = atomic_file_dir(cfg.evidence_dir, 0750, why, sizeof(why));

			if (fd >= 0)
				close(fd);
			pr_warn("evidence is off: directory '%s' is %s: it must be the sensor's own", cfg.evidence_dir,
				why[0] ? why : "not usable");
		} else if (!evidence) {
			pr_warn("evidence is off: cannot use directory '%s': %s", cfg.evidence_dir, strerror(errno));
		}
		out.evidence = evidence;
	}
	pl = pipeline_new(&cfg, &actx, &out);
	if (!pl) {
		pr_err("cannot set up the pipeline: %s", strerror(errno));
		goto cleanup;
	}
	sc.pl = pl;
	sc.pub = pub;
	sc.actx = &actx;
	sc.stats_interval_s = cfg.collector_stats_interval_s;
	sc.app = appliance_new(&cfg, opts.config, pl, pub, maps ? maps->stats_fd : -1, flows_fd);
	if (!sc.app)
		goto cleanup;
	appliance_set_poller(sc.app, &pollst);
	appliance_set_user(sc.app, user);	/* a replay's counters and flows in the metrics */
	appliance_set_output(sc.app, output);	/* reopened on SIGHUP */
	/* containment acts on a live inline port only; a replay or a tap only alerts */
	if (appliance_contain_start(sc.app, maps, !opts.replay && cfg.mode == CONFIG_MODE_INLINE) < 0)
		goto cleanup;

	signal(SIGINT, sensor_on_signal);
	signal(SIGTERM, sensor_on_signal);
	if (opts.replay)
		pr_info("replaying %s", opts.replay);
	else
		pr_info("watching %s (XDP program %u, %s mode)", ifname, prog_id,
			cfg.mode == CONFIG_MODE_INLINE ? "inline" : "tap");
	sc.watchdog_ns = sdnotify_watchdog_ns();
	sdnotify_send("READY=1\nSTATUS=watching");

	{
		struct poller_ops ops = {
			.packets = sensor_packets,
			.tick = sensor_tick,
		};
		struct replay_feed_cfg fcfg = {
			.core = user ? REPLAY_CORE_USER : REPLAY_CORE_XDP, .user = user,
			.prog_fd = maps ? maps->prog_fd : -1, .burst = (uint16_t)cfg.dpdk_burst,
			.tick_ns = 100000000ULL, .progress_ns = 250000000ULL,
		};
		struct replay_progress prog;
		char err[512] = "";

		if (opts.replay && replay_progress_init(&prog, pl, stderr)) {
			fcfg.progress = replay_progress_show;
			fcfg.progress_ctx = &prog;
		}
		if (opts.replay)
			ret = replay_feed_run(rp, &fcfg, &ops, &sc, &sensor_stop, &pollst, &rst, err, sizeof(err));
		else
			ret = poller_run(port, (uint16_t)cfg.dpdk_burst, 100000000ULL, &ops, &sc, &sensor_stop, &pollst);
		if (ret < 0) {
			pr_err("replay of %s failed: %s", opts.replay, err);
			goto cleanup;
		}
	}
	sdnotify_send("STOPPING=1\nSTATUS=flushing and saving state");
	end_ns = opts.replay ? rst.last_ts : clock_ns(CLOCK_MONOTONIC);
	pipeline_finish(pl, end_ns);
	appliance_stop(sc.app);	/* learned state saved, blocks lifted */
	if (!sc.stats_start_ns)
		sc.stats_start_ns = end_ns;
	sensor_emit_stats(&sc, end_ns);	/* the final counters, before the publisher flushes */

	pipeline_get_stats(pl, &pst);
	sensor_log_xdp_stats(maps ? maps->stats_fd : -1, user);
	if (port) {
		struct dp_port_stats ds;

		/* imissed: frames the kernel redirected but the socket's ring had no room for */
		dp_port_get_stats(port, &ds);
		pr_info("port: received=%llu missed=%llu errors=%llu no_mbuf=%llu",
			(unsigned long long)ds.ipackets, (unsigned long long)ds.imissed,
			(unsigned long long)ds.ierrors, (unsigned long long)ds.rx_nombuf);
	}
	pr_info("poller: packets=%llu non_ip=%llu bad_eth=%llu bad_vlan=%llu bad_ip4=%llu bad_ip6=%llu bad_l4=%llu alerts=%llu flows=%llu",
		(unsigned long long)pst.packets, (unsigned long long)pst.parse[PKT_NON_IP],
		(unsigned long long)pst.parse[PKT_BAD_ETH], (unsigned long long)pst.parse[PKT_BAD_VLAN],
		(unsigned long long)pst.parse[PKT_BAD_IP4], (unsigned long long)pst.parse[PKT_BAD_IP6],
		(unsigned long long)pst.parse[PKT_BAD_L4], (unsigned long long)pst.alerts,
		(unsigned long long)pst.flows);
	if (opts.replay)
		pr_info("replay: runt=%llu xdp_refused=%llu frames=%llu", (unsigned long long)rst.runt,
			(unsigned long long)rst.refused, (unsigned long long)rst.frames);
	if (pub) {
		struct publish_stats ps;

		if (publish_flush(pub, 3000) < 0) {
			publish_stats(pub, &ps);
			pr_warn("collector %s did not acknowledge %llu events before exit",
				cfg.n_collector_endpoints ? "(collector.endpoints)" : cfg.collector_endpoint,
				(unsigned long long)ps.queued);
		}
	}
	rc = 0;
cleanup:
	appliance_free(sc.app);
	pipeline_free(pl);
	evidence_free(evidence, NULL, NULL);
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
	replay_close(rp);
	vigil_user_free(user);
	output_free(output);
	return rc;
}
