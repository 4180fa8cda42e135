// A rig for the shim tests: one generated shim set per test file, temporary work trees, and a runner
// that calls tools through the shims with a chosen CONTINUITY_MODE.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { generateShims, type ShimSet } from '../../src/shim/generate.js';
import { parseReport, type Report } from '../../src/model/report.js';

export const REAL_PATH = (process.env['PATH'] ?? '/usr/bin:/bin')
  .split(':')
  .filter((d) => !d.includes('continuity'))
  .join(':');

export async function tempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `continuity-${prefix}-`));
}

export async function makeShims(): Promise<ShimSet> {
  const dir = await tempDir('shims');
  return generateShims({ dir: path.join(dir, 'shims'), env: { ...process.env, PATH: REAL_PATH } });
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  signal: string | undefined;
}

export type Mode = 'passthrough' | 'confess' | 'observe' | null;

/** Runs `cmd args` in `cwd` with the shim dir first on PATH. */
export async function run(
  set: ShimSet,
  cwd: string,
  mode: Mode,
  cmd: string,
  args: string[],
  extraEnv: Record<string, string | undefined> = {},
): Promise<RunResult> {
  const env: Record<string, string | undefined> = {
    PATH: `${set.dir}:${REAL_PATH}`,
    CONTINUITY_MODE: mode ?? undefined,
    CONTINUITY_SPOOL: path.join(cwd, 'spool.jsonl'),
    CONTINUITY_ENDPOINT: undefined,
    CONTINUITY_SECRET: undefined,
    ...extraEnv,
  };
  const r = await execa(cmd, args, { cwd, env, extendEnv: true, reject: false, stripFinalNewline: false });
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout),
    stderr: String(r.stderr),
    signal: r.signal,
  };
}

/** Runs a tool directly (no shims on PATH, no continuity variables). */
export async function runReal(cwd: string, cmd: string, args: string[]): Promise<RunResult> {
  const env = { PATH: REAL_PATH, CONTINUITY_MODE: undefined, CONTINUITY_SPOOL: undefined };
  const r = await execa(cmd, args, { cwd, env, extendEnv: true, reject: false, stripFinalNewline: false });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), signal: r.signal };
}

/** Every line of a spool, each checked by parseReport. */
export async function readSpool(file: string): Promise<Report[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const out: Report[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const r = parseReport(line);
    if (!r.ok) throw new Error(`spool line rejected by parseReport (${r.error}): ${line}`);
    out.push(r.value);
  }
  return out;
}

export interface Token {
  id: string;
  kind: string;
  deps: string[];
}

const TOKEN_RE = /^#!\/bin\/sh\n# continuity-token v1 id=([0-9a-f]{16}) kind=([a-z]+)\n# deps=([0-9a-f,]*)\n/;

/** The token in a file, or null when the file is not a token. */
export async function readToken(file: string): Promise<Token | null> {
  const text = await fs.readFile(file, 'latin1');
  const m = TOKEN_RE.exec(text);
  if (m === null) return null;
  return { id: m[1]!, kind: m[2]!, deps: m[3] === '' ? [] : m[3]!.split(',') };
}

export async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(root, rel);
    await fs.mkdir(path.dirname(p), { recursive: true });
    await fs.writeFile(p, content);
  }
}

export async function isElf(file: string): Promise<boolean> {
  const fd = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fd.read(buf, 0, 4, 0);
    return buf.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    await fd.close();
  }
}
