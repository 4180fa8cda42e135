// graph.json (or actions.json) → its actions, kept in <store>/lowered/ so that a graph is neither validated
// nor lowered again while nothing lowering read has changed: the file itself (its stamp), Continuity's code,
// each tool (where its path resolves, and that binary's stamp) and each path lowering looked at. Sources
// are not among them: the build rehashes them and recomputes keys when one changed.
// In: the input's path and the cache directory; out: the actions and the witnesses they rest on (null when
// something was too new to vouch for, and then nothing is kept). A damaged or stale entry is a miss.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../model/hash.js';
import { codeIdentity } from '../util/code-identity.js';
import { writeFileAtomic } from '../util/fs.js';
import { type Witness, allHold, isWitness, stampWitness, toolWitnesses } from '../util/witness.js';
import type { ActionsFile } from './actions.js';
import { decodeActions, encodeActions } from './compact.js';
import { loadJsonInput } from './load.js';
import { type LowerDeps, checkActionsFile } from './lower.js';

const FORMAT = 2;

interface EntryHeader {
  format: number;
  input: string;
  code: string;
  witnesses: Witness[];
}

export interface LoadedActions {
  actions: ActionsFile;
  /** what the actions rest on besides the sources; null when it could not be vouched for */
  witnesses: Witness[] | null;
  /** whether they came from the cache */
  cached: boolean;
}

const entryPath = (cacheDir: string, input: string): string => join(cacheDir, `${sha256Hex(input)}.json`);

async function readEntry(file: string, input: string): Promise<LoadedActions | null> {
  try {
    const text = await readFile(file, 'utf8');
    const nl = text.indexOf('\n');
    const h = JSON.parse(text.slice(0, nl)) as Partial<EntryHeader>;
    if (h.format !== FORMAT || h.input !== input || h.code !== codeIdentity()) return null;
    if (!Array.isArray(h.witnesses) || !h.witnesses.every(isWitness) || !allHold(h.witnesses)) return null;
    const actions = checkActionsFile(decodeActions(text.slice(nl + 1)));
    return actions.ok ? { actions: actions.value, witnesses: h.witnesses, cached: true } : null;
  } catch {
    return null;
  }
}

function witnessesOf(input: string, before: Witness | null, deps: LowerDeps): Witness[] | null {
  const after = stampWitness(input);
  if (!before || !after || before.kind !== 'stamp' || after.kind !== 'stamp' || before.stamp !== after.stamp) return null;
  const ws: Witness[] = [before];
  for (const tool of [...deps.tools].sort()) {
    const t = toolWitnesses(tool);
    if (!t) return null;
    ws.push(...t);
  }
  for (const [path, type] of [...deps.paths].sort((x, y) => (x[0] < y[0] ? -1 : 1))) ws.push({ kind: 'is', path, type });
  return ws;
}

/** The input's actions: from the cache when its entry still holds, else loaded (lowered) and kept. */
export async function loadActionsCached(input: string, cacheDir: string): Promise<LoadedActions> {
  const file = entryPath(cacheDir, input);
  const hit = await readEntry(file, input);
  if (hit) return hit;
  const before = stampWitness(input);
  const deps: LowerDeps = { tools: new Set(), paths: new Map() };
  const actions = await loadJsonInput(input, deps);
  const witnesses = witnessesOf(input, before, deps);
  if (witnesses) {
    const header: EntryHeader = { format: FORMAT, input, code: codeIdentity(), witnesses };
    await mkdir(cacheDir, { recursive: true })
      .then(() => writeFileAtomic(file, `${JSON.stringify(header)}\n${encodeActions(actions)}`, 0o644, { sync: false }))
      .catch(() => undefined); // a cache that cannot be written costs the next build a lowering, nothing more
  }
  return { actions, witnesses, cached: false };
}
