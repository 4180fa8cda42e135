import { homedir } from 'node:os';
import { join } from 'node:path';

/** Continuity's cache home: $XDG_CACHE_HOME/continuity, or ~/.cache/continuity. The store's default
 *  home, with the shims' scan cache (scan/) and compiled shim binaries (shims/) beside it. */
export function cacheHome(): string {
  const xdg = process.env['XDG_CACHE_HOME'];
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'continuity');
}
