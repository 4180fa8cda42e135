// The ledger: a git repository whose ref refs/continuity/attestations holds one commit per attested
// build, each commit's parent the previous tip, so history only grows (`git log` audits it).
// Each commit's tree is the whole ledger so far:
//   builds/<buildId>/proof.json               the signed discharge proof
//   builds/<buildId>/attestations/<sha>.json  the build's attestations of artifact <sha>
//   artifacts/<sha>/<buildId>.json            the same blob, filed by artifact for lookup
// Written with plumbing only (hash-object, mktree, commit-tree, update-ref): no working tree, no index.
// Appends race safely: update-ref is a compare-and-swap against the tip the tree was built on, and a
// lost race rebuilds on the new tip.
import { execa } from 'execa';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Result, ok, err } from '../model/result.js';

export const LEDGER_REF = 'refs/continuity/attestations';

// git runs with the caller's environment minus every GIT_* variable (a GIT_DIR or GIT_INDEX_FILE from a
// hook must not redirect the ledger), no user or system config, and a fixed identity.
const GIT_ENV: Record<string, string> = {
  ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => !e[0].startsWith('GIT_') && e[1] !== undefined)),
  GIT_AUTHOR_NAME: 'continuity',
  GIT_AUTHOR_EMAIL: 'continuity@localhost',
  GIT_COMMITTER_NAME: 'continuity',
  GIT_COMMITTER_EMAIL: 'continuity@localhost',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export class GitError extends Error {
  constructor(readonly args: readonly string[], readonly stderr: string) {
    super(`git ${args.join(' ')}: ${stderr.trim().split('\n')[0] ?? ''}`);
    this.name = 'GitError';
  }
}

export async function git(dir: string, args: string[], input?: string): Promise<string> {
  const r = await execa('git', ['--git-dir', dir, '-c', 'commit.gpgSign=false', ...args], {
    input: input ?? '',
    env: GIT_ENV, extendEnv: false,
    reject: false,
    stripFinalNewline: false,
  });
  if (r.exitCode !== 0) throw new GitError(args, String(r.stderr));
  return String(r.stdout);
}

/** Like `git`, but stdout as bytes (for blobs). */
async function gitBytes(dir: string, args: string[]): Promise<Buffer> {
  const r = await execa('git', ['--git-dir', dir, ...args], { env: GIT_ENV, extendEnv: false, reject: false, encoding: 'buffer', stripFinalNewline: false });
  if (r.exitCode !== 0) throw new GitError(args, Buffer.from(r.stderr).toString('utf8'));
  return Buffer.from(r.stdout);
}

/** Opens the ledger, creating a bare repository on first use. */
export async function openLedger(dir: string, create: boolean): Promise<Result<string, string>> {
  try {
    await git(dir, ['rev-parse', '--git-dir']);
    return ok(dir);
  } catch {
    if (!create) return err(`no ledger at ${dir}`);
  }
  // Two `git init` in one directory at once trip over each other's lock files, so the repository is made
  // under a private name beside it and renamed into place; whoever renames first wins, the others use it.
  const tmp = `${dir}.init-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await mkdir(dirname(dir), { recursive: true });
    const r = await execa('git', ['init', '--quiet', '--bare', tmp], { env: GIT_ENV, extendEnv: false, reject: false });
    if (r.exitCode !== 0) return err(`cannot create ledger ${dir}: ${String(r.stderr).trim()}`);
    try {
      await rename(tmp, dir); // also over an empty directory
    } catch (e: unknown) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
      try {
        await git(dir, ['rev-parse', '--git-dir']);
      } catch {
        return err(`cannot create ledger ${dir}: it exists and is not a git repository`);
      }
    }
    return ok(dir);
  } catch (e: unknown) {
    return err(`cannot create ledger ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function ledgerTip(dir: string): Promise<string | null> {
  try {
    return (await git(dir, ['rev-parse', '-q', '--verify', `${LEDGER_REF}^{commit}`])).trim();
  } catch {
    return null;
  }
}

export interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
  name: string;
}

/** `git ls-tree -z <treeish> [-- paths]`; `recursive` adds -r. Names are the paths ls-tree prints. */
export async function lsTree(dir: string, treeish: string, paths: string[] = [], recursive = false): Promise<TreeEntry[]> {
  const out = await git(dir, ['ls-tree', '-z', ...(recursive ? ['-r'] : []), treeish, ...(paths.length ? ['--', ...paths] : [])]);
  const entries: TreeEntry[] = [];
  for (const rec of out.split('\0')) {
    if (rec === '') continue;
    const m = /^(\d+) (blob|tree|commit) ([0-9a-f]+)\t(.*)$/s.exec(rec);
    if (!m) throw new GitError(['ls-tree', treeish], `unexpected line ${JSON.stringify(rec)}`);
    entries.push({ mode: m[1]!, type: m[2] as TreeEntry['type'], oid: m[3]!, name: m[4]! });
  }
  return entries;
}

export async function readBlob(dir: string, oid: string): Promise<Buffer> {
  return gitBytes(dir, ['cat-file', 'blob', oid]);
}

/**
 * Every object reachable from the ledger ref (or, with `whole`, from any ref) is present and intact:
 * null, else git's first complaint.
 */
