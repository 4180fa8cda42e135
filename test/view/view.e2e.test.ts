// End to end in headless Chromium: `continuity view` on a confessed fixture. The page finds the
// fixture's targets, shows a target's command, expands it, searches, highlights a path, and shows the
// lowered action key once `continuity lower` has written actions.json beside graph.json.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join, basename } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { Browser, Page } from 'playwright-core';
import { CLI, REPO, confess } from '../helpers/real-cmake.js';
import { shellWords } from '../helpers/shell-words.js';
import type { ActionNode, SerializedGraph } from '../../src/model/graph.js';
import { artifactPath, launchChromium, startCli, type RunningCli } from './helpers.js';

let work: string;
let out: string;
let graph: SerializedGraph;
let browser: Browser;

const actions = (): { key: string; a: ActionNode }[] =>
  graph.nodes.flatMap((n) => (n.attributes.type === 'action' ? [{ key: n.key, a: n.attributes }] : []));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'continuity-view-'));
  out = join(work, 'cxx-subdirs');
  const r = await confess(join(REPO, 'fixtures', 'cxx-subdirs'), out);
  expect(r.exitCode, r.all).toBe(0);
  graph = JSON.parse(await readFile(join(out, 'graph.json'), 'utf8')) as SerializedGraph;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await rm(work, { recursive: true, force: true });
});

async function openView(cli: RunningCli): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 850 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(cli.url);
  await page.waitForSelector('body[data-ready="1"]');
  expect(errors).toEqual([]);
  return page;
}

async function stop(cli: RunningCli): Promise<number | null> {
  cli.child.kill('SIGINT');
  return cli.exited;
}

