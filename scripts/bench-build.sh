#!/usr/bin/env bash
# Measures `continuity build` against plain Ninja on the same source, side by side in one run:
#   cold: a hermetic build from an empty store vs. a Ninja build of a freshly configured tree;
#   no-op: the same hermetic build again (nothing to do) vs. `ninja` with nothing to do.
# The confession itself and CMake's configure step are not timed. Projects: the CMake fixtures (cuda
# only when nvcc is installed), the Debian sources cjson and brotli (fetched by fetch-sources.sh), and
# synth-N, a generated project of N translation units (scripts/synth.mjs; synth-1000 by default;
# --large adds synth-10000, whose confession and cold builds take many minutes on 2 cores).
# The first no-op after the cold build is reported apart; the no-op column is the median of three more.
# "up to date" says whether those no-ops were answered from the up-to-date state (stat alone).
# Prints Markdown and replaces the `build` section of BENCHMARKS.md (or of $BENCH_FILE) with it.
# Usage: scripts/bench-build.sh [-j N] [--large] [PROJECT...]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JOBS=$(nproc)
LARGE=0
PROJECTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    -j) JOBS=$2; shift ;;
    -j*) JOBS=${1#-j} ;;
    --large) LARGE=1 ;;
    -*) echo "bench-build: unknown option $1 (usage: bench-build.sh [-j N] [--large] [PROJECT...])" >&2; exit 2 ;;
    *) PROJECTS+=("$1") ;;
  esac
  shift
done
if [ ${#PROJECTS[@]} -eq 0 ]; then
  PROJECTS=(c-static-exe c-shared-pic cxx-subdirs custom-header find-packages flags-and-spaces)
  command -v nvcc >/dev/null && PROJECTS+=(cuda)
  PROJECTS+=(cjson brotli synth-1000)
  [ "$LARGE" = 1 ] && PROJECTS+=(synth-10000)
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/continuity-bench-build-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CLI=(node "$ROOT/bin/continuity.js")
(cd "$ROOT" && npx --no-install tsc -p .) >/dev/null 2>&1 || true

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "n/a" }'; }
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

source_of() {
  if [ -d "$ROOT/fixtures/$1" ]; then echo "$ROOT/fixtures/$1"
  elif [[ "$1" =~ ^synth-([0-9]+)$ ]]; then
    node "$ROOT/scripts/synth.mjs" --tus "${BASH_REMATCH[1]}" --flavour cmake --out "$WORK/$1-src" >/dev/null && echo "$WORK/$1-src"
  else bash "$ROOT/scripts/fetch-sources.sh" "$1" 2>/dev/null | tail -n 1; fi
}

# one hermetic build: prints its wall seconds; its stderr goes to $2
herm() {
  local d=$1 log=$2 t0 t1
  t0=$(now)
  "${CLI[@]}" build "$d/confess" --out "$d/out" --store "$d/store" -j "$JOBS" >"$log" 2>&1 || return 1
  t1=$(now)
  secs "$t0" "$t1"
}

rows=()
for p in "${PROJECTS[@]}"; do
  echo "bench-build: $p" >&2
  src=$(source_of "$p") || { rows+=("| $p | miss: no source | | | | | | | | |"); continue; }
  d="$WORK/$p"
  mkdir -p "$d"
  if ! "${CLI[@]}" confess cmake "$src" --out "$d/confess" --quiet --fake-packages none >"$d/confess.log" 2>&1; then
    rows+=("| $p | miss: confession failed | | | | | | | | |"); continue
  fi
  # graph.json of 10,000 files is longer than one string may be: read as the product reads it
  actions=$(node --input-type=module -e "
    const { readJsonFile } = await import('$ROOT/dist/util/json-read.js');
    const g = await readJsonFile('$d/confess/graph.json');
    console.log(g.nodes.filter((n) => n.attributes.type === 'action').length)") || { rows+=("| $p | miss: graph.json unreadable | | | | | | | | |"); continue; }

  # plain Ninja: configure (untimed), cold build, no-op build (median of three)
  cmake -S "$src" -B "$d/ninja" -G Ninja >"$d/cmake.log" 2>&1 || { rows+=("| $p | $actions | miss: cmake configure failed | | | | | | | |"); continue; }
  t0=$(now); ninja -C "$d/ninja" -j "$JOBS" >"$d/ninja.log" 2>&1 || { rows+=("| $p | $actions | miss: ninja failed | | | | | | | |"); continue; }; t1=$(now)
  ninja_cold=$(secs "$t0" "$t1")
  nn=()
  for _ in 1 2 3; do t0=$(now); ninja -C "$d/ninja" -j "$JOBS" >"$d/ninja-noop.log" 2>&1; t1=$(now); nn+=("$(secs "$t0" "$t1")"); done
  ninja_noop=$(median3 "${nn[@]}")

  # hermetic: empty store, then the same build again (the first no-op apart), then three more
  if ! herm_cold=$(herm "$d" "$d/build.log"); then
    rows+=("| $p | $actions | miss: hermetic build failed ($(tail -n 1 "$d/build.log")) | | | | | | | |"); continue
  fi
  sleep 1.1 # what the cold build read and wrote is a second old: stamps vouch for it
  herm_noop1=$(herm "$d" "$d/noop1.log") || herm_noop1="failed"
  hn=()
  for k in 1 2 3; do hn+=("$(herm "$d" "$d/noop$((k + 1)).log" || echo failed)"); done
  herm_noop=$(median3 "${hn[@]}")
  executed=$(sed -n 's/.*continuity: \([0-9]*\) executed.*/\1/p' "$d/noop4.log" | tail -n 1)
  fresh=$(grep -q '(up to date)' "$d/noop4.log" && echo yes || echo no)
  rows+=("| $p | $actions | $herm_cold | $ninja_cold | $(ratio "$herm_cold" "$ninja_cold") | $herm_noop1 | $herm_noop | $ninja_noop | $(ratio "$herm_noop" "$ninja_noop") (${executed:-?} executed) | $fresh |")
done

report() {
  echo "## Hermetic build vs. Ninja (\`scripts/bench-build.sh\`)"
  echo
  echo "$(date -u +%Y-%m-%d), nproc $(nproc), -j $JOBS, sandbox bubblewrap. Seconds of wall time; each ratio is hermetic / Ninja,"
  echo "both measured in this run on the same source. Cold: \`continuity build\` from an empty store (lowering, sandboxing,"
  echo "storing and materializing included) vs. \`ninja\` in a freshly configured tree. No-op: the same command again; the"
  echo "first no-op is shown apart, the no-op columns are medians of three more runs of each. *up to date*: those no-ops"
  echo "were answered by stat alone (\`(up to date)\`: every source, output, tool and the graph as the last build left"
  echo "them). Confessing and configuring are not timed. Targets (at 10,000 actions): cold ≤ 1.3× Ninja, no-op ≤ 1 s."
  [ "$LARGE" = 1 ] || echo "The 10,000-file project runs only with \`--large\`: not measured in this run."
  echo
  echo "| project | actions | hermetic cold s | ninja cold s | cold ratio | hermetic first no-op s | hermetic no-op s | ninja no-op s | no-op ratio | up to date |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  printf '%s\n' "${rows[@]}"
}
# BENCH_FILE: another file to write the section into (a trial run that should leave BENCHMARKS.md alone)
report | tee /dev/stderr | node "$ROOT/scripts/bench-section.mjs" build "${BENCH_FILE:-$ROOT/BENCHMARKS.md}"
