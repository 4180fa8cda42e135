// nvcc extends GCC's table (it forwards host flags to the host compiler) with its own device flags.
import { type FlagTable, spec } from './table.js';
import { GCC_FLAGS } from './gcc.js';

export const nvccTable: FlagTable = {
  name: 'nvcc',
  flags: [
    spec('--gpu-architecture', 'equals-or-separate', 'gpu-arch'),
    spec('-arch', 'equals-or-separate', 'gpu-arch'),
    spec('--generate-code', 'equals-or-separate', 'gencode'),
    spec('-gencode', 'equals-or-separate', 'gencode'),
    spec('--compiler-bindir', 'equals-or-separate', 'host-compiler'),
    spec('-ccbin', 'equals-or-separate', 'host-compiler'),
    spec('--compiler-options', 'equals-or-separate', 'host-flags'),
    spec('-Xcompiler', 'equals-or-separate', 'host-flags'),
    spec('-Xptxas', 'equals-or-separate', 'device-flags'),
    spec('--ptxas-options', 'equals-or-separate', 'device-flags'),
    spec('--output-file', 'equals-or-separate', 'output'),
    spec('--compile', 'exact', 'mode'),
    spec('--shared', 'exact', 'shared'),
    spec('--device-debug', 'exact', 'debug'),
    spec('-G', 'exact', 'debug'),
    spec('--disable-warnings', 'exact', 'warning'),
    spec('--std', 'equals-or-separate', 'std'),
    spec('--x', 'equals-or-separate', 'language'),
    ...GCC_FLAGS,
  ],
};
