#!/usr/bin/env bash
# build-deb.sh: the Debian packages (vigil-sensor, vigil-collector, vigil-tools)
# from this tree, with dpkg-buildpackage -b -us -uc and debhelper (debian/),
# then lintian on them. The tree's files (tracked and new, not ignored) are
# copied to a staging folder first, so nothing is written next to the tree
# and the build never sees build/. Installs the build dependencies it lacks
# (Debian packages only).
# usage: build-deb.sh [OUTDIR]   (default build-deb/; the .deb files and lintian.txt go there)
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
OUT=$(realpath -m "${1:-build-deb}")

PACKAGES=(dpkg-dev debhelper lintian fakeroot git)
# the source package's Build-Depends, as names (one per line in debian/control)
mapfile -t BDEPS < <(sed -n '/^Build-Depends:/,/^[A-Z]/p' debian/control | sed '$d' |
  sed 's/^Build-Depends://; s/([^)]*)//g; s/,/\n/g' | tr -d ' ' | grep -v '^$' | grep -v '^debhelper-compat$')
missing=()
for p in "${PACKAGES[@]}" "${BDEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "build-deb: missing ${missing[*]} (run as root to install them)" >&2; exit 1; }
  echo "build-deb: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

STAGE=$(mktemp -d /tmp/vigil-deb.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
VERSION=$(dpkg-parsechangelog -S Version)
mkdir "$STAGE/vigil-$VERSION"
git ls-files -z -c -o --exclude-standard --deduplicate | grep -zv '^build' |
  while IFS= read -r -d '' f; do [ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"; done |
  tar --null -T - -cf - | tar -xf - -C "$STAGE/vigil-$VERSION"
git describe --always --dirty --tags > "$STAGE/vigil-$VERSION/.git-describe" 2>/dev/null || true

echo "build-deb: dpkg-buildpackage -b -us -uc in $STAGE/vigil-$VERSION ($(cat "$STAGE/vigil-$VERSION/.git-describe" 2>/dev/null))"
start=$(date +%s)
(
  cd "$STAGE/vigil-$VERSION"
  # the suites need root, XDP and hugepages: ./scripts/test.sh runs them, not the package build
  DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -b -us -uc > "$STAGE/build.log" 2>&1
) || { tail -40 "$STAGE/build.log" >&2; echo "build-deb: dpkg-buildpackage failed" >&2; exit 1; }
echo "build-deb: built in $(( $(date +%s) - start )) s"

mkdir -p "$OUT"
rm -f "$OUT"/*.deb "$OUT"/*.changes "$OUT"/*.buildinfo
cp "$STAGE"/*.deb "$STAGE"/*.changes "$STAGE"/*.buildinfo "$OUT"/
cp "$STAGE/build.log" "$OUT/build.log"
ls -1 "$OUT"/*.deb

# lintian on the binary packages: errors and warnings fail; every override is explained in debian/
rc=0
lintian --display-info --fail-on error,warning "$OUT"/*.changes > "$OUT/lintian.txt" 2>&1 || rc=$?
echo "build-deb: lintian (exit $rc):"
sed 's/^/  /' "$OUT/lintian.txt"
[ -s "$OUT/lintian.txt" ] || echo "  (no tags)"
exit $rc
