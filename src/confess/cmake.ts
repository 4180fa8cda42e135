// `continuity confess cmake`: configure with the poisoned toolchain (shims pass through, so probes get
// true answers), build with the shims confessing (nothing compiled), then turn the reports and the build
// system's own records into graph.json and friends.
import { join, resolve, dirname } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { run } from '../util/run.js';
import { UserError } from '../model/result.js';
import type { GraphAttributes, SerializedGraph } from '../model/graph.js';
import type { CoeffectsFile } from '../model/coeffects.js';
import { isDirectory, isFile, which, assertOutDir } from '../util/fs.js';
import { generateShims, shimEnv, REPORT_RELAY } from '../shim/generate.js';
import { openReporting, spoolReporting } from '../collector/session.js';
import { buildSerializedGraph } from '../graph/build.js';
import { ninjaCustomSteps } from './ninja.js';
import { parseFindLog, coeffectsOf } from './coeffects.js';
import { prepareOut, writeConfession, writeEvents } from './outputs.js';
import type { Report } from '../model/report.js';

export type FakePackages = 'missing' | 'all' | 'none';

export interface ConfessCmakeOptions {
  srcdir: string;
  out: string;
  fakePackages: FakePackages;
  jobs: number | undefined;
  cmakeArgs: string[];
  log: (line: string) => void;
  onReport?: (r: Report) => void;
  /** where the shims keep header scans (default: defaultScanCacheDir()); null: scan every source afresh */
  scanCache?: string | null;
}

export interface ConfessSummary {
  out: string;
  graph: SerializedGraph;
  reports: number;
  actions: Record<string, number>;
  coeffects: CoeffectsFile;
  /** graph: the work after the build (merging the reports, building the graph, writing the files) */
  seconds: { configure: number; build: number; graph: number; total: number };
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's cmake/toolchain.cmake (dist/confess → ../../cmake). */
export const TOOLCHAIN_FILE = resolve(here, '..', '..', 'cmake', 'toolchain.cmake');

function lastLines(text: string, pattern: RegExp, fallback: string): string {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => pattern.test(l));
  if (i < 0) return fallback;
  const next = (lines[i + 1] ?? '').trim();
  return (lines[i] as string).trim() + (next && !next.startsWith('CMake') ? ` ${next}` : '');
}

