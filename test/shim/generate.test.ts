import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultProbeCacheDir, defaultScanCacheDir, generateShims, resolveRealTool, shimEnv, type ShimSet } from '../../src/shim/generate.js';
import { toolKind } from '../../src/shim/tools.js';
import { REAL_PATH, isElf, makeShims, run, tempDir, write } from './helpers.js';

let set: ShimSet;
beforeAll(async () => {
  set = await makeShims();
});

describe('tool names', () => {
  it('recognises base, versioned and target-prefixed names', () => {
    expect(toolKind('gcc')).toBe('cc');
    expect(toolKind('g++-12')).toBe('cxx');
    expect(toolKind('x86_64-linux-gnu-gcc-12')).toBe('cc');
    expect(toolKind('x86_64-linux-gnu-g++')).toBe('cxx');
    expect(toolKind('clang-17')).toBe('cc');
    expect(toolKind('clang++-17')).toBe('cxx');
    expect(toolKind('x86_64-linux-gnu-gcc-ar-12')).toBe('ar');
    expect(toolKind('gcc-ranlib')).toBe('ranlib');
    expect(toolKind('x86_64-linux-gnu-ld')).toBe('ld');
    expect(toolKind('cpp-12')).toBe('cpp');
    expect(toolKind('nvcc')).toBe('nvcc');
    expect(toolKind('gcc-nm')).toBeNull();
    expect(toolKind('c++filt')).toBeNull();
    expect(toolKind('x86_64-linux-gnu-c++filt')).toBeNull();
    expect(toolKind('clang-tidy')).toBeNull();
  });
});

