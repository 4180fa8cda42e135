#!/usr/bin/env node
// Generates a synthetic legacy C/C++ project with exactly N translation units, spread over static
// libraries and programs, for benchmarks at scale. Headers are shared the way real code shares them:
// one common config header included everywhere, a public and a private header per library, and
// cross-library includes that follow the link dependencies (always towards lower-numbered libraries,
// so the graph is a DAG and every program links and runs).
// Flavours: `cmake` (a CMakeLists.txt per directory) or `make` (a plain recursive Makefile building in
// the source tree). The same N and seed always give the same bytes; the sources of both flavours agree.
//
// Usage: node scripts/synth.mjs --tus N [--seed S] [--flavour cmake|make] --out DIR
// Prints one JSON line: {"tus", "libraries", "programs", "headers", "cxx", "flavour", "out"}.
import { mkdirSync, writeFileSync, renameSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** A small deterministic PRNG (32-bit state) so a seed names one project. */
function rng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  return { next, int, pick };
}

const pad = (i) => String(i).padStart(3, '0');

/**
 * The project's shape, independent of the flavour: libraries (each a list of TUs, a language and the
 * lower-numbered libraries it depends on) and programs (each a list of TUs and the libraries it links).
 */
export function plan(tus, seed) {
  const r = rng(seed);
  const programs = [];
  const nPrograms = Math.max(2, Math.ceil(tus / 250));
  // Programs: a main plus up to four helpers each, never more than a tenth of all TUs.
  let progTus = 0;
  for (let p = 0; p < nPrograms; p++) {
    const n = Math.min(1 + r.int(0, 4), Math.max(1, Math.floor(tus / 10 / nPrograms)));
    programs.push({ name: `app${pad(p)}`, tus: n, libs: [] });
    progTus += n;
  }
  let left = tus - progTus;
  const libraries = [];
  while (left > 0) {
    const i = libraries.length;
    const size = Math.min(left, r.int(4, 30));
    left -= size;
    const lang = i % 4 === 1 ? 'cxx' : 'c';
    const deps = [];
    if (i > 0) {
      const want = Math.min(i, r.int(1, 3));
      while (deps.length < want) {
        // Prefer near neighbours (layers), sometimes reach far down (a common utility library).
        const d = r.next() < 0.7 ? Math.max(0, i - r.int(1, 4)) : r.int(0, i - 1);
        if (!deps.includes(d)) deps.push(d);
      }
      deps.sort((a, b) => a - b);
    }
    libraries.push({ index: i, name: `mod${pad(i)}`, lang, size, deps });
  }
  for (const p of programs) {
    const want = Math.min(libraries.length, r.int(1, 4));
    while (p.libs.length < want) {
      const l = r.int(0, libraries.length - 1);
      if (!p.libs.includes(l)) p.libs.push(l);
    }
    p.libs.sort((a, b) => a - b);
  }
  // Per TU: which other function it calls (same library, lower index) and which dependency it uses.
  for (const lib of libraries) {
    lib.units = [];
    for (let j = 0; j < lib.size; j++) {
      const local = j > 0 && r.next() < 0.5 ? r.int(0, j - 1) : -1;
      const dep = lib.deps.length > 0 ? r.pick(lib.deps) : -1;
      const system = r.pick(['stdio', 'string', 'stdlib', 'none', 'none']);
      lib.units.push({ local, dep, system });
    }
  }
  return { tus, seed, libraries, programs };
}

/** Everything a library can see: itself and its dependencies, transitively, highest index first. */
function closure(libraries, roots) {
  const seen = new Set();
  const visit = (i) => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const d of libraries[i].deps) visit(d);
  };
  roots.forEach(visit);
  return [...seen].sort((a, b) => b - a);
}

