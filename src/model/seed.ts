// The structures of the formal model (Continuity.lean), as TypeScript types.
// Names and cases follow the model; where the model has a String we keep a string.
import type { Sha256, ActionKey } from './hash.js';

/** Content-addressed store path (§1 Atom 1). */
export interface StorePath {
  hash: Sha256;
  name: string;
}

export type Arch = 'x86_64' | 'aarch64' | 'wasm32' | 'riscv64' | 'armv7';
export type OS = 'linux' | 'darwin' | 'wasi' | 'windows' | 'none';
export type ABI = 'gnu' | 'musl' | 'eabi' | 'eabihf' | 'msvc' | 'none';
export type Vendor = 'unknown' | 'pc' | 'apple' | 'nvidia';
export type Cpu =
  | 'generic' | 'native'
  | 'x86_64_v2' | 'x86_64_v3' | 'x86_64_v4'
  | 'znver3' | 'znver4' | 'znver5' | 'sapphirerapids' | 'alderlake'
  | 'neoverse_v2' | 'neoverse_n2'
  | 'cortex_a78ae' | 'cortex_a78c'
  | 'apple_m1' | 'apple_m2' | 'apple_m3' | 'apple_m4';
export type Gpu = 'none' | 'sm_80' | 'sm_86' | 'sm_89' | 'sm_90' | 'sm_90a' | 'sm_87' | 'sm_100' | 'sm_100a' | 'sm_120';

export const ARCHES: readonly Arch[] = ['x86_64', 'aarch64', 'wasm32', 'riscv64', 'armv7'];
export const OSES: readonly OS[] = ['linux', 'darwin', 'wasi', 'windows', 'none'];
export const ABIS: readonly ABI[] = ['gnu', 'musl', 'eabi', 'eabihf', 'msvc', 'none'];
export const VENDORS: readonly Vendor[] = ['unknown', 'pc', 'apple', 'nvidia'];
export const CPUS: readonly Cpu[] = [
  'generic', 'native', 'x86_64_v2', 'x86_64_v3', 'x86_64_v4', 'znver3', 'znver4', 'znver5',
  'sapphirerapids', 'alderlake', 'neoverse_v2', 'neoverse_n2', 'cortex_a78ae', 'cortex_a78c',
  'apple_m1', 'apple_m2', 'apple_m3', 'apple_m4',
];
export const GPUS: readonly Gpu[] = ['none', 'sm_80', 'sm_86', 'sm_89', 'sm_90', 'sm_90a', 'sm_87', 'sm_100', 'sm_100a', 'sm_120'];

export interface Triple {
  arch: Arch;
  vendor: Vendor;
  os: OS;
  abi: ABI;
  cpu: Cpu;
  gpu: Gpu;
}

export type OptLevel = 'O0' | 'O1' | 'O2' | 'O3' | 'Oz' | 'Os';
export type LTOMode = 'off' | 'thin' | 'fat';

/** Typed compiler flags (§3 Flag). */
export type Flag =
  | { kind: 'optLevel'; level: OptLevel }
  | { kind: 'lto'; mode: LTOMode }
  | { kind: 'targetCpu'; cpu: string }
  | { kind: 'debug'; on: boolean }
  | { kind: 'pic'; on: boolean };

export interface Toolchain {
  compiler: StorePath;
  host: Triple;
  target: Triple;
  flags: Flag[];
  sysroot: StorePath | null;
}

/** DICE action (§4). `outputs` are names; their paths are determined by content. */
export interface Action {
  category: string;
  identifier: string;
  inputs: StorePath[];
  outputs: string[];
  command: string[];
  env: [string, string][];
}

/** Linux namespaces (§1 Atom 2). */
export interface Namespace {
  user: boolean;
  mount: boolean;
  net: boolean;
  pid: boolean;
  ipc: boolean;
  uts: boolean;
  cgroup: boolean;
}

export const FULL_NAMESPACE: Namespace = { user: true, mount: true, net: true, pid: true, ipc: true, uts: true, cgroup: true };

/** A coeffect: what a build requires from its environment (§13). */
export type Coeffect =
  | { kind: 'pure' }
  | { kind: 'network' }
  | { kind: 'auth'; provider: string }
  | { kind: 'sandbox'; name: string }
  | { kind: 'filesystem'; path: string }
  | { kind: 'combined'; coeffects: Coeffect[] };

export interface NetworkAccess { url: string; method: string; contentHash: Sha256; timestamp: number }
export type AccessMode = 'read' | 'write' | 'execute';
export interface FilesystemAccess { path: string; mode: AccessMode; contentHash: Sha256 | null; timestamp: number }
export interface AuthUsage { provider: string; scope: string | null; timestamp: number }

export interface DischargeProof {
  coeffects: Coeffect[];
  networkAccess: NetworkAccess[];
  filesystemAccess: FilesystemAccess[];
  authUsage: AuthUsage[];
  buildId: string;
  derivationHash: Sha256;
  outputHashes: [string, Sha256][];
  startTime: number;
  endTime: number;
  /** hex public key and hex signature, when signed */
  signature: { publicKey: string; signature: string } | null;
}

/** Signed claim about an artifact (§1 Atom 6), with the action that made it. */
export interface Attestation {
  artifact: Sha256;
  actionKey: ActionKey;
  builder: string;
  timestamp: number;
  signature: string;
}

/** Graph node of the Artifact algebra (§17): a token's id and the ids it was combined from. */
export interface GraphNode {
  id: string;
  deps: string[];
}

/** `Artifact.combine` for GraphNode: flattened deps of the inputs, then their ids, first occurrence kept. */
export function combineNodes(id: string, nodes: readonly GraphNode[]): GraphNode {
  const seen = new Set<string>();
  const deps: string[] = [];
  const add = (d: string): void => {
    if (!seen.has(d)) {
      seen.add(d);
      deps.push(d);
    }
  };
  for (const n of nodes) n.deps.forEach(add);
  for (const n of nodes) add(n.id);
  return { id, deps };
}
