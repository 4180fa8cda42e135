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

/**
 * CMake adds its own depfile flags (`-MD -MT <object> -MF <depfile>`, CMAKE_DEPFILE_FLAGS_<LANG>) to every
 * compile and leaves them out of the compilation database it exports; so do we, for CMake builds only.
 * Depfile flags a project sets itself are kept.
 */
export function withoutCmakeDepfileFlags(args: readonly string[]): string[] {
  for (let i = 0; i + 4 < args.length; i++) {
    if (args[i] === '-MD' && args[i + 1] === '-MT' && args[i + 3] === '-MF') {
      return [...args.slice(0, i), ...args.slice(i + 5)];
    }
  }
  return [...args];
}

export function compileCommands(graph: SerializedGraph): CompileCommand[] {
  const out: CompileCommand[] = [];
  const cmake = graph.attributes.system === 'cmake';
  for (const n of graph.nodes) {
    const a = n.attributes;
    if (a.type !== 'action' || a.category !== 'compile') continue;
    const act = a as ActionNode;
    const own = cmake ? withoutCmakeDepfileFlags(act.args) : act.args;
    const args = [act.real, ...own.slice(1)];
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
