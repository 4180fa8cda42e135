import { describe, it, expect } from 'vitest';
import { parseNinjaLog, parseNinjaQuery } from '../../src/confess/ninja.js';

describe('ninja records', () => {
  it('groups .ninja_log outputs into edges by start, end and command hash; the last entry wins', () => {
    const log = [
      '# ninja log v5',
      '0\t13\t1\ta.o\t80577a85f84e4c29',
      '30\t37\t1\tlibbar.so.1\td6cd8a53c5f76750',
      '30\t37\t1\tlibbar.so\td6cd8a53c5f76750',
      '0\t5\t1\tgen.h\tdead',
      '50\t58\t2\tgen.h\tbeef',
    ].join('\n');
    const edges = parseNinjaLog(log).map((e) => e.outputs.sort());
    expect(edges).toContainEqual(['libbar.so', 'libbar.so.1']);
    expect(edges).toContainEqual(['a.o']);
    expect(edges).toContainEqual(['gen.h']);
    expect(edges).toHaveLength(3);
  });

  it('reads explicit and implicit inputs from `ninja -t query`, not order-only ones', () => {
    const q = ['app:', '  input: C_EXECUTABLE_LINKER__app_', '    main.c.o', '    | libfoo.a', '    || libbar.so', '  outputs:', '    all', 'gen.h:', '  input: CUSTOM_COMMAND', '    /s/CMakeLists.txt', '  outputs:', ''].join('\n');
    const m = parseNinjaQuery(q);
    expect(m.get('app')).toEqual({ rule: 'C_EXECUTABLE_LINKER__app_', inputs: ['main.c.o', 'libfoo.a'] });
    expect(m.get('gen.h')).toEqual({ rule: 'CUSTOM_COMMAND', inputs: ['/s/CMakeLists.txt'] });
  });
});
