// The shape of graph.json (docs/architecture.md, "graph.json"; schema/graph.schema.json).
export type BuildSystemKind = 'cmake' | 'make' | 'autotools' | 'wrap';
export type FileRole = 'source' | 'header' | 'generated' | 'object' | 'asm' | 'archive' | 'executable' | 'shared' | 'fake' | 'other';
export type ActionCategory = 'compile' | 'archive' | 'link' | 'custom';
export type Language = 'c' | 'c++' | 'cuda' | 'asm';

export interface GraphAttributes {
  version: 1;
  complete: boolean;
  system: BuildSystemKind;
  mode: 'confess' | 'observe';
  srcdir: string;
  builddir: string;
  created: string;
  errors: string[];
  warnings?: string[];
}

export interface FileNode {
  type: 'file';
  path: string;
  role: FileRole;
  token?: string;
  fake?: boolean;
}

export interface ActionNode {
  type: 'action';
  category: ActionCategory;
  language: Language | null;
  tool: string;
  real: string;
  cwd: string;
  args: string[];
  env: Record<string, string>;
  inputs: string[];
  deps: string[];
  outputs: string[];
  rid: string | null;
  exit: number;
  /** commands run after `args` on the same outputs, in the same place (ranlib after ar) */
  post?: string[][];
  /** the build system's rule name for a custom step, when it has one */
  rule?: string;
}

export type NodeAttributes = FileNode | ActionNode;

export interface SerializedGraph {
  attributes: GraphAttributes;
  options: { type: 'directed'; multi: false; allowSelfLoops: false };
  nodes: { key: string; attributes: NodeAttributes }[];
  edges: { source: string; target: string }[];
}

export const fileKey = (path: string): string => `file:${path}`;
