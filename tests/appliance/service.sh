#!/usr/bin/env bash
# service.sh: the shipped systemd unit is valid (systemd-analyze verify, with
# the built sensor in place of /usr/bin/vigil-sensor), carries the hardening
# it promises, and its ExecStartPre check accepts a config that includes a
# board profile and refuses a broken one with file:line:col.
# usage: service.sh SRCDIR SENSOR_BIN
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
SRC=$1
SENSOR=$(realpath "$2")
UNIT=$SRC/boards/systemd/vigil-sensor.service
TMP=$(mktemp -d /tmp/vx7-svc-XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for key in NoNewPrivileges=yes ProtectSystem=strict CapabilityBoundingSet= StateDirectory=vigil \
           ExecReload= RestrictAddressFamilies= SystemCallFilter= MemoryDenyWriteExecute=yes; do
  grep -q "^$key" "$UNIT"
  t_check "unit has $key" [ $? -eq 0 ]
done

if command -v systemd-analyze >/dev/null; then
  sed "s#/usr/bin/vigil-sensor#$SENSOR#g; s#/etc/vigil/sensor.yaml#$TMP/sensor.yaml#g" "$UNIT" > "$TMP/vigil-sensor.service"
  # its Documentation= man pages, from the tree and the build (vigil.yaml.5 is generated)
  mkdir -p "$TMP/man/man5" "$TMP/man/man8"
  cp "$SRC/docs/man/vigil-sensor.8" "$TMP/man/man8/"
  cp "$(dirname "$SENSOR")/../docs/vigil.yaml.5" "$TMP/man/man5/" 2>/dev/null
  out=$(MANPATH=$TMP/man systemd-analyze verify "$TMP/vigil-sensor.service" 2>&1)
  rc=$?
  [ $rc -eq 0 ] && ! echo "$out" | grep -qi 'unknown\|invalid\|error'
  t_check "systemd-analyze verify: clean ($out)" [ $? -eq 0 ]
else
  echo "note: systemd-analyze not installed, unit syntax not verified"
fi

printf 'include: %s/boards/rpi4/sensor.yaml\nsensor: {interfaces: [eth0]}\n' "$SRC" > "$TMP/sensor.yaml"
out=$("$SENSOR" -c "$TMP/sensor.yaml" --check-config 2>&1)
t_check "check-config accepts a file including the rpi4 profile ($out)" [ $? -eq 0 ]
printf 'include: %s/boards/rpi4/sensor.yaml\nmetrics: {listne: x}\n' "$SRC" > "$TMP/bad.yaml"
out=$("$SENSOR" -c "$TMP/bad.yaml" --check-config 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "bad.yaml:2:11: unknown key 'listne' in 'metrics' (did you mean 'listen'?)"
t_check "check-config refuses a typo with file:line:col ($out)" [ $? -eq 0 ]
t_done
