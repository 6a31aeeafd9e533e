// SPDX-License-Identifier: GPL-2.0-only
/*
 * vigil-gen: crafted traffic for the demo, the integration tests and the
 * evaluation. A timeline of phases (benign, floods, scans) is written live on an
 * interface or into a pcap, deterministically from a seed, with attack labels.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "version.h"

#include "gen_frame.h"
#include "gen_live.h"
#include "gen_pcap.h"
#include "gen_profile.h"

enum {
	EXIT_ARGS = 1,
	EXIT_IO = 2,
	MAX_PHASES = 64,
	LIVE_BATCH = 64,
	LIVE_WINDOW_NS = 1000000,	/* frames due within 1 ms go out in one sendmmsg */
	SLOT_BYTES = 2048,
};

struct phase {
	enum gen_profile_kind kind;
	double secs;
	double rate;		/* 0: --rate or the profile's default */
	uint64_t frames;
	uint64_t bytes;
	uint64_t dropped;	/* live: refused by the kernel (ENOBUFS) */
	uint64_t late;		/* live: still queued when the phase ran out of time */
	double start_epoch, end_epoch;
	bool done;
};

struct opts {
	const char *iface;
	const char *pcap;
	const char *labels;
	bool nsec;
	bool quiet;
	uint64_t seed;
	uint64_t start;
	double rate;		/* --rate: default for phases without their own */
	double duration;	/* --duration: length of --profile phases */
	bool src_mac_set, dst_mac_set, victim_set, attacker_set;
	char internal_txt[32], external_txt[32];
	struct gen_net net;
	struct phase phases[MAX_PHASES];
	unsigned n_phases;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int bad_arg(const char *opt, const char *val, const char *expected)
{
	fprintf(stderr, "vigil-gen: bad %s '%s': expected %s\n", opt, val, expected);
	return -EINVAL;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (v[i] > 0xff)
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

static int parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*ip = ntohl(a.s_addr);
	return 0;
}

static int parse_cidr(const char *s, uint32_t *base, uint8_t *len)
{
	char buf[32], *slash, *end;
	long l = 32;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = 0;
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || l < 0 || l > 32)
			return -EINVAL;
	}
	if (parse_ip(buf, base))
		return -EINVAL;
	*len = (uint8_t)l;
	*base &= l ? ~0u << (32 - l) : 0;
	return 0;
}

static int parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static const char *profile_list = "benign, udpflood, synflood, portscan or hostsweep";

/* NAME[:SECONDS[:PPS]] */
static int parse_phase(const char *opt, const char *s, double def_secs, struct opts *o)
{
	char buf[128], *name, *secs, *rate;
	struct phase *ph;
	int kind;

	if (o->n_phases == MAX_PHASES)
		return bad_arg(opt, s, "at most 64 phases");
	if (strlen(s) >= sizeof(buf))
		return bad_arg(opt, s, "NAME[:SECONDS[:PPS]]");
	strcpy(buf, s);
	name = buf;
	secs = strchr(name, ':');
	if (secs)
		*secs++ = 0;
	rate = secs ? strchr(secs, ':') : NULL;
	if (rate)
		*rate++ = 0;
	kind = gen_profile_lookup(name);
	if (kind < 0)
		return bad_arg(opt, s, profile_list);
	ph = &o->phases[o->n_phases];
	memset(ph, 0, sizeof(*ph));
	ph->kind = kind;
	ph->secs = def_secs;
	if (secs && parse_double(secs, 0.001, 7 * 86400, &ph->secs))
		return bad_arg(opt, s, "NAME:SECONDS with 0.001 <= SECONDS <= 604800");
	if (rate && parse_double(rate, 0.001, 10e6, &ph->rate))
		return bad_arg(opt, s, "NAME:SECONDS:PPS with 0.001 <= PPS <= 10000000");
	o->n_phases++;
	return 0;
}

