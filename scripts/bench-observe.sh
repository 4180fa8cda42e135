#!/usr/bin/env bash
# Observe-mode overhead on real projects: for each project, REPS repetitions (default 3) of the plain build,
# `bear -- <same build>` and `continuity wrap --mode observe -- <same build>`, side by side, the order
# rotated from one repetition to the next. Every build runs at the same path, in a fresh copy of a tree
# configured there once. Ratios are taken within each repetition, then the median over the repetitions.
# Beside them: the same ratios in CPU time (user + system of the whole process tree, steadier than wall
# time on a shared machine), and the fixed cost of a wrap (one with nothing to build: a one-line
# Makefile), so that what grows with the build (per call) can be told from what does not.
# Prints a Markdown section (ratios to the plain build) for bench-section.mjs.
# Usage: scripts/bench-observe.sh [PROJECT...]   (default: bzip2 xxhash zlib libyaml jq synth-1000)
#        PROJECT: a Debian source package fetched by fetch-sources.sh, or synth-N (scripts/synth.mjs, make flavour)
#        REPS=5 scripts/bench-observe.sh zlib    (repetitions; the continuity runs are given --quiet)
#        scripts/bench-observe.sh | node scripts/bench-section.mjs observe
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROJECTS=("$@")
[ ${#PROJECTS[@]} -gt 0 ] || PROJECTS=(bzip2 xxhash zlib libyaml jq synth-1000)
REPS=${REPS:-3}
JOBS=$(nproc)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/continuity-bench-observe-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
command -v bear >/dev/null || { echo "bench-observe: bear is not installed (apt-get install bear)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench-observe: /usr/bin/time is not installed (apt-get install time)" >&2; exit 1; }
[ -f "$ROOT/dist/cli/main.js" ] || (cd "$ROOT" && npx --no-install tsc -p tsconfig.json) >&2
CLI="$ROOT/bin/continuity.js"
TIMES="$WORK/times.tsv" # project, repetition, variant, wall s, cpu s
: >"$TIMES"

# prepare NAME TREE: TREE is a configured, never built copy of the project
prepare() {
  local name=$1 tree=$2
  case $name in
    synth-*) node "$ROOT/scripts/synth.mjs" --tus "${name#synth-}" --flavour make --out "$tree" >/dev/null; return ;;
  esac
  local src
  src=$(bash "$ROOT/scripts/fetch-sources.sh" "$name" | tail -n 1)
  cp -a "$src" "$tree"
  case $name in
    zlib) (cd "$tree" && ./configure) ;;
    libyaml) (cd "$tree" && autoreconf -fi && ./configure) ;;
    jq) (cd "$tree" && autoreconf -fi && ./configure --disable-docs --with-oniguruma=yes) ;;
  esac >"$WORK/prepare-$name.log" 2>&1 || { echo "bench-observe: $name: preparing failed (see the log below)" >&2; tail -n 20 "$WORK/prepare-$name.log" >&2; return 1; }
}

# timed PROJECT REP VARIANT DIR CMD...: runs CMD in DIR, appends wall and CPU seconds to $TIMES
timed() {
  local p=$1 rep=$2 v=$3 dir=$4
  shift 4
  if ! (cd "$dir" && /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$@" >"$WORK/$p-$v.log" 2>&1); then
    echo "bench-observe: $p: $v failed (last lines of its output below)" >&2
    tail -n 20 "$WORK/$p-$v.log" >&2
    return 1
  fi
  awk -v p="$p" -v r="$rep" -v v="$v" '{ printf "%s\t%s\t%s\t%s\t%s\n", p, r, v, $1, $2 + $3 }' "$WORK/time" >>"$TIMES"
}

# run PROJECT REP VARIANT: one build of a fresh copy at $WORK/PROJECT/tree
run() {
  local p=$1 rep=$2 v=$3 tree="$WORK/$1/tree"
  rm -rf "$tree" "$WORK/$p/out" "$WORK/$p/bear.json"
  cp -a "$WORK/$p/configured" "$tree"
  case $v in
    plain) timed "$p" "$rep" plain "$tree" make -j"$JOBS" ;;
    bear) timed "$p" "$rep" bear "$tree" bear --output "$WORK/$p/bear.json" -- make -j"$JOBS" ;;
    observe)
      timed "$p" "$rep" observe "$tree" node "$CLI" wrap --mode observe --quiet --out "$WORK/$p/out" -j "$JOBS" -- make
      [ -f "$WORK/$p/out/graph.json" ] || { echo "bench-observe: $p: no graph.json" >&2; return 1; }
      node -e '
        const fs = require("fs");
        const [out, p] = process.argv.slice(1);
        const g = JSON.parse(fs.readFileSync(out + "/graph.json", "utf8"));
        const lines = (f) => { try { return fs.readFileSync(out + "/" + f, "utf8").split("\n").filter((l) => l.trim() !== "").length; } catch { return 0; } };
        const actions = g.nodes.filter((n) => n.attributes.type === "action").length;
        console.log([p, actions, lines("spool.jsonl"), lines("shell.jsonl")].join("\t"));
      ' "$WORK/$p/out" "$p" >"$WORK/$p/counts.tsv" ;;
  esac
}

