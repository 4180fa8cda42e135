// Generates the native shims: finds each known tool on PATH once (find-tools.ts), renders shims/shim.c.hbs
// with the table {name, kind, real}, compiles it (or copies the binary compiled before from the same
// template, table, modules and compiler), and hard-links every found name to the one binary.
// Must stay true: a real tool is never a shim (the shim dir and marked dirs are skipped), so a shim
// can never run itself; tools absent from the machine get no shim.
import { execFile } from 'node:child_process';
import { linkSync, promises as fs, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { sha256Hex } from '../model/hash.js';
import { cacheHome } from '../util/dirs.js';
import type { ShimMode } from '../model/report.js';
import type { ToolKind } from './tools.js';
import { findToolsCached, SHIM_DIR_MARKER, type ShimTool } from './find-tools.js';

export { findTools, SHIM_DIR_MARKER, SHIM_BINARY_MARKER, type ShimTool } from './find-tools.js';

export interface ShimSet {
  dir: string;
  binary: string;
  tools: ShimTool[];
}

export const SHIM_BINARY = 'continuity-shim';
/** The name under which the shim binary is the recording shell (make's SHELL in a wrapped build). */
export const RECORDING_SHELL = 'continuity-sh';
/** The name under which the shim binary is the report relay (RELAY_NAME in shims/relay.h). */
export const REPORT_RELAY = 'continuity-relay';

const TEMPLATE = fileURLToPath(new URL('../../shims/shim.c.hbs', import.meta.url));
/** Plain C modules compiled into the same binary (shims/*.c, with their headers shims/*.h). */
const MODULE_DIR = fileURLToPath(new URL('../../shims/', import.meta.url));

/** handlebars' version: the rendered source, hence the binary, is the template's, the tools' and its. */
async function handlebarsVersion(): Promise<string> {
  const file = createRequire(import.meta.url).resolve('handlebars/package.json');
  return (JSON.parse(await fs.readFile(file, 'utf8')) as { version: string }).version;
}

/** The shim's plain C modules and headers, by name, in name order (part of the binary cache key). */
async function shimModules(): Promise<{ name: string; text: string }[]> {
  const names = (await fs.readdir(MODULE_DIR)).filter((n) => n.endsWith('.c') || n.endsWith('.h')).sort();
  return Promise.all(names.map(async (name) => ({ name, text: await fs.readFile(path.join(MODULE_DIR, name), 'utf8') })));
}
const execFileP = promisify(execFile);

const KIND_ENUM: Readonly<Record<ToolKind, string>> = {
  cc: 'K_CC',
  cxx: 'K_CXX',
  nvcc: 'K_NVCC',
  ar: 'K_AR',
  ranlib: 'K_RANLIB',
  ld: 'K_LD',
  cpp: 'K_CPP',
};

/** A C string literal: every byte outside printable ASCII (and quotes, backslashes, ?) as an octal escape. */
export function cString(s: string): string {
  let out = '"';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3f) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** Renders the C source of the shim for a tool table (`template`: shims/shim.c.hbs's text). */
export async function renderShimSource(tools: readonly ShimTool[], template?: string): Promise<string> {
  // loaded here, not at the top: a generation that takes its binary from the cache renders nothing
  const { default: Handlebars } = await import('handlebars');
  const hb = Handlebars.create();
  hb.registerHelper('cstr', (s: unknown) => cString(String(s)));
  hb.registerHelper('kindEnum', (k: unknown) => {
    const e = KIND_ENUM[k as ToolKind];
    if (e === undefined) throw new Error(`unknown tool kind ${String(k)}`);
    return e;
  });
  const compiled = hb.compile(template ?? (await fs.readFile(TEMPLATE, 'utf8')), { noEscape: true, strict: true });
  return compiled({ tools });
}

/** Writes `data` to `file` through a temporary name in the same directory. */
async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

/** Generates (or regenerates) the shims in `opts.dir`. */
export async function generateShims(opts: {
  dir: string;
  env?: NodeJS.ProcessEnv;
  /** compiled binaries (default $XDG_CACHE_HOME/continuity/shims) */
  cacheDir?: string;
  /** tool tables (default $XDG_CACHE_HOME/continuity/tools) */
  toolCacheDir?: string;
}): Promise<ShimSet> {
  const env = opts.env ?? process.env;
  const dir = path.resolve(opts.dir);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, SHIM_DIR_MARKER), 'continuity shims: not real tools\n');
  const [tools, template, modules, hbVersion] = await Promise.all([
    findToolsCached(env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', dir, opts.toolCacheDir ?? path.join(cacheHome(), 'tools')),
    fs.readFile(TEMPLATE, 'utf8'),
    shimModules(),
    handlebarsVersion(),
  ]);
  const cfile = path.join(dir, `${SHIM_BINARY}.c`);
  const binary = path.join(dir, SHIM_BINARY);
  const tmpBinary = `${binary}.tmp-${process.pid}`;
  const cc = tools.find((t) => t.name === 'cc') ?? tools.find((t) => t.name === 'gcc') ?? tools.find((t) => t.name === 'clang');
  if (cc === undefined) throw new Error('no C compiler (cc, gcc or clang) on PATH to build the shims with');
  // The real compiler, without CONTINUITY_MODE: building the shims is never itself recorded.
  const ccEnv: NodeJS.ProcessEnv = { ...env };
  delete ccEnv['CONTINUITY_MODE'];
  const flags = ['-O2', '-std=c11', '-D_GNU_SOURCE', '-Wall'];
  // A binary built before from the same source by the same compiler binary is taken from the cache
  // ($XDG_CACHE_HOME/continuity/shims) instead of compiling again.
  // The key names what the rendered source is made of (template, tool table, handlebars), so a binary
  // found in the cache needs no rendering.
  const ccStat = await fs.stat(await fs.realpath(cc.real));
  const moduleText = modules.map((m) => `${m.name}\0${m.text}`).join('\0');
  const sourceOf = `${template}\0${JSON.stringify(tools)}\0handlebars ${hbVersion}`;
  const key = sha256Hex(`${sourceOf}\0${moduleText}\0${cc.real}\0${ccStat.ino}:${ccStat.size}:${ccStat.mtimeMs}\0${flags.join(' ')}`);
  const moduleSources = modules.filter((m) => m.name.endsWith('.c')).map((m) => path.join(MODULE_DIR, m.name));
  const cached = path.join(opts.cacheDir ?? path.join(cacheHome(), 'shims'), key);
  if (await fs.copyFile(cached, tmpBinary).then(() => true, () => false)) {
    await fs.rm(cfile, { force: true }); // the source of an earlier generation is not this binary's
  } else {
    await writeAtomic(cfile, await renderShimSource(tools, template));
    // each source compiled on its own, all at once, then linked: a first build of the shims takes the
    // time of the largest source, not of all of them
    const objDir = await fs.mkdtemp(path.join(dir, '.objects-'));
    try {
      const sources = [cfile, ...moduleSources];
      const objects = sources.map((src, i) => path.join(objDir, `${i}-${path.basename(src)}.o`));
      await Promise.all(sources.map((src, i) =>
        execFileP(cc.real, [...flags, `-I${MODULE_DIR}`, '-c', '-o', objects[i] as string, src], { env: ccEnv })));
      await execFileP(cc.real, ['-o', tmpBinary, ...objects], { env: ccEnv });
    } catch (e: unknown) {
      const stderr = (e as { stderr?: string }).stderr ?? '';
      throw new Error(`compiling ${cfile} with ${cc.real} failed:\n${stderr}`, { cause: e });
    } finally {
      await fs.rm(objDir, { recursive: true, force: true });
    }
    // kept for next time; a cache that cannot be written only costs the next compile
    await fs.mkdir(path.dirname(cached), { recursive: true })
      .then(() => fs.copyFile(tmpBinary, `${cached}.tmp-${process.pid}`))
      .then(() => fs.rename(`${cached}.tmp-${process.pid}`, cached))
      .catch(() => fs.rm(`${cached}.tmp-${process.pid}`, { force: true }));
  }
  await fs.chmod(tmpBinary, 0o755);
  await fs.rename(tmpBinary, binary);

  // Names from an earlier generation that are no longer found lose their link.
  const previous = await loadShimSet(dir).catch(() => null);
  const wanted = new Set(tools.map((t) => t.name));
  for (const t of previous?.tools ?? []) {
    if (!wanted.has(t.name)) await fs.rm(path.join(dir, t.name), { force: true });
  }
  // Every tool name, make's SHELL during a wrapped build (see the recording shell in shims/shim.c.hbs),
  // and the relay that batches the shims' reports for the collector (shims/relay.c). Synchronous: some
  // forty links of three system calls each, which through the thread pool would cost several times more.
  for (const name of [...tools.map((t) => t.name), RECORDING_SHELL, REPORT_RELAY]) {
    const link = path.join(dir, name);
    const tmp = `${link}.tmp-${process.pid}`;
    rmSync(tmp, { force: true });
    linkSync(binary, tmp);
    renameSync(tmp, link);
  }
  const set: ShimSet = { dir, binary, tools };
  await writeAtomic(path.join(dir, 'shims.json'), JSON.stringify(set, null, 2) + '\n');
  return set;
}

/** Reads the table written by generateShims. */
export async function loadShimSet(dir: string): Promise<ShimSet> {
  const text = await fs.readFile(path.join(path.resolve(dir), 'shims.json'), 'utf8');
  return JSON.parse(text) as ShimSet;
}

export interface ShimEndpoint {
  spool?: string;
  endpoint?: string;
  secret?: string;
  /** the build's report relay (its Unix socket), tried before the endpoint */
  relay?: string;
  /** PATH to put after the shim dir; defaults to process.env.PATH */
  path?: string;
  /** Confess mode: where the shims keep header scans (default: defaultScanCacheDir()); null: no cache. */
  scanCache?: string | null;
  /** Confess mode: where the native header scanner keeps compiler probes (default: defaultProbeCacheDir()). */
  probeCache?: string;
}

/** The header-scan cache beside the store: $XDG_CACHE_HOME/continuity/scan or ~/.cache/continuity/scan. */
export function defaultScanCacheDir(): string {
  return path.join(cacheHome(), 'scan');
}

/** The compiler probes of the native header scanner: $XDG_CACHE_HOME/continuity/probe. Each entry is checked
 * against the compiler's stamp and its search directories before it is used (shims/scan-probe.c). */
export function defaultProbeCacheDir(): string {
  return path.join(cacheHome(), 'probe');
}

/** The environment variables to set for a build that runs through the shims. */
export function shimEnv(set: ShimSet, mode: ShimMode | 'passthrough', opts: ShimEndpoint = {}): Record<string, string> {
  const rest = (opts.path ?? process.env['PATH'] ?? '')
    .split(':')
    .filter((p) => p !== '' && path.resolve(p) !== set.dir);
  const env: Record<string, string> = {
    PATH: [set.dir, ...rest].join(':'),
    CONTINUITY_MODE: mode,
  };
  if (opts.spool !== undefined) env['CONTINUITY_SPOOL'] = path.resolve(opts.spool);
  if (opts.endpoint !== undefined) env['CONTINUITY_ENDPOINT'] = opts.endpoint;
  if (opts.secret !== undefined) env['CONTINUITY_SECRET'] = opts.secret;
  if (opts.relay !== undefined) env['CONTINUITY_RELAY'] = opts.relay;
  const cache = opts.scanCache === undefined ? defaultScanCacheDir() : opts.scanCache;
  if (mode === 'confess' && cache !== null) env['CONTINUITY_SCAN_CACHE'] = path.resolve(cache);
  if (mode === 'confess') env['CONTINUITY_PROBE_CACHE'] = path.resolve(opts.probeCache ?? defaultProbeCacheDir());
  return env;
}

/** Maps a shim path (or the shim binary's name for a tool) back to the real tool; other paths unchanged. */
export function resolveRealTool(set: ShimSet, p: string): string {
  const abs = path.isAbsolute(p) ? path.normalize(p) : p;
  if (path.isAbsolute(abs) && path.dirname(abs) === set.dir) {
    const tool = set.tools.find((t) => t.name === path.basename(abs));
    if (tool !== undefined) return tool.real;
  }
  return p;
}
