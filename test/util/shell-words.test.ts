import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { shellWords } from '../../src/util/shell-words.js';

describe('shellWords', () => {
  it('splits like a POSIX shell: quotes, backslashes, line continuations; expansions kept as written', async () => {
    const lines = [
      `a 'b c' "d\\"e" f\\ g`,
      `cc -DX="a b" -I'q d' "\\\\ \\"" x\\\ny`,
      `"one \\\ntwo" '' ""`,
      `tab\there  spaces`,
    ];
    // the oracle: the real shell, printing each word it was given, NUL-terminated (set -f: no globbing)
    for (const line of lines) {
      const sh = await execa('sh', ['-c', `set -f; for w in ${line}; do printf '%s\\0' "$w"; done`]);
      const words = sh.stdout === '' ? [] : sh.stdout.split('\0').slice(0, -1);
      expect(shellWords(line), line).toEqual(words);
    }
    expect(shellWords(`a 'b c' "d\\"e" f\\ g`)).toEqual(['a', 'b c', 'd"e', 'f g']);
    expect(shellWords(`echo "\\$HOME" $PATH '$x'`)).toEqual(['echo', '$HOME', '$PATH', '$x']);
  });

  it('an unterminated quote is an error, not a guess', () => {
    expect(() => shellWords(`a 'b`)).toThrow(/unterminated '/);
    expect(() => shellWords(`a "b`)).toThrow(/unterminated "/);
  });
});
