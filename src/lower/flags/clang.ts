// Clang accepts GCC's spellings plus its own; its own come first so they win.
import { type FlagTable, spec } from './table.js';
import { GCC_FLAGS } from './gcc.js';

export const clangTable: FlagTable = {
  name: 'clang',
  flags: [
    spec('-fcolor-diagnostics', 'exact', 'diagnostics'),
    spec('-fno-color-diagnostics', 'exact', 'diagnostics'),
    spec('-fansi-escape-codes', 'exact', 'diagnostics'),
    spec('--target', 'equals-or-separate', 'target'),
    spec('-target', 'separate', 'target'),
    spec('-flto=thin', 'exact', 'lto'),
    ...GCC_FLAGS,
  ],
};
