#!/usr/bin/env bash
# record-office.sh: records a small Windows-domain office, with real daemons in
# network namespaces, as a pcap for scripts/eval.sh (issue 14: benign traffic
# that vigil was never tuned on). A Samba AD domain controller, a file server,
# a mail host that checks a DNS blocklist, five workstations that log on
# (Kerberos, LDAP, SMB), copy files, browse and download from an "Internet"
# mirror, two IoT devices on an outside MQTT broker, and the LAN's chatter
# (mDNS, SSDP, WS-Discovery, NetBIOS, NTP, IGMP). Every frame of the office
# LAN is captured on a mirror port of the LAN bridge.
#
# Usage: scripts/record-office.sh [-m MINUTES] [-o OUTDIR] [--no-install] [--smoke]
#   -m MINUTES    length of the recording (default 35)
#   -o OUTDIR     where office-<MINUTES>min.pcap.xz goes (default tests/data/captures/benign/office)
#   --no-install  do not apt-get the daemons (they must be installed)
#   --smoke       each workstation runs every behaviour once right after logon (a quick check of the setup)
# Needs root. Recording is not part of the test suite: its packages are
# installed here, not by scripts/setup.sh. Everything it makes (namespaces,
# links, daemons, /etc/netns/vof-*, its temporary folder) is removed at the
# end, also on failure or Ctrl-C. It starts no service of the machine: each
# daemon runs by hand in a namespace with its own configuration, pid and state
# files under the temporary folder (package installs are kept from starting
# services through policy-rc.d). VOF_LOGS=DIR keeps the daemons' logs there.
# Writes office-<MINUTES>min.pcap.xz, timeline.log (who did what when) and
# versions.tsv (the packages' versions) into OUTDIR.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
MINUTES=35
OUTDIR=$SRC/tests/data/captures/benign/office
INSTALL=1
SMOKE=
while [ $# -gt 0 ]; do
  case $1 in
    -m) MINUTES=$2; shift 2 ;;
    -o) OUTDIR=$2; shift 2 ;;
    --no-install) INSTALL=0; shift ;;
    --smoke) SMOKE=1; shift ;;
    -h|--help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "record-office.sh: unknown argument '$1' (see --help)" >&2; exit 1 ;;
  esac
done
[[ $MINUTES =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 2 ] && [ "$MINUTES" -le 600 ] ||
  { echo "record-office.sh: -m wants whole minutes between 2 and 600, not '$MINUTES'" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "record-office.sh: needs root (network namespaces)" >&2; exit 1; }

# Debian packages of the daemons and tools (recording only; not in setup.sh)
PKGS=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind smbclient
      krb5-user libsasl2-modules-gssapi-mit ldap-utils bind9-dnsutils dnsmasq-base nginx-light
      avahi-daemon minidlna miniupnpc wsdd chrony mosquitto mosquitto-clients tcpdump tshark
      iproute2 ethtool curl openssl xz-utils util-linux)

P=vof                              # prefix of every namespace and link this script makes
NSS=(inet rtr lan dc1 fs1 mail ws1 ws2 ws3 ws4 ws5 cam tstat)
DOM=office.example REALM=OFFICE.EXAMPLE WG=OFFICE
BASE=DC=office,DC=example
ADMINPASS='Vigil-Adm1n!2026'
LAN=192.168.50
declare -A IPOF=([rtr]=$LAN.1 [dc1]=$LAN.10 [fs1]=$LAN.11 [mail]=$LAN.25
                 [ws1]=$LAN.101 [ws2]=$LAN.102 [ws3]=$LAN.103 [ws4]=$LAN.104 [ws5]=$LAN.105
                 [cam]=$LAN.150 [tstat]=$LAN.151)
# outside: the router's uplink 198.51.100.0/24, servers in TEST-NET-2 and TEST-NET-3
GW_OUT=198.51.100.1 INET_GW=198.51.100.254 DNS_OUT=198.51.100.53 NTP_OUT=198.51.100.123
MQTT_OUT=198.51.100.20 MIRROR=203.0.113.80

exec 9>/tmp/vigil-record-office.lock
flock -n 9 || { echo "record-office.sh: another recording is running (/tmp/vigil-record-office.lock)" >&2; exit 1; }
for n in "${NSS[@]}"; do
  ! ip netns list | grep -qw "$P-$n" ||
    { echo "record-office.sh: namespace $P-$n exists (a crashed run?): ip netns del $P-$n" >&2; exit 1; }
done

