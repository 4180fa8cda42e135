// Compiler flag knowledge as data: each table maps spellings to a class. The classifier (classify.ts)
// reads tables only; adding a compiler means adding a table, never code.
// Invariant: a class in COSET_NOISE never changes a tool's output bytes, so it is left out of cache keys.

/** How a spelling matches an argument. */
export type FlagForm =
  | 'exact' // the whole argument (`-c`)
  | 'joined' // prefix, value glued on (`-O2`, `-DNAME=1`)
  | 'separate' // value is the next argument (`-o out`)
  | 'joined-or-separate' // `-Idir` or `-I dir`
  | 'equals-or-separate'; // `--target=x` or `--target x`

export type FlagClass =
  | 'opt' // -O*
  | 'lto' // -flto*
  | 'no-lto'
  | 'debug' // -g*
  | 'no-debug' // -g0
  | 'pic' // -fPIC -fpic -fPIE -fpie
  | 'no-pic'
  | 'march' // -march=
  | 'mcpu' // -mcpu=
  | 'mtune' // -mtune=
  | 'target' // --target= / -target
  | 'gpu-arch' // nvcc -arch / --gpu-architecture
  | 'gencode' // nvcc -gencode arch=..,code=..
  | 'include' // -I
  | 'system-include' // -isystem, -idirafter, -iquote
  | 'define' // -D
  | 'undefine' // -U
  | 'output' // -o
  | 'mode' // -c -S -E -shared
  | 'shared' // -shared
  | 'language' // -x
  | 'std' // -std=
  | 'werror' // -Werror*: can fail a build, so it is kept
  | 'warning' // -W..., -w, -pedantic (coset noise)
  | 'diagnostics' // -fdiagnostics-color, -fmessage-length (coset noise)
  | 'depfile' // -MD -MMD -MP (coset noise)
  | 'depfile-arg' // -MF -MT -MQ with an argument (coset noise)
  | 'library' // -l
  | 'library-dir' // -L
  | 'linker' // -Wl, -Xlinker
  | 'assembler' // -Wa,
  | 'preprocessor' // -Wp,
  | 'sysroot' // --sysroot
  | 'host-compiler' // nvcc -ccbin
  | 'host-flags' // nvcc -Xcompiler
  | 'device-flags'; // nvcc -Xptxas

export interface FlagSpec {
  spelling: string;
  form: FlagForm;
  cls: FlagClass;
}

export interface FlagTable {
  name: 'gcc' | 'clang' | 'nvcc';
  /** earlier entries win; longer spellings must come before their prefixes */
  flags: readonly FlagSpec[];
}

/** Classes normalized out of the cache key (the coset): they cannot change output bytes. */
export const COSET_NOISE: ReadonlySet<FlagClass> = new Set<FlagClass>(['warning', 'diagnostics', 'depfile', 'depfile-arg']);

export const spec = (spelling: string, form: FlagForm, cls: FlagClass): FlagSpec => ({ spelling, form, cls });
