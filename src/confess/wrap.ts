// `continuity wrap -- <build command>`: runs any build (make, ninja, a script) with the shims first on
// PATH, the usual tool variables pointing at them and make's SHELL pointed at the recording shell, then
// turns the shim reports and the recorded recipe lines into graph.json and friends.
// Must stay true: a failed build writes no graph.json (its graph so far goes to graph.incomplete.json,
// marked complete: false) and its exit code is the build's.
import { join, resolve, basename, dirname, relative } from 'node:path';
import { readFile, writeFile, chmod, open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { spawn } from 'node:child_process';
import { UserError } from '../model/result.js';
import type { BuildSystemKind, GraphAttributes, SerializedGraph } from '../model/graph.js';
import type { Report } from '../model/report.js';
import { isDirectory, isFile, which, writeFileAtomic, assertOutDir } from '../util/fs.js';
import { generateShims, shimEnv, RECORDING_SHELL, REPORT_RELAY, type ShimSet } from '../shim/generate.js';
import { openReporting, spoolReporting, type ReportingEndpoint } from '../collector/session.js';
import { buildSerializedGraph, type CustomStep } from '../graph/build.js';
import { parseShellLog, makeCustomSteps, failedLines } from './make.js';
import { prepareOut, writeEvents, writeCompileCommands, writeGraphJson } from './outputs.js';
import { compileCommands, type CompileCommand } from '../emit/compdb.js';
import { toDot } from '../emit/dot.js';
import { languageOfExtension } from '../graph/language.js';
import { readMaterialized, type Materialized } from './materialize.js';

export type WrapMode = 'confess' | 'observe';

export interface WrapOptions {
  command: string[];
  /** where the build runs (default: the current directory) */
  cwd?: string;
  out: string;
  mode: WrapMode;
  jobs?: number | undefined;
  /** graph.json's `system` (default: make for make, wrap otherwise) */
  system?: BuildSystemKind;
  /** the source directory recorded in the graph (default: cwd) */
  srcdir?: string;
  /** the shell make's recipe lines really run in (default /bin/sh) */
  realShell?: string;
  /** shims already generated (by a configure step of the same run) */
  shims?: ShimSet;
  log: (line: string) => void;
  /** takes each report as it comes; without it no collector or relay runs, and the spool alone is read */
  onReport?: (r: Report) => void;
  /** build output, line by line, as it comes (default: only into logs/build.log) */
  onOutput?: (text: string) => void;
  /** confess mode: where the shims keep header scans (default: defaultScanCacheDir()); null: none */
  scanCache?: string | null;
}

export interface WrapSummary {
  out: string;
  graph: SerializedGraph;
  complete: boolean;
  exitCode: number;
  reports: number;
  actions: Record<string, number>;
  materialized: Materialized[];
  seconds: number;
  /** the file the graph went to: graph.json, or graph.incomplete.json for a failed build */
  graphFile: string;
  failure: string | null;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/confess/materialize-main.js; run from the sources (tests), the compiled copy in dist/.
const MATERIALIZE_MAIN = existsSync(resolve(here, 'materialize-main.js'))
  ? resolve(here, 'materialize-main.js')
  : resolve(here, '..', '..', 'dist', 'confess', 'materialize-main.js');

const MAKES = /^(g?make|gnumake|make-\d[\d.]*)$/;
const isMake = (cmd: string): boolean => MAKES.test(basename(cmd));
const isNinja = (cmd: string): boolean => /^(ninja|ninja-build|samu)$/.test(basename(cmd));

/** A make command-line variable definition as MAKEFLAGS carries it (blanks and backslashes escaped). */
function makeflagsWord(s: string): string {
  return s.replace(/([\\ \t])/g, '\\$1');
}

/** The environment of a wrapped build: shims first on PATH, tool variables, make's SHELL. */
export function wrapEnv(
  shims: ShimSet,
  mode: WrapMode,
  files: { spool: string; shellLog: string; materialize: string | null; matDir: string; matLog: string } & Partial<ReportingEndpoint>,
  realShell: string,
  scanCache?: string | null,
): Record<string, string> {
  const has = (n: string): boolean => shims.tools.some((t) => t.name === n);
  // Bare names: the shim dir is first on PATH, and recorded arguments never name the --out directory.
  const at = (n: string): string => n;
  const env: Record<string, string> = {
    ...shimEnv(shims, mode, {
      spool: files.spool,
      ...(files.endpoint !== undefined ? { endpoint: files.endpoint } : {}),
      ...(files.secret !== undefined ? { secret: files.secret } : {}),
      ...(files.relay !== undefined ? { relay: files.relay } : {}),
      ...(scanCache !== undefined ? { scanCache } : {}),
    }),
    CONTINUITY_SH_SPOOL: files.shellLog,
    CONTINUITY_REAL_SHELL: realShell,
  };
  const vars: [string, string, string][] = [
    ['CC', 'cc', ''], ['CXX', 'c++', ''], ['CPP', 'cc', ' -E'], ['LD', 'ld', ''], ['AR', 'ar', ''],
    ['RANLIB', 'ranlib', ''], ['NVCC', 'nvcc', ''], ['CUDACXX', 'nvcc', ''],
  ];
  for (const [v, tool, extra] of vars) if (has(tool)) env[v] = at(tool) + extra;
  const prior = process.env['MAKEFLAGS'] ?? '';
  env['MAKEFLAGS'] = `${prior ? prior + ' ' : ''}${makeflagsWord(`SHELL=${join(shims.dir, RECORDING_SHELL)}`)}`;
  if (mode === 'confess' && files.materialize) {
    env['CONTINUITY_MATERIALIZE'] = files.materialize;
    env['CONTINUITY_MAT_DIR'] = files.matDir;
    env['CONTINUITY_MAT_LOG'] = files.matLog;
  }
  return env;
}

/**
 * compile_commands.json of a wrapped build: the compile actions, plus the sources that a link call
 * compiled itself (`cc -shared x.c -o libx.so`), which the compilation database lists too.
 */
export function wrapCompileCommands(graph: SerializedGraph): CompileCommand[] {
  const entries = compileCommands(graph);
  for (const n of graph.nodes) {
    const a = n.attributes;
    if (a.type !== 'action' || a.category !== 'link') continue;
    const output = a.outputs[0] ?? '';
    for (const file of a.inputs) {
      if (languageOfExtension(file) === null) continue;
      const r = relative(a.cwd, output);
      entries.push({ directory: a.cwd, arguments: [a.real, ...a.args.slice(1)], file, output: r.startsWith('..') ? output : r });
    }
  }
  return entries.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.output < y.output ? -1 : 1));
}

