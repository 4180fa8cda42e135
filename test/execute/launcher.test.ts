// The launcher starts commands as spawning them here would, and when it dies, what it was running
// fails and later commands are spawned directly.
import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { REPO, compileCli } from './harness.js';
import { startLauncher } from '../../src/execute/launcher.js';

beforeAll(() => compileCli());
const MAIN = join(REPO, 'dist', 'execute', 'launcher-main.js');

describe('launcher', () => {
  it('runs commands with their exit code, standard output and error, many at once', async () => {
    const l = startLauncher(MAIN);
    const runs = Array.from({ length: 20 }, (_, n) => l.run('/bin/sh', ['-c', `echo out${n}; echo err${n} >&2; exit ${n % 3}`]));
    expect(runs.every((r) => r !== null)).toBe(true);
    const got = await Promise.all(runs);
    expect(got).toEqual(Array.from({ length: 20 }, (_, n) => ({ code: n % 3, stdout: `out${n}\n`, stderr: `err${n}\n` })));
    expect(await l.run('/nonexistent/tool', [])).toEqual({ code: 127, stdout: '', stderr: expect.stringMatching(/^\/nonexistent\/tool: .*ENOENT/) });
    l.close();
  });

  it('when it dies, what it ran fails and nothing more is sent to it', async () => {
    const l = startLauncher(MAIN);
    const long = l.run('/bin/sh', ['-c', 'sleep 30']);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(l.pid() as number, 'SIGKILL');
    expect((await long)?.code).toBe(125);
    await new Promise((r) => setTimeout(r, 100));
    expect(l.run('/bin/true', [])).toBeNull();
    l.close();
  });

  it('is not started when its compiled module is missing (running from source)', () => {
    const l = startLauncher(join(REPO, 'no-such-launcher.js'));
    expect(l.run('/bin/true', [])).toBeNull();
    l.close();
  });
});
