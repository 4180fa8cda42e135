// End to end: `continuity confess cmake` on the fixtures and on real projects, against a real CMake +
// Ninja build of the same source with the same options.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import {
  REPO, realCmakeBuild, confess, normalizedCompdb, realLinkInputs, confessedLinkInputs, isToken,
  realHeaderDeps, confessedHeaderDeps,
} from '../helpers/real-cmake.js';
import type { SerializedGraph } from '../../src/model/graph.js';
import type { CoeffectsFile } from '../../src/model/coeffects.js';

interface Project {
  name: string;
  src: () => Promise<string>;
  args: string[];
}

const fixture = (name: string, args: string[] = []): Project => ({ name, src: async () => join(REPO, 'fixtures', name), args });
const debian = (name: string, args: string[] = []): Project => ({
  name,
  args,
  src: async () => {
    const r = await execa('bash', [join(REPO, 'scripts', 'fetch-sources.sh'), name], { stdin: 'ignore' });
    return r.stdout.trim().split('\n').pop() as string;
  },
});

const PROJECTS: Project[] = [
  fixture('c-static-exe'),
  fixture('c-shared-pic'),
  fixture('cxx-subdirs'),
  fixture('find-packages'),
  fixture('custom-header'),
  fixture('cuda'),
  fixture('flags-and-spaces'),
  debian('cjson'),
  debian('brotli'),
  debian('c-ares'),
  debian('yaml-cpp', ['-DYAML_CPP_BUILD_TESTS=OFF']),
];

let work: string;
beforeAll(async () => {
  await mkdir(join(REPO, '.cache'), { recursive: true });
  work = await mkdtemp(join(tmpdir(), 'continuity-e2e-'));
  return async () => rm(work, { recursive: true, force: true });
});

describe.each(PROJECTS)('confess cmake: $name', (p) => {
  it('matches a real CMake build: compile steps, headers read, archive and link inputs; nothing compiled', async () => {
    const src = await p.src();
    const real = join(work, `${p.name}-real`);
    const out = join(work, `${p.name}-confess`);
    // `missing` fakes only what the machine lacks; the real build skips what it lacks the same way
    // only when nothing is faked, so compare against the real build with faking off.
    await realCmakeBuild(src, real, p.args);
    const r = await confess(src, out, p.args, ['--fake-packages', 'none']);
    expect(r.exitCode, r.all).toBe(0);

    const graph = JSON.parse(await readFile(join(out, 'graph.json'), 'utf8')) as SerializedGraph;
    const confBuild = graph.attributes.builddir;
    const want = await normalizedCompdb(join(real, 'compile_commands.json'), real);
    const got = await normalizedCompdb(join(out, 'compile_commands.json'), confBuild);
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(want);

    const wantLinks = await realLinkInputs(real);
    const gotLinks = confessedLinkInputs(graph);
    expect(wantLinks.size).toBeGreaterThan(0);
    for (const [output, inputs] of wantLinks) {
      expect(gotLinks.get(output), `inputs of ${output}`).toEqual(inputs);
    }

    // Every compile read the files the real compiler read: the source and each header, as ninja recorded
    // them from the real build's depfiles.
    const wantHeaders = await realHeaderDeps(real);
    const gotHeaders = confessedHeaderDeps(graph);
    expect(wantHeaders.size).toBeGreaterThan(0);
    for (const [object, files] of wantHeaders) {
      expect(gotHeaders.get(object), `files read to make ${object}`).toEqual(files);
    }

    // Nothing compiled: every output of a compile, archive or link step is a token.
    for (const n of graph.nodes) {
      const a = n.attributes;
      if (a.type !== 'action' || a.category === 'custom') continue;
      for (const o of a.outputs) expect(await isToken(o), `${o} is a token`).toBe(true);
    }
  });
});

