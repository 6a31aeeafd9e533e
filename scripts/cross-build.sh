#!/usr/bin/env bash
# cross-build.sh: build the whole of vigil for another architecture on this x86
# box and run its unit tests under qemu-user. Clang + lld against a sysroot
# unpacked from Debian's own packages for that architecture, so no cross gcc
# (installing gcc-aarch64-linux-gnu here would remove gcc-multilib).
#
# usage: scripts/cross-build.sh arm64 [BOARD]     BOARD: rpi4 (default) | ls1046a
#   build dir:  build-aarch64/   (VIGIL_CROSS_BUILDDIR to change)
#   sysroot:    /var/cache/vigil/sysroot-arm64, reused while the package list is
#               unchanged (VIGIL_SYSROOT_CACHE to change); the .debs are kept
#               beside it, so only the first run needs the Debian mirror.
#   exit codes: 0 built and unit tests passed; 1 failure; 77 the mirror cannot
#               be reached and nothing is cached (printed why).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

ARCH=${1:-}
BOARD=${2:-rpi4}
case "$ARCH" in
  arm64) TRIPLE=aarch64-linux-gnu; QEMU=qemu-aarch64-static ;;
  *) echo "usage: $0 arm64 [rpi4|ls1046a]" >&2; exit 2 ;;
esac
[ -f "boards/$BOARD/cross-$ARCH.ini" ] || { echo "cross-build: no boards/$BOARD/cross-$ARCH.ini" >&2; exit 2; }