function sources(p) {
  const files = new Map();
  const put = (path, text) => files.set(path, text);
  put('include/synth/config.h', [
    '/* Project-wide configuration: included first by every translation unit. */',
    '#ifndef SYNTH_CONFIG_H',
    '#define SYNTH_CONFIG_H',
    '#include <stddef.h>',
    '#include <stdint.h>',
    `#define SYNTH_VERSION_MAJOR ${1 + (p.seed % 5)}`,
    '#define SYNTH_VERSION_MINOR 0',
    '#define SYNTH_MIX(a, b) ((int)(((unsigned)(a) * 31u + (unsigned)(b)) & 0x7fff))',
    '#ifdef __cplusplus',
    '#define SYNTH_EXTERN_C extern "C"',
    '#else',
    '#define SYNTH_EXTERN_C',
    '#endif',
    '#endif',
    '',
  ].join('\n'));
  const fn = (lib, j) => `${lib.name}_f${pad(j)}`;
  for (const lib of p.libraries) {
    const guard = `${lib.name.toUpperCase()}_H`;
    const pub = [
      `/* Public interface of ${lib.name}. */`,
      `#ifndef ${guard}`,
      `#define ${guard}`,
      '#include <synth/config.h>',
      ...lib.deps.map((d) => `#include <${p.libraries[d].name}/${p.libraries[d].name}.h>`),
      ...lib.units.map((_, j) => `SYNTH_EXTERN_C int ${fn(lib, j)}(int x);`),
      '#endif',
      '',
    ];
    put(`libs/${lib.name}/include/${lib.name}/${lib.name}.h`, pub.join('\n'));
    put(`libs/${lib.name}/src/internal.h`, [
      `/* Private to ${lib.name}. */`,
      `#ifndef ${guard}_INTERNAL`,
      `#define ${guard}_INTERNAL`,
      `#include <${lib.name}/${lib.name}.h>`,
      `#define ${lib.name.toUpperCase()}_SALT ${lib.index * 7 + 3}`,
      '#endif',
      '',
    ].join('\n'));
    const ext = lib.lang === 'cxx' ? 'cpp' : 'c';
    lib.units.forEach((u, j) => {
      const lines = ['#include <synth/config.h>', '#include "internal.h"'];
      if (u.system !== 'none') lines.push(lib.lang === 'cxx' ? `#include <c${u.system}>` : `#include <${u.system}.h>`);
      if (lib.lang === 'cxx') lines.push('#include <algorithm>');
      let body = `SYNTH_MIX(x, ${lib.name.toUpperCase()}_SALT + ${j})`;
      if (u.local >= 0) body = `SYNTH_MIX(${body}, ${fn(lib, u.local)}(x / 2))`;
      if (u.dep >= 0) {
        const d = p.libraries[u.dep];
        body = `SYNTH_MIX(${body}, ${fn(d, (lib.index + j) % d.size)}(x / 3))`;
      }
      if (lib.lang === 'cxx') body = `std::max(0, ${body})`;
      lines.push('', `SYNTH_EXTERN_C int ${fn(lib, j)}(int x) {`, '  if (x <= 0) return 1;', `  return ${body};`, '}', '');
      put(`libs/${lib.name}/src/f${pad(j)}.${ext}`, lines.join('\n'));
    });
  }
  for (const prog of p.programs) {
    const libs = prog.libs.map((l) => p.libraries[l]);
    const main = [
      '#include <stdio.h>',
      '#include <synth/config.h>',
      ...libs.map((l) => `#include <${l.name}/${l.name}.h>`),
      `#include "${prog.name}.h"`,
      '',
      'int main(void) {',
      '  int acc = SYNTH_VERSION_MAJOR;',
      ...libs.map((l) => `  acc = SYNTH_MIX(acc, ${fn(l, l.size - 1)}(97));`),
      ...Array.from({ length: prog.tus - 1 }, (_, k) => `  acc = SYNTH_MIX(acc, ${prog.name}_h${k}(acc));`),
      `  printf("${prog.name} %d\\n", acc);`,
      '  return 0;',
      '}',
      '',
    ];
    put(`apps/${prog.name}/main.c`, main.join('\n'));
    put(`apps/${prog.name}/${prog.name}.h`, [
      '#include <synth/config.h>',
      ...Array.from({ length: prog.tus - 1 }, (_, k) => `int ${prog.name}_h${k}(int x);`),
      '',
    ].join('\n'));
    for (let k = 0; k < prog.tus - 1; k++) {
      put(`apps/${prog.name}/h${k}.c`, [
        `#include "${prog.name}.h"`,
        '',
        `int ${prog.name}_h${k}(int x) { return SYNTH_MIX(x, ${k}); }`,
        '',
      ].join('\n'));
    }
  }
  return files;
}

