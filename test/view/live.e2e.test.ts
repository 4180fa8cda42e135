// Live view end to end in headless Chromium: a page connected before a confession starts shows nodes
// arriving while the shims report, then the finished graph; and `confess cmake --live` serves it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { CLI, REPO } from '../helpers/real-cmake.js';
import type { SerializedGraph } from '../../src/model/graph.js';
import { confessCmake } from '../../src/confess/cmake.js';
import { startLiveSession } from '../../src/view/live-session.js';
import { artifactPath, launchChromium, startCli } from './helpers.js';

interface Seen {
  nodes: number;
  visible: number;
  live: string;
}

let work: string;
let browser: Browser;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-live-'));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rm(work, { recursive: true, force: true });
});

/** A page that records every state it draws (model size, nodes on screen, live status). */
async function recordingPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  await page.addInitScript(() => {
    const w = window as unknown as { seen: Seen[] };
    w.seen = [];
    document.addEventListener('DOMContentLoaded', () => {
      new MutationObserver(() => {
        const d = document.body.dataset;
        w.seen.push({ nodes: Number(d['modelNodes'] ?? 0), visible: Number(d['visibleNodes'] ?? 0), live: d['live'] ?? '' });
      }).observe(document.body, { attributes: true, attributeFilter: ['data-model-nodes', 'data-visible-nodes', 'data-live'] });
    });
  });
  return page;
}

const seen = (page: Page): Promise<Seen[]> => page.evaluate(() => (window as unknown as { seen: Seen[] }).seen);

function targetsOf(g: SerializedGraph): string[] {
  return g.nodes
    .flatMap((n) => (n.attributes.type === 'action' && (n.attributes.category === 'archive' || n.attributes.category === 'link') ? [basename(n.attributes.outputs[0] as string)] : []))
    .sort();
}

const shownTargets = (page: Page): Promise<string[]> =>
  page.locator('.node.kind-group .label').allTextContents().then((l) => l.sort());

describe('live view', () => {
  it('shows nodes arriving while a confession runs, then the finished graph', async () => {
    const session = await startLiveSession({ port: 0, open: false, log: () => {} });
    try {
      const page = await recordingPage();
      await page.goto(session.url);
      await page.waitForSelector('body[data-connected="1"]');
      expect(await page.getAttribute('body', 'data-model-nodes')).toBe('0');

      const summary = await confessCmake({
        srcdir: join(REPO, 'fixtures', 'cxx-subdirs'), out: join(work, 'in-process'), fakePackages: 'missing',
        jobs: undefined, cmakeArgs: [], log: () => {}, onReport: (r) => session.report(r),
      });
      // Before the finished graph replaces it, the page has drawn the provisional one.
      await page.waitForFunction((n) => Number(document.body.dataset['modelNodes']) === n, session.graph.nodeCount);
      const provisional = await seen(page);
      session.finish(summary.graph);
      await page.waitForSelector('body[data-live="done"]');

      const during = provisional.filter((s) => s.live === 'open' && s.nodes > 0);
      expect(during.length).toBeGreaterThan(0);
      // More than one state while open: the first report is drawn before the last one arrives.
      const counts = [...new Set(during.map((s) => s.nodes))];
      expect(counts.length).toBeGreaterThan(1);
      expect(Math.min(...counts)).toBeLessThan(summary.graph.nodes.length);
      expect(during.every((s) => s.visible > 0)).toBe(true);

      // The end state is graph.json as written.
      const written = JSON.parse(await readFile(join(work, 'in-process', 'graph.json'), 'utf8')) as SerializedGraph;
      expect(Number(await page.getAttribute('body', 'data-model-nodes'))).toBe(written.nodes.length);
      expect(await shownTargets(page)).toEqual(targetsOf(written));
      expect(await page.locator('#status').textContent()).toMatch(/live: complete$/);
      await page.screenshot({ path: await artifactPath('live-done.png') });
    } finally {
      await session.close();
    }
  });

  it('`confess cmake --live --no-open` serves the page until interrupted', async () => {
    const out = join(work, 'cli');
    const cli = await startCli(['confess', 'cmake', join(REPO, 'fixtures', 'c-static-exe'), '--out', out, '--live', '--no-open', '--quiet']);
    let code: number | null = null;
    try {
      const page = await recordingPage();
      await page.goto(cli.url);
      await page.waitForSelector('body[data-live="done"]', { timeout: 300_000 });
      const written = JSON.parse(await readFile(join(out, 'graph.json'), 'utf8')) as SerializedGraph;
      expect(Number(await page.getAttribute('body', 'data-model-nodes'))).toBe(written.nodes.length);
      expect(await shownTargets(page)).toEqual(targetsOf(written));
      expect((await seen(page)).some((s) => s.live === 'open')).toBe(true);
      // Still serving after the confession: a second page gets the finished graph as its snapshot.
      const late = await browser.newPage();
      await late.goto(cli.url);
      await late.waitForSelector('body[data-live="done"]');
      expect(Number(await late.getAttribute('body', 'data-model-nodes'))).toBe(written.nodes.length);
    } finally {
      cli.child.kill('SIGINT');
      code = await cli.exited;
    }
    expect(code).toBe(0);
  });

  it('`wrap --live --no-open -- make` streams a make build to the page', async () => {
    const tree = join(work, 'wrap-tree');
    await cp(join(REPO, 'fixtures', 'make-recursive'), tree, { recursive: true });
    const out = join(work, 'wrap-out');
    const cli = await startCli(['wrap', '--out', out, '--live', '--no-open', '--quiet', '--', 'make'], tree);
    let code: number | null = null;
    try {
      const page = await recordingPage();
      await page.goto(cli.url);
      await page.waitForSelector('body[data-live="done"]', { timeout: 300_000 });
      const written = JSON.parse(await readFile(join(out, 'graph.json'), 'utf8')) as SerializedGraph;
      expect(written.attributes.system).toBe('make');
      expect(Number(await page.getAttribute('body', 'data-model-nodes'))).toBe(written.nodes.length);
      expect(await shownTargets(page)).toEqual(targetsOf(written));
    } finally {
      cli.child.kill('SIGINT');
      code = await cli.exited;
    }
    expect(code).toBe(0);
  });

  it('a failed build shows its reason on the page', async () => {
    const session = await startLiveSession({ port: 0, open: false, log: () => {} });
    try {
      const page = await recordingPage();
      await page.goto(session.url);
      await page.waitForSelector('body[data-connected="1"]');
      await session.fail('the build failed under confession: FAILED: a.c.o');
      await page.waitForSelector('body[data-live="failed"]');
      expect(await page.locator('#status').textContent()).toMatch(/live: failed: the build failed under confession: FAILED: a\.c\.o$/);
    } finally {
      await session.close();
    }
  });

  it('`confess cmake --live` on a directory that is not a CMake project fails with one line', async () => {
    const r = await execa('node', [CLI, 'confess', 'cmake', work, '--out', join(work, 'bad'), '--live', '--no-open', '--quiet'], { reject: false, stdin: 'ignore' });
    expect(r.exitCode).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toBe(`continuity: ${work}: no CMakeLists.txt (not a CMake project)`);
  });
});
