// Action keys (§4 Action.key, §6 coset cache key): sha256 over a canonical encoding of the action's
// input hashes, key command, environment and toolchain. A generated input is addressed by its
// producer's key and output name, so every key is known before anything runs.
import { DirectedGraph } from 'graphology';
import { hasCycle, topologicalSort } from 'graphology-dag';
import { type ActionKey, type Sha256, actionKeyOf, sha256Hex } from '../model/hash.js';
import type { StorePath } from '../model/seed.js';
import { type Result, ok, err } from '../model/result.js';
import type { LoweredAction, LoweredInput } from './actions.js';
import { canonicalJson } from './canonical.js';

/** The address of a not-yet-built output: the hash of its producer's key and its name. */
export const outputAddress = (producer: ActionKey, output: string): Sha256 => sha256Hex(`${producer}\0${output}`);

/** Actions as a graphology DAG: producer → consumer. */
export function actionGraph(actions: readonly LoweredAction[]): Result<DirectedGraph, string> {
  const g = new DirectedGraph();
  for (const a of actions) g.addNode(a.id);
  for (const a of actions) {
    for (const i of a.inputs) {
      if (i.kind !== 'generated') continue;
      if (!g.hasNode(i.producer)) return err(`action ${a.id} reads ${i.path} from ${i.producer}, which is not in the graph`);
      if (i.producer === a.id) return err(`action ${a.id} reads its own output ${i.path} (a cycle)`);
      g.mergeEdge(i.producer, a.id);
    }
  }
  if (hasCycle(g)) return err('the actions form a cycle');
  return ok(g);
}

/** What an action's key is the hash of, before encoding (inputs as store paths, sorted by name). */
export function keyObject(a: LoweredAction, inputs: readonly StorePath[]): Record<string, unknown> {
  const tc = a.toolchain;
  return {
    v: 1,
    kind: a.kind,
    cwd: a.cwd,
    command: a.keyCommand,
    env: [...a.action.env].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)),
    inputs: [...inputs].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    outputs: a.outputs.map((o) => [o.name, o.path]).sort(),
    toolchain: { compiler: tc.compiler.hash, version: tc.version, host: tc.host, target: tc.target, hostOther: tc.hostOther, targetOther: tc.targetOther, sysroot: tc.sysroot?.hash ?? null },
  };
}

/**
 * canonicalJson(keyObject(a, inputs)), with each input's encoding taken from `pieces` once made: at
 * 10,000 compiles the same few thousand headers recur in almost every key, two million times in all.
 */
export function keyText(a: LoweredAction, inputs: readonly StorePath[], pieces: Map<string, string>): string {
  const o = keyObject(a, inputs);
  const sorted = o['inputs'] as StorePath[];
  let text = '[';
  for (let n = 0; n < sorted.length; n++) {
    const i = sorted[n] as StorePath;
    const id = `${i.hash}${i.name}`;
    let piece = pieces.get(id);
    if (piece === undefined) {
      piece = canonicalJson(i);
      pieces.set(id, piece);
    }
    text += n === 0 ? piece : `,${piece}`;
  }
  text += ']';
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${k === 'inputs' ? text : canonicalJson(o[k])}`).join(',')}}`;
}

function keyOne(a: LoweredAction, keys: ReadonlyMap<string, ActionKey>, pieces: Map<string, string>, paths: Map<LoweredInput, StorePath>): { key: ActionKey; inputs: StorePath[] } {
  const inputs: StorePath[] = a.inputs.map((i) => {
    // inputs shared by many actions get one store path (their producer's key is fixed once computed)
    let sp = paths.get(i);
    if (sp) return sp;
    if (i.kind === 'source') sp = { hash: i.sha256, name: i.path };
    else {
      const pk = keys.get(i.producer);
      if (!pk) throw new Error(`key of ${i.producer} not computed before ${a.id}`);
      sp = { hash: outputAddress(pk, i.output), name: i.path };
    }
    paths.set(i, sp);
    return sp;
  });
  return { key: actionKeyOf(keyText(a, inputs, pieces)), inputs };
}

/** Computes every action's key in dependency order (and the model Action's input store paths). */
export function computeKeys(actions: LoweredAction[]): Result<LoweredAction[], string> {
  const g = actionGraph(actions);
  if (!g.ok) return g;
  const byId = new Map(actions.map((a) => [a.id, a]));
  const keys = new Map<string, ActionKey>();
  const out = new Map<string, LoweredAction>();
  const pieces = new Map<string, string>();
  const paths = new Map<LoweredInput, StorePath>();
  for (const id of topologicalSort(g.value)) {
    const a = byId.get(id) as LoweredAction;
    const { key, inputs } = keyOne(a, keys, pieces, paths);
    keys.set(id, key);
    out.set(id, { ...a, key, action: { ...a.action, inputs } });
  }
  return ok(actions.map((a) => out.get(a.id) as LoweredAction));
}
