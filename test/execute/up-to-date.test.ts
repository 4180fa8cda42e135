// A build into an --out whose last build rested on nothing that has changed since is answered from stat
// alone ("up to date"): the record is written again and nothing else runs. Any change it rests on (a header,
// an output in --out, the compiler binary, the graph file, the sandbox mode) makes it build, and then only
// what the change reaches runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRig } from '../fixtures/graphs/rig.js';
import { cli, compileCli } from './harness.js';
import { cliBuild, dependentsOf } from './compare.js';
import type { SerializedGraph } from '../../src/model/graph.js';

beforeAll(() => compileCli());

// stamps vouch only for files older than a second (see src/util/stamp.ts)
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1100));
const upToDate = (stderr: string): boolean => /^continuity: 0 executed, \d+ cached, 0 failed \(up to date\)$/m.test(stderr);

describe('up-to-date builds', () => {
  it('a second build changes nothing and writes a fresh record; a header edit reruns exactly its dependents', async () => {
    const rig = makeRig('c-lib');
    const out = join(rig.root, 'out');
    const store = join(rig.root, 'store');
    await settle();
    const first = await cliBuild(rig.graphPath, out, store);
    expect([first.code, first.executed, upToDate(first.stderr)]).toEqual([0, 5, false]);
    const second = await cliBuild(rig.graphPath, out, store);
    expect([second.code, second.executed, second.cached, upToDate(second.stderr)]).toEqual([0, 0, 5, true]);
    expect(second.record?.buildId).not.toBe(first.record?.buildId);
    expect(second.record?.actions.every((a) => a.cached)).toBe(true);
    expect(second.record?.outputs).toEqual(first.record?.outputs);
    expect(second.record?.derivationHash).toBe(first.record?.derivationHash);

    const header = join(rig.srcdir, 'include', 'greet.h');
    appendFileSync(header, '/* edited */\n');
    await settle();
    const graph = JSON.parse(readFileSync(rig.graphPath, 'utf8')) as SerializedGraph;
    const want = dependentsOf(graph, header);
    expect(want).toEqual(['CMakeFiles/greet.dir/lib/greet.c.o', 'CMakeFiles/hello.dir/app/main.c.o', 'hello', 'libgreet.a']);
    const third = await cliBuild(rig.graphPath, out, store);
    expect([third.code, third.executed, third.cached, upToDate(third.stderr)]).toEqual([0, want.length, 5 - want.length, false]);
    expect(third.record?.actions.filter((a) => !a.cached).map((a) => a.identifier).sort()).toEqual(want);
    const fourth = await cliBuild(rig.graphPath, out, store);
    expect([fourth.executed, upToDate(fourth.stderr)]).toEqual([0, true]);
  });

  it('an output removed or altered in --out is put back from the store, nothing run', async () => {
    const rig = makeRig('c-lib');
    const out = join(rig.root, 'out');
    const store = join(rig.root, 'store');
    await settle();
    expect((await cliBuild(rig.graphPath, out, store)).executed).toBe(5);
    const hello = readFileSync(join(out, 'hello'));
    const lib = readFileSync(join(out, 'libgreet.a'));
    rmSync(join(out, 'hello'));
    const removed = await cliBuild(rig.graphPath, out, store);
    expect([removed.executed, removed.cached, upToDate(removed.stderr)]).toEqual([0, 5, false]);
    expect(readFileSync(join(out, 'hello')).equals(hello)).toBe(true);
    expect(statSync(join(out, 'hello')).mode & 0o777).toBe(0o755);

    // same size, old mtime put back: the stamp still differs (ctime)
    const st = statSync(join(out, 'libgreet.a'));
    const bad = Buffer.from(lib);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    writeFileSync(join(out, 'libgreet.a'), bad);
    utimesSync(join(out, 'libgreet.a'), st.atime, st.mtime);
    const altered = await cliBuild(rig.graphPath, out, store);
    expect([altered.executed, upToDate(altered.stderr)]).toEqual([0, false]);
    expect(readFileSync(join(out, 'libgreet.a')).equals(lib)).toBe(true);
    const again = await cliBuild(rig.graphPath, out, store);
    expect(upToDate(again.stderr)).toBe(true);
  });

  it('another compiler binary at the same path changes the keys; the same bytes touched do not', async () => {
    const rig = makeRig('c-lib');
    // the graph's compiles and link call a compiler of their own, which the test can replace: a driver
    // that hands over to the system's
    const cc = join(rig.root, 'toolchain', 'bin', 'cc');
    mkdirSync(join(rig.root, 'toolchain', 'bin'), { recursive: true });
    writeFileSync(cc, `#!/bin/sh\nexec ${realpathSync('/usr/bin/cc')} "$@"\n`, { mode: 0o755 });
    writeFileSync(rig.graphPath, readFileSync(rig.graphPath, 'utf8').replaceAll('"real": "/usr/bin/cc"', `"real": ${JSON.stringify(cc)}`));
    const out = join(rig.root, 'out');
    const store = join(rig.root, 'store');
    await settle();
    const first = await cliBuild(rig.graphPath, out, store);
    expect([first.code, first.executed]).toEqual([0, 5]);

    const t = new Date(Date.now() - 5000);
    utimesSync(cc, t, t); // new stamp, same bytes: probed again, same identity, same keys
    await settle();
    const touched = await cliBuild(rig.graphPath, out, store);
    expect([touched.executed, touched.cached, upToDate(touched.stderr)]).toEqual([0, 5, false]);

    appendFileSync(cc, '# another build of the compiler\n'); // other bytes: compiles and the link get new keys, and what reads them
    await settle();
    const replaced = await cliBuild(rig.graphPath, out, store);
    expect([replaced.code, replaced.executed, replaced.cached]).toEqual([0, 4, 1]);
    const keys = (r: typeof first): Map<string, string> => new Map((r.record?.actions ?? []).map((a) => [a.identifier, a.key]));
    expect(keys(replaced).get('gen/version.h')).toBe(keys(first).get('gen/version.h'));
    for (const id of ['CMakeFiles/greet.dir/lib/greet.c.o', 'CMakeFiles/hello.dir/app/main.c.o', 'hello']) {
      expect(keys(replaced).get(id)).not.toBe(keys(first).get(id));
    }
    expect(upToDate((await cliBuild(rig.graphPath, out, store)).stderr)).toBe(true);
  });

  it('an up-to-date build is signed like any other', async () => {
    const rig = makeRig('c-lib');
    const out = join(rig.root, 'out');
    const store = join(rig.root, 'store');
    const key = join(rig.root, 'signing.key');
    const ledger = join(rig.root, 'ledger');
    expect((await cli(['keygen', '--out', key])).code).toBe(0);
    await settle();
    const first = await cliBuild(rig.graphPath, out, store, ['--key', key, '--ledger', ledger]);
    expect(first.code, first.stderr).toBe(0);
    const second = await cliBuild(rig.graphPath, out, store, ['--key', key, '--ledger', ledger]);
    expect([second.code, upToDate(second.stderr)]).toEqual([0, true]);
    expect(second.stderr).toContain(`continuity: signed build ${second.record?.buildId} (${first.record?.outputs.length} attestations, pure) into ${ledger}`);
    const v = await cli(['verify', second.record?.buildId ?? '', '--ledger', ledger, '--trusted-keys', join(rig.root, 'signing.pub')]);
    expect(v.code, v.stderr).toBe(0);
  });

  it('a rewritten graph file, or another sandbox mode, is not taken for the last build', async () => {
    const rig = makeRig('c-lib');
    const out = join(rig.root, 'out');
    const store = join(rig.root, 'store');
    await settle();
    expect((await cliBuild(rig.graphPath, out, store)).executed).toBe(5);
    writeFileSync(rig.graphPath, readFileSync(rig.graphPath));
    await settle();
    const rewritten = await cliBuild(rig.graphPath, out, store);
    expect([rewritten.executed, upToDate(rewritten.stderr)]).toEqual([0, false]);
    const unsandboxed = await cliBuild(rig.graphPath, out, store, ['--no-sandbox']);
    expect([unsandboxed.code, unsandboxed.executed, upToDate(unsandboxed.stderr)]).toEqual([0, 5, false]);
    const sandboxed = await cliBuild(rig.graphPath, out, store);
    expect([sandboxed.executed, upToDate(sandboxed.stderr)]).toEqual([0, false]);
    expect(upToDate((await cliBuild(rig.graphPath, out, store)).stderr)).toBe(true);
  });
});
