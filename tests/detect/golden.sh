#!/usr/bin/env bash
# golden.sh: detectors end to end (vigil-sensor -r) with targeted expectations:
# real labelled captures from tests/data/captures/attack each raise their
# detector naming the right hosts, and a synthesised capture (vigil-synth, fixed
# seed) has every injected attack found, in time, and no alert unrelated to one.
# Usage: golden.sh SRCDIR BUILDDIR
set -uo pipefail
SRC=$1
BUILD=$2
# shellcheck source=../lib.sh
. "$SRC/tests/lib.sh"
t_need_root
SENSOR=$BUILD/sensor/vigil-sensor
SYNTH=$BUILD/tools/vigil-synth
CAP=$SRC/tests/data/captures/attack
TMP=$(mktemp -d /tmp/vx5-golden.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/sensor.yaml" <<'YAML'
sensor:
  name: golden
  home_net: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]
collector:
  endpoint: ""
evidence:
  enabled: false
YAML
run() { # name capture: replay it, alerts and incident events to NAME.alerts, flow events to NAME.flows
  "$SENSOR" -c "$TMP/sensor.yaml" -r "$2" --alerts-json "$TMP/$1.alerts" --flows-json "$TMP/$1.flows" \
    > "$TMP/$1.log" 2>&1
  local rc=$?
  t_eq "$1: replay exits 0" "$rc" 0
  [ "$rc" = 0 ] || tail -5 "$TMP/$1.log" | sed 's/^/    /'
}
# every flow id an alert or incident event names is one of the replay's flow events, with the same
# community id where it is the event's own flow
flows_known() { # name
  jq -n -e --slurpfile f "$TMP/$1.flows" --slurpfile a "$TMP/$1.alerts" \
    '([$f[] | {key: (.flow_id | tostring), value: .community_id}] | from_entries) as $m | ($a | length) > 0
     and all($a[]; $m[.flow_id | tostring] == .community_id and all(.vigil.flows.flow_ids[]?; $m[tostring] != null))' >/dev/null
}
# one alert per incident, first; then its updates; the end last
incidents_ordered() { # name
  jq -s -e 'group_by(.vigil.incident_id) | all(.[]; .[0].event_type == "alert" and .[0].vigil.state == "start"
    and ([.[1:][] | .event_type] | all(. == "incident")) and (.[-1].vigil.state == "end")
    and ([.[1:-1][] | .vigil.state] | all(. == "update")))' "$TMP/$1.alerts" >/dev/null
}
starts() { jq -c "select(.vigil.state==\"start\") | $2" "$TMP/$1.alerts" 2>/dev/null | wc -l; }

run dos "$CAP/cs_ppa1e_dosattack.pcap"
t_eq "dosattack (100 SYNs, random hosts, 16 ms): one sensor-wide synflood" \
  "$(starts dos 'select(.vigil.detector=="synflood" and .vigil.detail=="many destinations")')" 1
t_eq "dosattack: nothing else" "$(starts dos '.')" 1
run syn "$CAP/sv_syn-flood-small.pcap"
t_eq "syn-flood-small: synflood on 198.51.100.5:80" \
  "$(starts syn 'select(.vigil.detector=="synflood" and .dest_ip=="198.51.100.5" and .vigil.learning)')" 1
t_eq "syn-flood-small: one start, one end" \
  "$(jq -r '.vigil.state' "$TMP/syn.alerts" | sort | tr '\n' ' ')" "end start "
run scan "$CAP/cs_ppa1e_portscan.pcap"
t_eq "portscan capture: portscan 10.100.25.14 -> 10.100.18.12" \
  "$(starts scan 'select(.vigil.detector=="portscan" and .src_ip=="10.100.25.14" and .dest_ip=="10.100.18.12" and .vigil.observed >= 20)')" 1
run osfp "$CAP/cs_ppa1e_osfingerprinting.pcap"
t_eq "icmp fingerprinting: portscan by ICMP types" \
  "$(starts osfp 'select(.vigil.detector=="portscan" and .vigil.metric=="distinct_icmp_types" and .src_ip=="10.0.0.29")')" 1
run sweep "$CAP/slips_test12-icmp-portscan.pcap"
t_eq "icmp sweep: hostsweep by 192.168.1.109" \
  "$(starts sweep 'select(.vigil.detector=="hostsweep" and .src_ip=="192.168.1.109" and (.vigil.distinct >= 16))')" 1
