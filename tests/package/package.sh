#!/usr/bin/env bash
# package.sh: the Debian packages as an admin gets them. Builds them from this
# tree (scripts/build-deb.sh: dpkg-buildpackage -b -us -uc, then lintian, which
# must report no error or warning), unpacks them into a clean root with dpkg -x,
# and checks there: the FHS layout, no build path in the binaries, the
# installed vigil-sensor --version, a replay of a capture with the installed
# binary, its installed XDP object and the installed board profile (no file of
# the build tree: the build happened in a staging copy that is gone), EVE
# output configured in YAML, <N> priorities when stderr is the journal,
# systemd-analyze verify on both units, the man pages rendering without
# warnings, and the logrotate file parsing.
# usage: package.sh SRCDIR
set -uo pipefail
SRC=$(realpath "$1")
. "$SRC/tests/lib.sh"
t_need_root
for tool in dpkg-buildpackage dh lintian systemd-analyze man; do
  command -v $tool >/dev/null || t_skip "$tool is not installed (scripts/setup.sh installs it)"
done
TMP=$(mktemp -d /tmp/vigil-pkg.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
ROOT=$TMP/root
OUT=$TMP/deb
CAP=$SRC/tests/data/captures/stopddos_amp.UDP.isakmp.pcap

# 1. build (the staging copy and its build directory are removed when it ends)
start=$(date +%s)
"$SRC/scripts/build-deb.sh" "$OUT" > "$TMP/build-deb.log" 2>&1
rc=$?
sed 's/^/  | /' "$TMP/build-deb.log"
t_eq "build-deb.sh builds the packages, lintian reports no error or warning ($(( $(date +%s) - start )) s)" "$rc" 0
debs=("$OUT"/vigil-sensor_*.deb "$OUT"/vigil-collector_*.deb "$OUT"/vigil-tools_*.deb)
for d in "${debs[@]}"; do
  t_check "package $(basename "$d")" test -s "$d"
done
[ -s "${debs[0]}" ] || { t_done; exit 1; }

# 2. a clean root
mkdir "$ROOT"
for d in "${debs[@]}"; do dpkg -x "$d" "$ROOT"; done
for f in usr/bin/vigil-sensor usr/bin/vigil-collector usr/bin/vigil-gen usr/bin/vigil-synth \
         usr/lib/vigil/vigil.bpf.o \
         usr/share/vigil/boards/generic-x86/sensor.yaml usr/share/vigil/boards/rpi4/sensor.yaml \
         usr/share/vigil/boards/ls1046a/sensor.yaml usr/share/vigil/boards/atom-c3000/sensor.yaml \
         etc/vigil/sensor.yaml etc/vigil/collector.yaml etc/logrotate.d/vigil \
         lib/systemd/system/vigil-sensor.service lib/systemd/system/vigil-collector.service \
         usr/lib/sysusers.d/vigil-collector.conf \
         usr/share/man/man8/vigil-sensor.8.gz usr/share/man/man8/vigil-collector.8.gz \
         usr/share/man/man5/vigil.yaml.5.gz usr/share/doc/vigil/admin.md; do
  t_check "installed: /$f" test -s "$ROOT/$f"
done
# nothing outside the FHS places the issue names (and Debian's own)
stray=$(cd "$ROOT" && find . -type f | sed 's#^\./##' |
  grep -Ev '^(usr/bin/vigil-[a-z]+|usr/lib/vigil/|usr/share/vigil/boards/|etc/vigil/|etc/logrotate.d/vigil$|lib/systemd/system/vigil-|usr/lib/sysusers.d/|usr/share/man/man[158]/|usr/share/doc/|usr/share/lintian/overrides/vigil-sensor$)')
t_eq "no file outside the FHS layout" "$stray" ""
for b in vigil-sensor vigil-collector vigil-gen vigil-synth; do
  hits=$(strings -a "$ROOT/usr/bin/$b" | grep -E "/tmp/vigil-deb|$SRC|/obj-|/build/" | head -3)
  t_eq "no build path in /usr/bin/$b" "$hits" ""
done
hits=$(strings -a "$ROOT/usr/lib/vigil/vigil.bpf.o" | grep -E "/tmp/vigil-deb|$SRC" | head -3)
t_eq "no build path in vigil.bpf.o" "$hits" ""

# 3. the installed binaries say what they are
v=$("$ROOT/usr/bin/vigil-sensor" --version 2>&1)
echo "$v" | sed 's/^/  | /'
echo "$v" | grep -q "^vigil-sensor [0-9][0-9.]* (git [0-9a-z.-]*)" &&
  echo "$v" | grep -q "DPDK [0-9]" && echo "$v" | grep -q "libbpf [0-9v]"
t_check "installed vigil-sensor --version: version, git, build, DPDK and libbpf" [ $? -eq 0 ]
v=$("$ROOT/usr/bin/vigil-collector" --version 2>&1)
echo "$v" | grep -q "^vigil-collector [0-9]"
t_check "installed vigil-collector --version ($(echo "$v" | head -1))" [ $? -eq 0 ]

# 4. a replay with the installed binary, XDP object and board profile; EVE in
#    YAML, into directories that do not exist yet. --replay-xdp: the kernel runs
#    the installed object (a plain -r runs its user-space build, no object loaded)
cat > "$TMP/sensor.yaml" <<YAML
include: $ROOT/usr/share/vigil/boards/generic-x86/sensor.yaml
sensor: {name: pkg-test}
collector: {endpoint: ""}
evidence: {dir: $TMP/var/lib/vigil/evidence}
outputs:
  eve: {filename: $TMP/var/log/vigil/eve.json, types: [alert, stats], append: true}
YAML
(cd / && "$ROOT/usr/bin/vigil-sensor" -c "$TMP/sensor.yaml" -r "$CAP" --replay-xdp > "$TMP/replay.log" 2>&1)
rc=$?
t_eq "installed sensor replays $(basename "$CAP")" "$rc" 0
grep -q "XDP object $ROOT/usr/lib/vigil/vigil.bpf.o" "$TMP/replay.log"
t_check "it loaded the installed XDP object ($(grep -o 'XDP object [^ ]*' "$TMP/replay.log"))" [ $? -eq 0 ]
alerts=$(jq -c 'select(.event_type=="alert")' "$TMP/var/log/vigil/eve.json" 2>/dev/null | wc -l)
stats=$(jq -c 'select(.event_type=="stats")' "$TMP/var/log/vigil/eve.json" 2>/dev/null | wc -l)
flows=$(jq -c 'select(.event_type=="flow")' "$TMP/var/log/vigil/eve.json" 2>/dev/null | wc -l)
[ "$alerts" -ge 1 ] && [ "$stats" -ge 1 ] && [ "$flows" -eq 0 ] &&
  jq -e -s 'map(select(.event_type=="alert" and .alert.signature != null and .sensor_name=="pkg-test")) | length >= 1' \
    "$TMP/var/log/vigil/eve.json" >/dev/null
t_check "outputs.eve: $alerts alert and $stats stats events, no flow (not asked for)" [ $? -eq 0 ]
n=$(find "$TMP/var/lib/vigil/evidence" -name '*.pcapng' 2>/dev/null | wc -l)
t_check "evidence.dir made when missing, $n pcapng file(s) in it" [ "$n" -ge 1 ]
# a second run, through the user-space build (the default), appends as many alerts
(cd / && "$ROOT/usr/bin/vigil-sensor" -c "$TMP/sensor.yaml" -r "$CAP" > "$TMP/replay2.log" 2>&1)
a2=$(jq -c 'select(.event_type=="alert")' "$TMP/var/log/vigil/eve.json" | wc -l)
t_eq "a second replay appends to eve.json (append: true)" "$a2" $((alerts * 2))

# journald: stderr is the journal when JOURNAL_STREAM names its device:inode; lines then carry <N>
: > "$TMP/journal.txt"
JOURNAL_STREAM="$(stat -c '%d:%i' "$TMP/journal.txt")" \
  "$ROOT/usr/bin/vigil-sensor" -c "$TMP/sensor.yaml" -r "$TMP/no-such.pcap" 2>>"$TMP/journal.txt"
"$ROOT/usr/bin/vigil-sensor" -c "$TMP/sensor.yaml" -r "$TMP/no-such.pcap" 2>"$TMP/plain.txt"
grep -q '^<3>error: .*cannot open capture' "$TMP/journal.txt" && grep -q '^vigil-sensor: error: .*cannot open capture' "$TMP/plain.txt"
t_check "journald: '$(head -1 "$TMP/journal.txt")', on a terminal '$(head -1 "$TMP/plain.txt")'" [ $? -eq 0 ]

# 5. units, man pages, logrotate
for u in vigil-sensor vigil-collector; do
  # the installed unit, its /usr/bin and /etc/vigil paths pointed into the root;
  # its Documentation= man pages are looked up there too
  sed "s#/usr/bin/vigil-#$ROOT/usr/bin/vigil-#g; s#/etc/vigil/#$ROOT/etc/vigil/#g" \
    "$ROOT/lib/systemd/system/$u.service" > "$TMP/$u.service"
  out=$(MANPATH=$ROOT/usr/share/man systemd-analyze verify "$TMP/$u.service" 2>&1)
  rc=$?
  [ -n "$out" ] && echo "$out" | sed 's/^/  | /'
  t_check "systemd-analyze verify $u.service" [ $rc -eq 0 -a -z "$out" ]
  grep -q '^Type=notify' "$ROOT/lib/systemd/system/$u.service" &&
    grep -q '^WatchdogSec=' "$ROOT/lib/systemd/system/$u.service" &&
    grep -q '^NoNewPrivileges=yes' "$ROOT/lib/systemd/system/$u.service" &&
    grep -q '^ProtectSystem=strict' "$ROOT/lib/systemd/system/$u.service"
  t_check "$u.service: Type=notify, watchdog, hardening kept" [ $? -eq 0 ]
done
for m in man8/vigil-sensor.8 man8/vigil-collector.8 man5/vigil.yaml.5 man1/vigil-gen.1 man1/vigil-synth.1; do
  warn=$(LC_ALL=C.UTF-8 MANWIDTH=100 man --warnings -l "$ROOT/usr/share/man/$m.gz" 2>&1 >"$TMP/page.txt")
  lines=$(wc -l < "$TMP/page.txt")
  t_check "man -l $m renders ($lines lines, no warning)" [ -z "$warn" -a "$lines" -gt 20 ]
done
grep -q 'outputs.eve.types' "$TMP/page.txt" || MANWIDTH=100 man -l "$ROOT/usr/share/man/man5/vigil.yaml.5.gz" 2>/dev/null |
  grep -q 'outputs.eve.types'
t_check "vigil.yaml(5) documents outputs.eve.types (generated from the config table)" [ $? -eq 0 ]
if command -v logrotate >/dev/null; then
  logrotate -d "$ROOT/etc/logrotate.d/vigil" > "$TMP/lr.txt" 2>&1
  t_check "logrotate parses /etc/logrotate.d/vigil" [ $? -eq 0 ]
else
  echo "note: logrotate is not installed, its file is not parsed"
fi
t_done
