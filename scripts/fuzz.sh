#!/usr/bin/env bash
# fuzz.sh: run every libFuzzer target (tests/fuzz/) for SECONDS in total, split
# evenly, from its seed corpus, past crashes and what earlier runs found. Builds
# the targets with clang + ASan/UBSan in BUILDDIR (default build-fuzz) first.
# Crash inputs land in BUILDDIR/fuzz/artifacts/<target>/; copy each into
# tests/fuzz/regress/<target>/ once fixed. Last line: targets=<n> crashes=<k>.
# (The config loader follows 'include: FILE', so fuzz_config may read files;
# stdin is /dev/null so 'include: /dev/stdin' cannot block it.)
# Usage: scripts/fuzz.sh SECONDS [BUILDDIR]
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-}
build=${2:-build-fuzz}
targets=(pkt replay config ingest detect intel flow)
case "$secs" in '' | *[!0-9]*) echo "usage: $0 SECONDS [BUILDDIR]" >&2; exit 2 ;; esac
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang libclang-rt-dev)" >&2; exit 2; }

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' >"/tmp/fuzz-setup.$$.log" 2>&1 ||
    { cat "/tmp/fuzz-setup.$$.log" >&2; rm -f "/tmp/fuzz-setup.$$.log"; exit 2; }
  rm -f "/tmp/fuzz-setup.$$.log"
fi
grep -q "fuzz_pkt" "$build/build.ninja" ||
  { echo "fuzz.sh: $build is not a clang build with libFuzzer (remove it to let this script set it up)" >&2; exit 2; }
ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz_}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -20 "$build/fuzz-build.log" >&2; echo "fuzz.sh: building the targets failed" >&2; exit 2; }

per=$(( secs / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1
declare -A maxlen=([pkt]=2048 [replay]=65536 [config]=4096 [ingest]=16384 [detect]=16384 [intel]=8192 [flow]=16384)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
crashes=0
for t in "${targets[@]}"; do
  work="$build/fuzz/corpus/$t"
  art="$build/fuzz/artifacts/$t"
  log="$build/fuzz/$t.log"
  mkdir -p "$work" "$art" "tests/fuzz/regress/$t"
  before=$(find "$art" -type f | wc -l)
  dict=()
  [ -f "tests/fuzz/dict/$t.dict" ] && dict=(-dict="tests/fuzz/dict/$t.dict")
  rc=0
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
    -max_len="${maxlen[$t]}" -print_final_stats=1 -artifact_prefix="$art/" "${dict[@]}" \
    "$work" "tests/fuzz/corpus/$t" "tests/fuzz/regress/$t" </dev/null >"$log" 2>&1 || rc=$?
  found=$(( $(find "$art" -type f | wc -l) - before ))
  # a non-zero exit without an artifact is still a failure (e.g. a harness abort on load)
  [ "$rc" -ne 0 ] && [ "$found" -eq 0 ] && found=1
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-8s %4ss  execs=%-9s cov=%-5s corpus=%-5s crashes=%s\n' "$t" "$per" "${execs:-?}" \
    "${cov:-?}" "$(find "$work" -type f | wc -l)" "$found"
  if [ "$found" -ne 0 ]; then
    grep -m1 -E 'ERROR: |runtime error|deadly signal' "$log" | sed 's/^/         /' || true
    echo "         log: $log  inputs: $art/"
  fi
  crashes=$(( crashes + found ))
done
echo "targets=${#targets[@]} crashes=$crashes"
[ "$crashes" -eq 0 ]
