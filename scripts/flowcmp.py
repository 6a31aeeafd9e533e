#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# flowcmp.py: replays captures through the real XDP program (vigil-sensor -r
# ... --flows-json) and compares its flow table with tshark reference tables
# that no one here wrote (../shared/pcaps/ref/flow, made by tools/flowref.py).
"""Compare vigil's flow table with tshark references, capture by capture.

Usage: flowcmp.py [--sensor BIN] [--refs DIR]... [--tunnel-inner] [-j N]
                  [--show N] CAPTURE|DIR...

For each capture prints 'match', 'match (fragment rule)' or 'DIFF' with the
flows that differ, and as its last line 'N of M captures match'. Exit 0 when
all match, 1 otherwise, 2 on usage errors.

The rule (docs/flows.md, "Checking against tshark"):
 * A flow is (IP protocol, unordered pair of (address, port)) with packets and
   frame bytes sent by each side; records of one key are summed (a flow split
   by the idle timeout is still one flow).
 * Every flow vigil reports must equal, exactly, a flow in the reference's
   flows_all table (every IP layer's flow: outer and inner), and vigil's flows
   must hold as many frames as the flows_inner table (each IP frame once).
   For captures without tunnels the two tables are the same, so this is exact
   equality; for tunnels it checks whichever layer vigil keys (outer by
   default, the inner one of GRE/VXLAN/Geneve with xdp.tunnel_inner).
 * Fragments: tshark reassembles, so the last fragment carries the ports and
   the others are portless; vigil keys the first fragment with ports and the
   later ones without. When that is the only difference, the flows of one
   address pair and protocol are folded together on both sides and compared
   again ('match (fragment rule)'): every frame is still counted exactly once.
"""
import argparse
import concurrent.futures
import glob
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

PROTO = {"tcp": 6, "udp": 17, "sctp": 132, "dccp": 33, "icmp": 1, "icmpv6": 58}
EVE_PROTO = {"TCP": 6, "UDP": 17, "ICMP": 1, "IPv6-ICMP": 58, "SCTP": 132}
PORTED = (6, 17, 132, 33)
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_REFS = os.path.join(ROOT, "..", "shared", "pcaps", "ref", "flow")

CONFIG = """sensor:
  name: flowcmp
dpdk:
  hugepages: false
xdp:
  tunnel_inner: %s
flows:
  timeout_s: 86400
collector:
  endpoint: ""
evidence:
  enabled: false
detectors:
  flood:
    enabled: false
log:
  level: info
"""


def addr(a):
    ip = ipaddress.ip_address(a)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ip)


def put(table, proto, e1, e2, p1, b1, p2, b2):
    """adds a flow: e1 sent p1 frames / b1 bytes, e2 sent p2 / b2"""
    if e2 < e1:
        e1, e2, p1, b1, p2, b2 = e2, e1, p2, b2, p1, b1
    key = (proto, e1, e2)
    v = table.setdefault(key, [0, 0, 0, 0])
    if e1 == e2:        # both ends the same: one direction
        p1, b1, p2, b2 = p1 + p2, b1 + b2, 0, 0
    v[0] += p1
    v[1] += b1
    v[2] += p2
    v[3] += b2


def read_ref(path):
    """(flows, (non-IP frames, bytes), frames in rows without addresses)"""
    table, non_ip, noaddr = {}, (0, 0), 0
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("proto,"):
                continue
            if line.startswith("#non_ip"):
                _, n, b = line.split(",")
                non_ip = (int(n), int(b))
                continue
            c = line.split(",")
            if not c[1] or not c[3]:
                # tshark saw an IP layer but no addresses (a malformed header):
                # no flow; vigil counts such frames as bad_ip4/bad_ip6
                noaddr += int(c[6]) + int(c[9])
                continue
            name = c[0]
            proto = PROTO.get(name)
            if proto is None:
                m = re.match(r"ipproto-(\d+)$", name)
                proto = int(m.group(1)) if m else -1
            e1 = (addr(c[1]), int(c[2] or 0))
            e2 = (addr(c[3]), int(c[4] or 0))
            put(table, proto, e1, e2, int(c[6]), int(c[7]), int(c[9]), int(c[10]))
    return table, non_ip, noaddr


