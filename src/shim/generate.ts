// Generates the native shims: finds each known tool on PATH once, renders shims/shim.c.hbs with the
// table {name, kind, real}, compiles it, and hard-links every found name to the one binary.
// Must stay true: a real tool is never a shim (the shim dir and marked dirs are skipped), so a shim
// can never run itself; tools absent from the machine get no shim.
import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Handlebars from 'handlebars';
import { sha256Hex } from '../model/hash.js';
import { cacheHome } from '../util/dirs.js';
import type { ShimMode } from '../model/report.js';
import { BASE_TOOLS, type ToolKind, toolKind } from './tools.js';

export interface ShimTool {
  name: string;
  kind: ToolKind;
  /** the PATH entry's path, not symlink-resolved (/usr/bin/gcc), so compiler identity is kept */
  real: string;
}

export interface ShimSet {
  dir: string;
  binary: string;
  tools: ShimTool[];
}

/** A file in every shim directory; PATH entries holding it are never searched for real tools. */
export const SHIM_DIR_MARKER = '.continuity-shims';
/** A string compiled into every shim binary (see SHIM_MARKER in shims/shim.c.hbs). */
export const SHIM_BINARY_MARKER = 'continuity-shim-marker-v1';
export const SHIM_BINARY = 'continuity-shim';
/** The name under which the shim binary is the recording shell (make's SHELL in a wrapped build). */
export const RECORDING_SHELL = 'continuity-sh';
/** The name under which the shim binary is the report relay (RELAY_NAME in shims/relay.h). */
export const REPORT_RELAY = 'continuity-relay';

const TEMPLATE = fileURLToPath(new URL('../../shims/shim.c.hbs', import.meta.url));
/** Plain C modules compiled into the same binary (shims/*.c, with their headers shims/*.h). */
const MODULE_DIR = fileURLToPath(new URL('../../shims/', import.meta.url));

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

/** Renders the C source of the shim for a tool table. */
export async function renderShimSource(tools: readonly ShimTool[]): Promise<string> {
  const hb = Handlebars.create();
  hb.registerHelper('cstr', (s: unknown) => cString(String(s)));
  hb.registerHelper('kindEnum', (k: unknown) => {
    const e = KIND_ENUM[k as ToolKind];
    if (e === undefined) throw new Error(`unknown tool kind ${String(k)}`);
    return e;
  });
  const template = hb.compile(await fs.readFile(TEMPLATE, 'utf8'), { noEscape: true, strict: true });
  return template({ tools });
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

async function realOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return path.resolve(p);
  }
}

/** An executable regular file that is not a continuity shim. */
async function isRealTool(p: string): Promise<boolean> {
  try {
    const st = await fs.stat(p);
    if (!st.isFile()) return false;
    await fs.access(p, constants.X_OK);
    // Shim binaries are small; only those could carry the marker.
    if (st.size < 4 * 1024 * 1024) {
      const bytes = await fs.readFile(p);
      if (bytes.includes(SHIM_BINARY_MARKER)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** PATH directories worth searching: absolute, existing, not the shim dir, not another shim dir. */
async function searchDirs(pathVar: string, shimDir: string): Promise<string[]> {
  const self = await realOrSelf(shimDir);
  const out: string[] = [];
  for (const entry of pathVar.split(':')) {
    if (entry === '') continue;
    const dir = path.resolve(entry);
    if (out.includes(dir)) continue;
    if ((await realOrSelf(dir)) === self) continue;
    if (await exists(path.join(dir, SHIM_DIR_MARKER))) continue;
    out.push(dir);
  }
  return out;
}

/** Resolves every known tool name (base names and variants found in the directories) once, first dir wins. */
export async function findTools(pathVar: string, shimDir: string): Promise<ShimTool[]> {
  const dirs = await searchDirs(pathVar, shimDir);
  const names = new Set(Object.keys(BASE_TOOLS));
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = await fs.readdir(dir);
    } catch {
      continue;
    }
    for (const e of entries) if (toolKind(e) !== null) names.add(e);
  }
  const tools: ShimTool[] = [];
  for (const name of [...names].sort()) {
    const kind = toolKind(name);
    if (kind === null) continue;
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (await isRealTool(candidate)) {
        tools.push({ name, kind, real: candidate });
        break;
      }
    }
  }
  return tools;
}

/** Writes `data` to `file` through a temporary name in the same directory. */
async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, data);
  await fs.rename(tmp, file);
}

/** Generates (or regenerates) the shims in `opts.dir`. */
export async function generateShims(opts: { dir: string; env?: NodeJS.ProcessEnv; cacheDir?: string }): Promise<ShimSet> {
  const env = opts.env ?? process.env;
  const dir = path.resolve(opts.dir);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, SHIM_DIR_MARKER), 'continuity shims: not real tools\n');
  const tools = await findTools(env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', dir);

  const source = await renderShimSource(tools);
  const cfile = path.join(dir, `${SHIM_BINARY}.c`);
  await writeAtomic(cfile, source);
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
  const ccStat = await fs.stat(await fs.realpath(cc.real));
  const modules = await shimModules();
  const moduleText = modules.map((m) => `${m.name}\0${m.text}`).join('\0');
  const key = sha256Hex(`${source}\0${moduleText}\0${cc.real}\0${ccStat.ino}:${ccStat.size}:${ccStat.mtimeMs}\0${flags.join(' ')}`);
  const moduleSources = modules.filter((m) => m.name.endsWith('.c')).map((m) => path.join(MODULE_DIR, m.name));
  const cached = path.join(opts.cacheDir ?? path.join(cacheHome(), 'shims'), key);
  if (!(await fs.copyFile(cached, tmpBinary).then(() => true, () => false))) {
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
  for (const t of tools) {
    const link = path.join(dir, t.name);
    const tmp = `${link}.tmp-${process.pid}`;
    await fs.rm(tmp, { force: true });
    await fs.link(binary, tmp);
    await fs.rename(tmp, link);
  }
  // make's SHELL during a wrapped build (see the recording shell in shims/shim.c.hbs), and the relay
  // that batches the shims' reports for the collector (shims/relay.c)
  for (const name of [RECORDING_SHELL, REPORT_RELAY]) {
    const link = path.join(dir, name);
    await fs.rm(`${link}.tmp-${process.pid}`, { force: true });
    await fs.link(binary, `${link}.tmp-${process.pid}`);
    await fs.rename(`${link}.tmp-${process.pid}`, link);
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
