// What `continuity build` hands to attestation: every output with its hash and the action that made it,
// and the evidence for the build's coeffects. Written as <out>/.continuity/build-record.json.
import type { Sha256, ActionKey } from './hash.js';
import type { Coeffect } from './seed.js';

export interface BuildRecordOutput {
  /** path relative to the build's --out directory */
  path: string;
  sha256: Sha256;
  actionKey: ActionKey;
}

export interface BuildRecordInput {
  /** path as the action saw it (relative to the source or build tree, or absolute for toolchain files) */
  path: string;
  sha256: Sha256;
}

export interface BuildRecordAction {
  key: ActionKey;
  category: string;
  identifier: string;
  cached: boolean;
  inputs: BuildRecordInput[];
  /** declared needs beyond pure: network, auth, ... (empty for a pure action) */
  coeffects: Coeffect[];
}

export interface BuildRecord {
  version: 1;
  buildId: string;
  /** sha256 over the sorted action keys of the build */
  derivationHash: Sha256;
  startTime: number;
  endTime: number;
  outputs: BuildRecordOutput[];
  actions: BuildRecordAction[];
  /** host paths mounted read-only into every sandbox (the toolchain closure) */
  toolchainPaths: string[];
  /** the confession's coeffects.json, when the build came from a confession */
  coeffectsFile: string | null;
}
