# shellcheck shell=bash
# lib.sh: the named-check helpers the collector's shell tests share:
# check NAME STATUS [detail] prints ok/FAIL; finish prints "N passed, N failed"
# and exits non-zero on any failure.
PASS=0
FAIL=0

check() {	# check NAME STATUS [detail]
	if [ "$2" -eq 0 ]; then
		echo "  $1: ok"
		PASS=$((PASS + 1))
	else
		echo "  $1: FAIL${3:+ ($3)}"
		FAIL=$((FAIL + 1))
	fi
}

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}