# The fixed cost: a wrap of a build with nothing in it, beside the same plain make (the shim cache is
# warmed first, as any run after the first finds it).
mkdir -p "$WORK/fixed/configured"
printf 'all:\n\t@:\n' >"$WORK/fixed/configured/Makefile"
run fixed 0 observe >/dev/null
for rep in $(seq 1 $((REPS * 3))); do run fixed "$rep" plain; run fixed "$rep" observe; done

failed=()
for p in "${PROJECTS[@]}"; do
  echo "bench-observe: $p" >&2
  mkdir -p "$WORK/$p"
  if ! prepare "$p" "$WORK/$p/configured"; then failed+=("$p"); continue; fi
  variants=(plain bear observe)
  ok=1
  for rep in $(seq 1 "$REPS"); do
    k=$(( (rep - 1) % 3 ))
    for v in "${variants[@]:k}" "${variants[@]:0:k}"; do
      run "$p" "$rep" "$v" || { ok=0; break 2; }
    done
  done
  [ $ok = 1 ] || failed+=("$p")
  rm -rf "$WORK/$p/tree" "$WORK/$p/configured"
done

node - "$TIMES" "$WORK" "$JOBS" "$REPS" "${PROJECTS[*]}" "${failed[*]:-}" <<'EOF'
const fs = require('fs');
const [times, work, jobs, reps, projects, failed] = process.argv.slice(2);
const rows = fs.readFileSync(times, 'utf8').trim().split('\n').map((l) => l.split('\t'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const n = s.length; return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
const of = (p, v, i) => rows.filter((r) => r[0] === p && r[2] === v && r[1] !== '0').map((r) => [Number(r[1]), Number(r[i])]);
// per repetition: variant / plain of the same repetition, then the median of those
const ratio = (p, v, i) => {
  const plain = new Map(of(p, 'plain', i));
  return median(of(p, v, i).filter(([rep]) => plain.has(rep)).map(([rep, x]) => x / plain.get(rep)));
};
const fixedExtra = median(of('fixed', 'observe', 3).map(([rep, x]) => x - (new Map(of('fixed', 'plain', 3)).get(rep) ?? 0)));
const fixedWall = median(of('fixed', 'observe', 3).map(([, x]) => x));
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '');
const f2 = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '');
const bad = new Set(failed.split(' ').filter(Boolean));
const out = [];
out.push('## Observe mode against the plain build (scripts/bench-observe.sh)');
out.push('');
out.push(`${reps} repetitions of each build, side by side, on ${jobs} cores (${new Date().toISOString().slice(0, 10)}); \`make -j${jobs}\` in a fresh copy`);
out.push('of the configured tree each time, at the same path; the order of the three builds rotates from one repetition');
out.push('to the next. Ratios are wall time (then CPU time: user + system of every process of the build) over the plain');
out.push("build's in the same repetition, medians over the repetitions. The continuity column includes generating the");
out.push('shims (the binary from its cache, as on any run after the first) and writing graph.json and its companions, and');
out.push('records archive, link and custom steps as well as compiles. Target: observe ≤ 1.10× the plain build.');
out.push('');
out.push('| project | plain make (s) | bear -- make | continuity wrap --mode observe | CPU: bear | CPU: observe | observe − plain (s) | shim calls + recipe lines | actions recorded |');
out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const p of projects.split(' ')) {
  if (bad.has(p)) { out.push(`| ${p} | failed | | | | | | | |`); continue; }
  let counts = ['', '', ''];
  try { counts = fs.readFileSync(`${work}/${p}/counts.tsv`, 'utf8').trim().split('\t').slice(1); } catch {}
  const plainOf = new Map(of(p, 'plain', 3));
  const extra = median(of(p, 'observe', 3).filter(([rep]) => plainOf.has(rep)).map(([rep, x]) => x - plainOf.get(rep)));
  const target = ratio(p, 'observe', 3) <= 1.1 ? '' : ' (missed)';
  out.push(`| ${p} | ${f1(median(of(p, 'plain', 3).map(([, x]) => x)))} | ${f2(ratio(p, 'bear', 3))} | ${f2(ratio(p, 'observe', 3))}${target} | ${f2(ratio(p, 'bear', 4))} | ${f2(ratio(p, 'observe', 4))} | ${f1(extra)} | ${counts[1]} + ${counts[2]} | ${counts[0]} |`);
}
out.push('');
out.push(`The fixed cost of a wrap: an observe wrap of a one-line Makefile takes ${fixedWall.toFixed(2)} s, ${fixedExtra.toFixed(2)} s more than`);
out.push("the plain make of it (medians of " + of('fixed', 'observe', 3).length + " pairs): starting Node, generating the shims, reading the spool and writing the graph.");
out.push('What a project\'s "observe − plain" has beyond it grows with its calls (the shims, the recording shell, the graph).');
console.log(out.join('\n'));
EOF
