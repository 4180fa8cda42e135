// graph.json → compile_commands.json (the Clang JSON Compilation Database), with the real compilers.
// One entry per compiled source; `arguments` is the exact argv, with argv[0] the real tool, not a shim.
import type { ActionNode, SerializedGraph } from '../model/graph.js';
import { relative, isAbsolute } from 'node:path';

export interface CompileCommand {
  directory: string;
  arguments: string[];
  file: string;
  output: string;
}

function outputArg(args: readonly string[]): string | null {
  for (let i = 1; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-o' && i + 1 < args.length) return args[i + 1] as string;
    if (a.startsWith('-o') && a.length > 2) return a.slice(2);
  }
  return null;
}

export function compileCommands(graph: SerializedGraph): CompileCommand[] {
  const out: CompileCommand[] = [];
  for (const n of graph.nodes) {
    const a = n.attributes;
    if (a.type !== 'action' || a.category !== 'compile') continue;
    const act = a as ActionNode;
    const args = [act.real, ...act.args.slice(1)];
    const o = outputArg(act.args);
    act.inputs.forEach((file, i) => {
      const output = o ?? act.outputs[i] ?? act.outputs[0] ?? '';
      out.push({
        directory: act.cwd,
        arguments: args,
        file,
        output: isAbsolute(output) ? relativeIfInside(act.cwd, output) : output,
      });
    });
  }
  out.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.output < y.output ? -1 : 1));
  return out;
}

function relativeIfInside(dir: string, p: string): string {
  const r = relative(dir, p);
  return r.startsWith('..') ? p : r;
}
