#!/usr/bin/env bash
# Measures `continuity build` against plain Ninja on the same source, side by side in one run:
#   cold: a hermetic build from an empty store vs. a Ninja build of a freshly configured tree;
#   no-op: the same hermetic build again (every action served from the cache) vs. `ninja` with nothing to do.
# The confession itself and CMake's configure step are not timed. Projects: the CMake fixtures (cuda
# only when nvcc is installed), the Debian sources cjson and brotli (fetched by fetch-sources.sh), and
# synth-N, a generated project of N translation units (scripts/synth.mjs; synth-1000 by default).
# Prints Markdown and replaces the `build` section of BENCHMARKS.md with it.
# Usage: scripts/bench-build.sh [-j N] [PROJECT...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=$(nproc)
PROJECTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -j) JOBS=$2; shift ;;
    -j*) JOBS=${1#-j} ;;
    *) PROJECTS+=("$1") ;;
  esac
  shift
done
if [ ${#PROJECTS[@]} -eq 0 ]; then
  PROJECTS=(c-static-exe c-shared-pic cxx-subdirs custom-header find-packages flags-and-spaces)
  command -v nvcc >/dev/null && PROJECTS+=(cuda)
  PROJECTS+=(cjson brotli synth-1000)
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/continuity-bench-build-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CLI=(node "$ROOT/bin/continuity.js")
(cd "$ROOT" && npx --no-install tsc -p .) >/dev/null 2>&1 || true

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }'; }

source_of() {
  if [ -d "$ROOT/fixtures/$1" ]; then echo "$ROOT/fixtures/$1"
  elif [[ "$1" =~ ^synth-([0-9]+)$ ]]; then
    node "$ROOT/scripts/synth.mjs" --tus "${BASH_REMATCH[1]}" --flavour cmake --out "$WORK/$1-src" >/dev/null && echo "$WORK/$1-src"
  else bash "$ROOT/scripts/fetch-sources.sh" "$1" 2>/dev/null | tail -n 1; fi
}

rows=()
for p in "${PROJECTS[@]}"; do
  echo "bench-build: $p" >&2
  src=$(source_of "$p") || { rows+=("| $p | miss: no source | | | | | | | |"); continue; }
  d="$WORK/$p"
  mkdir -p "$d"
  if ! "${CLI[@]}" confess cmake "$src" --out "$d/confess" --quiet --fake-packages none >"$d/confess.log" 2>&1; then
    rows+=("| $p | miss: confession failed | | | | | | | |"); continue
  fi
  actions=$(node -e "const g=require('$d/confess/graph.json'); console.log(g.nodes.filter(n=>n.attributes.type==='action').length)")

  # plain Ninja: configure (untimed), cold build, no-op build
  cmake -S "$src" -B "$d/ninja" -G Ninja >"$d/cmake.log" 2>&1 || { rows+=("| $p | $actions | miss: cmake configure failed | | | | | | |"); continue; }
  t0=$(now); ninja -C "$d/ninja" -j "$JOBS" >"$d/ninja.log" 2>&1 || { rows+=("| $p | $actions | miss: ninja failed | | | | | | |"); continue; }; t1=$(now)
  ninja -C "$d/ninja" -j "$JOBS" >"$d/ninja-noop.log" 2>&1; t2=$(now)
  ninja_cold=$(secs "$t0" "$t1"); ninja_noop=$(secs "$t1" "$t2")

  # hermetic: empty store, then the same build again
  t0=$(now)
  if ! "${CLI[@]}" build "$d/confess" --out "$d/out" --store "$d/store" -j "$JOBS" --quiet >"$d/build.log" 2>&1; then
    rows+=("| $p | $actions | miss: hermetic build failed | | | | | | |"); continue
  fi
  t1=$(now)
  # the first no-op also fills the hash memo (what the cold build wrote is too new to vouch for); the
  # second is what an unchanged tree costs from then on
  sleep 1.1
  t1b=$(now)
  "${CLI[@]}" build "$d/confess" --out "$d/out" --store "$d/store" -j "$JOBS" >"$d/noop1.log" 2>&1; t2b=$(now)
  "${CLI[@]}" build "$d/confess" --out "$d/out" --store "$d/store" -j "$JOBS" >"$d/noop.log" 2>&1; t2=$(now)
  herm_cold=$(secs "$t0" "$t1"); herm_noop1=$(secs "$t1b" "$t2b"); herm_noop=$(secs "$t2b" "$t2")
  executed=$(sed -n 's/.*continuity: \([0-9]*\) executed.*/\1/p' "$d/noop.log" | tail -n 1)
  rows+=("| $p | $actions | $herm_cold | $ninja_cold | $(ratio "$herm_cold" "$ninja_cold") | $herm_noop1 | $herm_noop | $ninja_noop | $(ratio "$herm_noop" "$ninja_noop") (${executed:-?} executed) |")
done

report() {
  echo "## Hermetic build vs. Ninja (\`scripts/bench-build.sh\`)"
  echo
  echo "$(date -u +%Y-%m-%d), nproc $(nproc), -j $JOBS, sandbox bubblewrap. Seconds of wall time; each ratio is hermetic / Ninja,"
  echo "both measured in this run on the same source. Cold: \`continuity build\` from an empty store (lowering, sandboxing,"
  echo "storing and materializing included) vs. \`ninja\` in a freshly configured tree. No-op: the same command again;"
  echo "the first no-op also fills the hash memo (files written in the last second are not vouched for), the ratio"
  echo "is taken on the second. Confessing and configuring are not timed. Targets (at 10,000 actions): cold ≤ 1.3×"
  echo "Ninja, no-op ≤ 1 s."
  echo
  echo "| project | actions | hermetic cold s | ninja cold s | cold ratio | hermetic first no-op s | hermetic no-op s | ninja no-op s | no-op ratio |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${rows[@]}"
}
report | tee /dev/stderr | node "$ROOT/scripts/bench-section.mjs" build