CACHE=${VIGIL_SYSROOT_CACHE:-/var/cache/vigil}
SYSROOT=$CACHE/sysroot-$ARCH
APTDIR=$CACHE/apt-$ARCH
BUILDDIR=${VIGIL_CROSS_BUILDDIR:-build-aarch64}
case "$BUILDDIR" in /*) ;; *) BUILDDIR="$ROOT/$BUILDDIR" ;; esac

# Everything the build links against (the -dev packages); apt resolves the rest.
PACKAGES=(
  libc6-dev linux-libc-dev libgcc-12-dev
  libbpf-dev libelf-dev zlib1g-dev libdpdk-dev
  libjson-c-dev libzmq3-dev libyaml-dev libpcap-dev libsqlite3-dev libmicrohttpd-dev libnats-dev libpsl-dev
)

say() { echo "cross-build: $*"; }

for tool in clang ld.lld meson ninja dpkg-deb apt-get; do
  command -v "$tool" >/dev/null || { say "missing $tool (run scripts/setup.sh)"; exit 1; }
done
command -v "$QEMU" >/dev/null || { say "missing $QEMU: apt-get install qemu-user-static (scripts/setup.sh does)"; exit 1; }

# apt with a private state: the host's sources, an empty dpkg status, another
# architecture. Nothing of the host's apt or dpkg configuration is changed.
apt_private() {
  apt-get -q \
    -o Dir::State="$APTDIR/state" -o Dir::State::status="$APTDIR/status" \
    -o Dir::Cache="$APTDIR/cache" -o Dir::Etc::Preferences=/dev/null \
    -o Dir::Etc::PreferencesParts="$APTDIR/prefs.d" \
    -o APT::Architecture="$ARCH" -o APT::Architectures="$ARCH" \
    -o APT::Sandbox::User=root -o APT::Install-Recommends=false \
    -o Debug::NoLocking=true "$@"
}

stamp_want=$(printf '%s\n' "$ARCH" "${PACKAGES[@]}" | sha256sum | cut -c1-16)

make_sysroot() {
  mkdir -p "$APTDIR/state/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/prefs.d"
  : > "$APTDIR/status"
  say "fetching the $ARCH package lists"
  if ! apt_private update >"$APTDIR/update.log" 2>&1; then
    if ! ls "$APTDIR"/cache/archives/*.deb >/dev/null 2>&1; then
      say "SKIP: cannot reach the Debian mirror and no $ARCH packages are cached ($APTDIR/update.log)"
      exit 77
    fi
    say "mirror unreachable; using the cached packages"
  fi
  say "downloading ${PACKAGES[*]} and their dependencies for $ARCH"
  if ! apt_private install -y --download-only "${PACKAGES[@]}" >"$APTDIR/download.log" 2>&1; then
    tail -20 "$APTDIR/download.log" >&2
    say "download failed ($APTDIR/download.log)"
    exit 1
  fi
  rm -rf "$SYSROOT.tmp"
  mkdir -p "$SYSROOT.tmp"
  local n=0
  for deb in "$APTDIR"/cache/archives/*_"$ARCH".deb "$APTDIR"/cache/archives/*_all.deb; do
    [ -f "$deb" ] || continue
    dpkg-deb -x "$deb" "$SYSROOT.tmp"
    n=$((n + 1))
  done
  # absolute symlinks (libfoo.so -> /lib/...) would point into the host: make them relative
  find "$SYSROOT.tmp" -type l -lname '/*' | while read -r l; do
    target=$(readlink "$l")
    ln -sfn "$(realpath -m --relative-to="$(dirname "$l")" "$SYSROOT.tmp$target")" "$l"
  done
  # bookworm's arm64 libc6 keeps the loader in /lib; merged-/usr layouts are handled by the links
  rm -rf "$SYSROOT"
  mv "$SYSROOT.tmp" "$SYSROOT"
  echo "$stamp_want" > "$SYSROOT/.vigil-stamp"
  say "sysroot ready: $n packages unpacked into $SYSROOT"
}

if [ "$(cat "$SYSROOT/.vigil-stamp" 2>/dev/null)" != "$stamp_want" ]; then
  mkdir -p "$CACHE"
  make_sysroot
else
  say "sysroot cached: $SYSROOT"
fi

# the sysroot path reaches the board's cross file as a meson constant
mkdir -p "$BUILDDIR"
cat > "$BUILDDIR/sysroot-$ARCH.ini" <<INI
[constants]
sysroot = '$SYSROOT'
INI
CROSS=(--cross-file "$BUILDDIR/sysroot-$ARCH.ini"
       --cross-file "$ROOT/boards/$BOARD/cross-$ARCH.ini"
       --cross-file "$ROOT/boards/cross/$TRIPLE-clang.ini")

if [ -f "$BUILDDIR/build.ninja" ]; then
  meson setup --reconfigure "$BUILDDIR" "${CROSS[@]}" >"$BUILDDIR/setup.log" 2>&1 ||
    { cat "$BUILDDIR/setup.log" >&2; exit 1; }
else
  meson setup "$BUILDDIR" "${CROSS[@]}" >"$BUILDDIR/setup.log" 2>&1 ||
    { cat "$BUILDDIR/setup.log" >&2; exit 1; }
fi
say "building into $BUILDDIR (board $BOARD)"
ninja -C "$BUILDDIR" >"$BUILDDIR/ninja.log" 2>&1 || { tail -40 "$BUILDDIR/ninja.log" >&2; exit 1; }

for exe in sensor/vigil-sensor collector/vigil-collector tools/vigil-gen; do
  info=$(file -b "$BUILDDIR/$exe" 2>/dev/null || readelf -h "$BUILDDIR/$exe" | grep Machine)
  say "$exe: ${info%%,*}, $(echo "$info" | grep -o 'ARM aarch64\|AArch64' | head -1)"
  readelf -h "$BUILDDIR/$exe" | grep -q 'AArch64' || { say "$exe is not an AArch64 binary"; exit 1; }
done

# Tests that start a second program (tests/gen runs vigil-gen) exec an AArch64
# binary themselves: the kernel needs binfmt_misc to hand it to qemu. Register it
# when missing (the kernel-wide equivalent of what systemd-binfmt does at boot).
ensure_binfmt() {
  local reg=/proc/sys/fs/binfmt_misc
  [ -e "$reg/qemu-aarch64" ] && return 0
  if [ ! -e "$reg/register" ]; then
    mount -t binfmt_misc binfmt_misc "$reg" 2>/dev/null || return 1
  fi
  [ -e "$reg/qemu-aarch64" ] && return 0
  # F: qemu is opened now, so it is found inside chroots and namespaces as well
  printf '%s' ":qemu-aarch64:M::\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:$(command -v "$QEMU"):F" \
    > "$reg/register" 2>/dev/null || return 1
}
if ensure_binfmt; then
  say "binfmt_misc: AArch64 programs run through $QEMU"
else
  say "binfmt_misc unavailable: tests that start AArch64 child programs will fail"
fi
# the children find the sysroot's loader and libraries through this
export QEMU_LD_PREFIX="$SYSROOT"

say "unit tests under $QEMU"
meson test -C "$BUILDDIR" --suite unit --print-errorlogs --num-processes 2
