// Tool names the shims stand for, and what kind of tool each is (compiler flag knowledge lives in
// shims/shim.c.hbs). Versioned and target-prefixed names (gcc-12, x86_64-linux-gnu-g++-12) are
// recognised by pattern, so no version number is written down here.
import type { ShimKind } from '../model/report.js';

/** `cpp` shims only ever pass through: a bare preprocessor call is never a build step we record. */
export type ToolKind = ShimKind | 'cpp';

/** Base names, before any target prefix or version suffix. */
export const BASE_TOOLS: Readonly<Record<string, ToolKind>> = {
  cc: 'cc',
  gcc: 'cc',
  clang: 'cc',
  'c++': 'cxx',
  'g++': 'cxx',
  'clang++': 'cxx',
  cpp: 'cpp',
  nvcc: 'nvcc',
  ar: 'ar',
  'gcc-ar': 'ar',
  'llvm-ar': 'ar',
  ranlib: 'ranlib',
  'gcc-ranlib': 'ranlib',
  'llvm-ranlib': 'ranlib',
  ld: 'ld',
  'ld.bfd': 'ld',
  'ld.gold': 'ld',
};

/** Names never versioned or prefixed (nvcc-12 is not a thing; a prefixed `cc` would be a stranger). */
const UNVERSIONED = new Set(['cc', 'c++', 'nvcc']);

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Longest alternatives first, so `gcc-ar` wins over `gcc` followed by a suffix.
const BASES = Object.keys(BASE_TOOLS)
  .filter((b) => !UNVERSIONED.has(b))
  .sort((a, b) => b.length - a.length)
  .map(escapeRe)
  .join('|');

/** `[triplet-]base[-version]`, triplet = 2 to 4 dash-separated words (x86_64-linux-gnu, arm-none-eabi). */
const VARIANT = new RegExp(`^(?:[a-z0-9_]+(?:-[a-z0-9_]+){1,3}-)?(${BASES})(?:-(\\d+(?:\\.\\d+)*))?$`);

/** The kind of a tool name, or null when the shims do not stand for it. */
export function toolKind(name: string): ToolKind | null {
  const direct = BASE_TOOLS[name];
  if (direct !== undefined) return direct;
  const m = VARIANT.exec(name);
  if (m === null || m[1] === undefined) return null;
  return BASE_TOOLS[m[1]] ?? null;
}
