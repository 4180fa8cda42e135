import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { customRig, makeRig } from '../fixtures/graphs/rig.js';
import { CLI, cli, compileCli, tmp } from './harness.js';

beforeAll(() => compileCli());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The build's summary line (signing, when it runs after a build, prints its own line after it). */
const summaryLine = (stderr: string): string => stderr.split('\n')[0] ?? '';

describe('continuity lower / build (CLI)', () => {
  it('lower writes actions.json that build accepts as is', async () => {
    const rig = makeRig('c-lib');
    const actions = join(rig.root, 'actions.json');
    const l = await cli(['lower', rig.graphPath, '-o', actions]);
    expect(l.code).toBe(0);
    expect(JSON.parse(readFileSync(actions, 'utf8')).kind).toBe('continuity-actions');
    const b = await cli(['build', actions, '--out', join(rig.root, 'out'), '--store', join(rig.root, 'store')]);
    expect(summaryLine(b.stderr)).toBe('continuity: 5 executed, 0 cached, 0 failed');
    expect(b.code).toBe(0);
    const again = await cli(['build', rig.graphPath, '--out', join(rig.root, 'out2'), '--store', join(rig.root, 'store'), '-j', '1']);
    expect(summaryLine(again.stderr)).toBe('continuity: 0 executed, 5 cached, 0 failed');
    const quiet = await cli(['build', rig.graphPath, '--out', join(rig.root, 'out3'), '--store', join(rig.root, 'store'), '--quiet']);
    expect([quiet.code, quiet.stderr, quiet.stdout]).toEqual([0, '', '']);
  });

  it('uses $XDG_CACHE_HOME/continuity as the default store', async () => {
    const rig = makeRig('c-lib');
    const xdg = tmp('xdg');
    const b = await cli(['build', rig.graphPath, '--out', join(rig.root, 'out')], { ...process.env, XDG_CACHE_HOME: xdg });
    expect(b.code).toBe(0);
    const layout = readdirSync(join(xdg, 'continuity')).sort();
    expect(layout).toEqual(expect.arrayContaining(['actions', 'hash-memo.json', 'objects', 'work']));
    // the lowered-actions cache and the up-to-date state, when what they rest on was old enough to vouch for
    expect(layout.filter((d) => !['actions', 'hash-memo.json', 'objects', 'work'].includes(d)).every((d) => ['lowered', 'outs'].includes(d))).toBe(true);
  });

  it('bad input: one line naming the cause, non-zero exit, nothing written', async () => {
    const root = tmp('bad');
    const out = join(root, 'out');
    const missing = await cli(['build', join(root, 'nope.json'), '--out', out, '--store', join(root, 's')]);
    expect([missing.code, missing.stderr]).toEqual([2, `continuity: ${join(root, 'nope.json')}: no such file or directory\n`]);
    writeFileSync(join(root, 'bad.json'), '{"attributes": {"version": 2}}');
    const schema = await cli(['build', join(root, 'bad.json'), '--out', out, '--store', join(root, 's')]);
    expect([schema.code, schema.stderr]).toEqual([2, `continuity: ${join(root, 'bad.json')}: unsupported graph version 2\n`]);
    writeFileSync(join(root, 'notjson.json'), '{');
    const notJson = await cli(['lower', join(root, 'notjson.json')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^continuity: .*notjson\.json: not valid JSON .*\n$/);
    const rig = makeRig('c-lib');
    const g = JSON.parse(readFileSync(rig.graphPath, 'utf8'));
    g.nodes.find((n: { key: string }) => n.key === 'action:0').attributes.inputs.push(join(rig.builddir, 'hello'));
    writeFileSync(rig.graphPath, JSON.stringify(g));
    const cycle = await cli(['build', rig.graphPath, '--out', out, '--store', join(root, 's')]);
    expect([cycle.code, cycle.stderr]).toEqual([2, `continuity: ${rig.graphPath}: the actions form a cycle\n`]);
    writeFileSync(join(root, 'store-file'), '');
    const store = await cli(['build', makeRig('c-lib').graphPath, '--out', out, '--store', join(root, 'store-file')]);
    expect([store.code, store.stderr]).toEqual([2, `continuity: store ${join(root, 'store-file')} is not usable (ENOTDIR)\n`]);
    expect(existsSync(out)).toBe(false);
  });

  it('a failed action: exit 1, the action named with its stderr', async () => {
    const rig = customRig({}, [{ sh: 'echo boom >&2; exit 3', outputs: ['@BUILDDIR@/x'] }]);
    const b = await cli(['build', rig.graphPath, '--out', join(rig.root, 'out'), '--store', join(rig.root, 'store')]);
    expect(b.code).toBe(1);
    expect(b.stderr).toBe('continuity: action action:0 (custom x) failed: exited with status 3\nboom\ncontinuity: 0 executed, 0 cached, 1 failed\n');
  });

  it('a build killed with SIGKILL half-way leaves a store the next build uses correctly', async () => {
    const rig = customRig({ 'in.txt': 'data\n' }, [
      { sh: 'tr a-z A-Z < @SRCDIR@/in.txt > @BUILDDIR@/up.txt', inputs: ['@SRCDIR@/in.txt'], outputs: ['@BUILDDIR@/up.txt'] },
      { sh: 'sleep 3; cat @BUILDDIR@/up.txt @BUILDDIR@/up.txt > @BUILDDIR@/twice.txt', inputs: ['@BUILDDIR@/up.txt'], outputs: ['@BUILDDIR@/twice.txt'] },
    ]);
    const store = join(rig.root, 'store');
    const child = spawn(process.execPath, [CLI, 'build', rig.graphPath, '--out', join(rig.root, 'out1'), '--store', store], { stdio: 'ignore' });
    const closed = new Promise((r) => child.on('close', r));
    const deadline = Date.now() + 20_000;
    // an action is staged in the store's work/, or in /dev/shm when the machine has a roomy tmpfs
    const stages = (): string[] => [
      ...(existsSync(join(store, 'work')) ? readdirSync(join(store, 'work')).map((n) => join(store, 'work', n)) : []),
      ...readdirSync('/dev/shm').filter((n) => n.startsWith(`continuity-stage.tmp-${child.pid}-`)).map((n) => join('/dev/shm', n)),
    ];
    // wait until the first action is cached and the second is running in its sandbox
    while (Date.now() < deadline) {
      const cachedOne = existsSync(join(store, 'actions')) && readdirSync(join(store, 'actions')).length === 1;
      if (cachedOne && stages().length === 1) break;
      await sleep(50);
    }
    child.kill('SIGKILL');
    await closed;
    const left = stages();
    expect(left).toHaveLength(1); // its half-done stage is left behind
    expect(existsSync(join(rig.root, 'out1'))).toBe(false);
    const b = await cli(['build', rig.graphPath, '--out', join(rig.root, 'out2'), '--store', store]);
    expect(summaryLine(b.stderr)).toBe('continuity: 1 executed, 1 cached, 0 failed');
    expect(readFileSync(join(rig.root, 'out2', 'twice.txt'), 'utf8')).toBe('DATA\nDATA\n');
    expect(existsSync(left[0] as string)).toBe(false); // swept
  });

  it('two concurrent builds sharing one store both succeed with the same outputs', async () => {
    const a = makeRig('c-lib');
    const b = makeRig('c-lib');
    const store = tmp('shared-store');
    const [ra, rb] = await Promise.all([
      cli(['build', a.graphPath, '--out', join(a.root, 'out'), '--store', store, '-j', '2']),
      cli(['build', b.graphPath, '--out', join(b.root, 'out'), '--store', store, '-j', '2']),
    ]);
    expect([ra.code, rb.code]).toEqual([0, 0]);
    for (const f of ['hello', 'libgreet.a']) expect(readFileSync(join(a.root, 'out', f)).equals(readFileSync(join(b.root, 'out', f)))).toBe(true);
    const c = await cli(['build', a.graphPath, '--out', join(a.root, 'out3'), '--store', store]);
    expect(summaryLine(c.stderr)).toBe('continuity: 0 executed, 5 cached, 0 failed');
  });
});
