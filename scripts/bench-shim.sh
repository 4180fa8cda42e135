#!/usr/bin/env bash
# Measures what a shim adds to one tool call: median and p99 wall time of N calls, each started with
# posix_spawn from a small C harness (so the launcher costs the same for every row), for
#   - ar: the real ar, the shim in passthrough, the shim in confess (no dependency scan);
#   - a compile: the real gcc -c, the real preprocessor scan alone (gcc -M), the shim in confess
#     (= scan + the rest), the shim in observe.
# Usage: scripts/bench-shim.sh [N_AR=500] [N_CC=200]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N_AR=${1:-500}
N_CC=${2:-200}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/continuity-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
REAL_PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v continuity | paste -sd: -)

# --- the shims: generated from this tree (only src/shim and its model imports are compiled)
mkdir -p "$ROOT/.cache/bench"
rm -rf "$ROOT/.cache/bench/dist" "$ROOT/.cache/bench/shims"
cp -r "$ROOT/shims" "$ROOT/.cache/bench/shims"
(cd "$ROOT" && npx --no-install tsc --outDir .cache/bench/dist --rootDir src --module NodeNext \
  --moduleResolution NodeNext --target ES2022 --strict --esModuleInterop --skipLibCheck --types node \
  src/shim/generate.ts) >/dev/null
PATH="$REAL_PATH" node --input-type=module -e "
  const { generateShims } = await import('$ROOT/.cache/bench/dist/shim/generate.js');
  await generateShims({ dir: '$WORK/shims' });
"

# --- the timing harness
cat >"$WORK/harness.c" <<'EOF'
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
extern char **environ;
static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
/* harness LABEL N cmd args... : prints LABEL median p99 (ms) */
int main(int argc, char **argv) {
  int n = atoi(argv[2]);
  double *t = malloc(sizeof(double) * n);
  for (int i = 0; i < n; i++) {
    struct timespec a, b;
    pid_t pid;
    int st;
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (posix_spawnp(&pid, argv[3], NULL, NULL, argv + 3, environ) != 0) { perror("spawn"); return 1; }
    waitpid(pid, &st, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) { fprintf(stderr, "%s: call %d failed (%d)\n", argv[1], i, st); return 1; }
    t[i] = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
  }
  qsort(t, n, sizeof(double), cmp);
  printf("%-34s n=%-4d median %8.3f ms   p99 %8.3f ms\n", argv[1], n, t[n / 2], t[(int)(n * 0.99)]);
  return 0;
}
EOF
cc -O2 -o "$WORK/harness" "$WORK/harness.c"
H="$WORK/harness"

cd "$WORK"
printf '#include "h.h"\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint f(void){return H;}\n' >a.c
mkdir -p inc && printf '#define H 1\n' >inc/h.h
PATH="$REAL_PATH" gcc -c a.c -Iinc -o real.o
SPOOL="$WORK/spool.jsonl"
SH="$WORK/shims"
run() { env -u CONTINUITY_MODE -u CONTINUITY_SPOOL -u CONTINUITY_ENDPOINT -u CONTINUITY_SECRET "$@"; }

echo "== per call, $N_AR ar calls (ar qc lib.a real.o) =="
run PATH="$REAL_PATH" "$H" "real ar" "$N_AR" ar qc lib-real.a real.o
run PATH="$SH:$REAL_PATH" "$H" "shim passthrough ar" "$N_AR" ar qc lib-pass.a real.o
run PATH="$SH:$REAL_PATH" CONTINUITY_MODE=confess CONTINUITY_SPOOL="$SPOOL" \
  "$H" "shim confess ar (no scan)" "$N_AR" ar qc lib-confess.a real.o

echo "== per call, $N_CC compiles (a.c: stdio, stdlib, string + one local header) =="
run PATH="$REAL_PATH" "$H" "real gcc -c" "$N_CC" gcc -c a.c -Iinc -o real.o
run PATH="$REAL_PATH" "$H" "real scan alone (gcc -M -MF)" "$N_CC" gcc a.c -Iinc -M -MF scan.d -MQ a.o
run PATH="$SH:$REAL_PATH" "$H" "shim passthrough gcc -c" "$N_CC" gcc -c a.c -Iinc -o pass.o
run PATH="$SH:$REAL_PATH" CONTINUITY_MODE=confess CONTINUITY_SPOOL="$SPOOL" \
  "$H" "shim confess gcc -c (scan + rest)" "$N_CC" gcc -c a.c -Iinc -o confess.o
run PATH="$SH:$REAL_PATH" CONTINUITY_MODE=observe CONTINUITY_SPOOL="$SPOOL" \
  "$H" "shim observe gcc -c" "$N_CC" gcc -c a.c -Iinc -o observe.o
echo "(confess rest = confess - scan alone; observe overhead = observe - real gcc -c)"
echo "spool: $(wc -l <"$SPOOL") reports, $(wc -c <"$SPOOL") bytes"
