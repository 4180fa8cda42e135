// What a Ninja build ran that no shim saw: read from ninja's own records in the build tree.
// .ninja_log says which edges ran (outputs grouped by start, end and command hash); `ninja -t query` gives
// each edge's rule and its explicit and implicit inputs (order-only ones are not data); `ninja -t compdb`
// with those rules each edge's command.
import { readFile } from 'node:fs/promises';
import { join, resolve, normalize } from 'node:path';
import { run } from '../util/run.js';
import type { CustomStep } from '../graph/build.js';

interface LogEdge {
  outputs: string[];
}

/** Edges recorded in .ninja_log (v5/v6): each line `start end mtime output cmdhash`. The last entry wins. */
export function parseNinjaLog(text: string): LogEdge[] {
  const latest = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length < 5) continue;
    const [start, end, , output, hash] = f as [string, string, string, string, string];
    latest.set(output, `${start}\t${end}\t${hash}`);
  }
  const byEdge = new Map<string, string[]>();
  for (const [output, edge] of latest) {
    const list = byEdge.get(edge);
    if (list) list.push(output);
    else byEdge.set(edge, [output]);
  }
  return [...byEdge.values()].map((outputs) => ({ outputs }));
}

/** Parses `ninja -t query` output into target → {rule, inputs (explicit + implicit)}. */
export function parseNinjaQuery(text: string): Map<string, { rule: string; inputs: string[] }> {
  const result = new Map<string, { rule: string; inputs: string[] }>();
  let current: { rule: string; inputs: string[] } | null = null;
  let section: 'input' | 'outputs' | null = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith(' ')) {
      current = { rule: '', inputs: [] };
      result.set(line.replace(/:$/, ''), current);
      section = null;
      continue;
    }
    const t = line.trim();
    if (t.startsWith('input:')) {
      section = 'input';
      if (current) current.rule = t.slice('input:'.length).trim();
    } else if (t === 'outputs:') {
      section = 'outputs';
    } else if (section === 'input' && current) {
      if (t.startsWith('|| ')) continue; // order-only: not an input of the step's data
      current.inputs.push(t.startsWith('| ') ? t.slice(2) : t);
    }
  }
  return result;
}

export async function ninjaCustomSteps(builddir: string, covered: ReadonlySet<string>): Promise<CustomStep[]> {
  let log: string;
  try {
    log = await readFile(join(builddir, '.ninja_log'), 'utf8');
  } catch {
    return [];
  }
  const abs = (p: string): string => normalize(resolve(builddir, p));
  const edges = parseNinjaLog(log)
    .map((e) => ({ outputs: [...new Set(e.outputs.map(abs))], raw: e.outputs }))
    .filter((e) => !e.outputs.some((o) => covered.has(o)));
  if (edges.length === 0) return [];

  const firsts = edges.map((e) => e.raw[0] as string);
  const q = await run('ninja', ['-C', builddir, '-t', 'query', ...firsts]);
  const queried = parseNinjaQuery(q.stdout);
  // The commands of those edges' rules only: a large build's whole compilation database is most of the work.
  const rules = [...new Set(firsts.map((f) => queried.get(f)?.rule ?? 'phony'))].filter((r) => r !== 'phony' && r !== '');
  if (rules.length === 0) return [];
  const compdb = await run('ninja', ['-C', builddir, '-t', 'compdb', ...rules]);
  const commands = new Map<string, { directory: string; command: string }>();
  if (compdb.exitCode === 0) {
    for (const e of JSON.parse(compdb.stdout) as { directory: string; command: string; output?: string }[]) {
      if (e.output && e.command) commands.set(abs(e.output), { directory: e.directory, command: e.command });
    }
  }

  const steps: CustomStep[] = [];
  for (const e of edges) {
    const first = e.raw[0] as string;
    const info = queried.get(first);
    if (!info || info.rule === 'phony') continue;
    const cmd = e.outputs.map((o) => commands.get(o)).find((c) => c !== undefined);
    if (!cmd) continue;
    steps.push({
      command: cmd.command,
      cwd: cmd.directory,
      inputs: [...new Set(info.inputs.map(abs))],
      outputs: e.outputs,
      rule: info.rule,
    });
  }
  return steps;
}