function unitFiles(lib) {
  const ext = lib.lang === 'cxx' ? 'cpp' : 'c';
  return lib.units.map((_, j) => `src/f${pad(j)}.${ext}`);
}
const progFiles = (prog) => ['main.c', ...Array.from({ length: prog.tus - 1 }, (_, k) => `h${k}.c`)];

function cmakeFiles(p, files) {
  const anyCxx = p.libraries.some((l) => l.lang === 'cxx');
  files.set('CMakeLists.txt', [
    'cmake_minimum_required(VERSION 3.16)',
    `project(synth${p.tus} LANGUAGES ${anyCxx ? 'C CXX' : 'C'})`,
    'set(CMAKE_C_STANDARD 99)',
    ...(anyCxx ? ['set(CMAKE_CXX_STANDARD 14)'] : []),
    'add_library(synth_config INTERFACE)',
    'target_include_directories(synth_config INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/include)',
    ...p.libraries.map((l) => `add_subdirectory(libs/${l.name})`),
    ...p.programs.map((a) => `add_subdirectory(apps/${a.name})`),
    '',
  ].join('\n'));
  for (const lib of p.libraries) {
    files.set(`libs/${lib.name}/CMakeLists.txt`, [
      `add_library(${lib.name} STATIC`,
      ...unitFiles(lib).map((f) => `  ${f}`),
      ')',
      `target_include_directories(${lib.name} PUBLIC include PRIVATE src)`,
      `target_link_libraries(${lib.name} PUBLIC synth_config ${lib.deps.map((d) => p.libraries[d].name).join(' ')})`,
      '',
    ].join('\n'));
  }
  for (const prog of p.programs) {
    files.set(`apps/${prog.name}/CMakeLists.txt`, [
      `add_executable(${prog.name} ${progFiles(prog).join(' ')})`,
      `target_link_libraries(${prog.name} PRIVATE synth_config ${prog.libs.map((l) => p.libraries[l].name).join(' ')})`,
      '',
    ].join('\n'));
  }
}

