import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lowerGraph } from '../../src/lower/lower.js';
import type { SerializedGraph } from '../../src/model/graph.js';
import type { LoweredAction } from '../../src/lower/actions.js';
import { makeRig } from '../fixtures/graphs/rig.js';

const load = (p: string): SerializedGraph => JSON.parse(readFileSync(p, 'utf8')) as SerializedGraph;
async function lower(p: string): Promise<LoweredAction[]> {
  const r = await lowerGraph(load(p), { graphPath: p });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.actions;
}
const keys = (as: LoweredAction[]) => Object.fromEntries(as.map((a) => [a.id, a.key]));

describe('lowering the c-lib graph', () => {
  it('types actions, rewrites paths and addresses generated inputs by producer', async () => {
    const rig = makeRig('c-lib');
    const as = await lower(rig.graphPath);
    expect(as.map((a) => [a.id, a.kind, a.action.identifier])).toEqual([
      ['action:0', 'custom', 'gen/version.h'],
      ['action:1', 'compile-c', 'CMakeFiles/greet.dir/lib/greet.c.o'],
      ['action:2', 'compile-c', 'CMakeFiles/hello.dir/app/main.c.o'],
      ['action:3', 'archive', 'libgreet.a'],
      ['action:4', 'link-executable', 'hello'],
    ]);
    const greet = as[1] as LoweredAction;
    // the shim path in args[0] is replaced by the real tool; the build tree inside the source tree wins (longest prefix)
    expect(greet.action.command).toEqual([
      '/usr/bin/cc', '-I/continuity/src/include', '-I/continuity/build/gen', '-O2', '-g', '-DGREET_INTERNAL=1',
      '-o', 'CMakeFiles/greet.dir/lib/greet.c.o', '-c', '/continuity/src/lib/greet.c',
    ]);
    expect(greet.cwd).toBe('/continuity/build');
    expect(greet.inputs.map((i) => [i.kind, i.path])).toEqual([
      ['generated', '/continuity/build/gen/version.h'],
      ['source', '/continuity/src/include/greet.h'],
      ['source', '/continuity/src/lib/greet.c'],
    ]);
    expect(greet.inputs[0]).toMatchObject({ producer: 'action:0', output: 'gen/version.h' });
    expect(greet.toolchain.flags).toEqual([{ kind: 'optLevel', level: 'O2' }, { kind: 'debug', on: true }]);
    expect(greet.toolchain.target).toMatchObject({ arch: 'x86_64', os: 'linux', abi: 'gnu' });
    expect(greet.toolchain.compiler.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(greet.toolchain.version).toMatch(/gcc|cc/);
    expect(greet.defines).toEqual([{ name: 'GREET_INTERNAL', value: '1' }]);
    expect(greet.includeDirs).toEqual([{ dir: '/continuity/src/include', system: false }, { dir: '/continuity/build/gen', system: false }]);
    // /usr/include/string.h belongs to the toolchain closure, not the inputs
    expect(greet.inputs.some((i) => i.path.startsWith('/usr'))).toBe(false);
    expect(greet.closure).toContain('/usr');
    expect(as[3]?.toolchain.version).toMatch(/GNU ar/);
  });

  it('keys are stable and do not depend on where the project was checked out', async () => {
    const a = makeRig('c-lib');
    const b = makeRig('c-lib');
    const ka = keys(await lower(a.graphPath));
    expect(keys(await lower(a.graphPath))).toEqual(ka);
    expect(keys(await lower(b.graphPath))).toEqual(ka);
  });

  it('a changed source changes its action and everything downstream, nothing else', async () => {
    const rig = makeRig('c-lib');
    const before = keys(await lower(rig.graphPath));
    writeFileSync(join(rig.srcdir, 'lib', 'greet.c'), `${readFileSync(join(rig.srcdir, 'lib', 'greet.c'), 'utf8')}\n/* changed */\n`);
    const after = keys(await lower(rig.graphPath));
    const changed = Object.keys(before).filter((k) => before[k] !== after[k]);
    expect(changed).toEqual(['action:1', 'action:3', 'action:4']);
  });

  it('coset: warnings, colours and depfile flags change the command but not the key', async () => {
    const plain = makeRig('c-lib');
    const noisy = makeRig('c-lib', ['-Wall', '-Wextra', '-fdiagnostics-color=always', '-fmessage-length=0', '-MD', '-MT', 'x.o', '-MF', 'x.o.d']);
    const p = await lower(plain.graphPath);
    const n = await lower(noisy.graphPath);
    expect(keys(n)).toEqual(keys(p));
    expect(n[1]?.action.command).toContain('-Wall');
    expect(n[1]?.ignored).toEqual(['-Wall', '-Wextra', '-fdiagnostics-color=always', '-fmessage-length=0', '-MD', '-MT', 'x.o', '-MF', 'x.o.d']);
    // a flag that does change the output changes the key
    const opt = makeRig('c-lib', ['-Wl,-z,now']);
    expect(keys(await lower(opt.graphPath))['action:1']).not.toBe(keys(p)['action:1']);
  });

  it('refuses a graph with a missing input, naming it', async () => {
    const rig = makeRig('c-lib');
    const g = load(rig.graphPath);
    const act = g.nodes.find((n) => n.key === 'action:2')?.attributes;
    if (act?.type !== 'action') throw new Error('fixture');
    act.inputs.push(join(rig.srcdir, 'nope.c'));
    const r = await lowerGraph(g);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ reason: 'missing-input', message: `action action:2 (compile-c) reads ${join(rig.srcdir, 'nope.c')}, which does not exist and no action makes` });
  });

  it('refuses a cycle', async () => {
    const rig = makeRig('c-lib');
    const g = load(rig.graphPath);
    const gen = g.nodes.find((n) => n.key === 'action:0')?.attributes;
    if (gen?.type !== 'action') throw new Error('fixture');
    gen.inputs.push(join(rig.builddir, 'hello'));
    const r = await lowerGraph(g);
    expect(r.ok ? null : r.error.reason).toBe('cycle');
  });

  it('runs post steps (ranlib after ar) in the same action, with the real tool in place of the shim', async () => {
    const rig = makeRig('c-lib');
    const g = load(rig.graphPath);
    const ar = g.nodes.find((n) => n.key === 'action:3')?.attributes;
    if (ar?.type !== 'action') throw new Error('fixture');
    const before = await lowerGraph(g);
    ar.post = [[join(rig.root, 'confess', 'shims', 'ranlib'), join(rig.builddir, 'libgreet.a')]];
    const r = await lowerGraph(g);
    if (!r.ok || !before.ok) throw new Error('lowering failed');
    const a = r.value.actions[3] as LoweredAction;
    expect(a.action.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(a.action.command[2]).toMatch(/^\/usr\/bin\/ar .* && \/usr\/bin\/ranlib \/continuity\/build\/libgreet\.a$/);
    expect(a.key).not.toBe(before.value.actions[3]?.key);
    expect(a.kind).toBe('archive');
  });
});
