// The confession benchmarks' floor: a CMake configure with the real compilers (so every probe gets a true
// answer) and then a Ninja build whose compilers and linkers do nothing but create their outputs. A
// do-nothing launcher, compiled here, is set as CMAKE_<LANG>_COMPILER_LAUNCHER and _LINKER_LAUNCHER: during
// configure (no CONTINUITY_BENCH_NOOP) it runs the real tool; during the build it only creates the -o output
// and a depfile naming nothing.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const NOOP_C = String.raw`
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  if (argc < 2) return 2;
  if (!getenv("CONTINUITY_BENCH_NOOP")) { execvp(argv[1], argv + 1); perror(argv[1]); return 127; }
  const char *out = NULL, *mf = NULL;
  for (int i = 2; i + 1 < argc; i++) {
    if (strcmp(argv[i], "-o") == 0) out = argv[++i];
    else if (strcmp(argv[i], "-MF") == 0) mf = argv[++i];
  }
  if (out) { int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0755); if (fd < 0) { perror(out); return 1; } close(fd); }
  if (out && mf) { FILE *f = fopen(mf, "w"); if (f) { fprintf(f, "%s:\n", out); fclose(f); } }
  return 0;
}
`;

/** Compiles the launcher into dir; returns the cmake arguments that set it, and the build's environment. */
export function noopLauncher(dir) {
  const src = join(dir, 'noop-cc.c');
  const bin = join(dir, 'noop-cc');
  writeFileSync(src, NOOP_C);
  const r = spawnSync('cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot compile the do-nothing launcher: ${r.stderr}`);
  return {
    cmakeArgs: ['C', 'CXX'].flatMap((l) => [`-DCMAKE_${l}_COMPILER_LAUNCHER=${bin}`, `-DCMAKE_${l}_LINKER_LAUNCHER=${bin}`]),
    buildEnv: { ...process.env, CONTINUITY_BENCH_NOOP: '1' },
  };
}
