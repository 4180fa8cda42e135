// Builds that run what they built: when a confess-mode build runs a token executable (a code generator,
// a test data maker), the token calls us. We find the calls that made it in the spool (its recorded
// closure: compiles, archives, links), really run them with every output redirected into a private
// directory (the build tree keeps its tokens), and run the result in the token's place.
// In: the token's path and arguments, CONTINUITY_SPOOL, CONTINUITY_MAT_DIR, CONTINUITY_MAT_LOG.
// Out: the program's own exit code; one line per materialization in the log.
import { appendFile, mkdir, readFile, rename, rm, symlink, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseReport, type Report } from '../model/report.js';

/** One materialization, as recorded in materialized.jsonl and in graph.json's `materialized` attribute. */
export interface Materialized {
  /** the token executable that was run */
  path: string;
  token: string;
  /** where its real build went */
  binary: string;
  /** the recorded calls that were really run, in order */
  rids: string[];
  /** the command line that ran it */
  argv: string[];
  cwd: string;
}

export async function readMaterialized(file: string): Promise<Materialized[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const seen = new Set<string>();
  const out: Materialized[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const m = JSON.parse(line) as Materialized;
      const key = `${m.token} ${m.argv.join('\0')} ${m.cwd}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(m);
    } catch {
      // a torn line: the run that wrote it was killed
    }
  }
  return out;
}

const TOKEN_RE = /^#!\/bin\/sh\n# continuity-token v1 id=([0-9a-f]{16}) kind=([a-z]+)\n/;

async function tokenOf(path: string): Promise<{ id: string; kind: string } | null> {
  try {
    const m = TOKEN_RE.exec((await readFile(path, 'latin1')).slice(0, 256));
    return m ? { id: m[1] as string, kind: m[2] as string } : null;
  } catch {
    return null;
  }
}

function reportsOf(spool: string): Report[] {
  const out: Report[] = [];
  for (const line of spool.split('\n')) {
    if (line.trim() === '') continue;
    const r = parseReport(line);
    if (r.ok) out.push(r.value);
  }
  return out.sort((a, b) => a.t0 - b.t0);
}

/** The calls that made token `id`, producers first: every tokened input's maker, archives' earlier
 * writes of the same archive and their ranlibs. */
export function closureOf(reports: readonly Report[], id: string): Report[] {
  const maker = new Map<string, Report>();
  for (const r of reports) if (r.role !== 'ranlib') for (const o of r.outputs) if (o.token) maker.set(o.token, r);
  const wanted = new Set<Report>();
  const visit = (tok: string): void => {
    const r = maker.get(tok);
    if (!r || wanted.has(r)) return;
    wanted.add(r);
    for (const i of r.inputs) if (i.token && i.token !== tok) visit(i.token);
    if (r.role === 'archive') {
      const path = r.outputs[0]?.path;
      for (const other of reports) {
        if (other === r || other.t0 > r.t0 || other.outputs[0]?.path !== path) continue;
        if (other.role === 'archive' && !wanted.has(other)) {
          wanted.add(other);
          for (const i of other.inputs) if (i.token) visit(i.token);
        }
      }
    }
  };
  visit(id);
  const archives = new Set([...wanted].filter((r) => r.role === 'archive').map((r) => r.outputs[0]?.path));
  for (const r of reports) if (r.role === 'ranlib' && archives.has(r.inputs[0]?.path)) wanted.add(r);
  return reports.filter((r) => wanted.has(r));
}

/** The recorded call with its outputs (and the inputs made earlier) moved to `mapped` paths. */
export function rewriteArgs(r: Report, mapped: ReadonlyMap<string, string>): string[][] {
  const abs = (a: string): string => resolve(r.cwd, a);
  const byLib = new Map<string, string>();
  for (const i of r.inputs) {
    const m = mapped.get(i.path);
    const lib = /^lib(.+)\.(a|so(\.\d+)*)$/.exec(basename(i.path));
    if (m && lib) byLib.set(lib[1] as string, m);
  }
  const rewrite = (args: readonly string[]): string[] => {
    const out: string[] = [args[0] as string];
    for (let k = 1; k < args.length; k++) {
      const a = args[k] as string;
      const m = mapped.get(abs(a));
      if (m) out.push(m);
      else if ((a.startsWith('-o') || a.startsWith('-MF')) && a.length > 3 && mapped.has(abs(a.slice(a[1] === 'o' ? 2 : 3)))) {
        const flag = a[1] === 'o' ? '-o' : '-MF';
        out.push(flag + mapped.get(abs(a.slice(flag.length))));
      } else if (a.startsWith('-l') && byLib.has(a.slice(2))) out.push(byLib.get(a.slice(2)) as string);
      else if (a === '-l' && byLib.has(args[k + 1] ?? '')) out.push(byLib.get(args[++k] as string) as string);
      else out.push(a);
    }
    return out;
  };
  if (r.role === 'compile' && r.inputs.length > 1) {
    // one call per source, each with its own -o
    const srcs = new Set(r.inputs.map((i) => i.path));
    return r.inputs.map((src, n) => {
      const args = r.args.filter((a, k) => k === 0 || !srcs.has(abs(a)) || abs(a) === src.path);
      const o = r.outputs[n]?.path;
      return [...rewrite(args), ...(o && mapped.has(o) ? ['-o', mapped.get(o) as string] : [])];
    });
  }
  const args = rewrite(r.args);
  const o = r.outputs[0]?.path;
  const hasO = r.args.some((a) => a === '-o' || (a.startsWith('-o') && a.length > 2));
  if ((r.role === 'compile' || r.role === 'link') && !hasO && o && mapped.has(o)) args.push('-o', mapped.get(o) as string);
  return [args];
}

/** Really builds the closure of the token at `tokenPath` into `dir`; returns the binary's path. */
export async function buildClosure(tokenPath: string, id: string, spoolFile: string, dir: string): Promise<{ binary: string; rids: string[]; libdirs: string[] }> {
  const reports = reportsOf(await readFile(spoolFile, 'utf8'));
  const closure = closureOf(reports, id);
  if (closure.length === 0) throw new Error(`no recorded call made ${tokenPath} (token ${id})`);
  const mapped = new Map<string, string>();
  const byToken = new Map<string, string>();
  closure.forEach((r, n) => {
    for (const o of r.outputs) {
      if (mapped.has(o.path)) continue;
      const m = join(dir, `f${n}`, basename(o.path));
      mapped.set(o.path, m);
      if (o.token) byToken.set(o.token, m);
    }
    if (r.depfile && !mapped.has(r.depfile)) mapped.set(r.depfile, join(dir, `f${n}`, basename(r.depfile)));
  });
  // inputs named by another path than their maker's output (a symlink, a -l lookup)
  for (const r of closure) for (const i of r.inputs) if (i.token && byToken.has(i.token) && !mapped.has(i.path)) mapped.set(i.path, byToken.get(i.token) as string);
  const libdirs = new Set<string>();
  const env: Record<string, string | undefined> = { CONTINUITY_MODE: 'passthrough', CONTINUITY_MATERIALIZE: undefined };
  const { execa } = await import('execa'); // here, not at the top: readMaterialized's importers never run anything
  for (const r of closure) {
    for (const o of r.outputs) await mkdir(dirname(mapped.get(o.path) as string), { recursive: true });
    for (const args of rewriteArgs(r, mapped)) {
      const run = await execa(r.real, args.slice(1), { cwd: r.cwd, env, extendEnv: true, reject: false, all: true, stdin: 'ignore' });
      if (run.exitCode !== 0) throw new Error(`${[r.real, ...args.slice(1)].join(' ')} failed (exit ${run.exitCode}): ${run.all ?? ''}`);
    }
    if (r.role === 'link' && (r.args.includes('-shared') || /\.so(\.\d+)*$/.test(r.outputs[0]?.path ?? ''))) {
      const out = mapped.get(r.outputs[0]?.path ?? '') as string;
      libdirs.add(dirname(out));
      const soname = r.args.map((a) => /-soname[,=]([^,]+)/.exec(a)?.[1] ?? null).find((s) => s !== null);
      if (soname && soname !== basename(out)) await symlink(basename(out), join(dirname(out), soname)).catch(() => {});
    }
  }
  const binary = byToken.get(id);
  if (!binary) throw new Error(`the recorded calls did not make ${tokenPath}`);
  return { binary, rids: closure.map((r) => r.rid), libdirs: [...libdirs] };
}

/** The token program's stand-in: materialize (once per token, shared by parallel runs), then run. */
export async function materializeAndRun(tokenArg: string, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const spool = env['CONTINUITY_SPOOL'];
  const matDir = env['CONTINUITY_MAT_DIR'];
  const log = env['CONTINUITY_MAT_LOG'];
  const tokenPath = resolve(tokenArg);
  const tok = await tokenOf(tokenPath);
  if (!spool || !matDir || !tok) {
    process.stderr.write(`continuity: ${tokenArg} is a build-graph token, not a built program\n`);
    return 126;
  }
  const dir = join(matDir, tok.id);
  const manifest = join(dir, 'manifest.json');
  let built: { binary: string; rids: string[]; libdirs: string[] };
  try {
    built = JSON.parse(await readFile(manifest, 'utf8')) as typeof built;
  } catch {
    const tmp = `${dir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    let b: typeof built;
    try {
      b = await buildClosure(tokenPath, tok.id, spool, tmp);
    } catch (e: unknown) {
      await rm(tmp, { recursive: true, force: true });
      process.stderr.write(`continuity: cannot materialize ${tokenArg}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 126;
    }
    const fix = (p: string): string => (p.startsWith(tmp + '/') ? dir + p.slice(tmp.length) : p);
    built = { binary: fix(b.binary), rids: b.rids, libdirs: b.libdirs.map(fix) };
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(tmp, 'manifest.json'), JSON.stringify(built) + '\n');
    try {
      await rename(tmp, dir);
    } catch {
      await rm(tmp, { recursive: true, force: true }); // another run won: use its build
      built = JSON.parse(await readFile(manifest, 'utf8')) as typeof built;
    }
  }
  await stat(built.binary);
  if (log) {
    const m: Materialized = { path: tokenPath, token: tok.id, binary: built.binary, rids: built.rids, argv: [tokenArg, ...argv], cwd: process.cwd() };
    await appendFile(log, JSON.stringify(m) + '\n');
  }
  const ld = [...built.libdirs, ...(env['LD_LIBRARY_PATH'] ? [env['LD_LIBRARY_PATH']] : [])].join(':');
  const { execa } = await import('execa');
  const run = await execa(built.binary, argv, {
    env: { ...env, CONTINUITY_MATERIALIZE: undefined, ...(ld ? { LD_LIBRARY_PATH: ld } : {}) },
    extendEnv: false, reject: false, stdio: 'inherit', argv0: tokenArg,
  });
  return run.exitCode ?? 128;
}
