#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# bench-poller.sh: packets/s of the receive loop (net_ring fed from memory ->
# poller -> the sensor's pipeline exactly as it runs: parse, statistics, every
# detector, alerts, evidence, all at the configuration's defaults) on one core
# for benign, scan and random-source flood captures made by vigil-gen; beside
# it the same loop without the detectors and evidence (parse -> statistics)
# and without the statistics too; the statistics alone in ns/packet; memory
# (RSS + hugepages) of the default profile with 1 M XDP flows and 256 k
# user-space entries; the loop without detectors with every frame copied into
# evidence's pre-trigger ring (16 MiB, 128 B a frame). Ratios are against
# figures measured in this same run. Poller Mpps are packets per second of the loop's
# own time, bounded from above by the smaller of the wall time it was busy
# (receive to free of bursts that had frames; preemption while busy inflates
# it) and the thread's CPU time (waiting for the feed inflates it): per-core
# figures, pessimistic on a shared machine.
# The feed (filling mbufs: the NIC's and the kernel's work live) runs on the
# second core; the loop with the feed on the poller's core, copies charged,
# is printed too.
# Usage: scripts/bench-poller.sh [BUILD_DIR] [SECONDS]   (root: hugepages, BPF maps)
# The last line is: benign_mpps=<a> scan_mpps=<b> flood_mpps=<c> mem_mib=<d>
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
secs=${2:-3}
case $build in /*) ;; *) build=$here/$build ;; esac
gen=$build/tools/vigil-gen
bench=$build/dataplane/bench/vigil-bench-poller
mem=$build/dataplane/bench/vigil-bench-mem
for b in "$gen" "$bench" "$mem"; do
	[ -x "$b" ] || { echo "bench-poller: $b missing: build first (ninja -C $build)" >&2; exit 1; }
done

tmp=$(mktemp -d /tmp/vx4-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# deterministic captures (seed 1): benign mix, a port scan then a host sweep of
# a /16, and a UDP flood from random sources across a /10 (4 M addresses)
"$gen" --pcap "$tmp/benign.pcap" --phase benign:5:40000 --quiet
"$gen" --pcap "$tmp/scan.pcap" --internal 10.0.0.0/16 --phase portscan:3:50000 --phase hostsweep:3:50000 --quiet
"$gen" --pcap "$tmp/flood.pcap" --external 100.64.0.0/10 --phase udpflood:4:150000 --quiet

field() { sed -n "s/.*[ ^]$2=\([^ ]*\).*/\1/p" <<<"$1" | head -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'; }

echo "# machine: $(nproc) cores shared with other work, load $(cut -d' ' -f1-3 /proc/loadavg): figures are pessimistic"
[ "$(nproc)" -ge 2 ] && echo "# feed on CPU 1, poller on CPU 0" || echo "# one CPU: the feed shares the poller's core (copies charged)"
declare -A rx st pl ns ev wall same runs pruns alerts
# the figures that count, the pipeline and (beside it) the loop without the
# detectors, are the medians of three runs taken in turn over the three
# captures (this machine's speed drifts by tens of percent from minute to
# minute); the others are one run each
for rep in 1 2 3; do
	for t in benign scan flood; do
		out=$("$bench" -r "$tmp/$t.pcap" -m pipeline -s "$secs")
		pruns[$t]="${pruns[$t]:-} $(field "$(grep '^poller:' <<<"$out")" mpps)"
		[ "$rep" = 1 ] && alerts[$t]=$(field "$(grep '^pipeline:' <<<"$out")" alerts)
		out=$("$bench" -r "$tmp/$t.pcap" -m poller -s "$secs")
		[ "$rep" = 1 ] && echo "$t: $(grep '^capture:' <<<"$out" | sed 's/.*frames=/frames=/') $(grep '^tables:' <<<"$out" | sed 's/^tables: //')"
		runs[$t]="${runs[$t]:-} $(field "$(grep '^poller:' <<<"$out")" mpps)"
		wall[$t]="${wall[$t]:-} $(field "$(grep '^poller:' <<<"$out")" wall_mpps)"
	done
done
median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for t in benign scan flood; do
	pl[$t]=$(median "${pruns[$t]}")
	st[$t]=$(median "${runs[$t]}")
	out=$("$bench" -r "$tmp/$t.pcap" -m rx -s "$secs")
	rx[$t]=$(field "$(grep '^poller:' <<<"$out")" mpps)
	out=$("$bench" -r "$tmp/$t.pcap" -m stats -s "$secs")
	ns[$t]=$(field "$(grep '^stats:' <<<"$out")" ns_per_pkt)
	out=$("$bench" -r "$tmp/$t.pcap" -m evidence -s "$secs")
	ev[$t]=$(field "$(grep '^poller:' <<<"$out")" mpps)
	out=$("$bench" -r "$tmp/$t.pcap" -m poller -s "$secs" -f same)
	same[$t]=$(field "$(grep '^poller:' <<<"$out")" mpps)
	echo "$t: pipeline as the sensor runs it ${pl[$t]} Mpps/core (median of${pruns[$t]}; ${alerts[$t]} alerts in the first run); without detectors and evidence ${st[$t]} Mpps (median of${runs[$t]}; wall${wall[$t]}; pipeline/that $(ratio "${pl[$t]}" "${st[$t]}")), without statistics too ${rx[$t]} Mpps, statistics alone ${ns[$t]} ns/pkt, without detectors with the evidence ring ${ev[$t]} Mpps, without detectors, feed on the same core ${same[$t]} Mpps"
done
echo "ratios to benign (same run): pipeline scan $(ratio "${pl[scan]}" "${pl[benign]}") flood $(ratio "${pl[flood]}" "${pl[benign]}"); without detectors scan $(ratio "${st[scan]}" "${st[benign]}") flood $(ratio "${st[flood]}" "${st[benign]}"); stats ns/pkt scan $(ratio "${ns[scan]}" "${ns[benign]}") flood $(ratio "${ns[flood]}" "${ns[benign]}")"

out=$("$mem" 1048576)
echo "$out" | grep -v '^mem_mib='
mib=$(field "$(grep '^mem_mib=' <<<"$out" | sed 's/^/ /')" mem_mib)
echo "memory: RSS + hugepages ${mib} MiB (target 128; the flow map's kernel memory is listed above, not in this sum)"
delta() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.1f%%", (a - b) * 100 / b; else print "nan" }'; }
echo "evidence ring on, no detectors (16 MiB ring, snaplen 128): benign ${ev[benign]} Mpps ($(delta "${ev[benign]}" "${st[benign]}")) scan ${ev[scan]} Mpps ($(delta "${ev[scan]}" "${st[scan]}")) flood ${ev[flood]} Mpps ($(delta "${ev[flood]}" "${st[flood]}")) vs poller+stats"
echo "the real pipeline vs without detectors: benign $(ratio "${pl[benign]}" "${st[benign]}") scan $(ratio "${pl[scan]}" "${st[scan]}") flood $(ratio "${pl[flood]}" "${st[flood]}") (target from memory: >= 3 Mpps/core benign, scan and flood within 30 % of it)"
echo "benign_mpps=${pl[benign]} scan_mpps=${pl[scan]} flood_mpps=${pl[flood]} mem_mib=${mib}"