describe('generateShims', () => {
  it('takes the binary from the shim cache when the source and the compiler are unchanged', async () => {
    const root = await tempDir('shim-cache');
    const cacheDir = path.join(root, 'cache');
    const env = { ...process.env, PATH: REAL_PATH };
    const first = await generateShims({ dir: path.join(root, 'a'), env, cacheDir });
    const entries = await fs.readdir(cacheDir);
    expect(entries).toHaveLength(1);
    expect(await isElf(path.join(cacheDir, entries[0]!))).toBe(true);
    // mark the cached binary (an ELF still runs with bytes appended): a second generation must copy it
    await fs.appendFile(path.join(cacheDir, entries[0]!), 'continuity-cache-mark');
    const second = await generateShims({ dir: path.join(root, 'b'), env, cacheDir });
    expect((await fs.readFile(second.binary)).includes('continuity-cache-mark')).toBe(true);
    expect((await fs.readFile(first.binary)).includes('continuity-cache-mark')).toBe(false);
    const r = await run(second, root, null, 'cc', ['--version']);
    expect(r.exitCode, r.stderr).toBe(0);
    // other tools on PATH: another source, so another entry, compiled afresh
    const bin = path.join(root, 'bin');
    await fs.mkdir(bin);
    await fs.symlink('/usr/bin/gcc', path.join(bin, 'gcc-99'));
    const third = await generateShims({ dir: path.join(root, 'c'), env: { ...env, PATH: `${bin}:${REAL_PATH}` }, cacheDir });
    expect(third.tools.some((t) => t.name === 'gcc-99')).toBe(true);
    expect(await fs.readdir(cacheDir)).toHaveLength(2);
    expect((await fs.readFile(third.binary)).includes('continuity-cache-mark')).toBe(false);
  });

  it('links every tool found on PATH, and only those', async () => {
    const names = set.tools.map((t) => t.name);
    for (const n of ['cc', 'gcc', 'g++', 'c++', 'ar', 'ranlib', 'ld', 'nvcc', 'cpp']) expect(names).toContain(n);
    expect(names.some((n) => /^gcc-\d+$/.test(n))).toBe(true);
    const binary = await fs.stat(set.binary);
    for (const t of set.tools) {
      const st = await fs.stat(path.join(set.dir, t.name));
      expect(st.ino).toBe(binary.ino);
      expect(path.isAbsolute(t.real)).toBe(true);
      expect(path.dirname(t.real)).not.toBe(set.dir);
    }
    // Not installed here: no shim, so configure probes do not find a broken clang.
    const hasClang = REAL_PATH.split(':').some((d) => existsSync(path.join(d, 'clang')));
    if (!hasClang) expect(names).not.toContain('clang');
    // The PATH entry, not the symlink target, so compiler identity (cc vs gcc-12) is kept.
    expect(set.tools.find((t) => t.name === 'gcc')?.real).toMatch(/\/gcc$/);
    const json = JSON.parse(await fs.readFile(path.join(set.dir, 'shims.json'), 'utf8')) as ShimSet;
    expect(json.tools).toEqual(set.tools);
  });

  it('never takes a shim for a real tool, even with shim dirs first on PATH', async () => {
    const other = await tempDir('shims2');
    const second = await generateShims({ dir: other, env: { PATH: `${set.dir}:${REAL_PATH}` } });
    for (const t of second.tools) {
      expect(path.dirname(t.real)).not.toBe(set.dir);
      expect(path.dirname(t.real)).not.toBe(second.dir);
    }
    // Regenerating in place with itself first on PATH.
    const again = await generateShims({ dir: second.dir, env: { PATH: `${second.dir}:${set.dir}:${REAL_PATH}` } });
    expect(again.tools.map((t) => t.real)).toEqual(second.tools.map((t) => t.real));
    // A call through a shim, shim dirs first on PATH, in every mode, reaches the real compiler.
    const work = await tempDir('self');
    await write(work, { 'a.c': 'int main(void){return 0;}\n' });
    for (const mode of ['passthrough', 'observe'] as const) {
      const r = await run(again, work, mode, 'gcc', ['a.c', '-o', `prog-${mode}`], {
        PATH: `${again.dir}:${set.dir}:${REAL_PATH}`,
      });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(await isElf(path.join(work, `prog-${mode}`))).toBe(true);
    }
  });

  it('maps shim paths back to real tools and builds the environment', () => {
    expect(resolveRealTool(set, path.join(set.dir, 'gcc'))).toBe(set.tools.find((t) => t.name === 'gcc')!.real);
    expect(resolveRealTool(set, '/usr/bin/gcc')).toBe('/usr/bin/gcc');
    expect(resolveRealTool(set, 'gcc')).toBe('gcc');
    const env = shimEnv(set, 'confess', { spool: '/tmp/s.jsonl', endpoint: '127.0.0.1:1', secret: 'x', path: `/usr/bin:${set.dir}` });
    expect(env).toEqual({
      PATH: `${set.dir}:/usr/bin`,
      CONTINUITY_MODE: 'confess',
      CONTINUITY_SPOOL: '/tmp/s.jsonl',
      CONTINUITY_ENDPOINT: '127.0.0.1:1',
      CONTINUITY_SECRET: 'x',
      CONTINUITY_SCAN_CACHE: defaultScanCacheDir(),
      CONTINUITY_PROBE_CACHE: defaultProbeCacheDir(),
    });
    expect(shimEnv(set, 'confess', { scanCache: null })['CONTINUITY_SCAN_CACHE']).toBeUndefined();
    expect(shimEnv(set, 'confess', { probeCache: '/tmp/p' })['CONTINUITY_PROBE_CACHE']).toBe('/tmp/p');
    expect(shimEnv(set, 'observe', {})['CONTINUITY_PROBE_CACHE']).toBeUndefined();
    expect(shimEnv(set, 'confess', { scanCache: '/tmp/sc' })['CONTINUITY_SCAN_CACHE']).toBe('/tmp/sc');
    expect(shimEnv(set, 'observe', {})['CONTINUITY_SCAN_CACHE']).toBeUndefined();
  });

  it('an unknown name is refused with 127', async () => {
    const work = await tempDir('unknown');
    await fs.link(set.binary, path.join(work, 'frobnicate'));
    const r = await run(set, work, null, path.join(work, 'frobnicate'), []);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toContain('frobnicate');
  });

  it('passthrough compiles for real and records nothing', async () => {
    const work = await tempDir('pass');
    await write(work, { 'a.c': 'int main(void){return 3;}\n' });
    for (const mode of [null, 'passthrough'] as const) {
      const r = await run(set, work, mode, 'gcc', ['-c', 'a.c', '-o', 'a.o']);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(await isElf(path.join(work, 'a.o'))).toBe(true);
    }
    await expect(fs.access(path.join(work, 'spool.jsonl'))).rejects.toThrow();
  });
});
