// What a live view receives while a confession runs: nodes and edges as they become known, then `done`
// (or `failed` with the one-line reason). The page applies them in order; an edge may name a node that
// arrives later.
import type { NodeAttributes, SerializedGraph } from '../model/graph.js';

export type ViewEvent =
  | { type: 'node'; key: string; attributes: NodeAttributes }
  | { type: 'edge'; source: string; target: string }
  | { type: 'done' }
  | { type: 'failed'; message: string };

/**
 * The first message on `/live`: everything published so far, so a late page misses nothing. Sent again
 * when the finished graph replaces the provisional one.
 */
export interface SnapshotMessage {
  type: 'snapshot';
  graph: SerializedGraph;
  done: boolean;
  error?: string;
}
