// actions.json: the lowered graph. Every action is the model's Action (§4) plus what the executor needs
// to run it at fixed paths: typed inputs (a source's hash, or the producing action and output name),
// its typed toolchain and the host paths of that toolchain's closure.
import type { Action, Toolchain } from '../model/seed.js';
import type { ActionKey, Sha256 } from '../model/hash.js';
import type { OtherValue } from './triple.js';

export type ActionKind =
  | 'compile-c' | 'compile-c++' | 'compile-cuda' | 'compile-asm'
  | 'archive' | 'link-executable' | 'link-shared' | 'custom';

export const ACTION_KINDS: readonly ActionKind[] = [
  'compile-c', 'compile-c++', 'compile-cuda', 'compile-asm', 'archive', 'link-executable', 'link-shared', 'custom',
];

export type LoweredInput =
  /** a file read from the host: source, header or fake package file (`fake`: made up while confessing) */
  | { kind: 'source'; path: string; host: string; sha256: Sha256; fake?: true }
  /** an output of another action, known by that action's key before anything is built */
  | { kind: 'generated'; path: string; producer: string; output: string };

export interface LoweredOutput {
  /** relative to the build tree (absolute when the tool writes outside it) */
  name: string;
  /** where the action writes it, under /continuity */
  path: string;
}

export interface LoweredToolchain extends Toolchain {
  /** the tool as the build invoked it (absolute host path) */
  tool: string;
  version: string | null;
  /** values the model has no case for, kept verbatim */
  hostOther: OtherValue[];
  targetOther: OtherValue[];
}

export interface LoweredAction {
  /** the graph's node key (`action:<n>`) */
  id: string;
  key: ActionKey;
  kind: ActionKind;
  action: Action;
  cwd: string;
  toolchain: LoweredToolchain;
  /** host paths mounted read-only (§7 toolchain closure) */
  closure: string[];
  inputs: LoweredInput[];
  outputs: LoweredOutput[];
  /** the command the key sees: coset noise (warnings, diagnostics, depfiles) removed */
  keyCommand: string[];
  includeDirs: { dir: string; system: boolean }[];
  defines: { name: string; value: string | null }[];
  undefines: string[];
  other: { kind: 'other'; cls: string; args: string[] }[];
  ignored: string[];
}

export interface ActionsFile {
  version: 1;
  kind: 'continuity-actions';
  srcdir: string;
  builddir: string;
  /** the confession's coeffects.json when one sits beside graph.json */
  coeffectsFile: string | null;
  actions: LoweredAction[];
}
