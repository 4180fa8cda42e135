import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeRig } from '../fixtures/graphs/rig.js';
import { build, tmp } from './harness.js';

const OUTPUTS = ['gen/version.h', 'CMakeFiles/greet.dir/lib/greet.c.o', 'CMakeFiles/hello.dir/app/main.c.o', 'libgreet.a', 'hello'];
const bytes = (dir: string) => Object.fromEntries(OUTPUTS.map((o) => [o, readFileSync(join(dir, o)).toString('hex')]));

describe('building the c-lib graph', () => {
  it('builds a program that runs, with the record written last', async () => {
    const rig = makeRig('c-lib');
    const out = join(rig.root, 'out');
    const s = await build(rig.graphPath, join(rig.root, 'store'), out);
    expect([s.executed, s.cached, s.failed]).toEqual([5, 0, 0]);
    expect(execFileSync(join(out, 'hello'), { encoding: 'utf8' })).toBe('hello from greet 1.2 (20)\n');
    expect(statSync(join(out, 'hello')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'libgreet.a')).mode & 0o777).toBe(0o644);
    const record = JSON.parse(readFileSync(join(out, '.continuity', 'build-record.json'), 'utf8'));
    expect(record.version).toBe(2);
    expect(record.outputs.map((o: { path: string }) => o.path).sort()).toEqual([...OUTPUTS].sort());
    expect(record.actions).toHaveLength(5);
    // every file read is listed once, and each action names what it read by index
    const listed = record.inputs.map((i: { path: string; sha256: string }) => `${i.path} ${i.sha256}`);
    expect(new Set(listed).size).toBe(listed.length);
    const link = record.actions.find((a: { identifier: string }) => a.identifier === 'hello');
    expect(link.inputs.map((n: number) => record.inputs[n].path).sort()).toEqual(['/continuity/build/CMakeFiles/hello.dir/app/main.c.o', '/continuity/build/libgreet.a']);
    expect(record.toolchainPaths).toContain('/usr');
  });

  it('is reproducible: two empty stores give byte-identical outputs, from two checkouts', async () => {
    const a = makeRig('c-lib');
    const b = makeRig('c-lib');
    await build(a.graphPath, join(a.root, 'store'), join(a.root, 'out'));
    await build(b.graphPath, join(b.root, 'store'), join(b.root, 'out'));
    expect(bytes(join(b.root, 'out'))).toEqual(bytes(join(a.root, 'out')));
  });

  it('caches: nothing changed runs nothing; a changed source reruns only what depends on it', async () => {
    const rig = makeRig('c-lib');
    const store = join(rig.root, 'store');
    await build(rig.graphPath, store, join(rig.root, 'out1'));
    const again = await build(rig.graphPath, store, join(rig.root, 'out2'));
    expect([again.executed, again.cached]).toEqual([0, 5]);
    expect(bytes(join(rig.root, 'out2'))).toEqual(bytes(join(rig.root, 'out1')));
    const src = join(rig.srcdir, 'lib', 'greet.c');
    writeFileSync(src, readFileSync(src, 'utf8').replace('hello from greet', 'hi from greet'));
    const touched = await build(rig.graphPath, store, join(rig.root, 'out3'));
    expect([touched.executed, touched.cached]).toEqual([3, 2]);
    expect(touched.executedIds.sort()).toEqual(['action:1', 'action:3', 'action:4']);
    expect(execFileSync(join(rig.root, 'out3', 'hello'), { encoding: 'utf8' })).toBe('hi from greet 1.2 (17)\n');
  });

  it('coset: a variant differing only in warning/colour/depfile flags is served from the first build\'s cache', async () => {
    const plain = makeRig('c-lib');
    const noisy = makeRig('c-lib', ['-Wall', '-Wextra', '-fdiagnostics-color=always', '-MD', '-MT', 'x.o', '-MF', 'x.o.d']);
    const store = tmp('coset-store');
    const first = await build(plain.graphPath, store, join(plain.root, 'out'));
    expect(first.executed).toBe(5);
    const second = await build(noisy.graphPath, store, join(noisy.root, 'out'));
    expect([second.executed, second.cached]).toEqual([0, 5]);
    expect(bytes(join(noisy.root, 'out'))).toEqual(bytes(join(plain.root, 'out')));
    // and built alone, the noisy variant makes the same bytes (the coset claim itself)
    const alone = await build(noisy.graphPath, tmp('coset-alone'), join(noisy.root, 'out-alone'));
    expect(alone.executed).toBe(5);
    expect(bytes(join(noisy.root, 'out-alone'))).toEqual(bytes(join(plain.root, 'out')));
  });

  it('detects a corrupted object, deletes it and rebuilds the action that made it', async () => {
    const rig = makeRig('c-lib');
    const store = join(rig.root, 'store');
    const first = await build(rig.graphPath, store, join(rig.root, 'out1'));
    const exe = first.record?.outputs.find((o) => o.path === 'hello');
    if (!exe) throw new Error('no hello in record');
    const obj = join(store, 'objects', exe.sha256.slice(0, 2), exe.sha256);
    const buf = readFileSync(obj);
    buf[100] = (buf[100] ?? 0) ^ 0xff;
    execFileSync('chmod', ['u+w', obj]);
    writeFileSync(obj, buf);
    const second = await build(rig.graphPath, store, join(rig.root, 'out2'));
    expect(second.executedIds).toEqual(['action:4']);
    expect(readFileSync(join(rig.root, 'out2', 'hello')).equals(readFileSync(join(rig.root, 'out1', 'hello')))).toBe(true);
    expect(readFileSync(obj).equals(readFileSync(join(rig.root, 'out1', 'hello')))).toBe(true);
  });

  it('a failed action is named with its stderr; --out is not written; succeeded outputs stay in the store', async () => {
    const rig = makeRig('c-lib');
    writeFileSync(join(rig.srcdir, 'app', 'main.c'), 'int main(void) { return missing_function_decl(; }\n');
    const out = join(rig.root, 'out');
    const store = join(rig.root, 'store');
    const s = await build(rig.graphPath, store, out, { jobs: 1 });
    expect(s.failed).toBe(1);
    expect(s.failures[0]?.id).toBe('action:2');
    expect(s.failures[0]?.failure.reason).toBe('exit');
    expect(s.failures[0]?.failure.stderr).toMatch(/error/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(join(store, 'actions')).length).toBeGreaterThan(0);
  });
});
