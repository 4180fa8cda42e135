// Source language of a compile, from the driver's -x option or the file's extension (gcc's rules).
import type { Language } from '../model/graph.js';

const BY_EXT: Record<string, Language> = {
  c: 'c', i: 'c', h: 'c',
  cc: 'c++', cp: 'c++', cxx: 'c++', cpp: 'c++', 'c++': 'c++', C: 'c++', CPP: 'c++', ii: 'c++', hpp: 'c++', hh: 'c++',
  cu: 'cuda',
  s: 'asm', S: 'asm', sx: 'asm', asm: 'asm',
};

const BY_X: Record<string, Language> = {
  c: 'c', 'c-header': 'c', 'cpp-output': 'c',
  'c++': 'c++', 'c++-header': 'c++', 'c++-cpp-output': 'c++',
  cu: 'cuda', cuda: 'cuda',
  assembler: 'asm', 'assembler-with-cpp': 'asm',
};

export function languageOfExtension(path: string): Language | null {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || dot < path.lastIndexOf('/')) return null;
  return BY_EXT[path.slice(dot + 1)] ?? null;
}

/** The language of `source` as compiled by `args` (the last -x before the source wins). */
export function languageOf(args: readonly string[], source: string, tool: 'cc' | 'cxx' | 'nvcc' | string): Language | null {
  let x: string | null = null;
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-x' && i + 1 < args.length) x = args[++i] as string;
    else if (a.startsWith('-x') && a.length > 2 && tool !== 'nvcc') x = a.slice(2);
    else if (a === source || a.endsWith(source)) break;
  }
  if (x !== null && x !== 'none') return BY_X[x] ?? null;
  const byExt = languageOfExtension(source);
  if (tool === 'nvcc' && byExt !== 'cuda') return byExt ?? 'cuda';
  if (byExt === 'c' && tool === 'cxx' && !source.endsWith('.c')) return 'c++';
  return byExt;
}
