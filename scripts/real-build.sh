#!/usr/bin/env bash
# real-build.sh — plain CMake + Ninja build of a project, used as the baseline a confession is
# compared against.
#
# Usage: scripts/real-build.sh <srcdir> <builddir> [cmake args...]
#
# Configures <srcdir> into <builddir> with -G Ninja and -DCMAKE_EXPORT_COMPILE_COMMANDS=ON (plus the
# extra cmake args), then builds it. <builddir>/compile_commands.json and <builddir>/build.ninja are
# the baseline. Set JOBS to limit parallelism (default: ninja's own choice).
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
src=$1
build=$2
shift 2

[ -f "$src/CMakeLists.txt" ] || { echo "real-build: no CMakeLists.txt in $src" >&2; exit 1; }
command -v cmake >/dev/null || { echo "real-build: cmake not found" >&2; exit 1; }
command -v ninja >/dev/null || { echo "real-build: ninja not found" >&2; exit 1; }

mkdir -p "$build"
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@"
if [ -n "${JOBS:-}" ]; then
  cmake --build "$build" -- -j "$JOBS"
else
  cmake --build "$build"
fi
