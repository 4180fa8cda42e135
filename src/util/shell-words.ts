// POSIX shell word splitting: quotes and backslashes, no expansion ($VAR and `cmd` stay as written).
// Reads recipe lines (a libtool call) and the `command` strings of a compilation database back into argv.

/** The words of `s`; throws on an unterminated quote. */
export function shellWords(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${s}`);
      cur += s.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      for (; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && s[i + 1] === '\n') i++; // a line continuation: removed
        else if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1] as string)) cur += s[++i];
        else cur += s[i];
      }
      if (i >= s.length) throw new Error(`unterminated " in ${s}`);
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      if (s[i + 1] !== '\n') {
        cur += s[i + 1];
        inWord = true;
      }
      i++;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