static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: vigil-gen (--iface IF | --pcap FILE) --phase NAME[:SECONDS[:PPS]]... [options]\n"
		"  --iface IF          send live through AF_PACKET on IF (needs CAP_NET_RAW)\n"
		"  --pcap FILE         write a classic pcap (\"-\" = stdout)\n"
		"  --nsec              nanosecond pcap timestamps (default microseconds)\n"
		"  --phase SPEC        NAME[:SECONDS[:PPS]], repeatable, run in order;\n"
		"                      NAME is %s\n"
		"  --profile NAME      a phase of --duration seconds (repeatable)\n"
		"  --duration S        length of --profile phases and bare --phase NAME (10)\n"
		"  --rate PPS          rate of phases that do not give one (profile default)\n"
		"  --start EPOCH       pcap time of the first phase (1700000000)\n"
		"  --src-mac MAC       source MAC (pcap 02:00:00:00:00:01, live: the interface's)\n"
		"  --dst-mac MAC       destination MAC (pcap 02:00:00:00:00:02, live ff:ff:ff:ff:ff:ff)\n"
		"  --internal CIDR     protected hosts (192.0.2.0/24)\n"
		"  --external CIDR     outside hosts (198.51.100.0/24)\n"
		"  --victim IP         target of the attacks (internal host .10)\n"
		"  --attacker IP       scanner (external host .66)\n"
		"  --labels FILE       append one line per attack phase (tab-separated, header once)\n"
		"  --seed N            PRNG seed (1)\n"
		"  --quiet             no per-phase summary on stderr\n"
		"  --version           version and build\n",
		profile_list);
}