function makeFiles(p, files) {
  const dirs = [...p.libraries.map((l) => `libs/${l.name}`), ...p.programs.map((a) => `apps/${a.name}`)];
  files.set('mk/common.mk', [
    '# Shared settings, included by every directory\'s Makefile.',
    'CC ?= cc',
    'CXX ?= c++',
    'AR ?= ar',
    'CFLAGS ?= -O1',
    'CXXFLAGS ?= -O1',
    'CPPFLAGS += -I$(TOP)/include',
    '',
    '%.o: %.c',
    '\t$(CC) $(CPPFLAGS) $(CFLAGS) -std=c99 -c $< -o $@',
    '%.o: %.cpp',
    '\t$(CXX) $(CPPFLAGS) $(CXXFLAGS) -std=c++14 -c $< -o $@',
    '',
  ].join('\n'));
  files.set('Makefile', [
    '# Recursive build: libraries first (in dependency order), then programs.',
    `SUBDIRS = ${dirs.join(' \\\n\t')}`,
    '',
    '.PHONY: all clean',
    'all:',
    '\t@for d in $(SUBDIRS); do $(MAKE) -C $$d || exit 1; done',
    'clean:',
    '\t@for d in $(SUBDIRS); do $(MAKE) -C $$d clean || exit 1; done',
    '',
  ].join('\n'));
  for (const lib of p.libraries) {
    const objs = unitFiles(lib).map((f) => f.replace(/\.(c|cpp)$/, '.o'));
    files.set(`libs/${lib.name}/Makefile`, [
      'TOP = ../..',
      'include $(TOP)/mk/common.mk',
      `CPPFLAGS += -Iinclude -Isrc ${closure(p.libraries, lib.deps).map((d) => `-I../${p.libraries[d].name}/include`).join(' ')}`,
      `OBJS = ${objs.join(' \\\n\t')}`,
      '',
      `all: lib${lib.name}.a`,
      `lib${lib.name}.a: $(OBJS)`,
      '\trm -f $@',
      '\t$(AR) qc $@ $(OBJS)',
      '\tranlib $@',
      '$(OBJS): src/internal.h include/' + `${lib.name}/${lib.name}.h $(TOP)/include/synth/config.h`,
      'clean:',
      `\trm -f $(OBJS) lib${lib.name}.a`,
      '.PHONY: all clean',
      '',
    ].join('\n'));
  }
  for (const prog of p.programs) {
    // Static libraries link highest index first: dependencies always have lower indices.
    const libs = closure(p.libraries, prog.libs).map((i) => p.libraries[i]);
    const objs = progFiles(prog).map((f) => f.replace(/\.c$/, '.o'));
    const cxx = libs.some((l) => l.lang === 'cxx');
    files.set(`apps/${prog.name}/Makefile`, [
      'TOP = ../..',
      'include $(TOP)/mk/common.mk',
      `CPPFLAGS += ${closure(p.libraries, prog.libs).map((i) => `-I$(TOP)/libs/${p.libraries[i].name}/include`).join(' ')}`,
      `OBJS = ${objs.join(' ')}`,
      `LIBS = ${libs.map((l) => `$(TOP)/libs/${l.name}/lib${l.name}.a`).join(' ')}`,
      '',
      `all: ${prog.name}`,
      `${prog.name}: $(OBJS) $(LIBS)`,
      `\t$(${cxx ? 'CXX' : 'CC'}) -o $@ $(OBJS) $(LIBS)`,
      `$(OBJS): ${prog.name}.h`,
      'clean:',
      `\trm -f $(OBJS) ${prog.name}`,
      '.PHONY: all clean',
      '',
    ].join('\n'));
  }
}

function fail(msg) {
  process.stderr.write(`synth: ${msg}\n`);
  process.exit(2);
}

function main(argv) {
  let tus;
  let seed = 1;
  let flavour = 'cmake';
  let out;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--tus') tus = Number(val());
    else if (a === '--seed') seed = Number(val());
    else if (a === '--flavour' || a === '--flavor') flavour = val();
    else if (a === '--out') out = val();
    else fail(`unknown argument ${JSON.stringify(a)} (usage: synth.mjs --tus N [--seed S] [--flavour cmake|make] --out DIR)`);
  }
  if (!Number.isInteger(tus) || tus < 10 || tus > 100000) fail('--tus takes an integer from 10 to 100000');
  if (!Number.isInteger(seed) || seed < 0) fail('--seed takes a non-negative integer');
  if (flavour !== 'cmake' && flavour !== 'make') fail(`--flavour must be cmake or make, not ${JSON.stringify(flavour)}`);
  if (!out) fail('--out DIR is required');
  const dest = resolve(out);
  if (existsSync(dest) && readdirSync(dest).length > 0) fail(`${out}: exists and is not empty`);

  const p = plan(tus, seed);
  const files = sources(p);
  if (flavour === 'cmake') cmakeFiles(p, files);
  else makeFiles(p, files);

  // Written beside the destination, then renamed: no half-written project on failure.
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const abs = join(tmp, path);
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, text);
    }
    if (existsSync(dest)) rmSync(dest, { recursive: true });
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    fail(`cannot write ${out}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const headers = [...files.keys()].filter((f) => f.endsWith('.h')).length;
  const summary = {
    tus,
    libraries: p.libraries.length,
    programs: p.programs.length,
    headers,
    cxx: p.libraries.filter((l) => l.lang === 'cxx').reduce((n, l) => n + l.size, 0),
    flavour,
    out: dest,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

main(process.argv.slice(2));
