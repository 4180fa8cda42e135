// The local store: objects by sha256 (objects/ab/abcd…) and the action cache (actions/ab/<key>.json),
// both written atomically. Objects are verified whenever read (rehashed, unless the hash memo vouches that
// the file is unchanged since it last hashed right): a corrupted object is deleted and reported missing,
// so the action that made it runs again. Stale temporaries of dead builds are swept.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chmod, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cacheHome } from '../util/dirs.js';
import { knownToHold, knownToHoldSync, readIfHolds, rememberOwn } from '../util/hash-memo.js';
import { type ActionKey, type Sha256, parseSha256, sha256Hex } from '../model/hash.js';
import { type Result, ok, err } from '../model/result.js';
import { TMP_PREFIX, pidAlive, tmpOwner, writeFileAtomic } from './atomic.js';

export interface CachedOutput {
  name: string;
  sha256: Sha256;
  executable: boolean;
  /** the output is a symbolic link; its object holds the link's target text */
  symlink?: boolean;
}

export interface ActionCacheEntry {
  version: 1;
  key: ActionKey;
  outputs: CachedOutput[];
}

/** $XDG_CACHE_HOME/continuity or ~/.cache/continuity. */
export const defaultStoreDir = cacheHome;

export class Store {
  private constructor(readonly root: string) {}

  /** Creates the layout if needed, checks it is writable and sweeps temporaries of dead builds. */
  static async open(root: string): Promise<Result<Store, string>> {
    try {
      for (const d of ['objects', 'actions', 'work']) await mkdir(join(root, d), { recursive: true });
      await access(root, constants.W_OK | constants.R_OK);
      const probe = join(root, 'work', `${TMP_PREFIX}${process.pid}-probe-${randomBytes(4).toString('hex')}`);
      await writeFileAtomic(probe, '');
      await rm(probe, { force: true });
    } catch (e: unknown) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      return err(`store ${root} is not usable (${code})`);
    }
    const s = new Store(root);
    await s.sweep();
    return ok(s);
  }

  private async sweep(): Promise<void> {
    const dead = (name: string): boolean => {
      const pid = tmpOwner(name);
      return pid !== null && pid !== process.pid && !pidAlive(pid);
    };
    for (const top of ['objects', 'actions']) {
      let shards: string[] = [];
      try {
        shards = await readdir(join(this.root, top));
      } catch {
        continue;
      }
      for (const shard of shards) {
        const dir = join(this.root, top, shard);
        let names: string[] = [];
        try {
          names = await readdir(dir);
        } catch {
          continue;
        }
        for (const n of names) if (dead(n)) await rm(join(dir, n), { force: true });
      }
    }
    for (const n of await readdir(join(this.root, 'work')).catch(() => [] as string[])) {
      if (dead(n)) await rm(join(this.root, 'work', n), { recursive: true, force: true });
    }
  }

  objectPath(h: Sha256): string {
    return join(this.root, 'objects', h.slice(0, 2), h);
  }

  private actionPath(k: ActionKey): string {
    return join(this.root, 'actions', k.slice(0, 2), `${k}.json`);
  }

  private present(p: string, size: number): Promise<boolean> {
    return stat(p).then((s) => s.size === size, () => false);
  }

  async putBytes(bytes: Uint8Array, executable = false): Promise<Sha256> {
    const h = sha256Hex(bytes);
    const p = this.objectPath(h);
    if (!(await this.present(p, bytes.length))) {
      await writeFileAtomic(p, bytes, executable ? 0o555 : 0o444);
      await rememberOwn(p, h);
    }
    return h;
  }

  /**
   * Moves a finished file (an action's output, which nothing writes any more) into the store: hashed,
   * made read-only (and executable when `executable`), renamed into place, or written there when it lies
   * on another filesystem (a stage in memory). When the object is there already the file is left alone.
   */
  async ingest(path: string, executable: boolean): Promise<Sha256> {
    const bytes = await readFile(path);
    const h = sha256Hex(bytes);
    const p = this.objectPath(h);
    if (await this.present(p, bytes.length)) return h;
    await mkdir(dirname(p), { recursive: true });
    await chmod(path, executable ? 0o555 : 0o444);
    try {
      await rename(path, p);
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await writeFileAtomic(p, bytes, executable ? 0o555 : 0o444);
    }
    await rememberOwn(p, h);
    return h;
  }

  /** The object's bytes, verified; null when it is missing or was corrupted (then deleted). */
  async readVerified(h: Sha256): Promise<Uint8Array | null> {
    const p = this.objectPath(h);
    const bytes = await readIfHolds(p, h);
    if (!bytes) {
      await rm(p, { force: true });
      return null;
    }
    return bytes;
  }

  /** Whether the hash memo vouches that the object is present and intact (a stat, nothing read). */
  holdsSync(h: Sha256): boolean {
    return knownToHoldSync(this.objectPath(h), h);
  }

  /** Whether the object is present and intact (without reading it when the hash memo vouches for it). */
  async holds(h: Sha256): Promise<boolean> {
    return (await knownToHold(this.objectPath(h), h)) || (await this.readVerified(h)) !== null;
  }

  async getAction(k: ActionKey): Promise<ActionCacheEntry | null> {
    try {
      const x = JSON.parse(await readFile(this.actionPath(k), 'utf8')) as ActionCacheEntry;
      if (x.version !== 1 || x.key !== k || !Array.isArray(x.outputs)) return null;
      if (!x.outputs.every((o) => typeof o.name === 'string' && parseSha256(o.sha256))) return null;
      return x;
    } catch {
      return null;
    }
  }

  async putAction(e: ActionCacheEntry): Promise<void> {
    await writeFileAtomic(this.actionPath(e.key), `${JSON.stringify(e)}\n`);
  }

  async forgetAction(k: ActionKey): Promise<void> {
    await rm(this.actionPath(k), { force: true });
  }

  /** A fresh private directory for one action's sandbox (swept if this process dies). */
  async workDir(): Promise<string> {
    const d = join(this.root, 'work', `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(d, { recursive: true });
    return d;
  }
}
