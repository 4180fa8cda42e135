// The one-line progress display: drawn only on a terminal, rewritten in place, cleared at the end.
import type { BuildProgress } from './build.js';

export function progressPrinter(stream: NodeJS.WriteStream, enabled: boolean): { update: (p: BuildProgress) => void; clear: () => void } {
  let drawn = false;
  return {
    update: (p) => {
      if (!enabled) return;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const line = `[${p.done}/${p.total}] ${p.executed} executed, ${p.cached} cached${p.failed ? `, ${p.failed} failed` : ''}  ${p.running.join(' ')}`;
      stream.write(`\r\x1b[K${line.slice(0, width)}`);
      drawn = true;
    },
    clear: () => {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
