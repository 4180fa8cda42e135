// Opening a URL in the desktop's browser, best effort: a machine without one (a server, CI) gets a
// message with the URL instead, never a failure.
import { spawn } from 'node:child_process';
import { which } from '../util/fs.js';

/** Resolves to true when an opener was started. */
export async function openInBrowser(url: string): Promise<boolean> {
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
  const path = await which(opener);
  if (!path) return false;
  return new Promise<boolean>((resolve) => {
    const child = spawn(path, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
