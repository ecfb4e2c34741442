#!/usr/bin/env bash
# Finds or provisions a Swift 6 toolchain for memtier's tests, and runs Swift commands with it.
#
#   scripts/swift-toolchain.sh ensure            find a toolchain, or provision one; print which
#   scripts/swift-toolchain.sh exec DIR CMD...   run CMD (swift, swiftc, swift-format) in folder DIR
#
# Two toolchains: Swift 6.0 (the default; what Xcode 16 ships) and, with MEMTIER_SWIFT=6.2, Swift 6.2
# (what Xcode 26 ships: its new app targets default to main-actor isolation). Where each comes
# from, in order:
#   1. MEMTIER_SWIFT_BIN (MEMTIER_SWIFT62_BIN for 6.2): a folder holding `swift` (e.g. an Xcode or
#      swift.org toolchain's usr/bin);
#   2. `swift` on PATH, when it is Swift 6 or later (6.2 or later for 6.2: a Mac with Xcode 26);
#   3. on Debian as root: Debian's `swiftlang` installed with debootstrap, Swift 6.0.3 from Debian
#      13 (trixie) into MEMTIER_SWIFT_ROOT (default /var/cache/memtier/swift-6-trixie), Swift 6.2.3
#      from Debian sid into MEMTIER_SWIFT62_ROOT (default /var/cache/memtier/swift-6.2-sid), outside
#      the repository so that a second run costs nothing. Commands run there through chroot inside
#      a private mount namespace (unshare), so /proc, /dev and DIR are unmounted by the kernel when
#      the command ends, however it ends. The folder DIR is mounted at its own path, so compiler messages name
#      the real files.
# Provisioning builds into ROOT.partial and renames it when complete, under a lock: running twice
# at once waits, and an interrupted run is started over.
set -euo pipefail

if [ "${MEMTIER_SWIFT:-6.0}" = 6.2 ]; then
  WANT_MINOR=2; SUITE=sid; NAME="Swift 6.2 (Debian sid swiftlang)"; BIN_VAR=MEMTIER_SWIFT62_BIN
  ROOT="${MEMTIER_SWIFT62_ROOT:-/var/cache/memtier/swift-6.2-sid}"
else
  WANT_MINOR=0; SUITE=trixie; NAME="Swift 6 (Debian trixie swiftlang)"; BIN_VAR=MEMTIER_SWIFT_BIN
  ROOT="${MEMTIER_SWIFT_ROOT:-/var/cache/memtier/swift-6-trixie}"
fi
MIRROR="${MEMTIER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
READY="$ROOT/.memtier-ready"

say() { printf 'swift-toolchain: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

native_swift() {
  local swift given="${!BIN_VAR:-}"
  if [ -n "$given" ]; then
    swift="$given/swift"
    [ -x "$swift" ] || die "$BIN_VAR=$given holds no executable swift"
  else
    swift="$(command -v swift || true)"
    [ -n "$swift" ] || return 1
  fi
  local version major minor
  version="$("$swift" --version 2>/dev/null | sed -n 's/.*Swift version \([0-9]*\.[0-9]*\).*/\1/p' | head -n 1)"
  major="${version%%.*}"; minor="${version#*.}"
  if [ -z "$version" ] || [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt "$WANT_MINOR" ]; }; then
    [ -n "$given" ] && die "$swift is not Swift 6.$WANT_MINOR or later"
    say "ignoring $swift: not Swift 6.$WANT_MINOR or later"
    return 1
  fi
  dirname "$swift"
}

provision() {
  [ -f "$READY" ] && return 0
  [ "$(id -u)" -eq 0 ] || die "no Swift 6.$WANT_MINOR on PATH, and provisioning one needs root (set $BIN_VAR, or run as root)"
  [ -r /etc/debian_version ] || die "no Swift 6.$WANT_MINOR on PATH; provisioning works only on Debian (set $BIN_VAR)"
  mkdir -p "$(dirname "$ROOT")"
  exec 9>"$ROOT.lock"
  flock 9
  [ -f "$READY" ] && return 0
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap"
    apt-get update -qq >&2 && apt-get install -y -qq debootstrap >&2 || die "could not install debootstrap with apt-get"
  fi
  local partial="$ROOT.partial"
  # --one-file-system: never reach through a mount left inside an interrupted root.
  rm -rf --one-file-system "$partial" "$ROOT"
  say "provisioning $NAME into $ROOT: about 3 GB, 1 to 7 minutes depending on the mirror"
  say "progress below; the full log is $ROOT.log"
  local started=$SECONDS
  # In a private mount namespace, the /proc and /sys debootstrap mounts vanish even if it is killed.
  # Its stages are shown as they come (not each of its several hundred packages).
  set +e
  unshare --mount --propagation private -- \
    debootstrap --variant=minbase --include=swiftlang,libc6-dev "$SUITE" "$partial" "$MIRROR" 2>&1 \
    | tee "$ROOT.log" \
    | grep --line-buffered -E '^I: (Retrieving (InRelease|Release|Packages)|Validating Packages|Resolving|Found|Checking|Unpacking the base|Configuring the base|Installing|Base system)' \
    | sed -u 's/^I: /swift-toolchain:   /' >&2
  local status=${PIPESTATUS[0]}
  set -e
  [ "$status" -eq 0 ] || die "debootstrap failed (exit $status); see $ROOT.log"
  mv "$partial" "$ROOT"
  touch "$READY"
  say "ready: $ROOT (provisioned in $(( SECONDS - started )) s)"
}

run_in_root() {
  local dir="$1"; shift
  case "$dir" in
    /|/usr|/usr/*|/bin|/bin/*|/lib*|/etc|/etc/*|/proc*|/dev*|/sys*) die "cannot run in $dir: it would hide the toolchain's own $dir" ;;
  esac
  local quoted
  printf -v quoted '%q ' "$@"
  # A private mount namespace: every mount below disappears with the command.
  unshare --mount --propagation private -- bash -euc '
    root="$1"; dir="$2"; command="$3"
    mount -t proc proc "$root/proc"
    mount --bind /dev "$root/dev"
    mkdir -p "$root$dir"
    mount --bind "$dir" "$root$dir"
    exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
      PATH=/usr/libexec/swift/bin:/usr/bin:/bin \
      /bin/bash -c "cd \"\$0\" && exec $command" "$dir"
  ' run-in-root "$ROOT" "$dir" "$quoted"
}

case "${1:-}" in
  ensure)
    if bin="$(native_swift)"; then
      say "using $bin/swift ($("$bin/swift" --version 2>&1 | head -n 1))"
    else
      provision
      say "using Swift in $ROOT ($(run_in_root /tmp swift --version 2>&1 | head -n 1))"
    fi
    ;;
  exec)
    [ $# -ge 3 ] || die "usage: $0 exec DIR CMD..."
    dir="$(cd "$2" && pwd -P)"; shift 2
    if bin="$(native_swift)"; then
      cd "$dir" && PATH="$bin:$PATH" exec "$@"
    fi
    [ -f "$READY" ] || die "no Swift toolchain yet; run: $0 ensure"
    run_in_root "$dir" "$@"
    ;;
  *)
    sed -n '2,6p' "$0" >&2
    exit 2
    ;;
esac