def run_sensor(sensor, capture, inner, tmp):
    cfg = os.path.join(tmp, "sensor.yaml")
    with open(cfg, "w") as f:
        f.write(CONFIG % ("true" if inner else "false"))
    out = os.path.join(tmp, "flows.json")
    if os.path.exists(out):
        os.remove(out)  # --flows-json appends
    p = subprocess.run([sensor, "-c", cfg, "-r", capture, "--flows-json", out],
                       capture_output=True, text=True, timeout=300)
    stats = {}
    for line in p.stderr.splitlines():
        m = re.search(r"info: xdp: (.*)$", line)
        if m:
            for kv in m.group(1).split():
                k, _, v = kv.partition("=")
                if v.isdigit():
                    stats[k] = int(v)
    if p.returncode != 0:
        return None, stats, p.stderr.strip().splitlines()[-1:] or ["exit %d" % p.returncode]
    table = {}
    with open(out) as f:
        for line in f:
            e = json.loads(line)
            fl = e["flow"]
            proto = EVE_PROTO.get(e["proto"])
            if proto is None:
                proto = int(e["proto"])
            put(table, proto, (addr(e["src_ip"]), e.get("src_port", 0)),
                (addr(e["dest_ip"]), e.get("dest_port", 0)),
                fl["pkts_toserver"], fl["bytes_toserver"],
                fl["pkts_toclient"], fl["bytes_toclient"])
    return table, stats, []


def fold_fragments(table, pairs):
    """one flow per address pair for the pairs given (fragment rule): tshark names
    an IPv6 fragment it holds for reassembly by the fragment header (44)"""
    out = {}
    for (proto, e1, e2), v in table.items():
        if tuple(sorted((e1[0], e2[0]))) in pairs:
            put(out, -2, (e1[0], 0), (e2[0], 0), *v)
        else:
            put(out, proto, e1, e2, *v)
    return out


def portless_pairs(table):
    """address pairs of portless flows of protocols that have ports, or of fragments"""
    return {tuple(sorted((e1[0], e2[0]))) for (proto, e1, e2) in table
            if proto in PORTED + (1, 58, 44) and e1[1] == 0 and e2[1] == 0}


# IPv6 extension headers: tshark names a payload that is no transport by the
# fixed header's next-header (e.g. 43, routing); vigil by the end of the chain
EXT = (0, 43, 44, 60, 51, 135, 139, 140)


def compare(vigil, ref_all, inner_total, ref_inner=None):
    """the flows that break the rule: (vigil-only or differing, missing frames);
    with ref_inner (inner keying) a flow may also equal one of its rows"""
    bad = []
    for k, v in sorted(vigil.items()):
        r = ref_all.get(k)
        if r != v and ref_inner is not None and ref_inner.get(k) == v:
            r = v
        if r != v and k[0] not in PORTED + (1, 58) and k[1][1] == 0 and k[2][1] == 0:
            for x in EXT:
                if ref_all.get((x, k[1], k[2])) == v:
                    r = v
        if r != v:
            bad.append((k, v, r))
    total = sum(v[0] + v[2] for v in vigil.values())
    return bad, total - inner_total


def fmt_flow(k, v):
    proto, e1, e2 = k
    s = "proto %d %s:%d <-> %s:%d" % (proto, e1[0], e1[1], e2[0], e2[1])
    if v is None:
        return s + " absent"
    return s + " pkts %d/%d bytes %d/%d" % (v[0], v[2], v[1], v[3])


def find_ref(capture, ref_dirs, kind):
    base = os.path.basename(capture) + ".flows_%s.csv" % kind
    cands = [os.path.join(os.path.dirname(capture), base)]
    for d in ref_dirs:
        cands.append(os.path.join(d, base))
        cands += glob.glob(os.path.join(d, "*", base))
    for c in cands:
        if os.path.isfile(c):
            return c
    return None


def check(args, capture):
    try:
        return check1(args, capture)
    except Exception as e:     # one bad capture must not hide the others' results
        return False, ["%s: DIFF comparison failed: %r" % (capture, e)]


def check1(args, capture):
    ra, ri = find_ref(capture, args.refs, "all"), find_ref(capture, args.refs, "inner")
    if not ra or not ri:
        return False, ["%s: no reference" % capture]
    ref_all, _, _ = read_ref(ra)
    ref_inner, non_ip, noaddr = read_ref(ri)
    inner_total = sum(v[0] + v[2] for v in ref_inner.values())
    ok, how, lines = check_mode(args, capture, ref_all, ref_inner, inner_total, non_ip, noaddr,
                                args.tunnel_inner)
    if not ok and not args.tunnel_inner:
        # an outer flow and an inner flow with one key (a tunnel between the
        # hosts it carries) cannot be told apart in tshark's tables: check
        # such captures under tshark's own rule, inner keying
        ok2, how2, lines2 = check_mode(args, capture, ref_all, ref_inner, inner_total, non_ip,
                                       noaddr, True)
        if ok2:
            return True, [lines2[0].replace(how2, how2 + ", inner keying")]
    return ok, lines


