// Host paths → the fixed paths every action runs at. The source tree is seen at /continuity/src and
// the build tree at /continuity/build, so outputs do not depend on where the project was checked out.
export const SANDBOX_ROOT = '/continuity';
export const SANDBOX_SRC = '/continuity/src';
export const SANDBOX_BUILD = '/continuity/build';

export interface TreeMap {
  srcdir: string;
  builddir: string;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const strip = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);

export interface PathRewriter {
  /** rewrites every occurrence of the trees inside an argument (`-I/src/include`, `sh -c "cp /src/a /build/b"`) */
  arg(s: string): string;
  /** true when an absolute path lies in the source or build tree */
  inTree(p: string): boolean;
  /** a rewritten output path → its name: relative to the build tree, or absolute when outside it */
  outputName(sandboxPath: string): string;
}

/** Longest prefix first, in one pass, so a build tree inside the source tree maps to /continuity/build. */
export function pathRewriter(map: TreeMap): PathRewriter {
  // An in-source build (a plain Makefile) has one tree: it is the build tree, so outputs keep their names.
  const pairs: [string, string][] = strip(map.builddir) === strip(map.srcdir)
    ? [[strip(map.builddir), SANDBOX_BUILD]]
    : [[strip(map.builddir), SANDBOX_BUILD], [strip(map.srcdir), SANDBOX_SRC]];
  pairs.sort((a, b) => b[0].length - a[0].length);
  const re = new RegExp(`(${pairs.map(([p]) => escapeRe(p)).join('|')})(?=/|$|[^A-Za-z0-9._+-])`, 'g');
  const to = new Map(pairs);
  return {
    arg: (s) => s.replace(re, (m) => to.get(m) ?? m),
    inTree: (p) => pairs.some(([h]) => p === h || p.startsWith(`${h}/`)),
    outputName: (sp) => (sp.startsWith(`${SANDBOX_BUILD}/`) ? sp.slice(SANDBOX_BUILD.length + 1) : sp),
  };
}