/** compile_commands.json, graph.dot, then graph.json last (its presence means the rest is complete). */
async function writeWrapOutputs(out: string, graph: SerializedGraph): Promise<void> {
  await writeCompileCommands(join(out, 'compile_commands.json'), wrapCompileCommands(graph));
  await writeFileAtomic(join(out, 'graph.dot'), toDot(graph));
  await writeGraphJson(join(out, 'graph.json'), graph);
}

/** `-C dir` of a ninja command (the directory its .ninja_log is in). */
function ninjaDir(args: readonly string[], cwd: string): string {
  let dir = cwd;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-C' && i + 1 < args.length) dir = resolve(dir, args[++i] as string);
    else if (a.startsWith('-C') && a.length > 2) dir = resolve(dir, a.slice(2));
  }
  return dir;
}

interface BuildEnd {
  /** null when the build could not start or ended by a signal */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  failed: boolean;
}

/**
 * Runs the build with its stdout and stderr both going straight into `log` (one file, in the order they
 * were written), so the build's output never passes through this process unless `onOutput` wants it.
 */
async function runBuild(
  exe: string, args: readonly string[], cwd: string, env: Record<string, string>, log: string, onOutput?: (text: string) => void,
): Promise<BuildEnd> {
  const file = await open(log, 'w');
  let written: Promise<unknown> = Promise.resolve();
  const write = (d: Buffer | string): void => {
    const bytes = typeof d === 'string' ? Buffer.from(d) : d;
    written = written.then(() => file.write(bytes));
  };
  try {
    const child = spawn(exe, args, {
      cwd, env: { ...process.env, ...env },
      stdio: ['ignore', onOutput ? 'pipe' : file.fd, onOutput ? 'pipe' : file.fd],
    });
    if (onOutput) {
      const take = (d: Buffer): void => {
        write(d);
        onOutput(d.toString());
      };
      child.stdout?.on('data', take);
      child.stderr?.on('data', take);
    }
    return await new Promise<BuildEnd>((done) => {
      child.once('error', (e) => {
        write(`${exe}: ${e.message}\n`);
        done({ exitCode: null, signal: null, failed: true });
      });
      child.once('close', (code, signal) => done({ exitCode: code, signal, failed: code !== 0 }));
    });
  } finally {
    await written.catch(() => undefined);
    await file.close();
  }
}

function lastError(text: string, fallback: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const hit = [...lines].reverse().find((l) => /error|Error|FAILED|not found|No such file/.test(l));
  return hit ?? lines.at(-1) ?? fallback;
}

