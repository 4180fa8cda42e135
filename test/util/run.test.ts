import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/util/run.js';

describe('run', () => {
  it('keeps stdout, stderr and both in the order written, and the exit code', async () => {
    const r = await run('/bin/sh', ['-c', 'echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three; exit 3']);
    expect(r.exitCode).toBe(3);
    expect(r.signal).toBeNull();
    expect(r.stdout).toBe('one\nthree\n');
    expect(r.stderr).toBe('two\n');
    expect(r.all).toBe('one\ntwo\nthree\n');
  });

  it('runs in cwd with the environment given set over the inherited one, stdin closed', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'run-')));
    try {
      const r = await run('/bin/sh', ['-c', 'pwd; echo "$RUN_TEST_VAR"; echo "${PATH:+path}"; cat; echo end'], { cwd: dir, env: { RUN_TEST_VAR: 'x y' } });
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(`${dir}\nx y\npath\nend\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives 128 + the signal when a signal ends the tool, and 127 with the reason when it cannot start', async () => {
    const killed = await run('/bin/sh', ['-c', 'kill -TERM $$']);
    expect(killed.signal).toBe('SIGTERM');
    expect(killed.exitCode).toBe(143);
    const missing = await run('/nonexistent/tool', ['a']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toBe('/nonexistent/tool: not found\n');
    expect(missing.all).toBe(missing.stderr);
  });

  it('keeps a multi-byte character split across reads whole', async () => {
    const r = await run(process.execPath, ['-e', "process.stdout.write(Buffer.from([0xc3])); setTimeout(() => process.stdout.write(Buffer.from([0xa9, 0x0a])), 50)"]);
    expect(r.stdout).toBe('é\n');
  });
});
