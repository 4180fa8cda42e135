import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { customRig } from '../fixtures/graphs/rig.js';
import { build, sandboxKind, tmp } from './harness.js';
import type { SandboxKind } from '../../src/execute/sandbox.js';
import { missingPathFrom } from '../../src/execute/executor.js';

let server: Server;
let port = 0;
let connections = 0;
beforeAll(async () => {
  server = createServer((s) => {
    connections += 1;
    s.on('error', () => undefined);
    s.end('hello\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

// the sandbox this machine picks by default, and the unshare fallback too when it works here
const kinds: SandboxKind[] = [...new Set<SandboxKind>([sandboxKind(), sandboxKind('unshare')])];

describe.each(kinds)('sandbox (%s)', (kind) => {
  const run = (input: string, root: string) => build(input, join(root, 'store'), join(root, 'out'), { sandbox: kind });

  it('an action reading an undeclared file fails, naming the file', async () => {
    const rig = customRig({ 'declared.txt': 'yes\n', 'secret.txt': 'no\n' }, [
      { sh: 'cat @SRCDIR@/declared.txt @SRCDIR@/secret.txt > @BUILDDIR@/both.txt', inputs: ['@SRCDIR@/declared.txt'], outputs: ['@BUILDDIR@/both.txt'] },
    ]);
    const s = await run(rig.graphPath, rig.root);
    expect(s.failed).toBe(1);
    const f = s.failures[0];
    expect(f?.id).toBe('action:0');
    expect(f?.failure.reason).toBe('undeclared-input');
    expect(f?.failure.message).toBe(`reads undeclared input /continuity/src/secret.txt (${join(rig.srcdir, 'secret.txt')})`);
  });

  it.each(['custom', 'compile'] as const)('a compile including an undeclared header fails naming the header (staged as a %s step)', async (category) => {
    const rig = customRig({ 'a.c': '#include "hidden.h"\nint x = HIDDEN;\n', 'hidden.h': '#define HIDDEN 1\n' }, [
      { sh: 'cc -c @SRCDIR@/a.c -o @BUILDDIR@/a.o', inputs: ['@SRCDIR@/a.c'], outputs: ['@BUILDDIR@/a.o'], category },
    ]);
    const s = await run(rig.graphPath, rig.root);
    expect(s.failures[0]?.failure.reason).toBe('undeclared-input');
    expect(s.failures[0]?.failure.message).toBe('reads undeclared input hidden.h');
    expect(s.failures[0]?.failure.stderr).toMatch(/hidden\.h: No such file or directory/);
  });

  it('has no network: connecting to a listener on the host fails', async () => {
    const sh = `/usr/bin/python3 -c 'import socket; socket.create_connection(("127.0.0.1", ${port}), timeout=3); print("connected")' > @BUILDDIR@/net.txt`;
    const rig = customRig({}, [{ sh, outputs: ['@BUILDDIR@/net.txt'] }]);
    const before = connections;
    const s = await run(rig.graphPath, rig.root);
    expect(s.failed).toBe(1);
    expect(s.failures[0]?.failure.stderr).toMatch(/Connection refused|Network is unreachable|ConnectionRefused|OSError/);
    expect(s.failures[0]?.failure.reason).toBe('network');
    expect(s.failures[0]?.failure.message).toMatch(/^exited with status 1 after trying to use the network, which the sandbox does not have/);
    expect(connections).toBe(before);
    // the same action outside the sandbox does reach the listener, so the test can tell the difference
    const open = await build(rig.graphPath, tmp('net-open'), join(rig.root, 'out-open'), { sandbox: 'none' });
    expect(open.failed).toBe(0);
    expect(readFileSync(join(rig.root, 'out-open', 'net.txt'), 'utf8')).toBe('connected\n');
    expect(connections).toBe(before + 1);
  });

  it('sees only declared environment variables and a fixed PATH; fresh pid namespace', async () => {
    process.env['CONTINUITY_TEST_UNDECLARED'] = 'leak';
    try {
      const rig = customRig({}, [
        { sh: 'env | sort > @BUILDDIR@/env.txt; echo $$ > @BUILDDIR@/pid.txt; ls / > @BUILDDIR@/root.txt', outputs: ['@BUILDDIR@/env.txt', '@BUILDDIR@/pid.txt', '@BUILDDIR@/root.txt'], env: { DECLARED: 'here' } },
      ]);
      const s = await run(rig.graphPath, rig.root);
      expect(s.failed).toBe(0);
      const env = readFileSync(join(rig.root, 'out', 'env.txt'), 'utf8');
      expect(env).not.toMatch(/CONTINUITY_TEST_UNDECLARED|leak/);
      expect(env).toMatch(/^DECLARED=here$/m);
      expect(env).toMatch(/^PATH=\/usr\/local\/bin:\/usr\/bin:\/bin$/m);
      expect(Number(readFileSync(join(rig.root, 'out', 'pid.txt'), 'utf8'))).toBeLessThan(10);
      const root = readFileSync(join(rig.root, 'out', 'root.txt'), 'utf8').split('\n');
      expect(root).toContain('continuity');
      expect(root).not.toContain('work');
      expect(root).not.toContain('root');
    } finally {
      delete process.env['CONTINUITY_TEST_UNDECLARED'];
    }
  });
});

describe('reading tool errors', () => {
  it('finds the missing path in common messages', () => {
    expect(missingPathFrom('a.c:1:10: fatal error: foo/bar.h: No such file or directory')).toBe('foo/bar.h');
    expect(missingPathFrom('cat: /continuity/src/x: No such file or directory')).toBe('/continuity/src/x');
    expect(missingPathFrom("/bin/sh: 1: cannot open /continuity/src/in.txt: No such file")).toBe('/continuity/src/in.txt');
    expect(missingPathFrom('/usr/bin/ld: cannot find -lfoo: No such file or directory')).toBe('-lfoo');
    expect(missingPathFrom('error: something else')).toBeNull();
  });
});
