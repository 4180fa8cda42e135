// The toolchain closure: host paths mounted read-only into a sandbox. A fixed base (the system's
// programs and libraries) plus the install prefix of the tool itself when it lives elsewhere.
import { dirname } from 'node:path';

export const BASE_CLOSURE: readonly string[] = [
  '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32',
  '/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/alternatives',
];

export const inClosure = (p: string, roots: readonly string[]): boolean =>
  roots.some((r) => p === r || p.startsWith(`${r}/`));

/** Base closure plus `/opt/x` for a tool at `/opt/x/bin/cc` (its real, symlink-free location). */
export function toolClosure(realPaths: readonly string[]): string[] {
  const roots = [...BASE_CLOSURE];
  for (const real of realPaths) {
    if (inClosure(real, roots)) continue;
    let dir = dirname(real);
    if (dir.endsWith('/bin')) dir = dirname(dir);
    if (dir !== '/' && !inClosure(dir, roots)) roots.push(dir);
  }
  return roots;
}