run ssh "$CAP/zeek_ssh_sshguess.pcap"
t_eq "ssh guessing: bruteforce on 192.168.56.103:22" \
  "$(starts ssh 'select(.vigil.detector=="bruteforce" and .src_ip=="192.168.56.1" and .dest_ip=="192.168.56.103" and .dest_port==22)')" 1
t_check "ssh guessing: the alert explains itself" jq -s -e \
  '[.[] | select(.vigil.state=="start")][0] | .alert.signature_id == 9100005 and .vigil.window_s == 60 and .vigil.threshold == 8 and (.vigil.onset|type) == "string" and .vigil.action == "alert"' \
  "$TMP/ssh.alerts"
t_eq "portscan capture: SYNs over 29 ports are not also a synflood" "$(starts scan 'select(.vigil.detector=="synflood")')" 0
t_check "ssh guessing: the alert names the eight sessions that made it, each a flow event" jq -s -e \
  '[.[] | select(.event_type=="alert")] | length == 1 and .[0].vigil.flows.count == 8 and (.[0].vigil.flows.flow_ids | length) == 8
   and .[0].src_port == .[0].alert.source.port and .[0].src_port > 1024 and .[0].alert.metadata.mitre_technique_id == ["T1110.001"]' \
  "$TMP/ssh.alerts"
t_check "ssh guessing: every flow id named is a flow event's, community ids agree" flows_known ssh
t_check "ssh guessing: alert first, updates, the end last" incidents_ordered ssh
t_check "icmp fingerprinting: the ICMP probe's type and code, no ports" jq -s -e \
  '[.[] | select(.event_type=="alert")][0] | .proto == "ICMP" and (.icmp_type | IN(8, 13, 15, 17)) and (.icmp_code | type) == "number"
   and has("src_port") == false and has("dest_port") == false' "$TMP/osfp.alerts"
run psexec "$CAP/sv_smb_psexec_mimikatz.pcap"
t_check "psexec: lateral, the service control manager opened remotely, 192.168.10.31 -> 192.168.10.30" jq -s -e \
  '[.[] | select(.event_type=="alert")] | length == 1 and .[0].vigil.detector == "lateral" and .[0].vigil.metric == "remote_service_control"
   and .[0].src_ip == "192.168.10.31" and .[0].dest_ip == "192.168.10.30" and .[0].alert.metadata.mitre_technique_id == ["T1569.002"]' \
  "$TMP/psexec.alerts"
t_check "psexec: the flow named is the RPC conversation's flow event" flows_known psexec
run admin "$CAP/sv_smb_mimikatz_copy_to_host.pcap"
t_check "C\$ copy: lateral, an administrative share, on 445, the drive share named" jq -s -e \
  '[.[] | select(.event_type=="alert")] | length == 1 and .[0].vigil.metric == "admin_share" and .[0].dest_port == 445
   and .[0].src_ip == "192.168.10.31" and (.[0].vigil.detail | test("C\\$"))' "$TMP/admin.alerts"
run nmapos "$CAP/cs_activeosfingerprinting.pcapng"
t_check "nmap -O: stealth probes 172.16.16.128 -> 172.16.16.150 with their flag sets" jq -s -e \
  '[.[] | select(.vigil.state=="start" and .vigil.detector=="portscan" and .vigil.metric=="stealth_probes" and .src_ip=="172.16.16.128" and .dest_ip=="172.16.16.150")] | length == 1 and (.[0].vigil.detail | test("NULL") and test("SYN\\+FIN"))' \
  "$TMP/nmapos.alerts"
run vnc "$CAP/zeek_vnc-scanner.pcap"
t_check "vnc scanner: a VNC probe 192.168.0.11 -> 10.0.0.149:5900, the refused password answered at machine speed" jq -s -e \
  '[.[] | select(.vigil.state=="start")] | length == 1 and .[0].vigil.detector=="portscan" and .[0].vigil.metric=="vnc_probes" and .[0].src_ip=="192.168.0.11" and .[0].dest_ip=="10.0.0.149" and .[0].dest_port==5900 and (.[0].vigil.detail | test("authentication failed, challenge answered in 101 ms"))' \
  "$TMP/vnc.alerts"
run dhcp "$CAP/zeek_dhcp_flood.pcap"
t_eq "dhcp flood (100/s, one packet per address): one network-wide DHCP flood" \
  "$(starts dhcp 'select(.vigil.detector=="flood" and .vigil.metric=="dhcp_pps_network")')" 1
