#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
# make_seeds.py: writes the fuzz seed corpora under tests/fuzz/corpus/ from the
# project's test captures and configs plus a few hand-built edge cases, so the
# fuzzers start from realistic input. Run from anywhere; output is deterministic.
import hashlib
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CAPS = os.path.join(ROOT, 'tests', 'data', 'captures')
OUT = os.path.join(HERE, 'corpus')


def read_pcap(path, limit):
    """Frames of a classic little/big-endian pcap (first `limit`)."""
    with open(path, 'rb') as f:
        data = f.read()
    magic = data[:4]
    end = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    off, frames = 24, []
    while off + 16 <= len(data) and len(frames) < limit:
        _, _, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def shape(fr):
    """Ethertype, IP protocol and a coarse length: one seed per shape is enough."""
    et = fr[12:14]
    proto = fr[23:24] if et == b'\x08\x00' else fr[20:21] if et == b'\x86\xdd' else b''
    return (et, proto, min(len(fr) // 128, 4))


def write(sub, name, blob):
    d = os.path.join(OUT, sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(blob)


def eth(et, payload, tags=()):
    hdr = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01'
    for tpid, vid in tags:
        hdr += struct.pack('>HH', tpid, vid)
    return hdr + struct.pack('>H', et) + payload


def ip4(proto, l4, frag=0, ihl=5):
    opts = b'\x01' * ((ihl - 5) * 4)
    return struct.pack('>BBHHHBBH4s4s', 0x40 | ihl, 0, 20 + len(opts) + len(l4), 1, frag, 64, proto, 0,
                       bytes([198, 51, 100, 66]), bytes([192, 0, 2, 10])) + opts + l4


def ip6(nh, rest):
    return struct.pack('>IHBB16s16s', 0x60000000, len(rest), nh, 64, b'\x20\x01\x0d\xb8' + b'\0' * 11 + b'\x01',
                       b'\x20\x01\x0d\xb8' + b'\0' * 11 + b'\x02') + rest


TCP_SYN = struct.pack('>HHIIBBHHH', 40000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
UDP = struct.pack('>HHHH', 5353, 53, 12, 0) + b'abcd'


def pkt_seeds():
    seen = set()
    for cap in sorted(os.listdir(CAPS)):
        if not cap.endswith('.pcap'):
            continue
        for fr in read_pcap(os.path.join(CAPS, cap), 5000):
            k = shape(fr)
            if k in seen:
                continue
            seen.add(k)
            write('pkt', 'cap-' + hashlib.sha1(fr).hexdigest()[:12], fr[:512])
    hand = {
        'v4-tcp-syn': eth(0x0800, ip4(6, TCP_SYN)),
        'v4-udp-vlan': eth(0x0800, ip4(17, UDP), [(0x8100, 42)]),
        'v4-udp-qinq': eth(0x0800, ip4(17, UDP), [(0x88a8, 7), (0x8100, 42)]),
        'v4-options': eth(0x0800, ip4(6, TCP_SYN, ihl=7)),
        'v4-fragment': eth(0x0800, ip4(17, UDP, frag=0x00b9)),
        'v4-icmp': eth(0x0800, ip4(1, b'\x08\x00\x00\x00\x00\x01\x00\x01')),
        'v4-sctp': eth(0x0800, ip4(132, b'\x0b\xb8\x0b\xb9' + b'\0' * 8)),
        'v4-tcp-short': eth(0x0800, ip4(6, TCP_SYN[:10])),
        'v6-tcp': eth(0x86dd, ip6(6, TCP_SYN)),
        'v6-hbh-dst-udp': eth(0x86dd, ip6(0, bytes([60, 0]) + b'\0' * 6 + bytes([17, 0]) + b'\0' * 6 + UDP)),
        'v6-frag': eth(0x86dd, ip6(44, bytes([17, 0, 0x05, 0x39]) + b'\0\0\0\1' + UDP)),
        'v6-icmp6': eth(0x86dd, ip6(58, b'\x80\x00\x00\x00\x00\x01\x00\x01')),
        'arp': eth(0x0806, b'\x00\x01\x08\x00\x06\x04\x00\x01' + b'\0' * 20),
        'vlan-3-tags': eth(0x0800, ip4(17, UDP), [(0x8100, 1), (0x8100, 2), (0x8100, 3)]),
    }
    for name, fr in hand.items():
        write('pkt', name, fr)


def pcap_file(frames, nsec=False, big=False, linktype=1):
    end = '>' if big else '<'
    magic = 0xa1b23c4d if nsec else 0xa1b2c3d4
    out = struct.pack(end + 'IHHiIII', magic, 2, 4, 0, 0, 65535, linktype)
    for i, fr in enumerate(frames):
        out += struct.pack(end + 'IIII', 1700000000 + i, 500 * i, len(fr), len(fr)) + fr
    return out


def pcapng_file(frames):
    def block(btype, body):
        body += b'\0' * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack('<II', btype, n) + body + struct.pack('<I', n)
    out = block(0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1))
    # interface description: Ethernet, snaplen, if_tsresol = 9 (nanoseconds)
    out += block(1, struct.pack('<HHI', 1, 0, 65535) + struct.pack('<HHB3x', 9, 1, 9) + b'\0\0\0\0')
    for i, fr in enumerate(frames):
        ts = (1700000000 + i) * 10**9 + 123
        out += block(6, struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff, len(fr), len(fr)) + fr)
    return out


def replay_seeds():
    for cap in sorted(os.listdir(CAPS)):
        if not cap.endswith('.pcap'):
            continue
        frames = read_pcap(os.path.join(CAPS, cap), 6)
        base = os.path.splitext(cap)[0][:24]
        write('replay', base + '-usec.pcap', pcap_file(frames))
        write('replay', base + '-nsec-be.pcap', pcap_file(frames, nsec=True, big=True))
        write('replay', base + '.pcapng', pcapng_file(frames))
    # other link types the reader turns into Ethernet (and one it refuses: 802.11)
    v4 = ip4(17, UDP)
    write('replay', 'linktype-raw.pcap', pcap_file([v4, ip6(6, TCP_SYN)], linktype=101))
    write('replay', 'linktype-sll.pcap', pcap_file([b'\0\0\0\1\0\6' + b'\2' * 8 + b'\x08\x00' + v4], linktype=113))
    write('replay', 'linktype-sll2.pcap', pcap_file([b'\x08\x00\0\0' + b'\0' * 16 + v4], linktype=276))
    write('replay', 'linktype-null.pcap', pcap_file([b'\2\0\0\0' + v4, b'\0\0\0\x1e' + ip6(6, TCP_SYN)], linktype=0))
    write('replay', 'linktype-ppp.pcap', pcap_file([b'\xff\x03\x00\x21' + v4, b'\x21' + v4], linktype=9))
    write('replay', 'linktype-nflog.pcap', pcap_file([b'\2\0\0\0' + b'\x08\0\x01\0' + b'\0' * 4 +
                                                      struct.pack('<HH', 4 + len(v4), 9) + v4], linktype=239))
    write('replay', 'linktype-80211.pcap', pcap_file([b'\x08\x00' + b'\0' * 30], linktype=105))
    write('replay', 'header-only.pcap', pcap_file([]))


def config_seeds():
    with open(os.path.join(ROOT, 'boards', 'generic-x86', 'sensor.yaml'), 'rb') as f:
        write('config', 'board-sensor.yaml', f.read())
    write('config', 'small.yaml', b'sensor:\n  name: edge-1\n  interfaces: [eth0, eth1]\n'
          b'  home_net:\n    - 10.0.0.0/8\n    - 2001:db8::/32\n')
    write('config', 'flow-style.yaml', b'{sensor: {name: "a b", mode: inline}, xdp: {handoff: first_n, '
          b'handoff_n: 4, force: yes}, detectors: {flood: {k: 3.5, floor_pps: 1e3}}}\n')
    write('config', 'anchors.yaml', b'sensor: &s\n  name: x\ndpdk:\n  memory_mb: 128\n  hugepages: off\n'
          b'log: {level: debug}\n')
    write('config', 'empty.yaml', b'')


def ingest_rec(name, seq, js, key=0, wide=False, ms=None):
    """One framed message from key 0..2 (3: an unlisted key); wide: an 8-byte seq; ms: clock step first."""
    kind = key << 1 | (8 if wide else 0) | (16 if ms is not None else 0)
    seqb = struct.pack('>Q', seq) if wide else bytes([seq])
    tail = struct.pack('<H', ms) if ms is not None else b''
    return bytes([kind, len(name)]) + name + seqb + struct.pack('<H', len(js)) + js + tail


def ingest_seeds():
    # first byte: the mode (1: CURVE, keys bound to names a b / c / d; 0: keyless)
    alert = (b'{"timestamp":"2023-11-14T22:13:20.000000+0000","flow_id":1234,"event_type":"alert",'
             b'"src_ip":"198.51.100.66","src_port":0,"dest_ip":"192.0.2.10","dest_port":0,"proto":"UDP",'
             b'"host":"s1","sensor_name":"s1","alert":{"signature":"flood","severity":2,'
             b'"incident":{"state":"start","pps":12000.5}}}')
    flow = (b'{"event_type":"flow","src_ip":"2001:db8::1","dest_ip":"2001:db8::2","proto":"TCP",'
            b'"flow":{"pkts_toserver":3,"bytes_toserver":180,"start":"x","end":"y"},"vigil_seq":2}')
    write('ingest', 'alert-then-flow', b'\0' + ingest_rec(b's1', 1, alert) + ingest_rec(b's1', 2, flow))
    write('ingest', 'dup-and-gap', b'\0' + ingest_rec(b's1', 3, flow.replace(b'"vigil_seq":2', b'"vigil_seq":3')) +
          ingest_rec(b's1', 3, b'{"event_type":"flow"}') + ingest_rec(b's2', 9, b'{"event_type":"x"}\n'))
    write('ingest', 'escapes', b'\0' + ingest_rec(b'a"b\\c', 1, b'{"event_type":"stats","k":"\\u00e9\\n\\t","x":[1,2.5e3,null,true]}'))
    raw = b'\0\1\4' + b''.join(struct.pack('<H', len(x)) + x for x in
                               (b'VGL1', b'raw', struct.pack('>Q', 7), b'{"event_type":"alert"}'))
    write('ingest', 'raw-frames', raw)
    write('ingest', 'raw-ack-shaped', b'\0\1\2\4\0VGA1\x08\0' + struct.pack('>Q', 1))
    ev = b'{"event_type":"alert"}'
    # issue 20: several identities, names bound to keys, seqs at the edges, the clock moving
    write('ingest', 'keys-forged-name', b'\1' + ingest_rec(b'a', 1, ev) + ingest_rec(b'c', 1, ev, key=1) +
          ingest_rec(b'a', 60, ev, key=1) + ingest_rec(b'a', 2, ev) + ingest_rec(b'a', 1, ev, key=3) +
          ingest_rec(b'd', 5, ev, key=2) + ingest_rec(b'b', 1, ev))
    write('ingest', 'keys-seq-edges', b'\1' + ingest_rec(b'a', 1, ev) +
          ingest_rec(b'a', (1 << 63), ev, wide=True) + ingest_rec(b'a', (1 << 64) - 1, ev, wide=True) +
          ingest_rec(b'a', 1001, ev, wide=True) + ingest_rec(b'a', 1002, ev, wide=True) +
          ingest_rec(b'a', (1 << 63) - 1, ev, wide=True) + ingest_rec(b'a', 1003, ev, wide=True))
    write('ingest', 'keyless-names-rate', b'\0' + b''.join(ingest_rec(b'n%d' % i, 1, ev) for i in range(12)) +
          b''.join(ingest_rec(b'n1', 2 + i, ev) for i in range(45)) + ingest_rec(b'n1', 60, ev, ms=1000))


def detect_seeds(sub):
    """The first frames of each attack capture as fuzz_detect records (time step, length, frame);
    fuzz_flow reads the same format."""
    d = os.path.join(CAPS, 'attack')
    for cap in sorted(os.listdir(d)):
        if not cap.endswith('.pcap'):
            continue
        with open(os.path.join(d, cap), 'rb') as f:
            data = f.read()
        end = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
        div = 1000 if data[:4] in (b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\x3c\x4d') else 1
        off, out, last = 24, b'', None
        while off + 16 <= len(data) and len(out) < 12000:
            sec, frac, incl, _ = struct.unpack(end + 'IIII', data[off:off + 16])
            t = sec * 1000 + frac // div // 1000
            step = 0 if last is None else min(max(t - last, 0), 254)
            last = t
            fr = data[off + 16:off + 16 + incl][:1514]
            out += bytes([step]) + struct.pack('<H', len(fr)) + fr
            off += 16 + incl
        write(sub, os.path.splitext(cap)[0][:40], out)


def main():
    only = sys.argv[1:] or ['pkt', 'replay', 'config', 'ingest', 'detect', 'flow']
    for sub in only:
        d = os.path.join(OUT, sub)
        if os.path.isdir(d):
            for f in os.listdir(d):
                os.unlink(os.path.join(d, f))
    seeds = {'pkt': pkt_seeds, 'replay': replay_seeds, 'config': config_seeds, 'ingest': ingest_seeds,
             'detect': lambda: detect_seeds('detect'), 'flow': lambda: detect_seeds('flow')}
    for sub in only:
        seeds[sub]()
    return 0


if __name__ == '__main__':
    sys.exit(main())
