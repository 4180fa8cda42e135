// `continuity confess autotools <srcdir>`: `autoreconf -fi` where there is no configure script, then
// `<srcdir>/configure` in <out>/build with the shims passing through (its probes get true answers),
// then make through `runWrap` (confess mode by default): the graph of a libtool build, .lo/.la included.
// With `check`, the graph also holds what `make check` builds (its test programs); no test is run.
import { join, resolve } from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { run } from '../util/run.js';
import { UserError } from '../model/result.js';
import { isDirectory, isFile, which, assertOutDir } from '../util/fs.js';
import { generateShims, shimEnv } from '../shim/generate.js';
import { runWrap, type WrapMode, type WrapSummary } from './wrap.js';
import { prepareOut } from './outputs.js';
import type { Report } from '../model/report.js';

export interface ConfessAutotoolsOptions {
  srcdir: string;
  out: string;
  configureArgs: string[];
  mode?: WrapMode;
  jobs?: number | undefined;
  /** also build what `make check` builds (check_PROGRAMS and the like), running no test */
  check?: boolean;
  /** confess mode: where the shims keep header scans (default: defaultScanCacheDir()); null: none */
  scanCache?: string | null;
  log: (line: string) => void;
  onReport?: (r: Report) => void;
}

/**
 * make's arguments: the default goal, or `check` with automake's test lists emptied, so that check-am
 * builds every check program and check-TESTS runs nothing (an empty TEST_SUITE_LOG makes its inner
 * make build the default goal, already built, instead of writing a test-suite.log).
 */
export function makeArgs(check: boolean): string[] {
  return check ? ['check', 'TESTS=', 'XFAIL_TESTS=', 'TEST_SUITE_LOG='] : [];
}

export interface AutotoolsSummary extends WrapSummary {
  builddir: string;
  autoreconf: boolean;
}

/** The line of a failed configure that says why (configure: error: ...), or the last line. */
export function configureFailure(text: string, fallback: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /^configure: error:/.test(l)) ?? lines.reverse().find((l) => /error/i.test(l)) ?? fallback;
}

/** The SHELL a configured Makefile asks for (configure picks a capable one; recipes may rely on it). */
export function makefileShell(text: string): string | null {
  const m = /^SHELL\s*=\s*(\S+)\s*$/m.exec(text);
  return m ? (m[1] as string) : null;
}

export async function confessAutotools(opts: ConfessAutotoolsOptions): Promise<AutotoolsSummary> {
  const srcdir = resolve(opts.srcdir);
  const out = resolve(opts.out);
  await assertOutDir(out, '--out');
  if (!(await isDirectory(srcdir))) throw new UserError(`${opts.srcdir}: no such directory`);
  const configure = join(srcdir, 'configure');
  let autoreconf = false;
  const logs = join(out, 'logs');
  if (!(await isFile(configure))) {
    const ac = (await isFile(join(srcdir, 'configure.ac'))) || (await isFile(join(srcdir, 'configure.in')));
    if (!ac) throw new UserError(`${opts.srcdir}: no configure script and no configure.ac (not an autotools project)`);
    if (!(await which('autoreconf'))) throw new UserError('autoreconf is not installed (needed: there is no configure script)');
    await mkdir(logs, { recursive: true });
    opts.log('autoreconf -fi (there is no configure script)');
    const r = await run('autoreconf', ['-fi'], { cwd: srcdir });
    await writeFile(join(logs, 'autoreconf.log'), r.all);
    if (r.exitCode !== 0) throw new UserError(`autoreconf -fi failed: ${configureFailure(r.all, `exit code ${r.exitCode}`)} (see ${join(logs, 'autoreconf.log')})`);
    autoreconf = true;
  }

  const builddir = join(out, 'build');
  await prepareOut(out, { remove: [builddir], fresh: [logs, builddir] });
  opts.log('generating shims');
  const shims = await generateShims({ dir: join(out, 'shims') });
  opts.log('configuring (compilers pass through)');
  const conf = await run(configure, opts.configureArgs, { cwd: builddir, env: shimEnv(shims, 'passthrough') });
  await writeFile(join(logs, 'configure.log'), conf.all);
  if (conf.exitCode !== 0) {
    throw new UserError(`configure failed: ${configureFailure(conf.all, `exit code ${conf.exitCode}`)} (see ${join(logs, 'configure.log')})`);
  }
  let shell: string | null = null;
  try {
    shell = makefileShell(await readFile(join(builddir, 'Makefile'), 'utf8'));
  } catch {
    throw new UserError(`configure wrote no Makefile in ${builddir}`);
  }
  const summary = await runWrap({
    command: ['make', ...makeArgs(opts.check ?? false)], cwd: builddir, out, mode: opts.mode ?? 'confess', jobs: opts.jobs,
    system: 'autotools', srcdir, shims, realShell: shell ?? '/bin/sh', log: opts.log, ...(opts.onReport ? { onReport: opts.onReport } : {}),
    ...(opts.scanCache !== undefined ? { scanCache: opts.scanCache } : {}),
  });
  return { ...summary, builddir, autoreconf };
}
