#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-replay.sh: how fast a capture replays, three ways, in one run over one
# capture of at least 2 M frames that vigil-synth writes (nine hours of office
# background with every attack twice, seed 1: a working day of a small site):
#   tcpdump -nr FILE > /dev/null       the floor: read and decode every frame
#   vigil-sensor -r FILE --replay-xdp  the XDP program, BPF_PROG_TEST_RUN a frame
#   vigil-sensor -r FILE               its user-space build (the default)
# The sensor runs with its defaults (every detector, statistics, evidence;
# no collector). Frames/s are frames per CPU second of the process (user +
# system: this machine is shared, and waiting for a core is not replay time),
# the median of three runs each; wall-clock figures are printed beside them.
# The last line is:
#   replay_pps=<n> xdp_replay_pps=<m> tcpdump_pps=<t> ratio_vs_tcpdump=<n/t>
# Usage: scripts/bench-replay.sh [BUILD_DIR] [RUNS]   (root: --replay-xdp loads BPF)
# env TMPDIR: where the capture (~1.7 GB) is written, and removed at the end.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
runs=${2:-3}
case $build in /*) ;; *) build=$here/$build ;; esac
synth=$build/tools/vigil-synth
sensor=$build/sensor/vigil-sensor
nan() { echo "replay_pps=NA xdp_replay_pps=NA tcpdump_pps=NA ratio_vs_tcpdump=NA"; }
for b in "$synth" "$sensor"; do
	if [ ! -x "$b" ]; then
		echo "bench-replay: $b missing: build first (ninja -C $build)"
		nan
		exit 1
	fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-replay.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# every attack twice, 20 minutes apart, from the tenth minute
a=flood,synflood,portscan,hostsweep,bruteforce,exfil,beacon,dnstunnel,newservice,anomaly
"$synth" -o "$tmp/day.pcap" -l "$tmp/day.tsv" --minutes 540 --first 600 --every 1200 --attacks "$a,$a" \
	2> "$tmp/synth.log"
frames=$(sed -n 's/^vigil-synth: \([0-9]*\) frames.*/\1/p' "$tmp/synth.log")
echo "# capture: vigil-synth --minutes 540, every attack twice: ${frames} frames, $(($(stat -c %s "$tmp/day.pcap") / 1000000)) MB, $(($(wc -l < "$tmp/day.tsv") - 1)) attacks"
echo "# machine: $(nproc) cores shared with other work, load $(cut -d' ' -f1-3 /proc/loadavg): figures are pessimistic"
if [ "${frames:-0}" -lt 2000000 ]; then
	echo "bench-replay: the capture has ${frames:-no} frames, fewer than 2 M"
	nan
	exit 1
fi

cat > "$tmp/sensor.yaml" <<YAML
sensor:
  name: bench-replay
collector:
  endpoint: ""
evidence:
  dir: $tmp/evidence
YAML

# one run: "<cpu seconds> <wall seconds>" of the command; its output in $tmp/<name>.out
timed() { # name command...
	local name=$1 t
	shift
	TIMEFORMAT='%U %S %R'
	t=$( { time "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"; } 2>&1 )
	awk '{ printf "%.3f %.3f\n", $1 + $2, $3 }' <<<"$t"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
pps() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "NA" }'; }

# the capture into the page cache first, so no way pays for the disk
cat "$tmp/day.pcap" > /dev/null
declare -A cpu wall
for rep in $(seq 1 "$runs"); do
	r=$(timed tcpdump tcpdump -nr "$tmp/day.pcap")
	cpu[tcpdump]+="${r% *} "; wall[tcpdump]+="${r#* } "
	rm -rf "$tmp/evidence"
	r=$(timed user "$sensor" -c "$tmp/sensor.yaml" -r "$tmp/day.pcap" --alerts-json "$tmp/user.alerts.$rep")
	cpu[user]+="${r% *} "; wall[user]+="${r#* } "
	rm -rf "$tmp/evidence"
	r=$(timed xdp "$sensor" -c "$tmp/sensor.yaml" -r "$tmp/day.pcap" --replay-xdp --alerts-json "$tmp/xdp.alerts.$rep")
	cpu[xdp]+="${r% *} "; wall[xdp]+="${r#* } "
done
for w in user xdp; do
	if ! grep -q "replay: .* frames=$frames\$" "$tmp/$w.err"; then
		echo "bench-replay: vigil-sensor ($w) did not replay the $frames frames:"
		tail -3 "$tmp/$w.err"
		nan
		exit 1
	fi
done
n_tcpdump=$(tcpdump -nr "$tmp/day.pcap" 2>/dev/null | wc -l)

declare -A p pw
for w in tcpdump user xdp; do
	p[$w]=$(pps "$frames" "$(tr ' ' '\n' <<<"${cpu[$w]}" | sed '/^$/d' | median)")
	pw[$w]=$(pps "$frames" "$(tr ' ' '\n' <<<"${wall[$w]}" | sed '/^$/d' | median)")
	echo "$w: CPU seconds ${cpu[$w]}(wall ${wall[$w]}): $(printf "%'d" "${p[$w]}") frames per CPU second, $(printf "%'d" "${pw[$w]}") per wall second"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "NA" }'; }
echo "tcpdump printed $n_tcpdump lines for the $frames frames"
echo "alerts: user space $(wc -l < "$tmp/user.alerts.1"), XDP $(wc -l < "$tmp/xdp.alerts.1"); identical: $(cmp -s "$tmp/user.alerts.1" "$tmp/xdp.alerts.1" && echo yes || echo no)"
echo "user-space replay vs the XDP path: $(ratio "${p[user]}" "${p[xdp]}")x per CPU second, $(ratio "${pw[user]}" "${pw[xdp]}")x wall; vs tcpdump: $(ratio "${p[user]}" "${p[tcpdump]}")x, $(ratio "${pw[user]}" "${pw[tcpdump]}")x wall"
echo "replay_pps=${p[user]} xdp_replay_pps=${p[xdp]} tcpdump_pps=${p[tcpdump]} ratio_vs_tcpdump=$(ratio "${p[user]}" "${p[tcpdump]}")"
