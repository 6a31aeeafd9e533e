#!/usr/bin/env bash
# eval.sh: scores the detectors on labelled and on real traffic.
#  1. synthetic: vigil-synth writes two hours of office traffic (its Windows-domain
#     day included: --office) with every attack type and variant injected at known
#     times (labels: start end attacker victim type), and one hour of the same
#     background alone; alerts are matched to labels.
#  2. real attacks: every capture of ../shared/pcaps/attack/<category> must raise one
#     of its category's detectors, unless docs/detectors.md explains why flow
#     statistics cannot see it (scripts/eval-explained.tsv lists those; they are
#     printed, and not counted).
#  3. real benign: every capture of ../shared/pcaps/flow/** and the office recorded in
#     namespaces (tests/data/captures/benign/office) is replayed; every incident there
#     is false. Hours are the time each capture covers (gaps over 60 s count as 60 s).
# Usage: scripts/eval.sh [BUILDDIR] [SEED]   (root: replay needs BPF and DPDK)
# Environment: EVAL_MINUTES (120), EVAL_BENIGN_MINUTES (60), EVAL_JOBS (2),
#   VIGIL_PCAPS (../shared/pcaps).
# Last line: detected <x> of <y> incidents, <z> false alerts/hour
set -uo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
SEED=${2:-1}
SENSOR=$BUILD/sensor/vigil-sensor
SYNTH=$BUILD/tools/vigil-synth
PCAPS=${VIGIL_PCAPS:-$SRC/../shared/pcaps}
MINUTES=${EVAL_MINUTES:-120}
BENIGN_MINUTES=${EVAL_BENIGN_MINUTES:-60}
JOBS=${EVAL_JOBS:-2}
TMP=$(mktemp -d /tmp/vigil-eval.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for f in "$SENSOR" "$SYNTH"; do
  [ -x "$f" ] || { echo "eval.sh: $f not built (ninja -C $BUILD)" >&2; exit 1; }
done

# the synthetic site is 10.1.0.0/16; the real captures' sites include CTU's 147.32.0.0/16 (Slips)
# and the recorded office's 192.168.50.0/24
cat > "$TMP/sensor.yaml" <<'YAML'
sensor:
  name: eval
  home_net: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 147.32.0.0/16]
collector:
  endpoint: ""
evidence:
  enabled: false
YAML

replay() { # capture alerts
  "$SENSOR" -c "$TMP/sensor.yaml" -r "$1" --alerts-json "$2" > "$2.log" 2>&1 || {
    echo "eval.sh: replay of $1 failed:" >&2; tail -3 "$2.log" >&2; return 1; }
}
export -f replay
export SENSOR TMP

"$SYNTH" -o "$TMP/attack.pcap" -l "$TMP/attack.labels" -E "$TMP/attack.events" --seed "$SEED" \
  --minutes "$MINUTES" --office 2>/dev/null || exit 1
replay "$TMP/attack.pcap" "$TMP/attack.alerts" || exit 1
rm -f "$TMP/attack.pcap"
"$SYNTH" -o "$TMP/benign.pcap" -l "$TMP/benign.labels" --seed "$((SEED + 1000))" --minutes "$BENIGN_MINUTES" \
  --benign-only --office 2>/dev/null || exit 1
replay "$TMP/benign.pcap" "$TMP/benign.alerts" || exit 1
rm -f "$TMP/benign.pcap"