export async function confessCmake(opts: ConfessCmakeOptions): Promise<ConfessSummary> {
  const t0 = Date.now();
  const srcdir = resolve(opts.srcdir);
  const out = resolve(opts.out);
  await assertOutDir(out, '--out');
  if (!(await isDirectory(srcdir))) throw new UserError(`${opts.srcdir}: no such directory`);
  if (!(await isFile(join(srcdir, 'CMakeLists.txt')))) throw new UserError(`${opts.srcdir}: no CMakeLists.txt (not a CMake project)`);
  const cmake = await which('cmake');
  if (!cmake) throw new UserError('cmake is not installed (not found on PATH)');

  const userArgs = [...opts.cmakeArgs];
  const hasGenerator = userArgs.some((a) => a === '-G' || a.startsWith('-G'));
  if (!hasGenerator) {
    if (!(await which('ninja'))) throw new UserError('ninja is not installed (the default generator); install it or pass -G');
    userArgs.unshift('-G', 'Ninja');
  }
  // A toolchain file of the project's own is chained from ours.
  let userToolchain = '';
  for (let i = 0; i < userArgs.length; i++) {
    const a = userArgs[i] as string;
    const m = /^-DCMAKE_TOOLCHAIN_FILE(?::[A-Z]+)?=(.*)$/.exec(a);
    if (m) {
      userToolchain = resolve(m[1] as string);
      userArgs.splice(i--, 1);
    }
  }

  const builddir = join(out, 'build');
  const shimdir = join(out, 'shims');
  const logs = join(out, 'logs');
  const fakeRoot = join(out, 'fake');
  const findLog = join(out, 'find-packages.jsonl');
  const spool = join(out, 'spool.jsonl');
  await prepareOut(out, { remove: [builddir, fakeRoot, findLog, spool], fresh: [builddir, logs] });

  opts.log('generating shims');
  const shims = await generateShims({ dir: shimdir });
  const has = (name: string): boolean => shims.tools.some((t) => t.name === name);
  const pick = (env: string | undefined, dflt: string): string => {
    const base = env ? env.split('/').pop() ?? '' : '';
    return base && has(base) ? base : dflt;
  };

  // The collector and the relay run only for someone who takes the reports as they come (--live, a
  // progress line); otherwise the shims only append to the spool, which is read once the build is over.
  const live = opts.onReport ? await openReporting({ relayBinary: join(shimdir, REPORT_RELAY), onReport: opts.onReport, log: opts.log }) : null;
  const reporting = live ?? spoolReporting();
  try {
    const baseEnv: Record<string, string> = {
      CONTINUITY_SHIM_DIR: shimdir,
      CONTINUITY_C_SHIM: pick(process.env['CC'], 'cc'),
      CONTINUITY_CXX_SHIM: pick(process.env['CXX'], 'c++'),
      CONTINUITY_FAKE_PACKAGES: opts.fakePackages,
      CONTINUITY_FIND_LOG: findLog,
      CONTINUITY_FAKE_ROOT: fakeRoot,
      CONTINUITY_USER_TOOLCHAIN: userToolchain,
    };

    opts.log('configuring (compilers pass through, find_package logged)');
    const tc0 = Date.now();
    const configure = await run(
      cmake,
      ['-S', srcdir, '-B', builddir, `-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE}`, ...userArgs],
      { env: { ...baseEnv, ...shimEnv(shims, 'passthrough', {}) } },
    );
    await writeFile(join(logs, 'configure.log'), configure.all);
    if (configure.exitCode !== 0) {
      const why = lastLines(configure.all, /CMake Error/, `exit code ${configure.exitCode}`);
      throw new UserError(`cmake configure failed: ${why} (see ${join(logs, 'configure.log')})`);
    }
    const tc1 = Date.now();

    opts.log('building in confess mode (nothing is compiled)');
    const jobs = opts.jobs ?? cpus().length;
    const build = await run(cmake, ['--build', builddir, '-j', String(jobs)], {
      env: { ...baseEnv, ...shimEnv(shims, 'confess', { spool, ...(live?.endpoint ?? {}), ...(opts.scanCache !== undefined ? { scanCache: opts.scanCache } : {}) }) },
    });
    await writeFile(join(logs, 'build.log'), build.all);
    const tb1 = Date.now();

    const { reports, malformed } = await reporting.finish(spool);
    await writeEvents(out, reports);
    if (build.exitCode !== 0) {
      const why = lastLines(build.all, /^FAILED:|error:|Error /, `exit code ${build.exitCode}`);
      throw new UserError(`the build failed under confession: ${why} (see ${join(logs, 'build.log')})`);
    }
    if (malformed.length > 0) {
      throw new UserError(`malformed shim report (${malformed.length} in all): ${malformed[0]}`);
    }

    const covered = new Set(reports.flatMap((r) => r.outputs.map((o) => o.path)));
    const customs = (await isFile(join(builddir, '.ninja_log'))) ? await ninjaCustomSteps(builddir, covered) : [];

    let coeffects: CoeffectsFile = { version: 1, packages: [], coeffects: [{ kind: 'pure' }] };
    if (await isFile(findLog)) {
      const parsed = parseFindLog(await readFile(findLog, 'utf8'));
      if (!parsed.ok) throw new UserError(parsed.error);
      coeffects = coeffectsOf(parsed.value.requests, parsed.value.locations);
    }

    const attributes: GraphAttributes = {
      version: 1, complete: true, system: 'cmake', mode: 'confess', srcdir, builddir,
      created: new Date().toISOString(), errors: [],
    };
    const { graph: serialized, warnings } = buildSerializedGraph(reports, customs, attributes, { fakeRoots: [fakeRoot] });
    if (warnings.includes('the graph has a cycle')) throw new UserError('the confessed graph has a cycle');
    if (warnings.length) serialized.attributes.warnings = warnings;
    await writeConfession(out, serialized, coeffects);

    const actions: Record<string, number> = {};
    for (const n of serialized.nodes) {
      if (n.attributes.type === 'action') actions[n.attributes.category] = (actions[n.attributes.category] ?? 0) + 1;
    }
    return {
      out, graph: serialized, reports: reports.length, actions, coeffects,
      seconds: { configure: (tc1 - tc0) / 1000, build: (tb1 - tc1) / 1000, graph: (Date.now() - tb1) / 1000, total: (Date.now() - t0) / 1000 },
    };
  } finally {
    await live?.abort();
  }
}
