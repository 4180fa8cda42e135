#!/usr/bin/env bash
# fetch-sources.sh — fetch Debian bookworm source packages used as real-world test projects.
#
# Usage: scripts/fetch-sources.sh [--dir DIR] [--all | NAME...]
#
#   NAME...     Debian source package names (none, or --all: the default list, see --list)
#   --dir DIR   cache directory (default: $CONTINUITY_SOURCES, else <repo>/.cache/sources)
#   --list      print the default package names and exit
#
# Each package is downloaded with `apt-get source --download-only`, unpacked with `dpkg-source -x`
# and renamed into place as DIR/<name>; DIR/.stamps/<name> records the version. The unpacked path of
# each package is printed on stdout, one line per NAME, in order; progress goes to stderr.
#
# Cached packages are not fetched again and the network is not touched when everything is cached.
# Runs may overlap: fetching is serialised by flock on DIR/.lock, downloads happen in a temporary
# directory inside DIR, and a package only appears under its name once it is fully unpacked.
#
# A deb-src entry for bookworm main is required. When apt knows no source package of that name and
# the script runs as root, it writes /etc/apt/sources.list.d/continuity-src.sources, runs
# `apt-get update` and retries; otherwise it stops and says what to add.
set -euo pipefail

DEFAULT_PACKAGES=(cjson brotli c-ares yaml-cpp bzip2 xxhash zlib libyaml jq)
SRC_LIST=/etc/apt/sources.list.d/continuity-src.sources
SRC_ENTRY='Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg'

prog=fetch-sources
die() { echo "$prog: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//' >&2; }

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${CONTINUITY_SOURCES:-$repo_root/.cache/sources}
names=()
all=0
while [ $# -gt 0 ]; do
  case $1 in
    --all) all=1 ;;
    --dir) [ $# -ge 2 ] || die "--dir needs a directory"; cache=$2; shift ;;
    --dir=*) cache=${1#--dir=} ;;
    --list) printf '%s\n' "${DEFAULT_PACKAGES[@]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    -*) usage; die "unknown option: $1" ;;
    *) names+=("$1") ;;
  esac
  shift
done
if [ "$all" = 1 ] || [ ${#names[@]} -eq 0 ]; then
  names=("${names[@]}" "${DEFAULT_PACKAGES[@]}")
fi
# Drop duplicates, keep order.
declare -A seen=()
uniq_names=()
for n in "${names[@]}"; do
  [[ $n =~ ^[a-z0-9][a-z0-9.+-]+$ ]] || die "not a Debian package name: $n"
  if [ -z "${seen[$n]:-}" ]; then seen[$n]=1; uniq_names+=("$n"); fi
done
names=("${uniq_names[@]}")

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

is_cached() { [ -f "$cache/.stamps/$1" ] && [ -d "$cache/$1" ]; }

# Fast path: everything cached — no lock, no apt, no network.
pending=()
for n in "${names[@]}"; do is_cached "$n" || pending+=("$n"); done
if [ ${#pending[@]} -eq 0 ]; then
  for n in "${names[@]}"; do echo "$cache/$n"; done
  exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (a Debian system is required)"
command -v dpkg-source >/dev/null || die "dpkg-source not found: apt-get install dpkg-dev"

exec 9>"$cache/.lock"
if ! flock -n 9; then
  note "waiting for another fetch to finish (lock $cache/.lock)"
  flock 9
fi

tmp=
cleanup() { if [ -n "$tmp" ]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

known_source() { apt-cache showsrc "$1" 2>/dev/null | grep -q '^Package:'; }

# Make sure apt has a Sources index listing every pending package.
ensure_sources() {
  local missing=() n
  for n in "$@"; do known_source "$n" || missing+=("$n"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    die "apt knows no source package ${missing[*]}; as root, add $SRC_LIST containing '$(echo "$SRC_ENTRY" | paste -sd';' | sed 's/;/; /g')' and run apt-get update"
  fi
  if [ ! -e "$SRC_LIST" ]; then
    note "adding deb-src entry $SRC_LIST"
    printf '%s\n' "$SRC_ENTRY" >"$SRC_LIST"
  fi
  note "apt-get update"
  apt-get update -qq >&2 || die "apt-get update failed"
  local still=()
  for n in "${missing[@]}"; do known_source "$n" || still+=("$n"); done
  [ ${#still[@]} -eq 0 ] || die "no such source package in bookworm: ${still[*]}"
}

apt_source() {
  local opts=(-q --download-only)
  # As root apt drops to the _apt user, which cannot write into our private temp dir.
  [ "$(id -u)" = 0 ] && opts+=(-o APT::Sandbox::User=root)
  apt-get source "${opts[@]}" "$1" >&2
}

fetch_one() {
  local n=$1 updated=${2:-0}
  is_cached "$n" && return 0   # another run finished it while we waited for the lock
  tmp=$(mktemp -d "$cache/.tmp-$n.XXXXXX")
  note "fetching $n"
  if ! (cd "$tmp" && apt_source "$n"); then
    rm -rf "$tmp"; tmp=
    # A stale index names files the mirror no longer has: refresh once and retry.
    if [ "$updated" = 0 ] && [ "$(id -u)" = 0 ]; then
      note "apt-get source $n failed; refreshing the index and retrying"
      apt-get update -qq >&2 || die "apt-get update failed"
      fetch_one "$n" 1
      return
    fi
    die "apt-get source $n failed"
  fi
  local dsc
  dsc=$(find "$tmp" -maxdepth 1 -name '*.dsc' | head -n 1)
  [ -n "$dsc" ] || die "apt-get source $n downloaded no .dsc"
  local version
  version=$(sed -n 's/^Version: *//p' "$dsc" | head -n 1)
  (cd "$tmp" && dpkg-source -x "$dsc" unpacked >&2) || die "dpkg-source -x $(basename "$dsc") failed"
  # Replace any leftover directory of that name (e.g. removed stamp), then publish atomically.
  if [ -e "$cache/$n" ]; then mv "$cache/$n" "$tmp/old"; fi
  mv "$tmp/unpacked" "$cache/$n"
  mkdir -p "$cache/.stamps"
  printf 'package=%s\nversion=%s\ndsc=%s\nfetched=%s\n' \
    "$n" "$version" "$(basename "$dsc")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$tmp/stamp"
  mv "$tmp/stamp" "$cache/.stamps/$n"
  rm -rf "$tmp"; tmp=
  note "$n $version unpacked in $cache/$n"
}

still_pending=()
for n in "${pending[@]}"; do is_cached "$n" || still_pending+=("$n"); done
if [ ${#still_pending[@]} -gt 0 ]; then
  ensure_sources "${still_pending[@]}"
  for n in "${still_pending[@]}"; do fetch_one "$n"; done
fi

for n in "${names[@]}"; do echo "$cache/$n"; done
