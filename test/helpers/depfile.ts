// Reads make-syntax dependency files as gcc writes them (-M, -MD): rules of targets and prerequisites,
// with backslash-newline continuations, `\ ` for a space in a name, `$$` for a dollar and `\#` for a hash.

export interface DepRule {
  targets: string[];
  deps: string[];
}

export function parseDepfile(text: string): DepRule[] {
  const rules: DepRule[] = [];
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split('\n')) {
    const words: string[] = [];
    let w = '';
    let any = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (c === '\\' && (line[i + 1] === ' ' || line[i + 1] === '\t' || line[i + 1] === '#')) { w += line[++i]; any = true; continue; }
      if (c === '$' && line[i + 1] === '$') { w += '$'; i++; any = true; continue; }
      if (c === ' ' || c === '\t' || c === '\r') { if (any) words.push(w); w = ''; any = false; continue; }
      w += c;
      any = true;
    }
    if (any) words.push(w);
    const colon = words.findIndex((x) => x.endsWith(':'));
    if (colon < 0) continue;
    const targets = [...words.slice(0, colon), words[colon]!.slice(0, -1)].filter((x) => x !== '');
    rules.push({ targets, deps: words.slice(colon + 1) });
  }
  return rules;
}