/* Parse argv into o; prints the error itself. Returns 0, 1 for --help, -EINVAL. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { O_PHASE = 256, O_PROFILE, O_DURATION, O_RATE, O_START, O_SRC, O_DST, O_INT, O_EXT,
	       O_VICTIM, O_ATTACKER, O_LABELS, O_SEED, O_NSEC };
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "pcap", required_argument, NULL, 'w' },
		{ "nsec", no_argument, NULL, O_NSEC },
		{ "phase", required_argument, NULL, O_PHASE },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "rate", required_argument, NULL, O_RATE },
		{ "start", required_argument, NULL, O_START },
		{ "src-mac", required_argument, NULL, O_SRC },
		{ "dst-mac", required_argument, NULL, O_DST },
		{ "internal", required_argument, NULL, O_INT },
		{ "external", required_argument, NULL, O_EXT },
		{ "victim", required_argument, NULL, O_VICTIM },
		{ "attacker", required_argument, NULL, O_ATTACKER },
		{ "labels", required_argument, NULL, O_LABELS },
		{ "seed", required_argument, NULL, O_SEED },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *phase_args[MAX_PHASES];
	bool phase_is_profile[MAX_PHASES];
	unsigned n_phase_args = 0;
	const char *internal = "192.0.2.0/24", *external = "198.51.100.0/24";
	const char *victim = NULL, *attacker = NULL;
	int c;

	o->seed = 1;
	o->start = 1700000000;
	o->duration = 10;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "i:w:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o->iface = optarg;
			break;
		case 'w':
			o->pcap = optarg;
			break;
		case O_NSEC:
			o->nsec = true;
			break;
		case O_PHASE:
		case O_PROFILE:
			if (n_phase_args == MAX_PHASES)
				return bad_arg(c == O_PHASE ? "--phase" : "--profile", optarg, "at most 64 phases");
			phase_is_profile[n_phase_args] = c == O_PROFILE;
			phase_args[n_phase_args++] = optarg;
			break;
		case O_DURATION:
			if (parse_double(optarg, 0.001, 7 * 86400, &o->duration))
				return bad_arg("--duration", optarg, "seconds in [0.001, 604800]");
			break;
		case O_RATE:
			if (parse_double(optarg, 0.001, 10e6, &o->rate))
				return bad_arg("--rate", optarg, "packets per second in [0.001, 10000000]");
			break;
		case O_START:
			if (parse_u64(optarg, UINT32_MAX - 7 * 86400 * MAX_PHASES, &o->start))
				return bad_arg("--start", optarg, "epoch seconds that fit a pcap timestamp");
			break;
		case O_SRC:
			if (parse_mac(optarg, o->net.src_mac))
				return bad_arg("--src-mac", optarg, "a MAC address like 02:00:00:00:00:01");
			o->src_mac_set = true;
			break;
		case O_DST:
			if (parse_mac(optarg, o->net.dst_mac))
				return bad_arg("--dst-mac", optarg, "a MAC address like 02:00:00:00:00:02");
			o->dst_mac_set = true;
			break;
		case O_INT:
			internal = optarg;
			break;
		case O_EXT:
			external = optarg;
			break;
		case O_VICTIM:
			victim = optarg;
			break;
		case O_ATTACKER:
			attacker = optarg;
			break;
		case O_LABELS:
			o->labels = optarg;
			break;
		case O_SEED:
			if (parse_u64(optarg, UINT64_MAX, &o->seed))
				return bad_arg("--seed", optarg, "an unsigned integer");
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case 'V':
			version_print(stdout, "vigil-gen", NULL);
			return 1;
		default:
			if (optopt)
				fprintf(stderr, "vigil-gen: bad argument '%s': option needs a value or is unknown (see --help)\n",
					argv[optind - 1]);
			else
				fprintf(stderr, "vigil-gen: bad argument '%s': unknown option (see --help)\n",
					argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc)
		return bad_arg("argument", argv[optind], "options only (see --help)");
	if (!!o->iface == !!o->pcap) {
		fprintf(stderr, "vigil-gen: bad arguments: expected exactly one of --iface or --pcap\n");
		return -EINVAL;
	}
	if (o->nsec && !o->pcap)
		return bad_arg("--nsec", "", "--pcap as well");
	if (!n_phase_args) {
		fprintf(stderr, "vigil-gen: bad arguments: expected at least one --phase or --profile\n");
		return -EINVAL;
	}
	for (unsigned i = 0; i < n_phase_args; i++) {
		if (phase_is_profile[i] && strchr(phase_args[i], ':'))
			return bad_arg("--profile", phase_args[i], profile_list);
		if (parse_phase(phase_is_profile[i] ? "--profile" : "--phase", phase_args[i], o->duration, o))
			return -EINVAL;
	}
	for (unsigned i = 0; i < o->n_phases; i++)
		if (!o->phases[i].rate)
			o->phases[i].rate = o->rate ? o->rate : gen_profile_default_rate(o->phases[i].kind);

	if (parse_cidr(internal, &o->net.internal, &o->net.internal_len))
		return bad_arg("--internal", internal, "an IPv4 prefix like 192.0.2.0/24");
	if (parse_cidr(external, &o->net.external, &o->net.external_len))
		return bad_arg("--external", external, "an IPv4 prefix like 198.51.100.0/24");
	o->net.victim = gen_net_host(o->net.internal, o->net.internal_len, 10);
	o->net.attacker = gen_net_host(o->net.external, o->net.external_len, 66);
	if (victim && parse_ip(victim, &o->net.victim))
		return bad_arg("--victim", victim, "an IPv4 address");
	if (attacker && parse_ip(attacker, &o->net.attacker))
		return bad_arg("--attacker", attacker, "an IPv4 address");
	snprintf(o->internal_txt, sizeof(o->internal_txt), "%u.%u.%u.%u/%u", o->net.internal >> 24,
		 (o->net.internal >> 16) & 0xff, (o->net.internal >> 8) & 0xff, o->net.internal & 0xff,
		 o->net.internal_len);
	snprintf(o->external_txt, sizeof(o->external_txt), "%u.%u.%u.%u/%u", o->net.external >> 24,
		 (o->net.external >> 16) & 0xff, (o->net.external >> 8) & 0xff, o->net.external & 0xff,
		 o->net.external_len);
	if (!o->src_mac_set && o->pcap)
		memcpy(o->net.src_mac, (uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, 6);
	if (!o->dst_mac_set)
		memcpy(o->net.dst_mac, o->pcap ? (uint8_t[6]){ 2, 0, 0, 0, 0, 2 }
					      : (uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 6);
	return 0;
}

static uint64_t phase_seed(const struct opts *o, unsigned i)
{
	return o->seed ^ ((uint64_t)(i + 1) * 0xd1b54a32d192ed03ull);
}

static uint64_t secs_to_ns(double s)
{
	return (uint64_t)llround(s * 1e9);
}

static void ip_text(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

/* Returns 0 or -errno of the write. */
static int labels_write(FILE *fp, const struct opts *o, const struct phase *ph)
{
	char attacker[32], victim[32];

	if (!gen_profile_is_attack(ph->kind))
		return 0;
	ip_text(o->net.attacker, attacker, sizeof(attacker));
	ip_text(o->net.victim, victim, sizeof(victim));
	if (ph->kind == GEN_PROFILE_UDPFLOOD || ph->kind == GEN_PROFILE_SYNFLOOD)
		strcpy(attacker, o->external_txt);	/* spoofed sources from the external range */
	if (ph->kind == GEN_PROFILE_HOSTSWEEP)
		strcpy(victim, o->internal_txt);
	if (fprintf(fp, "%.3f\t%.3f\t%s\t%s\t%s\n", ph->start_epoch, ph->end_epoch,
		    gen_profile_name(ph->kind), attacker, victim) < 0 || fflush(fp))
		return -errno;
	return 0;
}

static void phase_summary(const struct opts *o, unsigned i)
{
	const struct phase *ph = &o->phases[i];
	double secs = ph->end_epoch - ph->start_epoch;
	bool scan = ph->kind == GEN_PROFILE_PORTSCAN || ph->kind == GEN_PROFILE_HOSTSWEEP;

	if (o->quiet)
		return;
	pr_info("phase %u/%u %s: %.3f s, %" PRIu64 " frames, %.1f frames/s (target %.1f %s/s), %.2f MB%s%s",
		i + 1, o->n_phases, gen_profile_name(ph->kind), secs, ph->frames,
		secs > 0 ? ph->frames / secs : 0, ph->rate, scan ? "probes" : "frames", ph->bytes / 1e6,
		ph->dropped ? ", some dropped by the kernel" : "",
		ph->late ? ", fell behind schedule" : "");
}

