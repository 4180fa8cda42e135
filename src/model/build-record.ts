// What `continuity build` hands to attestation: every output with its hash and the action that made it,
// and the evidence for the build's coeffects. Written as <out>/.continuity/build-record.json.
// Version 2: every file read is listed once, in `inputs`, and actions name theirs by index (a large build
// reads the same headers in thousands of actions).
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
  /** what the action read: indices into the record's `inputs` */
  inputs: number[];
  /** declared needs beyond pure: network, auth, ... (empty for a pure action) */
  coeffects: Coeffect[];
}

export interface BuildRecord {
  version: 2;
  buildId: string;
  /** sha256 over the sorted action keys of the build */
  derivationHash: Sha256;
  startTime: number;
  endTime: number;
  outputs: BuildRecordOutput[];
  /** every file an action read, once each */
  inputs: BuildRecordInput[];
  actions: BuildRecordAction[];
  /** host paths mounted read-only into every sandbox (the toolchain closure) */
  toolchainPaths: string[];
  /** the confession's coeffects.json, when the build came from a confession */
  coeffectsFile: string | null;
}
