import { describe, expect, it } from 'vitest';
import { classifyArgs, cosetArgs, typedFlags } from '../../src/lower/flags/classify.js';
import { gccTable } from '../../src/lower/flags/gcc.js';
import { clangTable } from '../../src/lower/flags/clang.js';
import { nvccTable } from '../../src/lower/flags/nvcc.js';
import type { FlagTable } from '../../src/lower/flags/table.js';
import { withTargetDetails, parseTripleString } from '../../src/lower/triple.js';

const view = (table: FlagTable, args: string[]) => {
  const c = classifyArgs(table, args);
  const cpu = c.find((x) => x.cls === 'march' || x.cls === 'mcpu')?.value ?? null;
  const target = c.find((x) => x.cls === 'target')?.value ?? 'x86_64-linux-gnu';
  const gpus = c.filter((x) => x.cls === 'gpu-arch' || x.cls === 'gencode').map((x) => x.value ?? '');
  return {
    table: table.name,
    classified: c.map((x) => `${x.cls}: ${x.raw.join(' ')}`),
    typed: typedFlags(c),
    keyArgs: cosetArgs(c),
    target: withTargetDetails(parseTripleString(target), cpu, gpus),
  };
};

describe('compiler flag tables', () => {
  it('gcc', () => {
    expect(
      view(gccTable, [
        '-O2', '-g', '-fPIC', '-march=znver4', '-mtune=generic', '-flto', '-Wall', '-Wextra', '-Werror=format', '-Wl,--as-needed',
        '-Wa,--noexecstack', '-Wp,-D_FORTIFY_SOURCE=2', '-fdiagnostics-color=always', '-fmessage-length=0', '-MD', '-MT', 'a.o', '-MF', 'a.o.d',
        '-Iinclude', '-I', '/abs/inc', '-isystem', '/sys/inc', '-DNDEBUG', '-DVERSION="1.0"', '-UFOO', '-std=c11', '-fvisibility=hidden',
        '-x', 'c', '-o', 'a.o', '-c', 'a.c',
      ]),
    ).toMatchSnapshot();
  });
  it('clang', () => {
    expect(
      view(clangTable, [
        '--target=aarch64-unknown-linux-gnu', '-mcpu=neoverse-v2', '-Oz', '-flto=thin', '-g0', '-fcolor-diagnostics', '-Wno-unused',
        '-fno-pic', '-MMD', '-MP', '-MFdep.d', '-Iinc', '-o', 'b.o', '-c', 'b.cc',
      ]),
    ).toMatchSnapshot();
  });
  it('nvcc extends gcc', () => {
    expect(
      view(nvccTable, [
        '-arch=sm_90a', '-gencode', 'arch=compute_80,code=sm_80', '-O3', '-G', '-ccbin', '/usr/bin/g++', '-Xcompiler', '-fPIC',
        '--std=c++17', '-Wall', '-MD', '-MF', 'k.d', '-DUSE_CUDA', '-Iinc', '-o', 'k.o', '-c', 'k.cu',
      ]),
    ).toMatchSnapshot();
  });
  it('keeps -Wl, -Wa, -Wp, and -Werror in the key but drops warnings, colours and depfiles', () => {
    const c = classifyArgs(gccTable, ['-Wall', '-Wl,-z,now', '-Wa,-g', '-Wp,-DX', '-Werror', '-fdiagnostics-color', '-MMD', '-MF', 'x.d', '-c', 'x.c']);
    expect(cosetArgs(c)).toEqual(['-Wl,-z,now', '-Wa,-g', '-Wp,-DX', '-Werror', '-c', 'x.c']);
  });
});

describe('triples', () => {
  it('parses dumpmachine strings', () => {
    expect(parseTripleString('x86_64-linux-gnu').triple).toEqual({ arch: 'x86_64', vendor: 'unknown', os: 'linux', abi: 'gnu', cpu: 'generic', gpu: 'none' });
    expect(parseTripleString('aarch64-apple-darwin23.1.0').triple).toMatchObject({ arch: 'aarch64', vendor: 'apple', os: 'darwin' });
    expect(parseTripleString('arm-linux-gnueabihf').triple).toMatchObject({ arch: 'armv7', os: 'linux', abi: 'eabihf' });
    expect(parseTripleString('x86_64-pc-linux-musl').triple).toMatchObject({ vendor: 'pc', abi: 'musl' });
  });
  it('maps unknown values to a fallback and keeps the raw value', () => {
    const t = withTargetDetails(parseTripleString('mips64el-unknown-linux-gnuabi64'), 'armv8.2-a', ['sm_75']);
    expect(t.triple.cpu).toBe('generic');
    expect(t.triple.gpu).toBe('none');
    expect(t.other).toEqual([
      { kind: 'other', field: 'arch', raw: 'mips64el' },
      { kind: 'other', field: 'abi', raw: 'gnuabi64' },
      { kind: 'other', field: 'cpu', raw: 'armv8.2-a' },
      { kind: 'other', field: 'gpu', raw: 'sm_75' },
    ]);
  });
  it('reads cpus and gpus', () => {
    const t = withTargetDetails(parseTripleString('x86_64-linux-gnu'), 'x86-64-v3', ['arch=compute_90,code=sm_90']);
    expect(t.triple).toMatchObject({ cpu: 'x86_64_v3', gpu: 'sm_90' });
    expect(withTargetDetails(parseTripleString('aarch64-linux-gnu'), 'neoverse-v2', []).triple.cpu).toBe('neoverse_v2');
  });
});
