// Runs builds in-process against the compiled modules' sources (vitest transpiles src/ directly).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { loadJsonInput } from '../../src/lower/load.js';
import { Store } from '../../src/execute/store.js';
import { buildActions, type BuildSummary } from '../../src/execute/build.js';
import { detectSandbox, type SandboxKind } from '../../src/execute/sandbox.js';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const CLI = join(REPO, 'bin', 'continuity.js');

export const tmp = (name: string): string => mkdtempSync(join(tmpdir(), `continuity-${name}-`));

export function sandboxKind(prefer?: SandboxKind): SandboxKind {
  const r = detectSandbox(false, prefer);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export async function build(input: string, storeDir: string, out: string, opts: { sandbox?: SandboxKind; jobs?: number } = {}): Promise<BuildSummary> {
  const actions = await loadJsonInput(input);
  const store = await Store.open(storeDir);
  if (!store.ok) throw new Error(store.error);
  const r = await buildActions(actions, { out, store: store.value, sandbox: opts.sandbox ?? sandboxKind(), jobs: opts.jobs ?? 2 });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

/** Compiles src/ to dist/ once per test file that drives the real CLI (others' type errors do not stop emit). */
export function compileCli(): void {
  spawnSync('npx', ['tsc', '-p', REPO], { cwd: REPO, stdio: 'ignore' });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
