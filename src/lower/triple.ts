// Target descriptions (`x86_64-linux-gnu`, `-march=znver4`, `-arch=sm_90`) → the model's Triple.
// Values the model has no case for get the field's fallback and are kept verbatim in `other`.
import type { Arch, ABI, Cpu, Gpu, OS, Triple, Vendor } from '../model/seed.js';
import { CPUS, GPUS } from '../model/seed.js';

export type TripleField = keyof Triple;
export interface OtherValue {
  kind: 'other';
  field: TripleField;
  raw: string;
}
export interface TypedTriple {
  triple: Triple;
  other: OtherValue[];
}

const ARCH: Record<string, Arch> = {
  x86_64: 'x86_64', amd64: 'x86_64', x64: 'x86_64', aarch64: 'aarch64', arm64: 'aarch64',
  wasm32: 'wasm32', riscv64: 'riscv64', armv7: 'armv7', armv7a: 'armv7', armv7l: 'armv7', armv7hl: 'armv7', arm: 'armv7',
};
const VENDOR: Record<string, Vendor> = { unknown: 'unknown', pc: 'pc', apple: 'apple', nvidia: 'nvidia' };
const OS_: Record<string, OS> = { linux: 'linux', darwin: 'darwin', macos: 'darwin', wasi: 'wasi', windows: 'windows', win32: 'windows', mingw32: 'windows', none: 'none', elf: 'none' };
const ABI_: Record<string, ABI> = {
  gnu: 'gnu', musl: 'musl', eabi: 'eabi', eabihf: 'eabihf', msvc: 'msvc', gnueabi: 'eabi', gnueabihf: 'eabihf', musleabihf: 'eabihf', none: 'none',
};

/** Parses `arch[-vendor]-os[-abi]` as printed by `-dumpmachine` or given to `--target`. */
export function parseTripleString(s: string): TypedTriple {
  const other: OtherValue[] = [];
  const parts = s.trim().split('-');
  const archRaw = parts[0] ?? '';
  let arch = ARCH[archRaw];
  if (!arch) {
    other.push({ kind: 'other', field: 'arch', raw: archRaw });
    arch = 'x86_64';
  }
  let rest = parts.slice(1);
  let vendor: Vendor = 'unknown';
  const v0 = rest[0];
  if (v0 !== undefined && (VENDOR[v0] || (rest.length >= 3 && !OS_[v0]))) {
    const known = VENDOR[v0];
    if (known) vendor = known;
    else other.push({ kind: 'other', field: 'vendor', raw: v0 });
    rest = rest.slice(1);
  }
  let os: OS = 'none';
  const osRaw = rest[0];
  if (osRaw !== undefined) {
    const known = OS_[osRaw] ?? (osRaw.startsWith('darwin') ? 'darwin' : undefined);
    if (known) os = known;
    else other.push({ kind: 'other', field: 'os', raw: osRaw });
  }
  let abi: ABI = 'none';
  const abiRaw = rest.slice(1).join('-');
  if (abiRaw) {
    const known = ABI_[abiRaw];
    if (known) abi = known;
    else other.push({ kind: 'other', field: 'abi', raw: abiRaw });
  } else if (os === 'linux') {
    abi = 'gnu';
  }
  return { triple: { arch, vendor, os, abi, cpu: 'generic', gpu: 'none' }, other };
}

/** `-march=x86-64-v3`, `-mcpu=neoverse-v2`, `-march=native` → Cpu, or null when the model has no case. */
export function parseCpu(raw: string): Cpu | null {
  const norm = raw.trim().toLowerCase().replace(/-/g, '_');
  const alias: Record<string, Cpu> = { x86_64: 'generic', generic: 'generic' };
  if (alias[norm]) return alias[norm] as Cpu;
  return (CPUS as readonly string[]).includes(norm) ? (norm as Cpu) : null;
}

/** `sm_90a`, `compute_80`, `arch=compute_90,code=sm_90` → Gpu, or null. */
export function parseGpu(raw: string): Gpu | null {
  const code = /code=\[?([^,\]]+)/.exec(raw);
  const v = (code?.[1] ?? raw).trim().replace(/^compute_/, 'sm_');
  return (GPUS as readonly string[]).includes(v) ? (v as Gpu) : null;
}

/** Applies -march/-mcpu and a GPU architecture to a parsed triple, recording what the model can't name. */
export function withTargetDetails(t: TypedTriple, cpuRaw: string | null, gpuRaws: readonly string[]): TypedTriple {
  const other = [...t.other];
  const triple = { ...t.triple };
  if (cpuRaw !== null) {
    const cpu = parseCpu(cpuRaw);
    if (cpu) triple.cpu = cpu;
    else other.push({ kind: 'other', field: 'cpu', raw: cpuRaw });
  }
  gpuRaws.forEach((g, i) => {
    const gpu = parseGpu(g);
    if (gpu && i === 0) triple.gpu = gpu;
    else other.push({ kind: 'other', field: 'gpu', raw: g });
  });
  return { triple, other };
}