t_eq "dhcp flood: nothing else" "$(starts dhcp '.')" 1
run amp "$CAP/stopddos_amp.dns.RRSIG.fragmented-10s.pcap"
t_eq "dns reflection (answers and fragments from 50 resolvers): flood on 10.10.10.10" \
  "$(starts amp 'select(.vigil.detector=="flood" and .vigil.metric=="unsolicited_amplifier_pps" and .dest_ip=="10.10.10.10")')" 1
t_eq "dns reflection: no bruteforce from the ssh liveness checks or a retransmitted ftp SYN" \
  "$(starts amp 'select(.vigil.detector=="bruteforce")')" 0

for n in dos syn scan osfp sweep ssh nmapos vnc dhcp amp psexec admin; do
  t_check "$n: incidents ordered (alert, updates, end)" incidents_ordered $n
  seen=$(grep -o 'poller: packets=[0-9]*' "$TMP/$n.log" | cut -d= -f2)
  t_check "$n: no count above the ${seen:-?} packets replayed" jq -s -e --argjson n "${seen:-0}" \
    'all(.[]; .vigil.packets <= $n and (.vigil.observed <= $n or .vigil.window_s < 1 or (.vigil.metric | test("pps|per_s|bytes"))))' \
    "$TMP/$n.alerts"
done
t_check "floods name their victim in hosts" jq -s -e 'all(.[]; .dest_ip as $d | .vigil.hosts | index($d) != null)' \
  "$TMP/syn.alerts" "$TMP/dos.alerts" "$TMP/dhcp.alerts" "$TMP/amp.alerts"
t_check "icmp sweep of a /24: at most 254 distinct hosts counted, no more than were probed" jq -s -e \
  'all(.[]; .vigil.distinct <= 254 and .vigil.distinct <= .vigil.packets)' "$TMP/sweep.alerts"

# synthesised: 35 minutes, learning first, then six attacks 3 minutes apart
"$SYNTH" -o "$TMP/syn.pcap" -l "$TMP/syn.labels" --seed 5 --minutes 35 --first 900 --every 180 \
  --attacks flood,portscan,hostsweep,dnstunnel,exfil,beacon 2>/dev/null
t_eq "synth: six labels" "$(grep -vc '^#' "$TMP/syn.labels")" 6
run synth "$TMP/syn.pcap"
while IFS=$'\t' read -r start end atk vic type; do
  [[ $start == \#* ]] && continue
  first=$(jq -r --arg d "$type" --arg a "$atk" --arg v "$vic" \
    'select(.vigil.state=="start" and .vigil.detector==$d and (.src_ip==$a or .dest_ip==$v or .src_ip==$v)) | .timestamp' \
    "$TMP/synth.alerts" | head -1)
  t_check "synth $type: detected" test -n "$first"
  if [ -n "$first" ]; then
    delay=$(jq -rn --arg t "$first" --argjson s "$start" '($t[0:19] + "Z" | fromdateiso8601) + ($t[20:26] | tonumber / 1e6) - $s')
    # a beacon is a pattern of contacts 30 s apart: decided once its regularity is significant (4 intervals here);
    # exfiltration is a rate sustained over ten seconds
    limit=2; [ "$type" = beacon ] && limit=125; [ "$type" = exfil ] && limit=11
    t_check "synth $type: alert ${delay} s after onset (<= $limit)" \
      jq -ne --argjson d "$delay" --argjson l "$limit" '$d >= 0 and $d <= $l'
  fi
done < "$TMP/syn.labels"
t_eq "synth: no alert before the first attack" \
  "$(jq -r 'select(.vigil.state=="start") | .timestamp' "$TMP/synth.alerts" | awk '$0 < "2023-11-14T22:28:20"' | wc -l)" 0
t_check "synth: every incident ends" bash -c \
  '[ "$(jq -c "select(.vigil.state==\"start\")" "$1" | wc -l)" = "$(jq -c "select(.vigil.state==\"end\")" "$1" | wc -l)" ]' _ "$TMP/synth.alerts"
t_check "synth: replay is deterministic" bash -c \
  '"$1" -c "$2" -r "$3" --alerts-json "$4" >/dev/null 2>&1 && cmp -s "$4" "$5"' _ "$SENSOR" "$TMP/sensor.yaml" "$TMP/syn.pcap" "$TMP/again.alerts" "$TMP/synth.alerts"
t_done