T=
POLICY_MADE=0
cleanup() {
  local rc=$? n pid
  trap - EXIT ERR
  trap '' INT TERM                 # a daemon that signals its process group on exit must not stop the cleanup
  set +ex
  [ -n "${VOF_TRACE:-}" ] && set -x
  # processes: only those living in this script's namespaces (all started here)
  for n in "${NSS[@]}"; do
    for pid in $(ip netns pids "$P-$n" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  done
  sleep 2
  for n in "${NSS[@]}"; do
    for pid in $(ip netns pids "$P-$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  done
  wait 2>/dev/null
  for n in "${NSS[@]}"; do
    ip netns del "$P-$n" 2>/dev/null
    rm -rf "/etc/netns/$P-$n"
  done
  rmdir /etc/netns 2>/dev/null  # only if empty
  [ "$POLICY_MADE" = 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ -n "$T" ]; then
    # VOF_LOGS=DIR keeps the daemons' logs there
    [ -n "${VOF_LOGS:-}" ] && rm -rf "$VOF_LOGS" && cp -r "$T/log" "$VOF_LOGS"
    rm -rf "$T"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "record-office.sh: line $LINENO: $BASH_COMMAND failed" >&2' ERR
trap 'echo "record-office.sh: interrupted, cleaning up" >&2; exit 130' INT TERM

log() { printf '%s record-office: %s\n' "$(date +%T)" "$*" >&2; }

# ---- packages -------------------------------------------------------------
if [ "$INSTALL" = 1 ]; then
  missing=()
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    if [ ! -e /usr/sbin/policy-rc.d ]; then   # keep the packages' services from starting
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
      POLICY_MADE=1
    fi
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    [ "$POLICY_MADE" = 1 ] && rm -f /usr/sbin/policy-rc.d && POLICY_MADE=0
  fi
fi
for b in samba samba-tool smbd nmbd smbclient kinit kvno ldapsearch host dig dnsmasq nginx avahi-daemon \
         minidlnad upnpc wsdd chronyd mosquitto mosquitto_sub mosquitto_pub tcpdump ethtool curl openssl xz net; do
  command -v "$b" >/dev/null || { echo "record-office.sh: $b not found (run without --no-install)" >&2; exit 1; }
done

T=$(mktemp -d /tmp/vigil-office.XXXXXX)
chmod 755 "$T"                     # daemons that drop root (mosquitto, chrony, dnsmasq) read their files here
mkdir -p "$T/bin" "$T/log"

# ---- topology ----------------------------------------------------------------
# vof-lan holds the office switch br0: a hub (ageing 0 floods every frame to
# every port) with a mirror port tap0 -> tap1 where tcpdump listens, so one copy
# of each LAN frame is captured whichever hosts talk. br0 is the IGMP querier.
nsx() { local n=$1; shift; ip netns exec "$P-$n" "$@"; }
for n in "${NSS[@]}"; do
  ip netns add "$P-$n"
  nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  nsx "$n" ip link set lo up
done
nsx lan ip link add br0 type bridge ageing_time 0 mcast_snooping 1 mcast_querier 1 mcast_igmp_version 3 \
  mcast_query_interval 6000 mcast_query_response_interval 1000
nsx lan ip link add tap0 type veth peer name tap1
nsx lan ip link set tap0 master br0
nsx lan ip link set tap0 up
nsx lan ip link set tap1 up
nsx lan bridge link set dev tap0 mcast_router 2
nsx lan ip link set br0 up
noofl() { nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true; }
noofl lan tap0; noofl lan tap1
i=16
for n in rtr dc1 fs1 mail ws1 ws2 ws3 ws4 ws5 cam tstat; do
  ip link add "$P-$n" netns "$P-lan" address "02:50:00:ff:00:$(printf %02x $i)" type veth \
    peer name eth0 netns "$P-$n" address "02:50:00:00:00:$(printf %02x $i)"
  i=$((i + 1))
  nsx lan ip link set "$P-$n" master br0
  nsx lan ip link set "$P-$n" up
  noofl lan "$P-$n"; noofl "$n" eth0
  nsx "$n" ip addr add "${IPOF[$n]}/24" dev eth0
  nsx "$n" ip link set eth0 up
  [ "$n" = rtr ] || nsx "$n" ip route add default via "${IPOF[rtr]}"
  mkdir -p "/etc/netns/$P-$n" "$T/$n"
  printf 'nameserver %s\nsearch %s\n' "${IPOF[dc1]}" "$DOM" > "/etc/netns/$P-$n/resolv.conf"
  printf '127.0.0.1 localhost\n%s %s.%s %s\n' "${IPOF[$n]}" "$n" "$DOM" "$n" > "/etc/netns/$P-$n/hosts"
done
# workstation links are a Wi-Fi's or a 100 Mbit/s port's, the uplink a 50 Mbit/s line (tbf: this kernel has no netem for delay)
for n in ws1 ws2 ws3 ws4 ws5; do
  case $n in ws2|ws4) rate=30mbit ;; *) rate=100mbit ;; esac
  nsx "$n" tc qdisc add dev eth0 root tbf rate "$rate" burst 64kb latency 50ms
  nsx lan tc qdisc add dev "$P-$n" root tbf rate "$rate" burst 64kb latency 50ms
done
nsx rtr sysctl -qw net.ipv4.ip_forward=1
ip link add wan0 netns "$P-rtr" address 02:50:00:00:01:01 type veth peer name wan1 netns "$P-inet" address 02:50:00:00:01:02
noofl rtr wan0; noofl inet wan1
nsx rtr ip addr add "$GW_OUT/24" dev wan0
nsx rtr ip link set wan0 up
nsx rtr ip route add default via "$INET_GW"
nsx rtr tc qdisc add dev wan0 root tbf rate 50mbit burst 64kb latency 100ms
nsx inet ip addr add "$INET_GW/24" dev wan1
for a in $DNS_OUT $NTP_OUT $MQTT_OUT; do nsx inet ip addr add "$a/24" dev wan1; done
nsx inet ip addr add "$MIRROR/32" dev lo
nsx inet ip link set wan1 up
nsx inet ip route add "$LAN.0/24" via "$GW_OUT"
nsx inet tc qdisc add dev wan1 root tbf rate 50mbit burst 64kb latency 100ms
mkdir -p /etc/netns/$P-inet /etc/netns/$P-lan "$T/inet" "$T/lan"

# Samba keeps sockets under /run/samba whatever its configuration says (libwbclient's
# winbindd pipe, nmbd's): each Samba daemon gets a private /run/samba in a mount namespace
PRIVRUN="mount -t tmpfs tmpfs /run/samba"
# start DAEMON... in namespace n in the background, its output in $T/log/<name>.log
bg() { local n=$1 name=$2; shift 2; nsx "$n" "$@" > "$T/log/$name.log" 2>&1 & }

# ---- the Internet -------------------------------------------------------------
log "outside: DNS with a blocklist zone, NTP, nginx mirror, MQTT broker"
cat > "$T/inet/dnsmasq.conf" <<EOF
listen-address=$DNS_OUT
bind-interfaces
no-resolv
no-hosts
user=nobody
local=/example/
host-record=www.portal.example,$MIRROR
host-record=dl.cdn-mirror.example,$MIRROR
host-record=mqtt.iot-cloud.example,$MQTT_OUT
host-record=time.ntp-pool.example,$NTP_OUT
mx-host=partner.example,mx.partner.example,10
host-record=mx.partner.example,198.51.100.25
EOF
# the blocklists list a few of the senders (127.0.0.x answers), the rest are NXDOMAIN
for ip in 203.0.113.7 203.0.113.66 198.51.100.201 198.51.100.77 203.0.113.199; do
  IFS=. read -r a b c d <<< "$ip"
  echo "host-record=$d.$c.$b.$a.zen.dnsbl.example,127.0.0.2" >> "$T/inet/dnsmasq.conf"
  echo "txt-record=$d.$c.$b.$a.zen.dnsbl.example,\"listed: see https://www.dnsbl.example/query/$ip\"" >> "$T/inet/dnsmasq.conf"
  echo "host-record=$d.$c.$b.$a.bl.spamlist.example,127.0.0.4" >> "$T/inet/dnsmasq.conf"
done
bg inet dnsmasq dnsmasq --conf-file="$T/inet/dnsmasq.conf" --keep-in-foreground --pid-file="$T/inet/dnsmasq.pid"

cat > "$T/inet/chrony.conf" <<EOF
bindaddress $NTP_OUT
cmdport 0
bindcmdaddress /
pidfile $T/inet/chrony/chronyd.pid
local stratum 2
allow all
EOF
mkdir -p "$T/inet/chrony" && chown _chrony: "$T/inet/chrony"   # chronyd drops root before removing it
bg inet chronyd-inet chronyd -x -d -f "$T/inet/chrony.conf"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=www.portal.example" \
  -addext "subjectAltName=DNS:www.portal.example,DNS:dl.cdn-mirror.example,DNS:mqtt.iot-cloud.example" \
  -keyout "$T/inet/key.pem" -out "$T/inet/cert.pem" 2>/dev/null
chmod 644 "$T/inet/key.pem"
mkdir -p "$T/inet/www/updates" "$T/inet/www/assets" "$T/inet/nginx"
# content: generated text (so the capture compresses), a few sizes per kind
mkfile() { # path bytes tag
  head -c "$2" < <(yes "vigil office recording: $3 $(basename "$1") 0123456789abcdefghijklmnopqrstuvwxyz") > "$1"
}
mkfile "$T/inet/www/updates/kb5031356-x64.cab" $((42 * 1024 * 1024)) update
mkfile "$T/inet/www/updates/defender-defs-1.401.cab" $((24 * 1024 * 1024)) update
mkfile "$T/inet/www/updates/office-c2r-16.0.msp" $((31 * 1024 * 1024)) update
# (pages are fetched over HTTPS: their bytes do not compress, so they are kept small)
for i in 1 2 3 4 5 6 7 8; do mkfile "$T/inet/www/assets/a$i.js" $((2000 + i * 1500)) asset; done
mkfile "$T/inet/www/index.html" 9000 page
mkfile "$T/inet/www/news.html" 14000 page
mkfile "$T/inet/www/assets/manual.pdf" $((1800 * 1024)) doc
cat > "$T/inet/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $T/inet/nginx/nginx.pid;
error_log $T/log/nginx-error.log;
events { worker_connections 256; }
http {
  access_log $T/log/nginx-access.log;
  client_body_temp_path $T/inet/nginx/body;
  proxy_temp_path $T/inet/nginx/proxy;
  fastcgi_temp_path $T/inet/nginx/fastcgi;
  default_type application/octet-stream;
  sendfile on;
  keepalive_timeout 15;
  server { listen $MIRROR:80; root $T/inet/www; }
  server { listen $MIRROR:443 ssl; ssl_certificate $T/inet/cert.pem; ssl_certificate_key $T/inet/key.pem; root $T/inet/www; }
}
EOF
bg inet nginx nginx -e "$T/log/nginx-error.log" -p "$T/inet/nginx" -c "$T/inet/nginx/nginx.conf" -g 'daemon off;'

cat > "$T/inet/mosquitto.conf" <<EOF
persistence false
log_dest stdout
per_listener_settings false
allow_anonymous true
listener 1883 $MQTT_OUT
listener 8883 $MQTT_OUT
certfile $T/inet/cert.pem
keyfile $T/inet/key.pem
EOF
bg inet mosquitto mosquitto -c "$T/inet/mosquitto.conf"

# ---- the domain controller ----------------------------------------------------
log "domain controller: samba-tool domain provision ($REALM)"
DCD=$T/dc1
mkdir -p "$DCD/run" "$DCD/shared"   # samba makes its socket folders with the modes it wants
chmod 1777 "$DCD/shared"
samba-tool domain provision --targetdir="$DCD" --realm=$REALM --domain=$WG --server-role=dc \
  --dns-backend=SAMBA_INTERNAL --adminpass="$ADMINPASS" --host-name=dc1 --host-ip="${IPOF[dc1]}" \
  --option="interfaces=lo eth0" --option="bind interfaces only=yes" \
  --option="dns forwarder=$DNS_OUT" --option="ldap server require strong auth=no" \
  --option="log file=$T/log/dc1-samba.%m" --option="log level=1" --option="pid directory=$DCD/run" \
  --option="ncalrpc dir=$DCD/ncalrpc" --option="ntp signd socket directory=$DCD/ntp" --option="load printers=no" --option="printing=bsd" \
  --option="printcap name=/dev/null" --option="disable spoolss=yes" > "$T/log/provision.log" 2>&1 ||
  { tail -20 "$T/log/provision.log" >&2; exit 1; }
DCCONF=$DCD/etc/smb.conf
printf '[shared]\n\tpath = %s\n\tread only = no\n' "$DCD/shared" >> "$DCCONF"
USERS=(alice bob carol dave erin)
upass() { echo "Office-$1-2026!"; }
for u in "${USERS[@]}"; do
  samba-tool user create "$u" "$(upass "$u")" --configfile="$DCCONF" -H "$DCD/private/sam.ldb" \
    --given-name="${u^}" --surname=Example >> "$T/log/provision.log" 2>&1
done
samba-tool user setexpiry Administrator --noexpiry --configfile="$DCCONF" -H "$DCD/private/sam.ldb" >> "$T/log/provision.log" 2>&1
cp "$DCD/private/krb5.conf" "$T/dc1/krb5.conf"
bg dc1 samba unshare -m --propagation private sh -c "$PRIVRUN && exec samba -s '$DCCONF' --foreground"
mkfile "$DCD/shared/handbook.pdf" $((3 * 1024 * 1024)) handbook
mkfile "$DCD/shared/holidays.xlsx" $((600 * 1024)) sheet

cat > "$T/dc1/chrony.conf" <<EOF
server $NTP_OUT iburst minpoll 6 maxpoll 6
allow $LAN.0/24
bindcmdaddress /
cmdport 0
pidfile $T/dc1/chrony/chronyd.pid
EOF
mkdir -p "$T/dc1/chrony" && chown _chrony: "$T/dc1/chrony"
bg dc1 chronyd-dc1 chronyd -x -d -f "$T/dc1/chrony.conf"

# wait for the DC's LDAP, KDC and DNS
for _ in $(seq 1 90); do
  nsx dc1 host -W 1 -t SRV "_ldap._tcp.dc._msdcs.$DOM" "${IPOF[dc1]}" >/dev/null 2>&1 && break
  sleep 1
done
nsx dc1 host -W 2 -t SRV "_ldap._tcp.dc._msdcs.$DOM" "${IPOF[dc1]}" >/dev/null ||
  { echo "record-office.sh: the domain controller did not come up:" >&2; tail -20 "$T/log/samba.log" >&2; exit 1; }
for h in fs1 mail ws1 ws2 ws3 ws4 ws5 cam tstat; do
  nsx dc1 samba-tool dns add 127.0.0.1 $DOM "$h" A "${IPOF[$h]}" -U "Administrator%$ADMINPASS" \
    --configfile="$DCCONF" >> "$T/log/provision.log" 2>&1
done
nsx dc1 samba-tool dns add 127.0.0.1 $DOM @ MX "mail.$DOM 10" -U "Administrator%$ADMINPASS" \
  --configfile="$DCCONF" >> "$T/log/provision.log" 2>&1 || true

# ---- the file server: a standalone share (smbd, nmbd), a media server (minidlna) -
log "file server, mail host, LAN discovery daemons"
FSD=$T/fs1
mkdir -p "$FSD"/{run,lock,state,cache,private,ncalrpc,projects,media}
chmod 1777 "$FSD/projects"
cat > "$FSD/smb.conf" <<EOF
[global]
	workgroup = $WG
	netbios name = FS1
	server string = Office file server
	server role = standalone server
	map to guest = Bad User
	guest account = nobody
	interfaces = lo eth0
	bind interfaces only = yes
	pid directory = $FSD/run
	lock directory = $FSD/lock
	state directory = $FSD/state
	cache directory = $FSD/cache
	private dir = $FSD/private
	ncalrpc dir = $FSD/ncalrpc
	log file = $T/log/fs1-smb.%m
	load printers = no
	printcap name = /dev/null
	disable spoolss = yes
	local master = yes
	preferred master = yes
	os level = 65
	server min protocol = NT1
[projects]
	path = $FSD/projects
	read only = no
	guest ok = yes
EOF
for f in "report-q3.docx:4" "drawing-rev7.dwg:9" "budget-2026.xlsx:2" "site-photos.zip:6" "contract.pdf:3"; do
  mkfile "$FSD/projects/${f%%:*}" $((${f##*:} * 1024 * 1024)) project
done
chmod 666 "$FSD"/projects/*
bg fs1 smbd unshare -m --propagation private sh -c \
  "$PRIVRUN || exit 1; smbd -s '$FSD/smb.conf' --foreground & exec nmbd -s '$FSD/smb.conf' --foreground"
mkfile "$FSD/media/welcome.mp4" 500000 media
cat > "$FSD/minidlna.conf" <<EOF
media_dir=V,$FSD/media
db_dir=$FSD/minidlna
log_dir=$T/log
friendly_name=FS1 media
network_interface=eth0
port=8200
inotify=no
notify_interval=3
EOF
mkdir -p "$FSD/minidlna"
bg fs1 minidlna minidlnad -d -f "$FSD/minidlna.conf" -P "$FSD/run/minidlna.pid"

# avahi-daemon (mDNS) and wsdd (WS-Discovery) on the hosts that run them; each
# avahi gets a private /run/avahi-daemon and services folder in its own mount namespace
avahi() { # host service-xml...
  local n=$1; shift
  mkdir -p "$T/$n/avahi/services" "$T/$n/avahi/run"
  cat > "$T/$n/avahi/avahi-daemon.conf" <<EOF
[server]
host-name=$n
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=eth0
enable-dbus=no
[wide-area]
enable-wide-area=no
[publish]
publish-workstation=yes
publish-hinfo=no
[reflector]
[rlimits]
EOF
  local s
  for s in "$@"; do
    printf '<?xml version="1.0" standalone="no"?>\n<!DOCTYPE service-group SYSTEM "avahi-service.dtd">\n<service-group><name replace-wildcards="yes">%%h</name><service><type>%s</type><port>%s</port></service></service-group>\n' \
      "${s%:*}" "${s#*:}" > "$T/$n/avahi/services/${s%%:*}.service"
  done
  nsx "$n" unshare -m --propagation private sh -c \
    "mount -t tmpfs tmpfs /run && mkdir /run/avahi-daemon && mount --bind '$T/$n/avahi/services' /etc/avahi/services &&
     exec avahi-daemon -f '$T/$n/avahi/avahi-daemon.conf' --no-drop-root --no-chroot --no-rlimits" \
    > "$T/log/avahi-$n.log" 2>&1 &
}
avahi fs1 _smb._tcp:445 _device-info._tcp:0
avahi dc1 _smb._tcp:445
avahi cam _rtsp._tcp:554 _http._tcp:80
for n in ws1 ws2 ws3 ws4 ws5; do avahi "$n"; done
# wsdd by Debian's own python3 (/usr/bin/env python3 may find another one first)
WSDD="/usr/bin/python3 $(command -v wsdd)"
bg dc1 wsdd-dc1 $WSDD -4 -i eth0 -w $WG -n DC1 -s
bg fs1 wsdd-fs1 $WSDD -4 -i eth0 -w $WG -n FS1 -s

# ---- the office at work ---------------------------------------------------------
START=$(date +%s)
STOP=$((START + MINUTES * 60))
log "capturing on the LAN mirror port for $MINUTES minutes (until $(date -d @$STOP +%T))"
ip netns exec "$P-lan" tcpdump -i tap1 -s 0 -U -w "$T/office.pcap" > "$T/log/tcpdump.log" 2>&1 &
TCPDUMP=$!
sleep 2

# per-workstation Kerberos, LDAP, Samba client configuration
for i in 1 2 3 4 5; do
  n=ws$i d=$T/$n
  mkdir -p "$d"/{lock,state,cache,private,ncalrpc}
  # Windows sends Kerberos over TCP (its messages outgrow one datagram): ws1, ws3, ws5 do as well
  udp=""; [ $((i % 2)) = 1 ] && udp="udp_preference_limit = 1"
  cat > "$d/krb5.conf" <<EOF
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = true
	dns_lookup_realm = false
	rdns = false
	$udp
EOF
  printf 'SASL_NOCANON on\nURI ldap://dc1.%s\nBASE %s\n' "$DOM" "$BASE" > "$d/ldap.conf"
  cat > "$d/smb.conf" <<EOF
[global]
	workgroup = $WG
	realm = $REALM
	netbios name = WS$i
	security = ads
	lock directory = $d/lock
	state directory = $d/state
	cache directory = $d/cache
	private dir = $d/private
	ncalrpc dir = $d/ncalrpc
	log file = $T/log/$n-smbclient.log
	client min protocol = NT1
	name resolve order = host bcast
EOF
  cat > "$d/chrony.conf" <<EOF
server dc1.$DOM iburst minpoll 6 maxpoll 8
port 0
cmdport 0
bindcmdaddress /
pidfile $d/chrony/chronyd.pid
EOF
  mkdir -p "$d/chrony" && chown _chrony: "$d/chrony"
  bg "$n" "chronyd-$n" chronyd -x -d -f "$d/chrony.conf"
done

cat > "$T/bin/ws.sh" <<'EOS'
#!/bin/bash
# one workstation's working day, in its namespace: ws.sh N USER PASS START STOP
# (times: epoch seconds). Jittered sleeps from a per-host seed.
i=$1 user=$2 pass=$3 begin=$4 stop=$5
n=ws$i d=$T/$n
RANDOM=$((i * 7919))
wsdd_pid=
export KRB5_CONFIG=$d/krb5.conf KRB5CCNAME=FILE:$d/krb5cc LDAPCONF=$d/ldap.conf
DC=dc1.$DOM
to() { timeout "$@" >> "$T/log/$n-actions.log" 2>&1; }
left() { echo $((stop - $(date +%s))); }
jsleep() { # min max: sleep a random time in [min, max] s, not past the end
  local s=$(($1 + RANDOM % ($2 - $1 + 1))) l
  l=$(left); [ "$s" -gt "$l" ] && s=$l
  [ "$s" -gt 0 ] && sleep "$s"
}
say() { echo "$(date +%s.%N) $n $*" >> "$T/log/timeline.log"; }
srv() { to 10 host -t SRV "$1"; }
logon() {
  say logon
  srv "_ldap._tcp.dc._msdcs.$DOM"
  srv "_ldap._tcp.Default-First-Site-Name._sites.dc._msdcs.$DOM"
  srv "_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.$DOM"
  srv "_kerberos._tcp.dc._msdcs.$DOM"
  srv "_gc._tcp.Default-First-Site-Name._sites.$DOM"
  srv "_ldap._tcp.pdc._msdcs.$DOM"
  to 20 net ads lookup -s "$d/smb.conf" -S "$DC"              # CLDAP netlogon ping, UDP 389
  echo "$pass" | to 20 kinit "$user@$REALM"
  to 20 kvno "ldap/$DC" "cifs/$DC" "host/$DC"
  to 30 ldapsearch -Q -Y GSSAPI -H "ldap://$DC" -b "$BASE" "(sAMAccountName=$user)" memberOf userAccountControl
  to 30 ldapsearch -Q -Y GSSAPI -H "ldap://$DC" -b "CN=Policies,CN=System,$BASE" "(objectClass=groupPolicyContainer)" gPCFileSysPath
  to 30 ldapsearch -Q -Y GSSAPI -H "ldap://$DC" -b "CN=Configuration,$BASE" "(objectClass=site)" cn
  to 60 smbclient -s "$d/smb.conf" --use-kerberos=required --use-krb5-ccache="$KRB5CCNAME" "//$DC/sysvol" \
    -c "cd $DOM/Policies/{31B2F340-016D-11D2-945F-00C04FB984F9}; get GPT.INI /dev/null; cd MACHINE; ls"
  to 60 smbclient -s "$d/smb.conf" --use-kerberos=required --use-krb5-ccache="$KRB5CCNAME" "//$DC/netlogon" -c "ls"
  to 30 ldapsearch -x -H "ldap://$DC" -D "$user@$DOM" -w "$pass" -b "$BASE" "(objectClass=user)" cn mail
  to 30 nmblookup -s "$d/smb.conf" FS1
  to 10 dig +time=2 +tries=1 -p 5353 @224.0.0.251 _smb._tcp.local PTR
  to 15 upnpc -l
  # WS-Discovery: announce this machine and look for the others (Hello, Probe on 239.255.255.250:3702)
  [ -n "$wsdd_pid" ] || { $WSDD -4 -i eth0 -D -s -w OFFICE -n "WS$i" >> "$T/log/$n-wsdd.log" 2>&1 & wsdd_pid=$!; }
}
browse() {
  say browse
  local k
  to 30 curl -s --cacert "$T/inet/cert.pem" -o /dev/null https://www.portal.example/index.html \
    https://www.portal.example/assets/a$((1 + RANDOM % 8)).js https://www.portal.example/assets/a$((1 + RANDOM % 8)).js
  for k in 1 2; do
    jsleep 2 15
    to 30 curl -s --cacert "$T/inet/cert.pem" -o /dev/null https://www.portal.example/news.html
  done
}
files=(report-q3.docx drawing-rev7.dwg budget-2026.xlsx site-photos.zip contract.pdf)
# fs1 is no domain member: Windows would use NTLM there, and so does smbclient
copy_from() { say "copy from fs1"; to 120 smbclient -s "$d/smb.conf" --use-kerberos=off -U "$user%$pass" //fs1.$DOM/projects -c "get ${files[RANDOM % 5]} /dev/null"; }
copy_to() {
  say "copy to fs1"
  local f=$d/$user-notes-$RANDOM.txt
  yes "notes of $user: minutes of the weekly meeting, action items, budget figures" | head -c $((1 + RANDOM % 5))000000 > "$f"
  to 120 smbclient -s "$d/smb.conf" --use-kerberos=off -U "$user%$pass" //fs1.$DOM/projects -c "put $f $(basename "$f")"
  rm -f "$f"
}
nbsession() { say "netbios session fs1:139"; to 60 smbclient -s "$d/smb.conf" --use-kerberos=off -p 139 -U "$user%$pass" //fs1.$DOM/projects -c "ls"; }
dcshare() { say "dc share"; to 60 smbclient -s "$d/smb.conf" --use-kerberos=required --use-krb5-ccache="$KRB5CCNAME" "//$DC/shared" -c "get handbook.pdf /dev/null; ls"; }
rpc() { say "rpc 135"; to 30 rpcclient -s "$d/smb.conf" --use-kerberos=required --use-krb5-ccache="$KRB5CCNAME" "ncacn_ip_tcp:$DC[sign]" -c "lsaquery"; to 30 rpcclient -s "$d/smb.conf" --use-kerberos=required --use-krb5-ccache="$KRB5CCNAME" "$DC" -c "netshareenumall"; }
ldap() { say ldap; to 30 ldapsearch -Q -Y GSSAPI -H "ldap://$DC" -b "$BASE" "(&(objectClass=user)(givenName=*))" cn mail telephoneNumber; }
reauth() { say reauth; to 5 kdestroy; echo "$pass" | to 20 kinit "$user@$REALM"; to 20 kvno "cifs/$DC" "ldap/$DC"; }
download() { say "download $1"; to 300 curl -s -o /dev/null "http://dl.cdn-mirror.example/updates/$1"; }

# staggered arrival
while [ "$(date +%s)" -lt "$begin" ]; do sleep 1; done
logon
upd=(kb5031356-x64.cab defender-defs-1.401.cab office-c2r-16.0.msp kb5031356-x64.cab office-c2r-16.0.msp)
dl_at=$((begin + 240 + i * 150 + RANDOM % 120))   # each machine fetches one update, minutes apart
last_auth=$(date +%s)
[ -n "$SMOKE" ] && { browse; copy_from; copy_to; nbsession; dcshare; rpc; ldap; reauth; }
while [ "$(left)" -gt 5 ]; do
  now=$(date +%s)
  if [ -n "$dl_at" ] && [ "$now" -ge "$dl_at" ]; then download "${upd[i - 1]}"; dl_at=; fi
  if [ $((now - last_auth)) -gt $((480 + RANDOM % 240)) ]; then reauth; last_auth=$now; fi
  r=$((RANDOM % 100))
  if   [ $r -lt 25 ]; then browse
  elif [ $r -lt 40 ]; then copy_from
  elif [ $r -lt 48 ]; then copy_to
  elif [ $r -lt 55 ]; then dcshare
  elif [ $r -lt 63 ]; then ldap
  elif [ $r -lt 68 ]; then nbsession
  elif [ $r -lt 73 ]; then rpc
  elif [ $r -lt 76 ]; then say "mdns query"; to 10 dig +time=2 +tries=1 -p 5353 @224.0.0.251 _ipp._tcp.local PTR
  elif [ $r -lt 79 ]; then say "ssdp search"; to 15 upnpc -l
  else say idle
  fi
  jsleep 15 75
done
say "logs off"
EOS

cat > "$T/bin/mail.sh" <<'EOS'
#!/bin/bash
# the mail server checks each connecting sender against two DNS blocklists
# (reversed IPv4 labels), through the domain controller's resolver
stop=$1
RANDOM=4242
senders=(203.0.113.7 198.51.100.25 203.0.113.66 192.0.2.44 198.51.100.201 203.0.113.15 198.51.100.77
         203.0.113.120 192.0.2.180 198.51.100.140 203.0.113.199 192.0.2.9)
while [ "$(date +%s)" -lt "$stop" ]; do
  k=$((1 + RANDOM % 4))              # a few messages arrive together
  while [ $k -gt 0 ]; do
    ip=${senders[RANDOM % ${#senders[@]}]}
    IFS=. read -r a b c d <<< "$ip"
    echo "$(date +%s.%N) mail dnsbl $ip" >> "$T/log/timeline.log"
    timeout 10 host -t A "$d.$c.$b.$a.zen.dnsbl.example" >/dev/null 2>&1 &&
      timeout 10 host -t TXT "$d.$c.$b.$a.zen.dnsbl.example" >/dev/null 2>&1
    timeout 10 host -t A "$d.$c.$b.$a.bl.spamlist.example" >/dev/null 2>&1
    [ $((RANDOM % 3)) = 0 ] && timeout 10 host -t MX partner.example >/dev/null 2>&1
    k=$((k - 1))
  done
  sleep $((5 + RANDOM % 50))
done
EOS

cat > "$T/bin/iot.sh" <<'EOS'
#!/bin/bash
# an IoT device on the cloud broker: one long MQTT session with keep-alives
# (mosquitto_sub -k), and a status message on a new connection every period
name=$1 port=$2 keep=$3 period=$4 stop=$5
tls=(); [ "$port" = 8883 ] && tls=(--cafile "$T/inet/cert.pem")
mosquitto_sub -h mqtt.iot-cloud.example -p "$port" "${tls[@]}" -k "$keep" -i "$name-ctl" -t "$name/cmd/#" \
  > /dev/null 2>> "$T/log/$name-mqtt.log" &
RANDOM=$((${#name} * 131 + port))
while [ "$(date +%s)" -lt "$stop" ]; do
  sleep $((period - period / 5 + RANDOM % (period / 5 * 2 + 1)))
  mosquitto_pub -h mqtt.iot-cloud.example -p "$port" "${tls[@]}" -i "$name" -t "$name/status" \
    -m "{\"uptime\":$SECONDS,\"temp\":$((18 + RANDOM % 6))}" 2>> "$T/log/$name-mqtt.log"
done
EOS
chmod +x "$T/bin/"*.sh
export T DOM REALM BASE WSDD SMOKE
bg mail mail bash "$T/bin/mail.sh" "$STOP"
bg cam iot-cam bash "$T/bin/iot.sh" cam-lobby 8883 45 60 "$STOP"
bg tstat iot-tstat bash "$T/bin/iot.sh" tstat-2f 1883 30 40 "$STOP"
for i in 1 2 3 4 5; do
  u=${USERS[i - 1]}
  # arrivals staggered over the first minutes: 0:20, 1:35, 2:50, 4:05, 5:20
  bg "ws$i" "ws$i" bash "$T/bin/ws.sh" "$i" "$u" "$(upass "$u")" $((START + 20 + (i - 1) * 75)) "$STOP"
done

# progress, and the end
while [ "$(date +%s)" -lt "$STOP" ]; do
  sleep 60 & wait $!                 # (a trapped signal interrupts wait, not a foreground sleep)
  kill -0 "$TCPDUMP" 2>/dev/null || { echo "record-office.sh: tcpdump died:" >&2; cat "$T/log/tcpdump.log" >&2; exit 1; }
  log "$(( ($(date +%s) - START) / 60 )) of $MINUTES min, $(stat -c %s "$T/office.pcap") bytes captured"
done
sleep 3
kill -TERM "$TCPDUMP"   # (INT is ignored by a background job of a script)
wait "$TCPDUMP" 2>/dev/null || true
mkdir -p "$OUTDIR"
out=$OUTDIR/office-${MINUTES}min.pcap.xz
log "compressing to $out"
xz -9e -T1 -c "$T/office.pcap" > "$out.tmp" && mv "$out.tmp" "$out"
cp "$T/log/timeline.log" "$OUTDIR/timeline.log" 2>/dev/null || true
{
  echo "# daemons and tools (Debian package versions) of this recording"
  for p in samba smbclient krb5-user ldap-utils bind9-dnsutils dnsmasq-base nginx-light avahi-daemon \
           minidlna miniupnpc wsdd chrony mosquitto mosquitto-clients tcpdump; do
    printf '%s\t%s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)"
  done
} > "$OUTDIR/versions.tsv"
log "done: $out ($(stat -c %s "$out") bytes), $(tcpdump -r "$T/office.pcap" 2>/dev/null | wc -l) frames"
