// Writes a confession's files into --out. graph.json goes last: its presence means the rest is complete.
import { join } from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../util/fs.js';
import type { Report } from '../model/report.js';
import type { SerializedGraph } from '../model/graph.js';
import type { CoeffectsFile } from '../model/coeffects.js';
import { compileCommands } from '../emit/compdb.js';
import { toDot } from '../emit/dot.js';

export const OUTPUT_FILES = ['graph.json', 'compile_commands.json', 'graph.dot', 'coeffects.json', 'events.jsonl'] as const;

/** Removes a previous run's outputs so that a failed run leaves nothing that looks complete. */
export async function clearOutputs(out: string): Promise<void> {
  for (const f of OUTPUT_FILES) await rm(join(out, f), { force: true });
}

/**
 * Readies --out for a new run: a previous run's outputs are cleared, `remove` (files or directories of
 * the run's own) deleted, and `fresh` directories made (empty when also in `remove`).
 */
export async function prepareOut(out: string, layout: { remove: readonly string[]; fresh: readonly string[] }): Promise<void> {
  await mkdir(out, { recursive: true });
  await clearOutputs(out);
  for (const p of layout.remove) await rm(p, { recursive: true, force: true });
  for (const d of layout.fresh) await mkdir(d, { recursive: true });
}

export async function writeEvents(out: string, reports: readonly Report[]): Promise<void> {
  await writeFileAtomic(join(out, 'events.jsonl'), reports.map((r) => JSON.stringify(r)).join('\n') + (reports.length ? '\n' : ''));
}

export async function writeConfession(out: string, graph: SerializedGraph, coeffects: CoeffectsFile | null): Promise<void> {
  await writeFileAtomic(join(out, 'compile_commands.json'), JSON.stringify(compileCommands(graph), null, 2) + '\n');
  await writeFileAtomic(join(out, 'graph.dot'), toDot(graph));
  if (coeffects) await writeFileAtomic(join(out, 'coeffects.json'), JSON.stringify(coeffects, null, 2) + '\n');
  await writeFileAtomic(join(out, 'graph.json'), JSON.stringify(graph) + '\n');
}