export async function runWrap(opts: WrapOptions): Promise<WrapSummary> {
  const t0 = Date.now();
  if (opts.command.length === 0) throw new UserError('no build command given (usage: continuity wrap -- <command...>)');
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (!(await isDirectory(cwd))) throw new UserError(`${cwd}: no such directory`);
  const out = resolve(cwd, opts.out);
  await assertOutDir(out, '--out');
  const [cmd0, ...rest] = opts.command as [string, ...string[]];
  const exe = cmd0.includes('/') ? resolve(cwd, cmd0) : await which(cmd0);
  if (exe === null || !(await isFile(exe))) throw new UserError(`${cmd0}: command not found`);

  const shimdir = join(out, 'shims');
  const logs = join(out, 'logs');
  const spool = join(out, 'spool.jsonl');
  const shellLog = join(out, 'shell.jsonl');
  const matDir = join(out, 'materialized');
  const matLog = join(out, 'materialized.jsonl');
  await prepareOut(out, { remove: [spool, shellLog, matLog, join(out, 'graph.incomplete.json'), matDir], fresh: [logs] });

  const shims = opts.shims ?? (opts.log('generating shims'), await generateShims({ dir: shimdir }));
  const materialize = join(shims.dir, 'continuity-materialize');
  await writeFile(materialize, `#!/bin/sh\nexec '${process.execPath}' '${MATERIALIZE_MAIN}' "$@"\n`);
  await chmod(materialize, 0o755);

  const args = [...rest];
  const jobs = opts.jobs;
  if (isMake(cmd0) && jobs !== undefined) args.unshift(`-j${jobs}`);
  if (isNinja(cmd0)) args.unshift('-j', String(jobs ?? cpus().length));

  // The collector and the relay run only for someone who takes the reports as they come (--live, a
  // progress line); otherwise the shims only append to the spool, which is read once the build is over.
  const live = opts.onReport ? await openReporting({ relayBinary: join(shims.dir, REPORT_RELAY), onReport: opts.onReport, log: opts.log }) : null;
  const reporting = live ?? spoolReporting();
  try {
    const env = wrapEnv(
      shims, opts.mode,
      { spool, shellLog, ...(live?.endpoint ?? {}), materialize, matDir, matLog },
      opts.realShell ?? '/bin/sh',
      opts.scanCache,
    );
    opts.log(`building in ${opts.mode} mode: ${opts.command.join(' ')}`);
    const buildLog = join(logs, 'build.log');
    const build = await runBuild(exe, args, cwd, env, buildLog, opts.onOutput);
    const { reports, malformed } = await reporting.finish(spool);
    await writeEvents(out, reports);
    if (malformed.length > 0) {
      throw new UserError(`malformed shim report (${malformed.length} in all): ${malformed[0]}`);
    }
    let shellText = '';
    try {
      shellText = await readFile(shellLog, 'utf8');
    } catch {
      // not a make build, or no recipe lines
    }
    const shell = parseShellLog(shellText);
    const materialized = await readMaterialized(matLog);

    const covered = new Set(reports.flatMap((r) => [...r.outputs.map((o) => o.path), ...(r.depfile ? [r.depfile] : [])]));
    const customs: CustomStep[] = makeCustomSteps(shell.records, covered);
    const builddir = isNinja(cmd0) ? ninjaDir(args, cwd) : cwd;
    if (isNinja(cmd0)) customs.push(...(await (await import('./ninja.js')).ninjaCustomSteps(builddir, covered)));

    const exitCode = build.exitCode ?? (build.signal ? 128 : 1);
    const errors: string[] = [];
    let failure: string | null = null;
    if (build.failed) {
      const failed = failedLines(shell.records).at(-1);
      const why = lastError(await readFile(buildLog, 'utf8').catch(() => ''), `exit code ${exitCode}`);
      failure = `the build failed (exit ${exitCode})${failed ? ` at \`${failed.line}\` in ${failed.cwd}` : ''}: ${why}`;
      errors.push(failure);
    }
    for (const m of shell.malformed) errors.push(`malformed shell record: ${m}`);

    const attributes: GraphAttributes = {
      version: 1, complete: errors.length === 0, system: opts.system ?? (isMake(cmd0) ? 'make' : 'wrap'),
      mode: opts.mode, srcdir: resolve(opts.srcdir ?? cwd), builddir, created: new Date().toISOString(), errors,
    };
    const { graph: serialized, warnings } = buildSerializedGraph(reports, customs, attributes);
    if (warnings.length) serialized.attributes.warnings = warnings;
    if (materialized.length) (serialized.attributes as unknown as Record<string, unknown>)['materialized'] = materialized;
    if (warnings.includes('the graph has a cycle')) {
      serialized.attributes.complete = false;
      serialized.attributes.errors = [...errors, 'the graph has a cycle'];
    }
    const complete = serialized.attributes.complete;
    let graphFile: string;
    if (complete) {
      await writeWrapOutputs(out, serialized);
      graphFile = join(out, 'graph.json');
    } else {
      graphFile = join(out, 'graph.incomplete.json');
      await writeGraphJson(graphFile, serialized);
    }
    const actions: Record<string, number> = {};
    for (const n of serialized.nodes) {
      if (n.attributes.type === 'action') actions[n.attributes.category] = (actions[n.attributes.category] ?? 0) + 1;
    }
    return {
      out, graph: serialized, complete, exitCode, reports: reports.length, actions, materialized,
      seconds: (Date.now() - t0) / 1000, graphFile, failure: failure ?? (complete ? null : (errors[0] ?? 'incomplete')),
    };
  } finally {
    await live?.abort();
  }
}