describe('continuity view (Chromium)', () => {
  it('draws the targets collapsed, shows a target command, expands, searches and highlights a path', async () => {
    const cli = await startCli(['view', out, '--no-open', '--quiet']);
    try {
      const page = await openView(cli);

      // Targets: one collapsed box per archive and link output of the graph.
      const heads = actions().filter(({ a }) => a.category === 'archive' || a.category === 'link');
      const expected = heads.map(({ a }) => basename(a.outputs[0] as string)).sort();
      expect(expected).toEqual(['liba.a', 'libb.a', 'wordstats']);
      const groups = page.locator('.node.kind-group');
      const shown = await groups.evaluateAll((els) => els.map((e) => e.querySelector('.label')?.textContent ?? ''));
      expect(shown.sort()).toEqual(expected);
      expect(await page.locator('.node.kind-action').count()).toBe(0);

      // Click the executable: the panel shows the link command, argument for argument.
      const link = heads.find(({ a }) => a.category === 'link') as { key: string; a: ActionNode };
      await page.locator(`.node[data-key="target:${link.key}"]`).click();
      await expect.poll(() => page.locator('#panel-body .ph h2').textContent()).toBe('wordstats');
      const argsText = await page.locator('#panel-body pre.args').first().textContent();
      expect(shellWords(argsText ?? '')).toEqual(link.a.args);
      const outputs = await page.locator('#panel-body section.outputs li').allTextContents();
      expect(outputs).toEqual(link.a.outputs.map((o) => o.slice(graph.attributes.builddir.length + 1)));
      await page.screenshot({ path: await artifactPath('cxx-subdirs-target.png') });

      // Double-click expands the target into its compile and link steps.
      await page.locator(`.node[data-key="target:${link.key}"]`).dblclick();
      await page.locator(`.node.kind-action[data-key="${link.key}"]`).waitFor();
      const compile = actions().find(({ a }) => a.category === 'compile' && a.outputs.some((o) => link.a.inputs.includes(o)));
      expect(compile).toBeDefined();
      await page.locator(`.node.kind-action[data-key="${compile!.key}"]`).click();
      const compileArgs = await page.locator('#panel-body pre.args').first().textContent();
      expect(shellWords(compileArgs ?? '')).toEqual(compile!.a.args);
      expect(compile!.a.args).toContain('-c');

      // Search by file name: the file node is revealed and selected.
      await page.locator('#search').fill('words.cpp');
      await page.locator('#results li[data-type="file"]').first().waitFor();
      await page.locator('#search').press('Enter');
      const wordsKey = graph.nodes.find((n) => n.attributes.type === 'file' && n.attributes.path.endsWith('/words.cpp'))?.key;
      expect(wordsKey).toBeDefined();
      await page.locator(`.node.kind-file.selected[data-key="${wordsKey}"]`).waitFor();
      await expect.poll(() => page.locator('#panel-body dl.fields dd').first().textContent()).toMatch(/\/lib\/a\/src\/words\.cpp$/);

      // Path: the source file, then (shift) the executable that is made from it through liba.a.
      await page.locator('#fit').click();
      await page.locator(`.node[data-key="${link.key}"]`).click({ modifiers: ['Shift'] });
      const onPath = await page.locator('.node.on-path').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
      expect(onPath).toContain(wordsKey);
      expect(onPath).toContain(link.key);
      expect(onPath.length).toBeGreaterThanOrEqual(3);
      expect(await page.locator('.edge.on-path').count()).toBe(onPath.length - 1);
      await expect.poll(() => page.locator('.pathbox strong').textContent()).toBe(`Path: ${onPath.length - 1} steps`);

      const shot = await artifactPath('cxx-subdirs-path.png');
      await page.screenshot({ path: shot });
      expect((await stat(shot)).size).toBeGreaterThan(10_000);
    } finally {
      expect(await stop(cli)).toBe(0);
    }
  });

  it('shows the lowered action key when actions.json sits beside graph.json', async () => {
    const lowered = await execa('node', [CLI, 'lower', join(out, 'graph.json'), '-o', join(out, 'actions.json')], { reject: false, all: true });
    expect(lowered.exitCode, lowered.all).toBe(0);
    const file = JSON.parse(await readFile(join(out, 'actions.json'), 'utf8')) as { actions: { id: string; key: string }[] };
    const cli = await startCli(['view', join(out, 'graph.json'), '--no-open', '--quiet']);
    try {
      const page = await openView(cli);
      const archive = actions().find(({ a }) => a.category === 'archive') as { key: string };
      await page.locator(`.node[data-key="target:${archive.key}"]`).click();
      const key = page.locator('#panel-body section.key');
      await expect.poll(() => key.getAttribute('data-source')).toBe('lowered');
      expect(await key.locator('h3').textContent()).toBe('action key');
      expect(await key.locator('code').textContent()).toBe(file.actions.find((a) => a.id === archive.key)?.key);
    } finally {
      expect(await stop(cli)).toBe(0);
      await rm(join(out, 'actions.json'), { force: true });
    }
  });

  it('--lower computes the action keys when there is no actions.json', async () => {
    const lowered = await execa('node', [CLI, 'lower', join(out, 'graph.json')], { reject: false, all: true });
    expect(lowered.exitCode, lowered.all).toBe(0);
    const file = JSON.parse(lowered.stdout) as { actions: { id: string; key: string }[] };
    const cli = await startCli(['view', out, '--no-open', '--lower']);
    try {
      const page = await openView(cli);
      const link = actions().find(({ a }) => a.category === 'link') as { key: string };
      await page.locator(`.node[data-key="target:${link.key}"]`).dblclick();
      await page.locator(`.node.kind-action[data-key="${link.key}"]`).click();
      const key = page.locator('#panel-body section.key');
      await expect.poll(() => key.getAttribute('data-source')).toBe('lowered');
      expect(await key.locator('code').textContent()).toBe(file.actions.find((a) => a.id === link.key)?.key);
      expect(cli.stderr()).toContain('lowering the graph for its action keys');
    } finally {
      expect(await stop(cli)).toBe(0);
    }
  });
});
