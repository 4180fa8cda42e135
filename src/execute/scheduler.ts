// Parallel scheduling over the action DAG: an action starts once every producer it reads from has
// succeeded, at most `jobs` at a time. After a failure nothing new starts; running actions finish.
import type { DirectedGraph } from 'graphology';
import { topologicalSort } from 'graphology-dag';

export type NodeOutcome = 'succeeded' | 'failed' | 'skipped';

export async function schedule(
  g: DirectedGraph,
  jobs: number,
  run: (id: string) => Promise<boolean>,
): Promise<Map<string, NodeOutcome>> {
  const order = topologicalSort(g);
  const waiting = new Map(order.map((id) => [id, g.inDegree(id)]));
  const ready: string[] = order.filter((id) => waiting.get(id) === 0);
  const outcome = new Map<string, NodeOutcome>();
  let running = 0;
  let failed = false;
  return new Promise((resolve) => {
    const pump = (): void => {
      while (!failed && running < jobs && ready.length > 0) {
        const id = ready.shift() as string;
        running += 1;
        run(id)
          .catch(() => false)
          .then((good) => {
            running -= 1;
            outcome.set(id, good ? 'succeeded' : 'failed');
            if (!good) failed = true;
            else
              for (const next of g.outNeighbors(id)) {
                const left = (waiting.get(next) ?? 1) - 1;
                waiting.set(next, left);
                if (left === 0) ready.push(next);
              }
            pump();
          });
      }
      if (running === 0) {
        for (const id of order) if (!outcome.has(id)) outcome.set(id, 'skipped');
        resolve(outcome);
      }
    };
    pump();
  });
}
