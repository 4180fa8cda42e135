// Shared by the view tests: headless Chromium, the CLI as a child process that prints its address, and
// a confessed fixture.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CLI, REPO } from '../helpers/real-cmake.js';

export const ARTIFACTS = join(REPO, 'test-artifacts', 'view');

export async function artifactPath(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
}

export interface RunningCli {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
}

/** Starts the CLI and waits for its `view at <url>` line. */
export async function startCli(args: string[], cwd: string = REPO): Promise<RunningCli> {
  const child = spawn('node', [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /view at (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1] as string);
    });
    void exited.then((code) => reject(new Error(`the CLI exited (${code}) before serving: ${err}`)));
  });
  return { child, url, stderr: () => err, exited };
}
