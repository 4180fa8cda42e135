// graph.json → Graphviz dot. Actions are boxes coloured by category; files are ellipses.
import type { SerializedGraph } from '../model/graph.js';

const COLOR = { compile: '#4e79a7', archive: '#f28e2b', link: '#e15759', custom: '#76b7b2' } as const;

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

function short(path: string, roots: readonly string[]): string {
  for (const r of roots) if (r && path.startsWith(r + '/')) return path.slice(r.length + 1);
  return path;
}

export function toDot(graph: SerializedGraph, opts: { headers?: boolean } = {}): string {
  const roots = [graph.attributes.builddir, graph.attributes.srcdir];
  const skip = new Set<string>();
  const lines = ['digraph continuity {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];'];
  for (const n of graph.nodes) {
    const a = n.attributes;
    if (a.type === 'file') {
      if (!opts.headers && a.role === 'header') {
        skip.add(n.key);
        continue;
      }
      const style = a.fake ? ', style=dashed, color="#999999"' : '';
      lines.push(`  ${q(n.key)} [shape=ellipse, label=${q(short(a.path, roots))}${style}];`);
    } else {
      const label = `${a.category}${a.language ? ` (${a.language})` : ''}\n${a.tool}`;
      lines.push(`  ${q(n.key)} [shape=box, style=filled, fillcolor=${q(COLOR[a.category])}, fontcolor=white, label=${q(label)}];`);
    }
  }
  for (const e of graph.edges) {
    if (skip.has(e.source) || skip.has(e.target)) continue;
    lines.push(`  ${q(e.source)} -> ${q(e.target)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