static int run_pcap(struct opts *o, FILE *labels)
{
	static uint8_t frame[SLOT_BYTES];
	uint64_t offset_ns = o->start * 1000000000ull;
	struct gen_pcap *pc;
	int err = 0;

	pc = gen_pcap_open(o->pcap, o->nsec);
	if (!pc) {
		err = -errno;
		fprintf(stderr, "vigil-gen: cannot create '%s': %s\n", o->pcap, strerror(-err));
		return err;
	}
	for (unsigned i = 0; i < o->n_phases && !err; i++) {
		struct phase *ph = &o->phases[i];
		uint64_t dur = secs_to_ns(ph->secs), t;
		struct gen_profile *prof = gen_profile_new(ph->kind, &o->net, ph->rate, phase_seed(o, i));
		int len;

		if (!prof) {
			err = -errno;
			fprintf(stderr, "vigil-gen: phase %u: %s\n", i + 1, strerror(errno));
			break;
		}
		while ((len = gen_profile_next(prof, &t, frame, sizeof(frame))) >= 0 && t < dur) {
			err = gen_pcap_write(pc, offset_ns + t, frame, (uint32_t)len);
			if (err)
				break;
			ph->frames++;
			ph->bytes += (uint64_t)len;
		}
		gen_profile_free(prof);
		if (len < 0 && !err) {
			fprintf(stderr, "vigil-gen: phase %u: frame: %s\n", i + 1, strerror(-len));
			err = len;
			break;
		}
		if (err) {
			fprintf(stderr, "vigil-gen: cannot write '%s': %s\n", o->pcap, strerror(-err));
			break;
		}
		ph->start_epoch = offset_ns / 1e9;
		offset_ns += dur;
		ph->end_epoch = offset_ns / 1e9;
		ph->done = true;
		phase_summary(o, i);
		if (labels && (err = labels_write(labels, o, ph)))
			fprintf(stderr, "vigil-gen: cannot write '%s': %s\n", o->labels, strerror(-err));
	}
	if (gen_pcap_close(pc) < 0 && !err) {
		err = -EIO;
		fprintf(stderr, "vigil-gen: cannot write '%s': %s\n", o->pcap, strerror(errno));
	}
	return err;
}

