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
  /** a path as actions see it: rewritten when it lies in a tree (as `arg` would), else as it is */
  path(p: string): string;
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
  // arguments recur across actions (the same -I and -D flags in every compile of a library): each is rewritten once
  const seen = new Map<string, string>();
  const arg = (s: string): string => {
    let r = seen.get(s);
    if (r === undefined) {
      r = s.replace(re, (m) => to.get(m) ?? m);
      seen.set(s, r);
    }
    return r;
  };
  const inTree = (p: string): boolean => pairs.some(([h]) => p === h || p.startsWith(`${h}/`));
  return {
    arg,
    inTree,
    // the common case without the regular expression (lowering maps millions of header paths): the
    // longest tree prefix, when no tree path occurs again further on
    path: (p) => {
      for (const [h, sandbox] of pairs) {
        if (!p.startsWith(h)) continue;
        const rest = p.slice(h.length);
        if ((rest === '' || rest.startsWith('/')) && !pairs.some(([x]) => rest.includes(x))) return sandbox + rest;
        break;
      }
      return inTree(p) ? arg(p) : p;
    },
    outputName: (sp) => (sp.startsWith(`${SANDBOX_BUILD}/`) ? sp.slice(SANDBOX_BUILD.length + 1) : sp),
  };
}
