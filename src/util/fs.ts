// Writing files so that a reader never sees half of one: write a temp file beside it, then rename.
import { access, open, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';
import { UserError } from '../model/result.js';

/** `sync: false` for caches, which may be lost in a crash but must never be seen half written. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644, opts: { sync?: boolean } = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    if (opts.sync !== false) await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Like writeFileAtomic for text made a piece at a time: the pieces are written as they come (about a MiB
 * at once), so the whole never has to be one string (a string holds at most 2^29 characters).
 */
export async function writeChunksAtomic(path: string, chunks: Iterable<string>, mode = 0o644): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    let pending: string[] = [];
    let size = 0;
    for (const c of chunks) {
      pending.push(c);
      size += c.length;
      if (size >= 1 << 20) {
        await fh.write(pending.join(''));
        pending = [];
        size = 0;
      }
    }
    if (pending.length > 0) await fh.write(pending.join(''));
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH, or null. */
export async function which(name: string, pathVar = process.env['PATH'] ?? ''): Promise<string | null> {
  const { access, constants } = await import('node:fs/promises');
  for (const dir of pathVar.split(':')) {
    if (dir === '') continue;
    const p = join(dir, name);
    try {
      await access(p, constants.X_OK);
      if ((await stat(p)).isFile()) return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** Refuses (one-line UserError) a `path` that cannot be an output directory (`what` names the flag):
 *  it must be absent or a directory. */
export async function assertOutDir(path: string, what: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isDirectory()) throw new UserError(`${what} ${path} is not a directory`);
  } catch (e: unknown) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') throw new UserError(`${what} ${path} lies under a file, not a directory`);
    throw new UserError(`${what} ${path}: cannot be used (${code ?? String(e)})`);
  }
}

/** Whether anything (file, directory, link target) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
