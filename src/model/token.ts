// A token is what confess mode writes in place of an object, archive or program (docs/architecture.md,
// "Token format"). parseToken reads one from a file's text; formatTokenHead writes the lines it reads.
// Must stay true: parseToken never throws, and accepts exactly what formatTokenHead produces.
import { type Result, ok, err } from './result.js';

export type TokenKind = 'object' | 'asm' | 'archive' | 'executable' | 'shared' | 'other';
export const TOKEN_KINDS: readonly TokenKind[] = ['object', 'asm', 'archive', 'executable', 'shared', 'other'];

export interface Token {
  /** 16 lowercase hex digits */
  id: string;
  kind: TokenKind;
  /** ids of the tokens this one was made from (flattened, first occurrence kept); [] for a compile */
  deps: string[];
}

const SHEBANG = '#!/bin/sh';
const MAGIC = '# continuity-token v1 ';
const ID = /^[0-9a-f]{16}$/;

/** The first three lines of a token (the rest of the file is a script explaining what the file is). */
export function formatTokenHead(t: Token): string {
  return `${SHEBANG}\n${MAGIC}id=${t.id} kind=${t.kind}\n# deps=${t.deps.join(',')}\n`;
}

/** Reads a token from the text of a file. The error names the first thing that is not as specified. */
export function parseToken(text: string): Result<Token, string> {
  const first = text.indexOf('\n');
  if (first < 0 || text.slice(0, first) !== SHEBANG) return err('not a token: no #!/bin/sh first line');
  const second = text.indexOf('\n', first + 1);
  if (second < 0) return err('truncated token: no end to the header line');
  const head = text.slice(first + 1, second);
  if (!head.startsWith(MAGIC)) return err('not a token: no "# continuity-token v1" line');
  const fields = head.slice(MAGIC.length).split(' ');
  if (fields.length !== 2) return err(`malformed token header: ${JSON.stringify(head.slice(0, 120))}`);
  const [idField, kindField] = fields as [string, string];
  if (!idField.startsWith('id=') || !ID.test(idField.slice(3))) return err(`malformed token id: ${JSON.stringify(idField.slice(0, 40))}`);
  if (!kindField.startsWith('kind=')) return err(`malformed token kind: ${JSON.stringify(kindField.slice(0, 40))}`);
  const kind = kindField.slice(5);
  if (!(TOKEN_KINDS as readonly string[]).includes(kind)) return err(`unknown token kind ${JSON.stringify(kind.slice(0, 40))}`);
  const third = text.indexOf('\n', second + 1);
  if (third < 0) return err('truncated token: no deps line');
  const depsLine = text.slice(second + 1, third);
  if (!depsLine.startsWith('# deps=')) return err('malformed token: third line is not "# deps=..."');
  const list = depsLine.slice('# deps='.length);
  const deps = list === '' ? [] : list.split(',');
  const bad = deps.find((d) => !ID.test(d));
  if (bad !== undefined) return err(`malformed token dep id: ${JSON.stringify(bad.slice(0, 40))}`);
  return ok({ id: idField.slice(3), kind: kind as TokenKind, deps });
}
