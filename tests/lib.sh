# shellcheck shell=bash
# lib.sh: helpers for vigil's shell tests: named checks, a closing
# "N passed, N failed" line, skip (exit 77) only for a missing capability.
T_PASS=0
T_FAIL=0

t_check() { # name, then a command that must succeed
  local name=$1
  shift
  if "$@"; then
    T_PASS=$((T_PASS + 1))
    echo "ok   $name"
  else
    T_FAIL=$((T_FAIL + 1))
    echo "FAIL $name"
  fi
}

t_eq() { # name, got, want
  if [ "$2" = "$3" ]; then
    T_PASS=$((T_PASS + 1))
    echo "ok   $1"
  else
    T_FAIL=$((T_FAIL + 1))
    echo "FAIL $1: got '$2', want '$3'"
  fi
}

t_done() {
  echo "$T_PASS passed, $T_FAIL failed"
  [ "$T_FAIL" -eq 0 ]
}

t_skip() {
  echo "SKIP: $*"
  exit 77
}

t_need_root() {
  [ "$(id -u)" -eq 0 ] || t_skip "needs root"
}

t_wait_for() { # seconds, command...: polls every 0.1 s until it succeeds (0) or time is up (1)
  local n=$(( $1 * 10 ))
  shift
  while [ $n -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}
