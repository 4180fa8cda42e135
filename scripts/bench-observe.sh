#!/usr/bin/env bash
# Observe-mode overhead on real projects: for each project, one run each (side by side, in this order)
# of the plain build, `bear -- <same build>` and `continuity wrap --mode observe -- <same build>`, each in
# its own pristine copy. Prints a Markdown section (ratios to the plain build) for bench-section.mjs.
# The continuity figure includes generating the shims (once per run) and writing the graph.
# Usage: scripts/bench-observe.sh [PROJECT...]   (default: bzip2 xxhash zlib)
#        scripts/bench-observe.sh | node scripts/bench-section.mjs observe
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROJECTS=("$@")
[ ${#PROJECTS[@]} -gt 0 ] || PROJECTS=(bzip2 xxhash zlib)
JOBS=$(nproc)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/continuity-bench-observe-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
command -v bear >/dev/null || { echo "bench-observe: bear is not installed (apt-get install bear)" >&2; exit 1; }
[ -f "$ROOT/dist/cli/main.js" ] || (cd "$ROOT" && npx --no-install tsc -p tsconfig.json) >&2

now() { date +%s.%N; }
# prepare DIR NAME: a pristine, configured copy
prepare() {
  cp -a "$2" "$1"
  case $3 in
    zlib) (cd "$1" && ./configure >/dev/null) ;;
  esac
}

rows=()
for p in "${PROJECTS[@]}"; do
  src=$(bash "$ROOT/scripts/fetch-sources.sh" "$p" | tail -n 1)
  echo "bench-observe: $p" >&2
  prepare "$WORK/$p-plain" "$src" "$p"
  prepare "$WORK/$p-bear" "$src" "$p"
  prepare "$WORK/$p-observe" "$src" "$p"
  t0=$(now); (cd "$WORK/$p-plain" && make -j"$JOBS" >/dev/null 2>&1); t1=$(now)
  (cd "$WORK/$p-bear" && bear --output "$WORK/$p-bear.json" -- make -j"$JOBS" >/dev/null 2>&1); t2=$(now)
  (cd "$WORK/$p-observe" && node "$ROOT/bin/continuity.js" wrap --mode observe --quiet --out "$WORK/$p-out" -j "$JOBS" -- make >/dev/null 2>&1) || {
    echo "bench-observe: $p: continuity wrap failed (see $WORK/$p-out/logs)" >&2; rows+=("| $p | miss | | | |"); continue; }
  t3=$(now)
  n=$(node -e "const g=require('$WORK/$p-out/graph.json');console.log(g.nodes.filter(n=>n.attributes.type==='action').length)")
  rows+=("$(awk -v p="$p" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$n" 'BEGIN {
    plain=b-a; bear=c-b; obs=d-c;
    printf "| %s | %.1f s | %.2f× | %.2f× | %d |", p, plain, bear/plain, obs/plain, n }')")
done

echo "## Observe mode against the plain build (scripts/bench-observe.sh)"
echo
echo "One run of each, side by side, on $(nproc) cores ($(date -u +%Y-%m-%d)); \`make -j$JOBS\` in a pristine copy each time."
echo "Ratios are wall time over the plain build's; the continuity column includes generating the shims"
echo "and writing graph.json, and records archive, link and custom steps as well as compiles."
echo
echo "| project | plain make | bear -- make | continuity wrap --mode observe | actions recorded |"
echo "| --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
