// A generated CMake project of many translation units (static libraries with shared headers, one
// program), and helpers to build it for real and to run it through the shims outside the CLI.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { REAL_PATH } from '../shim/helpers.js';
import { TOOLCHAIN_FILE } from '../../src/confess/cmake.js';
import { shimEnv, type ShimSet } from '../../src/shim/generate.js';

export interface Synthetic {
  dir: string;
  /** compile steps the project has: one per translation unit */
  compiles: number;
  archives: number;
  links: number;
}

/** Writes a project of `libs` libraries × `perLib` C files, each including a shared and a local header. */
export async function writeSynthetic(dir: string, libs: number, perLib: number): Promise<Synthetic> {
  const files: Record<string, string> = {};
  const cm: string[] = ['cmake_minimum_required(VERSION 3.16)', 'project(synthetic C)', 'include_directories(include)'];
  files['include/common.h'] = '#pragma once\n#define COMMON 7\n';
  const mainDecls: string[] = [];
  const mainCalls: string[] = [];
  for (let l = 0; l < libs; l++) {
    files[`lib${l}/local.h`] = `#pragma once\n#include "common.h"\n#define LOCAL${l} (COMMON + ${l})\n`;
    const srcs: string[] = [];
    for (let f = 0; f < perLib; f++) {
      const fn = `f${l}_${f}`;
      files[`lib${l}/${fn}.c`] = `#include "local.h"\nint ${fn}(int x) { return x * LOCAL${l} + ${f}; }\n`;
      srcs.push(`lib${l}/${fn}.c`);
    }
    cm.push(`add_library(l${l} STATIC ${srcs.join(' ')})`);
    mainDecls.push(`int f${l}_0(int);`);
    mainCalls.push(`f${l}_0(1)`);
  }
  files['main.c'] = `${mainDecls.join('\n')}\nint main(void) { return (${mainCalls.join(' + ')}) & 1; }\n`;
  cm.push('add_executable(app main.c)', `target_link_libraries(app ${Array.from({ length: libs }, (_, l) => `l${l}`).join(' ')})`);
  files['CMakeLists.txt'] = cm.join('\n') + '\n';
  for (const [rel, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), text);
  }
  return { dir, compiles: libs * perLib + 1, archives: libs, links: 1 };
}

/** Configures `src` into `build` with the shims passing through (as `confess cmake` does). */
export async function configureWithShims(set: ShimSet, src: string, build: string): Promise<void> {
  await execa('cmake', ['-S', src, '-B', build, '-G', 'Ninja', `-DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN_FILE}`], {
    env: { ...shimEnv(set, 'passthrough', { path: REAL_PATH }), CONTINUITY_SHIM_DIR: set.dir, CONTINUITY_FAKE_PACKAGES: 'none' },
    stdin: 'ignore',
  });
}

/** Builds a configured tree with the shims confessing; reports go to `spool` and, if given, `endpoint` (through its relay when named). */
export async function buildConfessing(
  set: ShimSet, build: string, jobs: number, spool: string, endpoint?: { endpoint: string; secret: string; relay?: string },
) {
  return execa('ninja', ['-C', build, '-j', String(jobs)], {
    env: { ...shimEnv(set, 'confess', { path: REAL_PATH, spool, ...endpoint }), CONTINUITY_SHIM_DIR: set.dir },
    stdin: 'ignore',
    reject: false,
    all: true,
  });
}

/** The compile steps of a real CMake + Ninja build of `src` (entries of its compilation database). */
export async function realCompileCount(src: string, build: string, jobs: number): Promise<{ compiles: number; built: number }> {
  await execa('cmake', ['-S', src, '-B', build, '-G', 'Ninja', '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON'], { stdin: 'ignore', env: { PATH: REAL_PATH } });
  const r = await execa('ninja', ['-C', build, '-j', String(jobs)], { stdin: 'ignore', env: { PATH: REAL_PATH } });
  const db = JSON.parse(await fs.readFile(path.join(build, 'compile_commands.json'), 'utf8')) as unknown[];
  const built = r.stdout.split('\n').filter((l) => /Building (C|CXX) object/.test(l)).length;
  return { compiles: db.length, built };
}
