#!/usr/bin/python3
# mkcap.py: the planted-indicator capture of tests/intel (documentation
# prefixes and .example names only), written with scapy. Deterministic:
# fixed times and ports. Usage: mkcap.py OUT.pcap
import sys
from scapy.all import (DNS, DNSQR, DNSRR, IP, IPv6, TCP, UDP, Ether, Raw, wrpcap)

T0 = 1767225600.0  # 2026-01-01 00:00:00 UTC
pkts = []
t = T0


def add(p):
    global t
    t += 0.01
    p.time = t
    pkts.append(p)


def eth(p):
    return Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / p


def tcp_open(ip, cli, srv, sport, dport, payload=None):
    """A handshake, one client payload segment (if any), the server's ACK."""
    add(eth(ip(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="S", seq=1000)))
    add(eth(ip(src=srv, dst=cli) / TCP(sport=dport, dport=sport, flags="SA", seq=5000, ack=1001)))
    add(eth(ip(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="A", seq=1001, ack=5001)))
    if payload:
        add(eth(ip(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="PA", seq=1001, ack=5001) / Raw(payload)))
        add(eth(ip(src=srv, dst=cli) / TCP(sport=dport, dport=sport, flags="A", seq=5001, ack=1001 + len(payload))))


def client_hello(name):
    n = name.encode()
    sni = b"\x00" + len(n).to_bytes(2, "big") + n
    ext = b"\x00\x00" + (len(sni) + 2).to_bytes(2, "big") + len(sni).to_bytes(2, "big") + sni
    body = b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00" + len(ext).to_bytes(2, "big") + ext
    hs = b"\x01" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x01" + len(hs).to_bytes(2, "big") + hs


# 1. an internal host opens a connection to a listed address (abuse.csv: 198.51.100.7): ip.dst
tcp_open(IP, "10.0.0.5", "198.51.100.7", 40001, 443)
# 2. a listed prefix (ip.txt: 203.0.113.0/25) opens one to an internal host: ip.src, prefix hit
tcp_open(IP, "203.0.113.50", "10.0.0.6", 51000, 22)
# 3. IPv6: an internal host to a listed /48 (ip.txt: 2001:db8:bad::/48)
tcp_open(IPv6, "fd00::7", "2001:db8:bad::1", 40002, 443)
# 4. a DNS query under a listed name (domains.txt: c2.evil.example)
add(eth(IP(src="10.0.0.5", dst="10.0.0.53") / UDP(sport=33001, dport=53) /
        DNS(id=1, rd=1, qd=DNSQR(qname="x1.c2.evil.example", qtype="A"))))
# 5. a response whose CNAME answer is listed (domains.txt: cname-bad.example); the question is not
add(eth(IP(src="10.0.0.53", dst="10.0.0.5") / UDP(sport=53, dport=33002) /
        DNS(id=2, qr=1, rd=1, ra=1, qd=DNSQR(qname="cdn.good.example", qtype="A"),
            an=DNSRR(rrname="cdn.good.example", type="CNAME", rdata="edge.cname-bad.example") /
            DNSRR(rrname="edge.cname-bad.example", type="A", rdata="192.0.2.60"))))
# 6. a TLS ClientHello for a name the STIX bundle lists (phish.example), to an unlisted address
tcp_open(IP, "10.0.0.8", "192.0.2.80", 40003, 443, client_hello("login.phish.example"))
# 7. an HTTP request whose Host is listed (domains.txt, hosts-file line: dl.malware.example)
tcp_open(IP, "10.0.0.9", "192.0.2.81", 40004, 80,
         b"GET /payload.bin HTTP/1.1\r\nHost: dl.malware.example\r\nUser-Agent: t\r\n\r\n")
# 8. an address the STIX bundle lists (198.51.100.200, confidence 85), over UDP
add(eth(IP(src="10.0.0.10", dst="198.51.100.200") / UDP(sport=40005, dport=4444) / Raw(b"hello")))
# benign: unlisted addresses and names, and a name that only ends like a listed one
tcp_open(IP, "10.0.0.5", "192.0.2.99", 40006, 443, client_hello("www.example.org"))
add(eth(IP(src="10.0.0.5", dst="10.0.0.53") / UDP(sport=33003, dport=53) /
        DNS(id=3, rd=1, qd=DNSQR(qname="notevil.example", qtype="A"))))
add(eth(IP(src="10.0.0.5", dst="10.0.0.53") / UDP(sport=33004, dport=53) /
        DNS(id=4, rd=1, qd=DNSQR(qname="c2.evil.example.net", qtype="A"))))
tcp_open(IP, "10.0.0.9", "192.0.2.81", 40007, 80, b"GET / HTTP/1.1\r\nHost: malware.example.org\r\n\r\n")
# again, later: the same indicator and host is the same incident (a second flow)
tcp_open(IP, "10.0.0.5", "198.51.100.7", 40008, 443)

wrpcap(sys.argv[1], pkts)