describe('confess cmake: find_package', () => {
  it('logs every call, keeps found packages real and fakes the missing one (default mode)', async () => {
    const out = join(work, 'find-missing');
    const r = await confess(join(REPO, 'fixtures', 'find-packages'), out);
    expect(r.exitCode, r.all).toBe(0);
    const co = JSON.parse(await readFile(join(out, 'coeffects.json'), 'utf8')) as CoeffectsFile;
    const byName = new Map(co.packages.map((p) => [p.name, p]));
    expect(byName.get('ZLIB')?.resolution).toBe('found');
    expect(byName.get('Threads')?.resolution).toBe('found');
    expect(byName.get('Boost')).toMatchObject({ resolution: 'faked', version: '1.70', components: ['filesystem', 'system'] });
    const fakeRoot = byName.get('Boost')?.fakeRoot as string;
    expect(co.coeffects).toContainEqual({ kind: 'filesystem', path: fakeRoot });
    // The faked Boost is in the graph, marked fake, as an input of a link.
    const graph = JSON.parse(await readFile(join(out, 'graph.json'), 'utf8')) as SerializedGraph;
    const fakes = graph.nodes.filter((n) => n.attributes.type === 'file' && n.attributes.fake);
    expect(fakes.length).toBeGreaterThan(0);
    expect(fakes.every((n) => n.attributes.type === 'file' && n.attributes.path.startsWith(fakeRoot))).toBe(true);
  });

  it('--fake-packages all fakes even what the machine has', async () => {
    const out = join(work, 'find-all');
    const r = await confess(join(REPO, 'fixtures', 'find-packages'), out, [], ['--fake-packages', 'all']);
    expect(r.exitCode, r.all).toBe(0);
    const co = JSON.parse(await readFile(join(out, 'coeffects.json'), 'utf8')) as CoeffectsFile;
    expect(co.packages.map((p) => p.resolution)).toEqual(co.packages.map(() => 'faked'));
    expect(co.packages.map((p) => p.name)).toContain('ZLIB');
  });
});

describe('confess cmake: bad input', () => {
  it('a directory without CMakeLists.txt', async () => {
    const dir = join(work, 'empty');
    await mkdir(dir, { recursive: true });
    const out = join(work, 'bad1');
    const r = await confess(dir, out);
    expect(r.exitCode).not.toBe(0);
    expect(r.all?.trim()).toMatch(/^continuity: .*no CMakeLists\.txt/);
    expect(r.all?.trim().split('\n')).toHaveLength(1);
    await expect(readFile(join(out, 'graph.json'))).rejects.toThrow();
  });

  it('a CMake error in the project', async () => {
    const dir = join(work, 'broken');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'CMakeLists.txt'), 'cmake_minimum_required(VERSION 3.16)\nproject(b C)\nadd_executable(x missing.c)\n');
    const out = join(work, 'bad2');
    const r = await confess(dir, out);
    expect(r.exitCode).not.toBe(0);
    expect(r.all?.trim()).toMatch(/^continuity: cmake configure failed: CMake Error/);
    expect(r.all?.trim().split('\n')).toHaveLength(1);
    await expect(readFile(join(out, 'graph.json'))).rejects.toThrow();
  });

  it('a missing cmake', async () => {
    const out = join(work, 'bad3');
    const r = await execa(process.execPath, [join(REPO, 'bin', 'continuity.js'), 'confess', 'cmake', join(REPO, 'fixtures', 'c-static-exe'), '--out', out], {
      reject: false, all: true, env: { PATH: '/nonexistent' }, extendEnv: false,
    });
    expect(r.exitCode).not.toBe(0);
    expect(r.all?.trim()).toBe('continuity: cmake is not installed (not found on PATH)');
    await expect(readFile(join(out, 'graph.json'))).rejects.toThrow();
  });

  it('a malformed shim report', async () => {
    // A compiler wrapper that appends a broken line to the spool, as a shim killed mid-report could.
    const dir = join(work, 'malformed');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'torn.sh'), [
      `printf '{"v":1,"rid":"torn' >> "$CONTINUITY_SPOOL"`,
      `echo 'int main(void){return 0;}' > "$1"`, '',
    ].join('\n'));
    await writeFile(join(dir, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.16)', 'project(m C)',
      'add_custom_command(OUTPUT x.c COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/torn.sh ${CMAKE_CURRENT_BINARY_DIR}/x.c)',
      'add_executable(m ${CMAKE_CURRENT_BINARY_DIR}/x.c)', '',
    ].join('\n'));
    const out = join(work, 'bad4');
    const r = await confess(dir, out);
    expect(r.exitCode).not.toBe(0);
    expect(r.all?.trim()).toMatch(/^continuity: malformed shim report/);
    await expect(readFile(join(out, 'graph.json'))).rejects.toThrow();
  });
});