def check_mode(args, capture, ref_all, ref_inner, inner_total, non_ip, noaddr, inner):
    lines = []
    with tempfile.TemporaryDirectory(prefix="vigil-flowcmp.") as tmp:
        vigil, stats, err = run_sensor(args.sensor, capture, inner, tmp)
    name = os.path.relpath(capture, args.base) if args.base else capture
    if vigil is None:
        return False, "", ["%s: DIFF sensor failed: %s" % (name, " ".join(err))]
    ri = ref_inner if inner else None
    bad, missing = compare(vigil, ref_all, inner_total, ri)
    how = "match"
    if (bad or missing) and stats.get("fragment"):
        pairs = portless_pairs(vigil) | portless_pairs(ref_all) | portless_pairs(ref_inner)
        fv = fold_fragments(vigil, pairs)
        fa = fold_fragments(ref_all, pairs)
        fi = fold_fragments(ref_inner, pairs) if inner else None
        b2, m2 = compare(fv, fa, inner_total, fi)
        if not b2 and not m2:
            bad, missing, how = [], 0, "match (fragment rule)"
    vnon = stats.get("frames", 0) - stats.get("accounted", 0)
    tnon = non_ip[0] + noaddr
    note = "" if vnon == tnon else " [frames in no flow: vigil %d, tshark %d]" % (vnon, tnon)
    if not bad and not missing:
        return True, how, ["%s: %s (%d flows)%s" % (name, how, len(vigil), note)]
    lines.append("%s: DIFF (%d flows, %d differ, frames %+d against tshark)%s"
                 % (name, len(vigil), len(bad), missing, note))
    for k, v, r in bad[:args.show]:
        lines.append("  vigil   " + fmt_flow(k, v))
        lines.append("  tshark  " + fmt_flow(k, r))
    if len(bad) > args.show:
        lines.append("  ... %d more" % (len(bad) - args.show))
    if missing and not bad:
        # vigil's flows all agree: the frames are in flows vigil does not report
        extra = [k for k in ref_inner if k not in vigil and k in ref_all]
        for k in extra[:args.show]:
            lines.append("  tshark only " + fmt_flow(k, ref_inner[k]))
    return False, "", lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+", help="captures, or directories searched recursively")
    ap.add_argument("--sensor", default=os.path.join(ROOT, "build", "sensor", "vigil-sensor"))
    ap.add_argument("--refs", action="append", default=[],
                    help="directory with <capture>.flows_{all,inner}.csv (also searched one level down)")
    ap.add_argument("--tunnel-inner", action="store_true", help="replay with xdp.tunnel_inner: true")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--show", type=int, default=5, help="differing flows shown per capture")
    ap.add_argument("--exclude", action="append", default=[], help="skip paths containing this")
    args = ap.parse_args()
    if not args.refs:
        args.refs = [DEFAULT_REFS]
    if not os.access(args.sensor, os.X_OK):
        print("flowcmp: no sensor at %s (use --sensor)" % args.sensor, file=sys.stderr)
        return 2
    caps = []
    for p in args.paths:
        if os.path.isdir(p):
            for dp, _, fs in sorted(os.walk(p)):
                caps += [os.path.join(dp, f) for f in sorted(fs)
                         if re.search(r"\.(pcap|pcapng|cap)$", f)]
        else:
            caps.append(p)
    caps = [c for c in caps if not any(x in c for x in args.exclude)]
    if not caps:
        print("flowcmp: no captures", file=sys.stderr)
        return 2
    args.base = os.path.commonpath([os.path.dirname(os.path.abspath(c)) for c in caps]) \
        if len(caps) > 1 else None
    caps = [os.path.abspath(c) for c in caps]
    good = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        for ok, lines in ex.map(lambda c: check(args, c), caps):
            good += ok
            print("\n".join(lines), flush=True)
    print("%d of %d captures match" % (good, len(caps)))
    return 0 if good == len(caps) else 1


if __name__ == "__main__":
    sys.exit(main())
