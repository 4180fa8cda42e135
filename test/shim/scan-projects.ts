// Random C projects for the header scanner's differential tests: a source and headers spread over
// directories searched in different ways (the source's own directory, -I, -isystem), with includes of every
// kind (quoted, angled, #include_next, computed, guarded or not, #pragma once), macros and conditionals whose
// expressions use arithmetic, `defined`, function-like macros and __has_include. The same seed always gives
// the same files.

export interface RandomProject {
  files: Record<string, string>;
  /** the compile command's arguments (run in the project root) */
  args: string[];
}

function prng(seed: number): { int: (lo: number, hi: number) => number; pick: <T>(xs: readonly T[]) => T; chance: (p: number) => boolean } {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  return {
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)] as (typeof xs)[number],
    chance: (p) => next() < p,
  };
}

const DIRS = ['src', 'inc1', 'inc2', 'sys'] as const;
const MACROS = ['M0', 'M1', 'M2', 'M3', 'M4'];

export function randomProject(seed: number): RandomProject {
  const r = prng(seed);
  const nHeaders = r.int(3, 9);
  // each header name lives in one or more directories (more than one: #include_next has somewhere to go)
  const homes: string[][] = [];
  for (let i = 0; i < nHeaders; i++) {
    const ds = DIRS.filter(() => r.chance(0.35));
    homes.push(ds.length ? ds : [r.pick(DIRS)]);
  }
  const literal = (): string => {
    const v = r.int(-3, 40);
    const style = r.int(0, 4);
    if (v < 0) return `(${v})`;
    if (style === 1) return `0x${v.toString(16)}`;
    if (style === 2) return `${v}u`;
    if (style === 3 && v > 0) return `0${v.toString(8)}`;
    if (style === 4) return `${v}L`;
    return String(v);
  };
  // `defined` only where the standard gives it a meaning: written in the #if itself, not in a macro's
  // body or argument (gcc's handling of those is its own, and the scanner hands them to gcc)
  const expr = (depth: number, bare = false): string => {
    const k = depth > 2 ? r.int(0, 2) : r.int(0, 9);
    switch (k) {
      case 0: return literal();
      case 1: return r.pick(MACROS);
      case 2:
        if (bare) return literal();
        return r.chance(0.5) ? `defined(${r.pick(MACROS)})` : `defined ${r.pick(MACROS)}`;
      case 3: return `(${expr(depth + 1, bare)} ${r.pick(['+', '-', '*', '<<', '>>', '&', '|', '^'])} ${expr(depth + 1, bare)})`;
      case 4: return `(${expr(depth + 1, bare)} ${r.pick(['<', '>', '<=', '>=', '==', '!='])} ${expr(depth + 1, bare)})`;
      case 5: return `(${expr(depth + 1, bare)} ${r.pick(['&&', '||'])} ${expr(depth + 1, bare)})`;
      case 6: return `${r.pick(['!', '~', '-'])}${expr(depth + 1, bare)}`;
      case 7: return `(${expr(depth + 1, bare)} ? ${expr(depth + 1, bare)} : ${expr(depth + 1, bare)})`;
      case 8: return `ADD(${expr(depth + 1, true)}, ${expr(depth + 1, true)})`;
      default: {
        if (bare) return literal();
        const h = r.int(0, nHeaders);
        return `__has_include(${r.chance(0.5) ? `"h${h}.h"` : `<h${h}.h>`})`;
      }
    }
  };
  const include = (self: number): string => {
    const tag = self < 0 ? 'main' : String(self);
    const target = r.int(Math.min(self + 1, nHeaders - 1), nHeaders - 1);
    if (target <= self) return '/* no include */';
    const k = r.int(0, 5);
    if (k === 0) return `#include "h${target}.h"`;
    if (k === 1) return `#include <h${target}.h>`;
    if (k === 2) return `#define HDR${tag} "h${target}.h"\n#include HDR${tag}`;
    if (k === 3) return `#define ANG${tag} <h${target}.h>\n#include ANG${tag}`;
    if (k === 4) return `#  include   "h${target}.h"   /* trailing */`;
    return `#include <h${nHeaders + 5}.h> /* missing: in a dead branch only */`.replace(/^/, '#if 0\n') + '\n#endif';
  };
  const body = (self: number, depth: number): string => {
    const lines: string[] = [];
    const n = r.int(1, depth > 1 ? 2 : 5);
    for (let i = 0; i < n; i++) {
      const k = r.int(0, 11);
      if (k <= 2) lines.push(include(self));
      else if (k === 3) lines.push(`#define ${r.pick(MACROS)} ${expr(1, true)}`);
      else if (k === 4) lines.push(`#undef ${r.pick(MACROS)}`);
      else if (k === 5 && depth < 3) {
        lines.push(`#if ${expr(0)}`, body(self, depth + 1));
        if (r.chance(0.4)) lines.push(`#elif ${expr(0)}`, body(self, depth + 1));
        if (r.chance(0.5)) lines.push('#else', body(self, depth + 1));
        lines.push('#endif');
      } else if (k === 6 && depth < 3) {
        lines.push(`#${r.pick(['ifdef', 'ifndef'])} ${r.pick(MACROS)}`, body(self, depth + 1), '#endif');
      } else if (k === 7) lines.push(`int v${self}_${i} = ${r.int(0, 9)}; const char *s${self}_${i} = "#include \\"nothere.h\\" /*";`);
      else if (k === 8) lines.push(`/* a comment\n#include "nothere.h"\n spanning lines */ #define ${r.pick(MACROS)} ${literal()}`);
      else if (k === 9) lines.push(`// #include "nothere.h"`, `#define ${r.pick(MACROS)} \\\n  ${literal()}`);
      else if (k === 10 && self >= 0 && homes[self]!.length > 1) lines.push(`#include_next <h${self}.h>`);
      else lines.push(`char c${self}_${i} = '"'; /* ' */`);
    }
    return lines.join('\n');
  };
  const files: Record<string, string> = {};
  for (let i = 0; i < nHeaders; i++) {
    for (const d of homes[i]!) {
      const guard = r.int(0, 2);
      const text = body(i, 0);
      const wrapped =
        guard === 0 ? `#ifndef H${i}_${d}_GUARD\n#define H${i}_${d}_GUARD\n${text}\n#endif\n`
        : guard === 1 ? `#pragma once\n${text}\n`
        : `${text}\n`;
      files[`${d}/h${i}.h`] = `/* h${i} in ${d} */\n${wrapped}`;
    }
  }
  const main = ['#define ADD(a, b) ((a) + (b))', body(-1, 0), include(-1), include(-1), 'int main(void) { return 0; }', ''];
  files['src/main.c'] = main.join('\n');
  const args = ['-c', 'src/main.c', '-o', 'main.o', '-Iinc1', '-Iinc2', '-isystem', 'sys'];
  if (r.chance(0.3)) args.push(`-DM${r.int(0, 4)}=${r.int(0, 5)}`);
  if (r.chance(0.2)) args.push('-UM1');
  return { files, args };
}
