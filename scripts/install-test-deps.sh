#!/usr/bin/env bash
# Installs the system packages the test suite uses (Debian): the sandbox (bubblewrap), the unpacker for
# real-world source packages (dpkg-dev), autotools and libtool, bison and flex, Bear for comparisons,
# libraries the real projects link against, and Chromium for the web view's browser test.
# Also makes sure apt knows bookworm's source packages (a deb-src entry), for scripts/fetch-sources.sh.
# Idempotent: does nothing when everything is there already.
set -euo pipefail

packages=(bubblewrap dpkg-dev bear autoconf automake libtool bison flex pkg-config zlib1g-dev libonig-dev chromium python3)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

src_list=/etc/apt/sources.list.d/continuity-src.sources
have_src=0
if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then have_src=1; fi

if [ ${#missing[@]} -eq 0 ] && [ $have_src -eq 1 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: run as root (or install: ${missing[*]}; and add a deb-src entry for bookworm main)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ $have_src -eq 0 ]; then
  cat > "$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
apt-get update -q >&2
if [ ${#missing[@]} -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
