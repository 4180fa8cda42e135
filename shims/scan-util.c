/* Header scanner: memory (one arena per scan, plus a scratch arena rolled back after each directive),
 * byte buffers, the bail-out, hashing, file reading and the symbol table. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan-int.h"

extern jmp_buf sc_bail_jmp;
extern char sc_bail_reason[160];

static void oom(void) {
  static const char msg[] = "continuity-shim: out of memory\n";
  if (write(2, msg, sizeof msg - 1) < 0) {}
  _exit(127);
}

/* ---------------------------------------------------------------- arenas */

typedef struct block {
  struct block *prev;
  size_t used, cap;
  char data[];
} block_t;

static block_t *g_arena;

void *sc_alloc(size_t n) {
  void *p = sc_alloc_raw(n);
  memset(p, 0, n);
  return p;
}

void *sc_alloc_raw(size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (!g_arena || g_arena->used + n > g_arena->cap) {
    size_t cap = n > (1u << 20) ? n : (1u << 20);
    block_t *b = malloc(sizeof *b + cap);
    if (!b) oom();
    b->prev = g_arena;
    b->used = 0;
    b->cap = cap;
    g_arena = b;
  }
  void *p = g_arena->data + g_arena->used;
  g_arena->used += n;
  return p;
}

char *sc_strndup(const char *s, size_t n) {
  char *p = sc_alloc_raw(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *sc_strdup(const char *s) { return sc_strndup(s, strlen(s)); }

/* The scratch arena is one growing region: marks are offsets into it. A request that does not fit
 * starts a larger region, kept until the scan ends (older regions stay valid for what points into them). */
static char *g_scratch;
static size_t g_scratch_used, g_scratch_cap;
typedef struct old_region {
  struct old_region *prev;
  char *region;
} old_region_t;
static old_region_t *g_old_scratch;

size_t sc_mark(void) { return g_scratch_used; }

static void *scratch_raw(size_t n);
void *sc_scratch(size_t n) {
  void *p = scratch_raw(n);
  memset(p, 0, n);
  return p;
}

static void *scratch_raw(size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (g_scratch_used + n > g_scratch_cap) {
    size_t cap = g_scratch_cap ? g_scratch_cap * 2 : (1u << 20);
    while (cap < g_scratch_used + n) cap *= 2;
    char *fresh = malloc(cap);
    if (!fresh) oom();
    if (g_scratch) {
      /* keep the old region alive: tokens may still point into it */
      old_region_t *o = malloc(sizeof *o);
      if (!o) oom();
      o->region = g_scratch;
      o->prev = g_old_scratch;
      g_old_scratch = o;
    }
    g_scratch = fresh;
    g_scratch_cap = cap;
    /* offsets below g_scratch_used stay reserved in the new region so marks keep their meaning */
  }
  void *p = g_scratch + g_scratch_used;
  g_scratch_used += n;
  return p;
}

void sc_release(size_t mark) {
  if (mark <= g_scratch_used) g_scratch_used = mark;
}

/* malloc'd blocks that live until the scan ends */
typedef struct owned {
  struct owned *prev;
  void *p;
} owned_t;
static owned_t *g_owned;

void sc_own(void *p) {
  owned_t *o = malloc(sizeof *o);
  if (!o) oom();
  o->p = p;
  o->prev = g_owned;
  g_owned = o;
}

void sc_arena_free(void) {
  while (g_owned) {
    owned_t *o = g_owned->prev;
    free(g_owned->p);
    free(g_owned);
    g_owned = o;
  }
  while (g_arena) {
    block_t *p = g_arena->prev;
    free(g_arena);
    g_arena = p;
  }
  while (g_old_scratch) {
    old_region_t *p = g_old_scratch->prev;
    free(g_old_scratch->region);
    free(g_old_scratch);
    g_old_scratch = p;
  }
  free(g_scratch);
  g_scratch = NULL;
  g_scratch_used = g_scratch_cap = 0;
}

/* ---------------------------------------------------------------- buffers */

void sc_buf_put(sc_buf_t *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) oom();
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}

void sc_buf_puts(sc_buf_t *b, const char *s) { sc_buf_put(b, s, strlen(s)); }
void sc_buf_putc(sc_buf_t *b, char c) { sc_buf_put(b, &c, 1); }

/* ---------------------------------------------------------------- bail-out */

void sc_bail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sc_bail_reason, sizeof sc_bail_reason, fmt, ap);
  va_end(ap);
  longjmp(sc_bail_jmp, 1);
}

uint64_t sc_hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

char *sc_read_file(const char *path, size_t *len, int *err, struct stat *stp) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return NULL;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    *err = errno;
    close(fd);
    return NULL;
  }
  if (S_ISDIR(st.st_mode)) {
    *err = EISDIR;
    close(fd);
    return NULL;
  }
  if (stp) *stp = st;
  size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096, n = 0;
  char *p = malloc(cap + 1);
  if (!p) oom();
  for (;;) {
    if (n == cap) {
      cap *= 2;
      p = realloc(p, cap + 1);
      if (!p) oom();
    }
    ssize_t r = read(fd, p + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      *err = errno;
      free(p);
      close(fd);
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
    /* a regular file read to the size fstat gave: done, without one more read to see the end */
    if (S_ISREG(st.st_mode) && n == (size_t)st.st_size) break;
  }
  close(fd);
  p[n] = 0;
  *len = n;
  return p;
}

/* ---------------------------------------------------------------- symbols */

static sym_t **g_syms;
static size_t g_nsyms, g_symcap;

sym_t *sc_intern(const char *s, size_t n) {
  uint64_t h = sc_hash(s, n);
  if (g_nsyms * 2 >= g_symcap) {
    size_t cap = g_symcap ? g_symcap * 2 : 4096;
    sym_t **v = sc_alloc(sizeof(sym_t *) * cap);
    for (size_t i = 0; i < g_symcap; i++)
      for (sym_t *e = g_syms[i], *next; e; e = next) {
        next = e->next;
        size_t j = (size_t)e->hash & (cap - 1);
        e->next = v[j];
        v[j] = e;
      }
    g_syms = v;
    g_symcap = cap;
  }
  size_t j = (size_t)h & (g_symcap - 1);
  for (sym_t *e = g_syms[j]; e; e = e->next)
    if (e->hash == h && e->len == n && memcmp(e->name, s, n) == 0) return e;
  sym_t *e = sc_alloc(sizeof *e);
  e->name = sc_strndup(s, n);
  e->len = (uint32_t)n;
  e->hash = h;
  e->id = (uint32_t)++g_nsyms;
  e->next = g_syms[j];
  g_syms[j] = e;
  return e;
}

void sc_symbols_reset(void) {
  g_syms = NULL;
  g_nsyms = g_symcap = 0;
}

void tv_push(tokv_t *tv, const tok_t *t) {
  if (tv->n == tv->cap) {
    int cap = tv->cap ? tv->cap * 2 : 16;
    tok_t *v = tv->scratch ? scratch_raw(sizeof(tok_t) * (size_t)cap) : sc_alloc(sizeof(tok_t) * (size_t)cap);
    if (tv->n) memcpy(v, tv->v, sizeof(tok_t) * (size_t)tv->n);
    tv->v = v;
    tv->cap = cap;
  }
  tv->v[tv->n++] = *t;
}
