// Absolute paths ↔ BUILD.dhall paths. Src paths are relative to the directory of the BUILD.dhall that
// names them, Out paths to the build tree, Pkg paths to a required package's root; the rest are Abs.
// In an in-source build (one tree) the graph tells them apart: what an action makes is Out, the rest Src.
// A path is only typed when resolving it again gives back the same text.
import { posix } from 'node:path';
import { type DPath, type Piece, pieceOf } from './model.js';

export interface Roots {
  srcdir: string;
  builddir: string;
  /** package name → absolute root (faked packages) */
  packages: ReadonlyMap<string, string>;
  /** in-source builds (builddir = srcdir): the files some action makes, the only ones typed Out besides the root */
  made?: ReadonlySet<string>;
}

/** One tree holds both the sources and the build's outputs (a plain Makefile run in its source tree). */
export const inSource = (roots: { srcdir: string; builddir: string }): boolean => roots.builddir === roots.srcdir;

const inside = (p: string, root: string): boolean => p === root || p.startsWith(root === '/' ? root : `${root}/`);
const rel = (from: string, to: string): string => posix.relative(from, to);
const isOutput = (p: string, roots: Roots): boolean =>
  inSource(roots) ? p === roots.builddir || (roots.made?.has(p) ?? false) : inside(p, roots.builddir);

/** The typed form of an absolute, normalized path as seen from `fileDir` (an absolute directory in the source tree). */
export function typePath(p: string, roots: Roots, fileDir: string): DPath | null {
  if (!p.startsWith('/') || posix.normalize(p) !== p || (p.length > 1 && p.endsWith('/'))) return null;
  let typed: DPath;
  // the build tree may sit inside the source tree: it wins (in one tree, only what actions make is Out)
  if (isOutput(p, roots)) typed = { kind: 'Out', rel: rel(roots.builddir, p) };
  else if (inside(p, roots.srcdir)) typed = { kind: 'Src', rel: rel(fileDir, p) };
  else {
    const pkg = [...roots.packages].sort((a, b) => b[1].length - a[1].length).find(([, r]) => inside(p, r));
    typed = pkg ? { kind: 'Pkg', pkg: pkg[0], rel: rel(pkg[1], p) } : { kind: 'Abs', path: p };
  }
  return resolvePiece(pieceOf(typed), roots, fileDir) === p ? typed : null;
}

/** A rendered piece → its text on this machine. Throws on a package the roots do not know. */
export function resolvePiece(piece: Piece, roots: Roots, fileDir: string): string {
  const join = (root: string, r: string): string => (r === '' ? root : posix.resolve(root, r));
  switch (piece.root) {
    case '':
      return piece.text;
    case 'src':
      return join(fileDir, piece.text);
    case 'out':
      return join(roots.builddir, piece.text);
    case 'abs':
      return piece.text;
    default: {
      const name = piece.root.startsWith('pkg:') ? piece.root.slice(4) : null;
      const root = name === null ? undefined : roots.packages.get(name);
      if (root === undefined) throw new UnknownPackageError(name ?? piece.root);
      return join(root, piece.text);
    }
  }
}

export class UnknownPackageError extends Error {
  constructor(readonly pkg: string) {
    super(`package ${pkg} is not among the project's requirements`);
  }
}

/** Absolute paths that can be typed inside a longer argument, longest root first. */
export function embeddedPathRe(roots: Roots): RegExp | null {
  const rs = [roots.builddir, roots.srcdir, ...roots.packages.values()].filter((r) => r !== '/').sort((a, b) => b.length - a.length);
  if (rs.length === 0) return null;
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:${rs.map(esc).join('|')})(?:/[^\\s"';:,=()]*)?(?![^\\s"';:,=()/])`, 'g');
}