export async function fsckLedger(dir: string, whole = false): Promise<string | null> {
  const r = await execa('git', ['--git-dir', dir, 'fsck', '--no-progress', '--no-dangling', '--strict', ...(whole ? [] : [LEDGER_REF])], {
    env: GIT_ENV, extendEnv: false,
    reject: false,
  });
  if (r.exitCode === 0) return null;
  const lines = `${String(r.stderr)}\n${String(r.stdout)}`.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[0] ?? `git fsck exited with ${r.exitCode}`;
}

/** Blob contents to add, by path in the ledger tree. */
export type Additions = Map<string, string>;

interface DirNode {
  blobs: Map<string, string>; // name → content (new)
  dirs: Map<string, DirNode>;
}

function toDirTree(additions: Additions): DirNode {
  const root: DirNode = { blobs: new Map(), dirs: new Map() };
  for (const [path, content] of additions) {
    const parts = path.split('/');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      let next = node.dirs.get(p);
      if (!next) {
        next = { blobs: new Map(), dirs: new Map() };
        node.dirs.set(p, next);
      }
      node = next;
    }
    node.blobs.set(parts[parts.length - 1]!, content);
  }
  return root;
}

async function writeBlobs(dir: string, contents: string[]): Promise<string[]> {
  if (contents.length === 0) return [];
  const tmp = await mkdtemp(join(tmpdir(), 'continuity-ledger-'));
  try {
    const paths = await Promise.all(contents.map(async (c, i) => {
      const p = join(tmp, String(i));
      await writeFile(p, c);
      return p;
    }));
    const out = await git(dir, ['hash-object', '-w', '--stdin-paths'], `${paths.join('\n')}\n`);
    return out.trim().split('\n');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * A new tree: `base` (a tree oid, or null for empty) with `node`'s blobs and directories added.
 * `exists` says what to do with a blob path already present: 'replace' or 'fail'.
 */
async function mergeTree(dir: string, base: string | null, node: DirNode, blobOids: Map<string, string>, prefix: string, onExisting: 'replace' | 'fail'): Promise<string> {
  const entries = new Map<string, TreeEntry>();
  if (base !== null) for (const e of await lsTree(dir, base)) entries.set(e.name, e);
  for (const [name, sub] of node.dirs) {
    const prev = entries.get(name);
    if (prev && prev.type !== 'tree') throw new LedgerConflict(`${prefix}${name} is not a directory`);
    const oid = await mergeTree(dir, prev?.oid ?? null, sub, blobOids, `${prefix}${name}/`, onExisting);
    entries.set(name, { mode: '040000', type: 'tree', oid, name });
  }
  for (const name of node.blobs.keys()) {
    const path = `${prefix}${name}`;
    if (entries.has(name) && onExisting === 'fail') throw new LedgerConflict(`${path} already exists`);
    entries.set(name, { mode: '100644', type: 'blob', oid: blobOids.get(path)!, name });
  }
  const input = [...entries.values()].map((e) => `${e.mode} ${e.type} ${e.oid}\t${e.name}\n`).join('');
  return (await git(dir, ['mktree'], input)).trim();
}

export class LedgerConflict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerConflict';
  }
}

export type AppendError =
  | { reason: 'conflict'; message: string }
  | { reason: 'contended'; message: string }
  | { reason: 'git'; message: string };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Appends one commit adding `additions` (paths that must not exist yet) on top of the tip.
 * Retries when another writer moved the tip first.
 */
export async function appendCommit(dir: string, additions: Additions, message: string, attempts = 50): Promise<Result<string, AppendError>> {
  const node = toDirTree(additions);
  let blobOids: Map<string, string>;
  try {
    const paths = [...additions.keys()];
    const oids = await writeBlobs(dir, paths.map((p) => additions.get(p)!));
    blobOids = new Map(paths.map((p, i) => [p, oids[i]!]));
  } catch (e: unknown) {
    return err({ reason: 'git', message: e instanceof Error ? e.message : String(e) });
  }
  let last = '';
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      const tip = await ledgerTip(dir);
      const baseTree = tip === null ? null : (await git(dir, ['rev-parse', `${tip}^{tree}`])).trim();
      const tree = await mergeTree(dir, baseTree, node, blobOids, '', 'fail');
      const commit = (await git(dir, ['commit-tree', tree, ...(tip === null ? [] : ['-p', tip]), '-F', '-'], message)).trim();
      try {
        await git(dir, ['update-ref', '-m', 'continuity attest', LEDGER_REF, commit, tip ?? '']);
        return ok(commit);
      } catch (e: unknown) {
        last = e instanceof Error ? e.message : String(e); // someone else moved the tip: build again on theirs
      }
    } catch (e: unknown) {
      if (e instanceof LedgerConflict) return err({ reason: 'conflict', message: e.message });
      return err({ reason: 'git', message: e instanceof Error ? e.message : String(e) });
    }
    await sleep(5 + Math.random() * 20 * Math.min(attempt + 1, 10));
  }
  return err({ reason: 'contended', message: `could not update ${LEDGER_REF} after ${attempts} attempts: ${last}` });
}