# real captures: attack/<category>/* and the benign ones, replayed $JOBS at a time
: > "$TMP/real.tsv"
: > "$TMP/benign_real.tsv"
if [ -d "$PCAPS/attack" ]; then
  for f in "$PCAPS"/attack/*/*; do
    [ -f "$f" ] || continue
    cat=$(basename "$(dirname "$f")")
    printf '%s\t%s\t%s\n' "$cat" "$f" "$TMP/real.$cat.$(basename "$f").alerts" >> "$TMP/real.tsv"
  done
  find "$PCAPS/flow" -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.pcap.gz' \) |
    sort | while read -r f; do
      printf 'flow\t%s\t%s\n' "$f" "$TMP/benign.$(echo "${f#"$PCAPS"/flow/}" | tr / _).alerts"
    done >> "$TMP/benign_real.tsv"
else
  echo "eval.sh: $PCAPS not found: real captures skipped" >&2
fi
for f in "$SRC"/tests/data/captures/benign/office/*.pcap.xz; do
  [ -f "$f" ] || continue
  xz -dc "$f" > "$TMP/$(basename "${f%.xz}")" || continue
  printf 'office\t%s\t%s\n' "$TMP/$(basename "${f%.xz}")" "$TMP/office.$(basename "${f%.xz}").alerts" \
    >> "$TMP/benign_real.tsv"
done
cat "$TMP/real.tsv" "$TMP/benign_real.tsv" | cut -f2,3 | tr '\t' '\n' |
  xargs -P "$JOBS" -n 2 bash -c 'replay "$0" "$1" 2>/dev/null || : > "$1"'

/usr/bin/python3 - "$TMP" "$MINUTES" "$BENIGN_MINUTES" "$PCAPS/MANIFEST.tsv" "$SRC/scripts/eval-explained.tsv" <<'PY'
import json, os, struct, sys
from datetime import datetime
tmp, minutes, benign_min, manifest, explained_f = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5]

def alerts(path, kind="alert"):
    out = []
    try:
        for line in open(path):
            try:
                a = json.loads(line)
            except ValueError:
                continue
            if a.get("event_type") == kind:
                out.append(a)
    except FileNotFoundError:
        pass
    return out

def ts(a):
    return datetime.strptime(a["timestamp"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()

def addrs(a):
    return {a.get("src_ip"), a.get("dest_ip")} | set(a["vigil"].get("hosts", []))

def related(a, lab):
    s, e, atk, vic, _ = lab
    t = ts(a)
    return s - 1 <= t <= e + 60 and (atk in addrs(a) or vic in addrs(a) or
                                      (vic.endswith(".0") and any(x and x.startswith(vic[:-1]) for x in addrs(a))))

def seconds_covered(path):
    """time a capture covers: the sum of its gaps, each at most 60 s (pcap or pcapng, any byte order)"""
    try:
        data = open(path, "rb").read()
    except OSError:
        return 0.0
    stamps = []
    if len(data) >= 24 and data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"):
        e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        div = 1e9 if data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d") else 1e6
        off = 24
        while off + 16 <= len(data):
            s, frac, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
            stamps.append(s + frac / div)
            off += 16 + incl
    elif data[:4] == b"\x0a\x0d\x0d\x0a":
        off, e, res = 0, "<", {}
        while off + 12 <= len(data):
            btype = struct.unpack("<I", data[off:off + 4])[0]
            if btype == 0x0a0d0d0a:
                e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
                iface = 0
            blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
            if blen < 12:
                break
            if btype == 1:
                res[len(res)] = 1e6
                o = off + 16
                while o + 4 <= off + blen - 4:
                    code, ln = struct.unpack(e + "HH", data[o:o + 4])
                    if code == 0:
                        break
                    if code == 9 and ln >= 1:
                        v = data[o + 4]
                        res[len(res) - 1] = float(2 ** (v & 0x7f)) if v & 0x80 else float(10 ** v)
                    o += 4 + ((ln + 3) & ~3)
            elif btype in (6, 3) and off + 20 <= len(data):
                if btype == 6:
                    ifc, hi, lo = struct.unpack(e + "III", data[off + 8:off + 20])
                    stamps.append(((hi << 32) | lo) / res.get(ifc, 1e6))
            off += blen
    total = 0.0
    for a, b in zip(stamps, stamps[1:]):
        d = b - a
        if d > 0:
            total += min(d, 60.0)
    return total

# --- synthetic -------------------------------------------------------------------------
labels = []
for line in open(f"{tmp}/attack.labels"):
    if line.startswith("#") or not line.strip():
        continue
    s, e, atk, vic, typ = line.rstrip("\n").split("\t")
    labels.append((float(s), float(e), atk, vic, typ.strip()))
att = alerts(f"{tmp}/attack.alerts")
events = []
for line in open(f"{tmp}/attack.events"):
    if not line.startswith("#") and line.strip():
        t, typ, n = line.split("\t")
        events.append((float(t), typ, int(n)))
ben = alerts(f"{tmp}/benign.alerts")
# evidence a pattern needs before any rule can name it (printed beside the onset delay)
needs = {"beacon": "a period needs repetitions", "beacon/jitter": "a period needs repetitions",
         "beacon/jitter_size": "20 check-ins of one size", "exfil": "a rate sustained 10 s",
         "portscan/slow": "floor ports probed, at one per 15 s", "hostsweep/outbound_syn": "floor targets, at one a second, each 4 s unanswered",
         "hostsweep/outbound_udp": "each target 4 s unanswered", "newservice": "learning_s of history",
         "anomaly": "learning_s of history", "anomaly/takeover": "learning_s of history"}
types = []
for l in labels:
    if l[4] not in types:
        types.append(l[4])
detected = total = 0
print(f"{'attack':<24} {'synth':>7} {'onset->alert':>13} {'unlabelled':>11}")
for typ in types:
    d = typ.split("/")[0]
    labs = [l for l in labels if l[4] == typ]
    hits, delays, evid = 0, [], []
    for l in labs:
        m = sorted(ts(a) for a in att if a["vigil"]["detector"] == d and related(a, l))
        if m:
            hits += 1
            delays.append(max(m[0] - l[0], 0.0))
            contacts = sorted(t for t, ty, _ in events if ty == typ and l[0] - 1 <= t <= l[1])
            if len(contacts) >= 3:
                evid.append((m[0] - contacts[2], sum(1 for t in contacts if t <= m[0] + 1e-3)))
    total += len(labs)
    detected += hits
    dl = f"{max(delays):.2f} s" if delays else "-"
    note = f"  ({needs[typ]})" if delays and max(delays) > 2 and typ in needs else ""
    print(f"{typ:<24} {hits:>3} of {len(labs):<2} {dl:>13} {'':>11}{note}")
    if evid:
        w = max(evid)
        print(f"{'':<24} {'':>8} {w[0]:>11.2f} s  from the 3rd contact (least evidence of a period); "
              f"alerted at contact {w[1]}")
unl = [a for a in att if not any(related(a, l) for l in labels)]
for a in unl:
    print(f"unlabelled: {a['timestamp']} {a['vigil']['detector']} {a.get('src_ip')} -> {a.get('dest_ip')}:"
          f"{a.get('dest_port', '')} {a['vigil']['metric']}")
fa_synth = len(ben) + len(unl)
synth_hours = benign_min / 60.0
print(f"synthetic: detected {detected} of {total}; {len(unl)} unlabelled alerts in {minutes:.0f} min of attacks; "
      f"benign-only: {len(ben)} alerts in {benign_min:.0f} min")
for a in ben:
    print(f"  benign synthetic alert: {a['timestamp']} {a['vigil']['detector']} {a.get('src_ip')} -> "
          f"{a.get('dest_ip')}:{a.get('dest_port', '')} {a['vigil']['metric']}")

# --- real attacks ----------------------------------------------------------------------
notes = {}
if os.path.exists(manifest):
    for line in open(manifest):
        f = line.rstrip("\n").split("\t")
        if len(f) > 13 and f[0].startswith("attack/"):
            notes[os.path.basename(f[0])] = f"{f[12]}; {f[13]}".strip("; ")
explained = {}
if os.path.exists(explained_f):
    for line in open(explained_f):
        if line.startswith("#") or not line.strip():
            continue
        name, why = line.rstrip("\n").split("\t", 1)
        explained[name] = why
match = {"portscan": {"portscan", "hostsweep"}, "ddos_flood": {"flood", "synflood"},
         "bruteforce": {"bruteforce"}, "beaconing": {"beacon"}, "c2": {"beacon", "anomaly", "newservice"},
         "lateral": {"lateral"}, "tunnel_exfil": {"dnstunnel", "exfil"}, "mitm": {"flood"},
         "ipv6_attack": {"flood"}}
rhit = rtotal = 0
real = [l.rstrip("\n").split("\t") for l in open(f"{tmp}/real.tsv")]
for cat, path, out in real:
    name = os.path.basename(path)
    got = sorted({a["vigil"]["detector"] for a in alerts(out)})
    ok = bool(match.get(cat, set()) & set(got))
    if not ok and name in explained:
        print(f"real {cat:<12} {name:<45} explained  {','.join(got) or '-'}  ({explained[name]})")
        continue
    rtotal += 1
    rhit += ok
    print(f"real {cat:<12} {name:<45} {'detected' if ok else 'MISSED  '}   {','.join(got) or '-'}"
          + ("" if ok or name not in notes else f"  (MANIFEST: {notes[name]})"))

# --- real benign -----------------------------------------------------------------------
bhours = 0.0
bfalse = bsev1 = 0
for kind, path, out in (l.rstrip("\n").split("\t") for l in open(f"{tmp}/benign_real.tsv")):
    bhours += seconds_covered(path) / 3600.0
    for a in alerts(out):
        bfalse += 1
        sev = a.get("alert", {}).get("severity", 3)
        bsev1 += sev == 1
        print(f"  real benign false incident: {kind} {os.path.basename(path)}: {a['vigil']['detector']} "
              f"severity {sev} {a.get('src_ip')} -> {a.get('dest_ip')}:{a.get('dest_port', '')} {a['vigil']['metric']}")
print(f"real captures: detected {rhit} of {rtotal} ({len(real) - rtotal} explained in docs/detectors.md)")
print(f"real benign: {bhours:.2f} hours, {bfalse} false incidents ({bsev1} severity 1)")
hours = synth_hours + bhours
print(f"detected {detected + rhit} of {total + rtotal} incidents, {(fa_synth + bfalse) / hours:.2f} false alerts/hour")
PY
