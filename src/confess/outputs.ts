// Writes a confession's files into --out. graph.json goes last: its presence means the rest is complete.
// The large ones (events.jsonl, graph.json, compile_commands.json) are written a piece at a time.
import { join } from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import { writeChunksAtomic, writeFileAtomic } from '../util/fs.js';
import { jsonChunks, prettyArrayChunks } from '../util/json-chunks.js';
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
  await writeChunksAtomic(join(out, 'events.jsonl'), (function* () {
    for (const r of reports) yield `${JSON.stringify(r)}\n`;
  })());
}

/** graph.json's text (JSON.stringify(graph) and a newline), a node and an edge at a time. */
export async function writeGraphJson(file: string, graph: SerializedGraph): Promise<void> {
  // Millions of edges name a few thousand nodes: each node key is quoted once.
  const quoted = new Map<string, string>();
  const q = (s: string): string => {
    let t = quoted.get(s);
    if (t === undefined) {
      t = JSON.stringify(s);
      quoted.set(s, t);
    }
    return t;
  };
  const edge = (x: unknown): string => {
    const e = x as { source: string; target: string };
    const keys = Object.keys(e);
    if (keys.length !== 2 || keys[0] !== 'source' || keys[1] !== 'target') return JSON.stringify(e);
    return `{"source":${q(e.source)},"target":${q(e.target)}}`;
  };
  await writeChunksAtomic(file, (function* () {
    yield* jsonChunks(graph, { edges: edge });
    yield '\n';
  })());
}

/** compile_commands.json: JSON.stringify(entries, null, 2) and a newline, an entry at a time. */
export async function writeCompileCommands(file: string, entries: readonly unknown[]): Promise<void> {
  await writeChunksAtomic(file, (function* () {
    yield* prettyArrayChunks(entries);
    yield '\n';
  })());
}

export async function writeConfession(out: string, graph: SerializedGraph, coeffects: CoeffectsFile | null): Promise<void> {
  await writeCompileCommands(join(out, 'compile_commands.json'), compileCommands(graph));
  await writeFileAtomic(join(out, 'graph.dot'), toDot(graph));
  if (coeffects) await writeFileAtomic(join(out, 'coeffects.json'), JSON.stringify(coeffects, null, 2) + '\n');
  await writeGraphJson(join(out, 'graph.json'), graph);
}