static void sleep_until(uint64_t mono_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(mono_ns / 1000000000ull),
			       .tv_nsec = (long)(mono_ns % 1000000000ull) };

	while (!stop_requested && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/*
 * One phase, paced: frames due within LIVE_WINDOW_NS of the first are sent
 * together at the first one's time. The loop ends when the profile's clock
 * passes the phase length, or at the phase's deadline if sending falls behind.
 */
static int live_phase(struct gen_live *lv, struct gen_profile *prof, struct phase *ph,
		      uint64_t start, uint64_t dur, uint8_t (*slots)[SLOT_BYTES])
{
	uint8_t *ptrs[LIVE_BATCH];
	uint32_t lens[LIVE_BATCH];
	uint64_t first_t = 0;
	bool carry = false, end = false;
	uint32_t carry_len = 0;
	uint64_t carry_t = 0;

	for (unsigned i = 0; i < LIVE_BATCH; i++)
		ptrs[i] = slots[i];
	while (!end && !stop_requested) {
		unsigned n = 0;
		int sent;

		if (carry) {
			memcpy(slots[0], slots[LIVE_BATCH], carry_len);
			lens[0] = carry_len;
			first_t = carry_t;
			n = 1;
			carry = false;
		}
		while (n < LIVE_BATCH) {
			uint64_t t;
			int len = gen_profile_next(prof, &t, slots[n], SLOT_BYTES);

			if (len < 0)
				return len;
			if (t >= dur) {
				end = true;
				break;
			}
			if (n && t - first_t > LIVE_WINDOW_NS) {
				/* due later: keep it in the spare slot for the next batch */
				memcpy(slots[LIVE_BATCH], slots[n], (size_t)len);
				carry = true;
				carry_len = (uint32_t)len;
				carry_t = t;
				break;
			}
			if (!n)
				first_t = t;
			lens[n++] = (uint32_t)len;
		}
		if (!n)
			break;
		if (clock_ns(CLOCK_MONOTONIC) >= start + dur) {
			ph->late += n + carry;
			break;
		}
		sleep_until(start + first_t);
		sent = gen_live_send(lv, ptrs, lens, n, &ph->bytes);
		if (sent < 0)
			return sent;
		ph->frames += (uint64_t)sent;
		ph->dropped += n - (unsigned)sent;
	}
	sleep_until(start + dur);
	return 0;
}

static int run_live(struct opts *o, FILE *labels)
{
	uint8_t (*slots)[SLOT_BYTES] = NULL;
	struct gen_live *lv;
	uint64_t mono0, wall0, offset = 0;
	uint8_t mac[6];
	int err = 0;

	lv = gen_live_open(o->iface, mac);
	if (!lv) {
		err = -errno;
		if (errno == ENODEV)
			fprintf(stderr, "vigil-gen: interface '%s' does not exist\n", o->iface);
		else
			fprintf(stderr, "vigil-gen: cannot open interface '%s': %s\n", o->iface, strerror(errno));
		return err;
	}
	if (!o->src_mac_set)
		memcpy(o->net.src_mac, mac, 6);
	slots = calloc(LIVE_BATCH + 1, SLOT_BYTES);
	if (!slots) {
		err = -ENOMEM;
		fprintf(stderr, "vigil-gen: out of memory\n");
		goto cleanup;
	}
	mono0 = clock_ns(CLOCK_MONOTONIC);
	wall0 = clock_ns(CLOCK_REALTIME);
	for (unsigned i = 0; i < o->n_phases && !stop_requested; i++) {
		struct phase *ph = &o->phases[i];
		uint64_t dur = secs_to_ns(ph->secs);
		struct gen_profile *prof = gen_profile_new(ph->kind, &o->net, ph->rate, phase_seed(o, i));

		if (!prof) {
			err = -errno;
			fprintf(stderr, "vigil-gen: phase %u: %s\n", i + 1, strerror(errno));
			break;
		}
		ph->start_epoch = (wall0 + offset) / 1e9;
		err = live_phase(lv, prof, ph, mono0 + offset, dur, slots);
		gen_profile_free(prof);
		ph->end_epoch = (wall0 + (clock_ns(CLOCK_MONOTONIC) - mono0)) / 1e9;
		ph->done = true;
		offset += dur;
		if (err) {
			fprintf(stderr, "vigil-gen: send on '%s': %s\n", o->iface, strerror(-err));
			break;
		}
		phase_summary(o, i);
		if (labels && (err = labels_write(labels, o, ph))) {
			fprintf(stderr, "vigil-gen: cannot write '%s': %s\n", o->labels, strerror(-err));
			break;
		}
	}
	printf("phase\tprofile\tseconds\tframes\tbytes\tdropped\tlate\n");
	for (unsigned i = 0; i < o->n_phases; i++) {
		const struct phase *ph = &o->phases[i];

		if (ph->done)
			printf("%u\t%s\t%.3f\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\n", i + 1,
			       gen_profile_name(ph->kind), ph->end_epoch - ph->start_epoch, ph->frames,
			       ph->bytes, ph->dropped, ph->late);
	}
	fflush(stdout);
cleanup:
	free(slots);
	gen_live_close(lv);
	return err;
}

int main(int argc, char **argv)
{
	struct opts *o = calloc(1, sizeof(*o));
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *labels = NULL;
	int r, rc = 0;

	log_setup("vigil-gen", LOG_LEVEL_INFO);
	if (!o) {
		fprintf(stderr, "vigil-gen: out of memory\n");
		return EXIT_IO;
	}
	r = parse_args(argc, argv, o);
	if (r) {
		free(o);
		return r > 0 ? 0 : EXIT_ARGS;
	}
	if (o->labels) {
		labels = fopen(o->labels, "a");
		if (!labels) {
			fprintf(stderr, "vigil-gen: cannot open '%s': %s\n", o->labels, strerror(errno));
			rc = EXIT_IO;
			goto cleanup;
		}
		if (ftell(labels) == 0 &&
		    (fputs("start_epoch\tend_epoch\ttype\tattacker\tvictim\n", labels) < 0 || fflush(labels))) {
			fprintf(stderr, "vigil-gen: cannot write '%s': %s\n", o->labels, strerror(errno));
			rc = EXIT_IO;
			goto cleanup;
		}
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	r = o->pcap ? run_pcap(o, labels) : run_live(o, labels);
	if (r)
		rc = EXIT_IO;
cleanup:
	if (labels && fclose(labels) && !rc) {
		fprintf(stderr, "vigil-gen: cannot write '%s': %s\n", o->labels, strerror(errno));
		rc = EXIT_IO;
	}
	free(o);
	return rc;
}
