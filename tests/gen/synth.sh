#!/usr/bin/env bash
# synth.sh: vigil-synth's attack variants and office background, read back by
# tshark. Every variant of issues 14/15 is written into one short capture and
# counted the way an analyst would (probes, answers, binds, banners, paths);
# the office background is checked for each behaviour it must hold; output is
# deterministic from --seed; bad --attacks lists are refused with a message.
# Usage: synth.sh BUILDDIR
set -uo pipefail
BUILD=$1
. "$(dirname "$0")/../lib.sh"
SYNTH=$BUILD/tools/vigil-synth
command -v tshark >/dev/null || t_skip "no tshark (scripts/setup.sh installs it)"
TMP=$(mktemp -d /tmp/vigil-synth-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

ATTACKS=portscan/ack@0,portscan/window@10,portscan/udp_all@20,portscan/ipproto@40,hostsweep/outbound_syn@50
ATTACKS+=,hostsweep/outbound_udp@200,bruteforce/ssh_altport@250,bruteforce/rpc_burst@270,lateral/dcsync@290
ATTACKS+=,lateral/admin@300,beacon/jitter@420,anomaly/takeover@620,beacon/jitter_size@900,portscan/slow@60
"$SYNTH" -o "$TMP/a.pcap" -l "$TMP/a.labels" -E "$TMP/a.events" --seed 9 --minutes 35 --first 10 \
  --attacks "$ATTACKS" 2>/dev/null
t_eq "attacks: exit 0" "$?" 0
t_eq "attacks: 14 labels" "$(grep -vc '^#' "$TMP/a.labels")" 14
for v in ${ATTACKS//,/ }; do
  t_eq "label ${v%@*}" "$(awk -F'\t' -v t="${v%@*}" '$5 == t' "$TMP/a.labels" | wc -l)" 1
done
t_eq "events: 60 jittered check-ins" "$(grep -c 'beacon/jitter	' "$TMP/a.events")" 60
t_eq "events: 125 check-ins of constant size" "$(grep -c 'beacon/jitter_size' "$TMP/a.events")" 125

# one pass of tshark: a line per frame with the fields the checks count
tshark -d tcp.port==2222,ssh -r "$TMP/a.pcap" -T fields -E separator='|' -e ip.src -e ip.dst -e ip.proto \
  -e tcp.flags -e tcp.len -e udp.dstport -e icmp.type -e icmp.code -e dcerpc.cn_bind_to_uuid -e smb2.tree \
  -e http.request.uri -e ssh.protocol -e rdp.rt_cookie -e frame.time_epoch -e tcp.window_size_value -e tcp.dstport \
  > "$TMP/a.txt" 2>/dev/null
count() { awk -F'|' "$1" "$TMP/a.txt" | wc -l; }
t_eq "ack scan: 1000 bare ACKs" "$(count '$1=="198.51.100.81" && $4=="0x0010"')" 1000
t_eq "ack scan: each answered by a RST" "$(count '$2=="198.51.100.81" && $4=="0x0004"')" 1000
t_eq "window scan: open ports' RSTs carry a window" "$(count '$2=="198.51.100.82" && $4=="0x0004" && $15>0')" 2
t_check "ack scan: within 70 ms" test "$(awk -F'|' '$1=="198.51.100.81"{if(!a)a=$14; b=$14} END{print (b-a < 0.071)}' "$TMP/a.txt")" = 1
t_eq "udp scan: closed ports answer port unreachable" "$(count '$1 ~ /^10\.1\.0\.6,/ && $7=="3" && $8=="3"')" 1499
t_check "udp scan: ports all over 1..65535" test "$(awk -F'|' '$1=="10.1.1.35" && $6>49151' "$TMP/a.txt" | wc -l)" -gt 300
t_eq "ip-protocol scan: 256 protocols probed" \
  "$(awk -F'|' '$1=="10.1.1.36" && $2=="10.1.0.9" {print $3}' "$TMP/a.txt" | sort -u | wc -l)" 256
t_eq "ip-protocol scan: protocol unreachable" "$(count '$1 ~ /^10\.1\.0\.9,/ && $7=="3" && $8=="2"')" 245
t_eq "slow scan: 100 SYNs" "$(count '$1=="198.51.100.83" && $4=="0x0002"')" 100
t_check "slow scan: 15 s apart" test "$(awk -F'|' '$1=="198.51.100.83" && $4=="0x0002"{n++; if(n==1)a=$14; b=$14} END{print int((b-a)/(n-1)+0.5)}' "$TMP/a.txt")" = 15
t_eq "outbound syn: 136 public addresses" "$(awk -F'|' '$1=="10.1.3.12" && $4=="0x0002" {print $2}' "$TMP/a.txt" | sort -u | wc -l)" 136
t_eq "outbound udp/6892: 1371 addresses" "$(awk -F'|' '$6=="6892" {print $2}' "$TMP/a.txt" | sort -u | wc -l)" 1371
t_eq "ssh on 2222: 67 server banners first" "$(count '$12 ~ /OpenSSH_9.2p1 Debian-2/')" 67
t_eq "rpc burst: 880 connections" "$(count '$1=="10.1.1.38" && $4=="0x0002" && ($16=="135" || $16=="49668")')" 880
t_eq "rpc burst: 440 netlogon binds" "$(count '$9=="12345678-1234-abcd-ef00-01234567cffb"')" 440
t_eq "lateral: ADMIN\$ and IPC\$ tree connects" "$(awk -F'|' '$10 ~ /(ADMIN|IPC)\$/ {print $10}' "$TMP/a.txt" | sort -u | tr '\n' ' ')" \
  '\\10.1.1.12\ADMIN$ \\10.1.1.12\IPC$ '
for u in 367abb81-9844-35f1-ad32-98f038001003 000001a0-0000-0000-c000-000000000046 f309ad18-d86a-11d0-a075-00c04fb68820 \
         e3514235-4b06-11d1-ab04-00c04fc2dcd2; do
  t_eq "lateral: bind to $u" "$(count "\$9==\"$u\"")" 1
done
t_eq "lateral: WinRM POSTs to /wsman" "$(count '$11=="/wsman"')" 4
t_eq "lateral: RDP connection request" "$(count '$13 ~ /mstshash=admin/')" 1
t_eq "beacon/jitter: 60 connections" "$(count '$1=="10.1.1.39" && $2=="203.0.113.151" && $4=="0x0002"')" 60
t_eq "beacon/jitter_size: 125 requests of 243-252 bytes" "$(count '$1=="10.1.1.45" && $2=="198.51.100.152" && $5>=243 && $5<=252')" 125
t_check "takeover: ~200 frames/s from the camera" test "$(awk -F'|' '$1=="10.1.3.10"' "$TMP/a.txt" | wc -l)" -gt 45000

# the office background: 10 minutes, benign only
"$SYNTH" -o "$TMP/o.pcap" -l "$TMP/o.labels" --seed 9 --minutes 10 --office --benign-only 2>/dev/null
t_eq "office: exit 0" "$?" 0
t_eq "office: no labels" "$(grep -vc '^#' "$TMP/o.labels")" 0
tshark -r "$TMP/o.pcap" -T fields -E separator='|' -e ip.src -e ip.dst -e kerberos.msg_type -e kerberos.error_code \
  -e dns.qry.name -e dns.qry.type -e igmp.type -e udp.dstport -e mqtt.msgtype -e tcp.dstport -e smb2.tree \
  -e ldap.protocolOp -e frame.time_epoch > "$TMP/o.txt" 2>/dev/null
ocount() { awk -F'|' "$1" "$TMP/o.txt" | wc -l; }
t_check "office: AS-REQ, PREAUTH_REQUIRED, AS-REP, TGS-REQ, TGS-REP" test \
  "$(awk -F'|' '$3!=""{split($3,m,","); print m[1]}' "$TMP/o.txt" | sort -un | tr '\n' ' ')" = "10 11 12 13 30 "
t_check "office: KRB-ERROR 25 (pre-authentication required)" test "$(ocount '$4=="25"')" -gt 5
t_check "office: AD site SRV lookups" test "$(ocount '$6=="33" && $5 ~ /_sites.dc._msdcs.office.example/')" -gt 10
t_check "office: DNS blocklist lookups (reversed IPv4)" test "$(ocount '$5 ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\.zen\.dnsbl\.example$/')" -gt 10
t_check "office: IGMPv3 reports" test "$(ocount '$7=="0x22" && $2=="224.0.0.22"')" -gt 100
t_check "office: SSDP every ~3 s from 4 hosts" test "$(ocount '$8=="1900" && $2=="239.255.255.250"')" -gt 700
t_check "office: MQTT keep-alives (PINGREQ on 1883)" test "$(ocount '$9=="12"')" -gt 20
t_check "office: MQTT over TLS to 8883" test "$(ocount '$10=="8883"')" -gt 20
t_check "office: SMB to SYSVOL" test "$(ocount '$11 ~ /SysVol/')" -gt 5
t_check "office: LDAP and CLDAP searches" test "$(ocount '$12 ~ /3/')" -gt 20
t_check "office: WS-Discovery probes" test "$(ocount '$8=="3702" && $2=="239.255.255.250"')" -gt 5
t_check "office: a CDN download of thousands of frames/s" test \
  "$(awk -F'|' '$1 ~ /^203\.0\.113\.21[0-7]$/ {c[int($13)]++} END{m=0; for (s in c) if (c[s]>m) m=c[s]; print m}' "$TMP/o.txt")" -gt 2000

# determinism, and bad lists
"$SYNTH" -o "$TMP/o2.pcap" -l "$TMP/o2.labels" --seed 9 --minutes 10 --office --benign-only 2>/dev/null
t_check "office: same seed, same bytes" cmp -s "$TMP/o.pcap" "$TMP/o2.pcap"
"$SYNTH" -o "$TMP/o3.pcap" -l "$TMP/o3.labels" --seed 10 --minutes 10 --office --benign-only 2>/dev/null
t_check "office: another seed, other bytes" bash -c '! cmp -s "$1" "$2"' _ "$TMP/o.pcap" "$TMP/o3.pcap"
err=$("$SYNTH" -o "$TMP/x.pcap" -l "$TMP/x.labels" --attacks portscan/nosuch 2>&1); rc=$?
t_eq "unknown attack: exit 1" "$rc" 1
t_check "unknown attack: named" grep -q "unknown attack type 'portscan/nosuch'" <<< "$err"
err=$("$SYNTH" -o "$TMP/x.pcap" -l "$TMP/x.labels" --attacks flood@soon 2>&1); rc=$?
t_eq "bad @time: exit 1" "$rc" 1
t_check "bad @time: named" grep -q "flood@soon" <<< "$err"
t_done
