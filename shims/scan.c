/* Header scanner: the translation unit. Reads the source and every header it includes the way gcc's
 * preprocessor does — the same search (the includer's directory, -iquote, -I, system directories,
 * #include_next), the same conditionals, the same implicit and command-line includes — and lists the
 * files in gcc's order and spelling. Text lines are stepped over, never expanded: only directives decide
 * which files are read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <time.h>
#include <unistd.h>

#include "scan-int.h"
#include "sha256.h"

jmp_buf sc_bail_jmp;
char sc_bail_reason[160];
const scan_request_t *sc_request;

/* ---------------------------------------------------------------- files */

typedef struct file {
  char *path;          /* as gcc spells it */
  char *text;
  size_t len;
  struct stat st;
  int dir_idx;         /* -2: no search path (the source, an absolute name); -1: the includer's dir or "./"; else chain index */
  sym_t *guard;        /* include guard macro, when the whole file is one #ifndef group */
  int once;            /* #pragma once or #import */
  int listed;
  int stacked;
  int scanned_pragmas; /* _Pragma checked */
  struct file *next;   /* same hash slot */
  struct file *all;    /* every file read */
} file_t;

#define FILE_SLOTS 4096
static file_t *g_files[FILE_SLOTS];
static file_t *g_all_files;
static int g_any_once;

typedef struct {
  char *name;          /* spelling of the directory: the path of a file in it is name/file */
  int sysp;
  int listed;          /* 0: not read yet; 1: names read; -1: too large or unreadable: every name is tried */
  uint64_t *names;     /* hashes of the entries' names, open addressing (0 = empty) */
  size_t nslots;
  uint64_t *hlist;     /* the same hashes as a list, for the directory-listing cache */
  size_t nh;
  int fresh;           /* listed in this scan (not taken from the cache) */
  dir_stamp_t stamp;
} dir_t;

static dir_t *g_chain;  /* quote dirs, then bracket dirs */
static int g_nchain, g_nquote;

typedef struct lookup {
  int start;
  char *name;
  file_t *found;       /* NULL: not found */
  int idx;
  struct lookup *next;
} lookup_t;
#define LOOKUP_SLOTS 4096
static lookup_t *g_lookups[LOOKUP_SLOTS];

static char **g_deps;
static int g_ndeps, g_capdeps;
static int g_depth;

static void add_dep(const char *path) {
  while (path[0] == '.' && path[1] == '/') {
    path += 2;
    while (*path == '/') path++;
  }
  if (g_ndeps == g_capdeps) {
    int cap = g_capdeps ? g_capdeps * 2 : 128;
    char **v = sc_alloc(sizeof(char *) * (size_t)cap);
    if (g_ndeps) memcpy(v, g_deps, sizeof(char *) * (size_t)g_ndeps);
    g_deps = v;
    g_capdeps = cap;
  }
  g_deps[g_ndeps++] = (char *)path;
}

static char *join(const char *dir, const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  char *p = sc_alloc(dl + nl + 2);
  memcpy(p, dir, dl);
  if (dl && dir[dl - 1] != '/') p[dl++] = '/';
  memcpy(p + dl, name, nl + 1);
  return p;
}

/* The file at path, read once per scan; NULL when there is none (or it is a directory). */
static file_t *open_file(const char *path) {
  uint64_t h = sc_hash(path, strlen(path));
  file_t **slot = &g_files[h & (FILE_SLOTS - 1)];
  for (file_t *f = *slot; f; f = f->next)
    if (strcmp(f->path, path) == 0) return f->text ? f : NULL;
  file_t *f = sc_alloc(sizeof *f);
  f->path = sc_strdup(path);
  f->next = *slot;
  *slot = f;
  size_t len = 0;
  int err = 0;
  char *text = sc_read_file(path, &len, &err, &f->st);
  if (!text) {
    if (err == ENOENT || err == ENOTDIR || err == EISDIR) return NULL;
    sc_bail("cannot read %s: %s", path, strerror(err));
  }
  sc_own(text);
  sc_check_trigraphs(text, len, path);
  f->text = sc_clean(text, &len);
  f->len = len;
  f->all = g_all_files;
  g_all_files = f;
  return f;
}

/* The realpath of a directory, once per scan. */
typedef struct rdir {
  char *dir, *real;
  struct rdir *next;
} rdir_t;
static rdir_t *g_rdirs[1024];

static const char *real_dir(const char *dir) {
  uint64_t h = sc_hash(dir, strlen(dir));
  rdir_t **slot = &g_rdirs[h & 1023];
  for (rdir_t *r = *slot; r; r = r->next)
    if (strcmp(r->dir, dir) == 0) return r->real;
  rdir_t *r = sc_alloc(sizeof *r);
  r->dir = sc_strdup(dir);
  char *rp = realpath(*dir ? dir : ".", NULL);
  r->real = rp ? sc_strdup(rp) : NULL;
  free(rp);
  r->next = *slot;
  *slot = r;
  return r->real;
}

/* gcc names a header found in a system directory by its realpath when that is shorter (symbolic links,
 * "." and ".." resolved; -fno-canonical-system-headers turns it off): the same file, under that name. */
static file_t *canonical(file_t *f) {
  if (sc_lang.no_canonical) return f;
  const char *slash = strrchr(f->path, '/');
  char *canon = NULL;
  struct stat st;
  if (lstat(f->path, &st) == 0 && S_ISLNK(st.st_mode)) {
    char *rp = realpath(f->path, NULL);
    if (rp) canon = sc_strdup(rp);
    free(rp);
  } else {
    const char *rd = real_dir(slash ? sc_strndup(f->path, (size_t)(slash - f->path)) : "");
    if (rd) canon = join(rd, slash ? slash + 1 : f->path);
  }
  if (!canon || strlen(canon) >= strlen(f->path)) return f;
  uint64_t h = sc_hash(canon, strlen(canon));
  file_t **slot = &g_files[h & (FILE_SLOTS - 1)];
  for (file_t *o = *slot; o; o = o->next)
    if (strcmp(o->path, canon) == 0 && o->text) return o;
  file_t *a = sc_alloc(sizeof *a);
  *a = *f;
  a->path = canon;
  a->listed = a->stacked = a->once = 0;
  a->guard = NULL;
  a->next = *slot;
  *slot = a;
  a->all = g_all_files;
  g_all_files = a;
  return a;
}

/* Reads a small search directory's entry names once per scan, so that a header can be looked for in it
 * without a failing open() per directory and name (a build's include directories are mostly small). */
static void set_names(dir_t *d, const uint64_t *h, size_t n) {
  d->nslots = 16;
  while (d->nslots < n * 2) d->nslots *= 2;
  d->names = sc_alloc(sizeof(uint64_t) * d->nslots);
  for (size_t i = 0; i < n; i++) {
    size_t j = (size_t)h[i] & (d->nslots - 1);
    while (d->names[j] && d->names[j] != h[i]) j = (j + 1) & (d->nslots - 1);
    d->names[j] = h[i];
  }
  d->hlist = sc_alloc(sizeof(uint64_t) * (n ? n : 1));
  memcpy(d->hlist, h, sizeof(uint64_t) * n);
  d->nh = n;
  d->listed = 1;
}

static void list_dir(dir_t *d) {
  d->listed = -1;
  DIR *dh = opendir(*d->name ? d->name : ".");
  if (!dh) return;
  size_t cap = 64, n = 0;
  uint64_t *h = malloc(sizeof(uint64_t) * cap);
  struct dirent *e;
  while (h && (e = readdir(dh)) != NULL) {
    if (n >= 8192) { free(h); h = NULL; break; } /* a large directory: names are tried one by one */
    if (n == cap) {
      cap *= 2;
      uint64_t *g = realloc(h, sizeof(uint64_t) * cap);
      if (!g) { free(h); h = NULL; break; }
      h = g;
    }
    h[n++] = sc_hash(e->d_name, strlen(e->d_name)) | 1;
  }
  closedir(dh);
  if (!h) return;
  set_names(d, h, n);
  free(h);
  d->fresh = 1;
}

/* ---------------------------------------------------------------- directory-listing cache
 * A build's compiles share long -I chains; listing every directory of the chain in every compile costs a
 * few system calls per directory. The names (as hashes) of a chain's directories are kept in one file per
 * chain under the probe directory, each with the directory's stamp (device, inode, mtime to the
 * nanosecond): a listing is reused only while its directory's stamp is unchanged (an entry added, removed or
 * renamed moves the directory's mtime), and one whose directory changed less than two seconds before it was
 * read is not kept, since a change in the same clock tick would not move the stamp. */

#define DIRS_MAGIC 0x3173726964746e63ull /* "cntdirs1" */

static char *dir_cache_path(void) {
  if (!sc_request->probe_dir) return NULL;
  sha256_t h;
  sha_init(&h);
  sha_str(&h, "continuity-dirs 1");
  for (int i = 0; i < g_nchain; i++) sha_str(&h, g_chain[i].name);
  char key[65];
  sha_hex(&h, key);
  size_t n = strlen(sc_request->probe_dir) + 80;
  char *p = sc_alloc(n);
  snprintf(p, n, "%s/dirs/%.2s/%s", sc_request->probe_dir, key, key + 2);
  return p;
}

static void load_dir_cache(void) {
  char *path = dir_cache_path();
  if (!path) return;
  size_t len = 0;
  int err = 0;
  char *text = sc_read_file(path, &len, &err, NULL);
  if (!text) return;
  sc_own(text);
  const unsigned char *p = (const unsigned char *)text, *end = p + len;
  uint64_t v[6];
  if (len < 16) return;
  memcpy(v, p, 16);
  p += 16;
  if (v[0] != DIRS_MAGIC || v[1] != (uint64_t)g_nchain) return;
  for (int i = 0; i < g_nchain; i++) {
    if ((size_t)(end - p) < 40) return;
    memcpy(v, p, 40);
    p += 40;
    uint64_t n = v[4];
    if (n == UINT64_MAX) continue;
    if ((size_t)(end - p) / 8 < n) return;
    dir_t *d = &g_chain[i];
    if (d->stamp.valid && d->stamp.dev == v[0] && d->stamp.ino == v[1] && (uint64_t)d->stamp.mtime_sec == v[2] &&
        (uint64_t)d->stamp.mtime_nsec == v[3]) {
      uint64_t *h = sc_alloc_raw(8 * (n ? n : 1));
      memcpy(h, p, 8 * n);
      set_names(d, h, (size_t)n);
    }
    p += 8 * n;
  }
}

static void save_dir_cache(void) {
  int any = 0;
  time_t now = time(NULL);
  for (int i = 0; i < g_nchain; i++) any |= g_chain[i].fresh && g_chain[i].stamp.valid && g_chain[i].stamp.mtime_sec < now - 1;
  if (!any) return;
  char *path = dir_cache_path();
  if (!path) return;
  sc_buf_t b = {0};
  uint64_t head[2] = {DIRS_MAGIC, (uint64_t)g_nchain};
  sc_buf_put(&b, (const char *)head, sizeof head);
  for (int i = 0; i < g_nchain; i++) {
    const dir_t *d = &g_chain[i];
    int keep = d->listed == 1 && d->stamp.valid && d->stamp.mtime_sec < now - 1;
    uint64_t e[5] = {d->stamp.dev, d->stamp.ino, (uint64_t)d->stamp.mtime_sec, (uint64_t)d->stamp.mtime_nsec,
                     keep ? (uint64_t)d->nh : UINT64_MAX};
    sc_buf_put(&b, (const char *)e, sizeof e);
    if (keep) sc_buf_put(&b, (const char *)d->hlist, 8 * d->nh);
  }
  char *dir = sc_strdup(path);
  *strrchr(dir, '/') = 0;
  for (char *q = dir + 1; *q; q++)
    if (*q == '/') { *q = 0; mkdir(dir, 0755); *q = '/'; }
  mkdir(dir, 0755);
  size_t tn = strlen(path) + 16;
  char *tmp = sc_alloc(tn);
  snprintf(tmp, tn, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd >= 0) {
    size_t off = 0;
    while (off < b.n) {
      ssize_t w = write(fd, b.p + off, b.n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;
      off += (size_t)w;
    }
    close(fd);
    if (off != b.n || rename(tmp, path) != 0) unlink(tmp);
  }
  free(b.p);
}

/* The hash dir_may_have looks for: of name's first path component; 0 when it cannot be decided by name
 * ("." or ".." or empty). */
static uint64_t first_component_hash(const char *name) {
  const char *slash = strchr(name, '/');
  size_t n = slash ? (size_t)(slash - name) : strlen(name);
  if (n == 0 || (n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.')) return 0;
  return sc_hash(name, n) | 1;
}

/* Whether a name whose first component hashes to h may be in directory d; 0 only when it is certainly not. */
static int dir_may_have(dir_t *d, uint64_t h) {
  if (d->listed == 0) list_dir(d);
  if (d->listed < 0 || h == 0) return 1;
  for (size_t j = (size_t)h & (d->nslots - 1); d->names[j]; j = (j + 1) & (d->nslots - 1))
    if (d->names[j] == h) return 1; /* (a hash match: the open decides) */
  return 0;
}

/* Looks name up from chain index start on. */
static file_t *search_from(int start, const char *name, int *idx) {
  uint64_t h = sc_hash(name, strlen(name)) * 31 + (uint64_t)(start + 7);
  lookup_t **slot = &g_lookups[h & (LOOKUP_SLOTS - 1)];
  for (lookup_t *l = *slot; l; l = l->next)
    if (l->start == start && strcmp(l->name, name) == 0) {
      *idx = l->idx;
      return l->found;
    }
  file_t *found = NULL;
  int at = -1;
  uint64_t fh = first_component_hash(name);
  for (int i = start; i < g_nchain && !found; i++) {
    if (!dir_may_have(&g_chain[i], fh)) continue;
    found = open_file(join(g_chain[i].name, name));
    if (found) {
      at = i;
      if (g_chain[i].sysp) found = canonical(found);
    }
  }
  lookup_t *l = sc_alloc(sizeof *l);
  l->start = start;
  l->name = sc_strdup(name);
  l->found = found;
  l->idx = at;
  l->next = *slot;
  *slot = l;
  *idx = at;
  return found;
}

enum inc_type { INC_QUOTE, INC_ANGLED, INC_NEXT_QUOTE, INC_NEXT_ANGLED, INC_CMDLINE, INC_DEFAULT };

/* the file being read: where it was found and whether it is a system header (for __has_include) */
typedef struct {
  const file_t *file;
  int dir_idx;
  int sysp;
} ctx_t;
static ctx_t g_ctx;

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? sc_strndup(path, (size_t)(slash - path + 1)) : sc_strdup("");
}

/* Finds an include as gcc does; *dir_idx and *dir_sysp say where it was found. */
static file_t *find_include(const char *name, enum inc_type type, const ctx_t *cur, int *dir_idx, int *dir_sysp) {
  *dir_sysp = 0;
  if (name[0] == '/') {
    *dir_idx = -2;
    return open_file(name);
  }
  int start;
  int next = type == INC_NEXT_QUOTE || type == INC_NEXT_ANGLED;
  if (next && cur->dir_idx != -2) start = cur->dir_idx + 1;
  else if (type == INC_ANGLED || type == INC_NEXT_ANGLED || type == INC_DEFAULT) start = g_nquote;
  else start = -1;
  /* gcc: "no include path in which to search" when the search would start past the last directory */
  if (start >= g_nchain && type != INC_DEFAULT) sc_bail("no include path in which to search for %s", name);
  if (start < 0) {
    /* "name": the includer's directory first ("./" for -include and -imacros) */
    const char *d = type == INC_CMDLINE ? "./" : dir_of(cur->file->path);
    file_t *f = open_file(join(d, name));
    if (f) {
      *dir_idx = -1;
      *dir_sysp = type == INC_CMDLINE ? 0 : cur->sysp;
      return *dir_sysp ? canonical(f) : f;
    }
    start = 0;
  }
  int idx;
  file_t *f = search_from(start, name, &idx);
  if (f) {
    *dir_idx = idx;
    *dir_sysp = g_chain[idx].sysp;
  }
  return f;
}

int sc_has_include(const char *name, int angled, int next) {
  int idx, sysp;
  enum inc_type t = next ? (angled ? INC_NEXT_ANGLED : INC_NEXT_QUOTE) : (angled ? INC_ANGLED : INC_QUOTE);
  return find_include(name, t, &g_ctx, &idx, &sysp) != NULL;
}

/* gcc's __INCLUDE_LEVEL__: the main file is level 0, and it is already on the stack below the command
 * line's includes (which are read before it here) */
static int g_cmdline_phase;
int sc_include_level(void) { return g_cmdline_phase ? g_depth : g_depth - 1; }

/* ---------------------------------------------------------------- directives */

typedef struct {
  int active;          /* this group's lines are read */
  int taken;           /* some branch of the group was taken */
  int seen_else;
  int parent_active;
} cond_t;

static int g_user_only, g_missing_ok;

static void process_file(file_t *f, int sysp, int is_main, int dir_idx);

static int tok_is(const tok_t *t, const char *s) {
  size_t n = strlen(s);
  return t->len == n && memcmp(t->p, s, n) == 0;
}

/* `#include` operand: a header name as written, or tokens that expand to one. */
static char *include_name(const char **pp, const char *end, int *angled) {
  const char *p = *pp;
  sc_skip_ws(&p, end);
  if (p < end && (*p == '"' || *p == '<')) {
    char close = *p == '"' ? '"' : '>';
    const char *q = p + 1;
    while (q < end && *q != close && *q != '\n') q++;
    if (q < end && *q == close) {
      *angled = close == '>';
      if (q == p + 1) sc_bail("empty file name in #include");
      *pp = q + 1;
      return sc_strndup(p + 1, (size_t)(q - p - 1));
    }
    if (close == '"') sc_bail("missing terminating \" in #include");
  }
  /* computed: macro-expanded, then a string or <...> */
  tokv_t line = {0}, out = {0};
  line.scratch = 1;
  sc_lex_line(&p, end, &line);
  *pp = p;
  sc_expand(&line, &out, X_INCLUDE);
  if (out.n == 0) sc_bail("#include expects a file name");
  const tok_t *t = &out.v[0];
  if (t->type == T_STRING && t->p[0] == '"') {
    *angled = 0;
    if (t->len <= 2) sc_bail("empty file name in #include");
    return sc_strndup(t->p + 1, t->len - 2);
  }
  if (t->type == T_PUNCT && t->punct == P_LT) {
    int k = 1;
    while (k < out.n && !(out.v[k].type == T_PUNCT && out.v[k].punct == P_GT)) k++;
    if (k >= out.n) sc_bail("missing '>' in a computed #include");
    *angled = 1;
    sc_buf_t b = {0};
    for (int i = 1; i < k; i++) {
      if (out.v[i].flags & F_WS) sc_buf_putc(&b, ' ');
      sc_buf_put(&b, out.v[i].p, out.v[i].len);
    }
    if (!b.p) sc_bail("empty file name in #include");
    char *s = sc_strdup(b.p);
    free(b.p);
    return s;
  }
  sc_bail("#include expects \"FILE\" or <FILE>");
}

static void do_include(enum inc_type type, const char *name, int import) {
  int idx, dsysp;
  file_t *f = find_include(name, type, &g_ctx, &idx, &dsysp);
  if (!f) {
    if (g_missing_ok) return;
    /* gcc -MM only warns about a missing header it would not list anyway: an angled one, or one a system
     * header includes */
    int angled = type == INC_ANGLED || type == INC_NEXT_ANGLED || type == INC_DEFAULT;
    if (g_user_only && (angled || g_ctx.sysp)) return;
    sc_bail("%s: no such header (the real preprocessor reports it)", name);
  }
  if (g_depth >= 200) sc_bail("#include nested too deeply");
  int sysp = type == INC_CMDLINE || type == INC_DEFAULT ? dsysp : (g_ctx.sysp > dsysp ? g_ctx.sysp : dsysp);
  if (import) {
    f->once = 1;
    g_any_once = 1;
    if (f->stacked) return;
  }
  if (f->once) return;
  if (f->guard && f->guard->macro) return;
  if (g_any_once) {
    for (file_t *o = g_all_files; o; o = o->all) {
      if (o == f || !o->once) continue;
      if (o->st.st_mtime == f->st.st_mtime && o->st.st_size == f->st.st_size && o->st.st_size >= 0 &&
          memcmp(o->text, f->text, o->len < f->len ? o->len : f->len) == 0 && o->len == f->len)
        return; /* the same file under another name */
    }
  }
  process_file(f, sysp, 0, idx);
}

/* #pragma: the ones that change what is read or how it is listed */
static void do_pragma(file_t *f, int is_main, const char *p, const char *end) {
  tokv_t line = {0};
  line.scratch = 1;
  sc_lex_line(&p, end, &line);
  if (line.n == 0) return;
  const tok_t *a = &line.v[0];
  if (tok_is(a, "once")) {
    if (!is_main) { f->once = 1; g_any_once = 1; }
    return;
  }
  if (tok_is(a, "push_macro") || tok_is(a, "pop_macro")) {
    if (line.n != 4 || !(line.v[1].type == T_PUNCT && line.v[1].punct == P_LPAREN) || line.v[2].type != T_STRING ||
        line.v[2].p[0] != '"' || !(line.v[3].type == T_PUNCT && line.v[3].punct == P_RPAREN))
      sc_bail("#pragma %.*s with an unexpected operand", (int)a->len, a->p);
    sym_t *s = sc_intern(line.v[2].p + 1, line.v[2].len - 2);
    if (tok_is(a, "push_macro")) {
      pushed_t *pm = sc_alloc(sizeof *pm);
      pm->macro = s->macro;
      pm->next = s->pushed;
      s->pushed = pm;
    } else if (s->pushed) {
      s->macro = s->pushed->macro;
      s->pushed = s->pushed->next;
    }
    return;
  }
  if (tok_is(a, "GCC") && line.n >= 2) {
    const tok_t *b = &line.v[1];
    if (tok_is(b, "system_header")) {
      if (!is_main) g_ctx.sysp = 1;
      return;
    }
    if (tok_is(b, "dependency") || tok_is(b, "error") || tok_is(b, "poison")) sc_bail("#pragma GCC %.*s", (int)b->len, b->p);
    if (tok_is(b, "warning") && sc_lang.werror) sc_bail("#pragma GCC warning with -Werror");
    return;
  }
  /* every other pragma leaves the set of files alone */
}

/* _Pragma operators in text can say what #pragma says; the ones that matter here are not modelled. */
static void check_pragma_operators(file_t *f) {
  if (f->scanned_pragmas) return;
  f->scanned_pragmas = 1;
  const char *p = f->text, *end = f->text + f->len;
  /* strstr stops at a NUL; the text is NUL-terminated, and one inside it only hides what follows it */
  if (!strstr(p, "_Pragma") && strlen(p) == f->len) return;
  while ((p = memmem(p, (size_t)(end - p), "_Pragma", 7)) != NULL) {
    const char *q = p + 7;
    const char *e = memchr(q, '\n', (size_t)(end - q));
    size_t n = e ? (size_t)(e - q) : (size_t)(end - q);
    static const char *const WORDS[] = {"once", "push_macro", "pop_macro", "system_header", "dependency", "poison", NULL};
    for (int i = 0; WORDS[i]; i++)
      if (memmem(q, n, WORDS[i], strlen(WORDS[i]))) sc_bail("_Pragma(\"%s\") in %s", WORDS[i], f->path);
    p = q;
  }
}

static int eval_if(const char *p, const char *end) {
  tokv_t line = {0}, out = {0};
  line.scratch = 1;
  sc_lex_line(&p, end, &line);
  sc_expand(&line, &out, X_IF);
  return sc_eval(&out);
}

static sym_t *ifdef_name(const char *p, const char *end, const char *what) {
  tok_t t;
  sc_lex(&p, end, &t);
  if (t.type != T_IDENT) sc_bail("#%s without a macro name", what);
  return t.sym;
}

static int sym_defined(const sym_t *s) { return s->macro != NULL || s->builtin != B_NONE; }

/* An #if / #ifndef that opens a file is its include guard when the group closes the file. */
static sym_t *guard_candidate(const char *name, size_t nlen, const char *p, const char *end) {
  if (nlen == 6 && memcmp(name, "ifndef", 6) == 0) {
    tok_t t;
    sc_lex(&p, end, &t);
    return t.type == T_IDENT ? t.sym : NULL;
  }
  if (nlen == 2 && memcmp(name, "if", 2) == 0) {
    tok_t t[5];
    int n = 0;
    for (; n < 5; n++) {
      sc_lex(&p, end, &t[n]);
      if (t[n].type == T_END) break;
    }
    if (n >= 3 && t[0].type == T_PUNCT && t[0].punct == P_NOT && t[1].type == T_IDENT && t[1].sym->builtin == B_DEFINED) {
      if (n == 3 && t[2].type == T_IDENT) return t[2].sym;
      if (n == 5 && t[2].type == T_PUNCT && t[2].punct == P_LPAREN && t[3].type == T_IDENT && t[4].type == T_PUNCT &&
          t[4].punct == P_RPAREN)
        return t[3].sym;
    }
  }
  return NULL;
}

static void process_file(file_t *f, int sysp, int is_main, int dir_idx) {
  if (!f->listed) {
    f->listed = 1;
    if (!(g_user_only && sysp)) add_dep(f->path);
  }
  f->stacked++;
  g_depth++;
  check_pragma_operators(f);
  ctx_t saved = g_ctx;
  g_ctx.file = f;
  g_ctx.dir_idx = dir_idx;
  g_ctx.sysp = sysp;
  const char *p = f->text, *end = f->text + f->len;
  cond_t stack[256];
  int depth = 0;
  /* include guard detection: the file is one #ifndef/#if !defined group and nothing else */
  int mi_possible = 1, mi_open = 0, mi_closed = 0;
  sym_t *mi_sym = NULL;
  while (p < end) {
    const char *s = sc_line_start(p, end);
    if (s >= end) break;
    if (*s == '\n') { p = s + 1; continue; }
    int active = depth == 0 || stack[depth - 1].active;
    if (!(*s == '#' || (*s == '%' && s + 1 < end && s[1] == ':'))) {
      /* a text line */
      int had = 0;
      p = sc_skip_line(s, end, &had);
      if (had && depth == 0) mi_possible = 0;
      continue;
    }
    if (*s == '%') sc_bail("digraph directive in %s", f->path);
    const char *q = s + 1;
    sc_skip_ws(&q, end);
    const char *name = q;
    while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_')) q++;
    size_t nlen = (size_t)(q - name);
    /* the directive's text ends at the first newline outside a comment */
    const char *rest = q;
    int had = 0;
    const char *after = sc_skip_line(rest, end, &had);
    const char *line_end = after > rest && after[-1] == '\n' ? after - 1 : after;
    p = line_end < end ? line_end + 1 : end;
    size_t mark = sc_mark();
#define IS(word) (nlen == sizeof(word) - 1 && memcmp(name, word, sizeof(word) - 1) == 0)
    int opens = IS("if") || IS("ifdef") || IS("ifndef");
    if (depth == 0) {
      /* only the guard's own #if may stand outside it */
      if (opens && mi_possible && !mi_open && !mi_closed && f->stacked == 1) {
        mi_sym = guard_candidate(name, nlen, rest, line_end);
        if (mi_sym) mi_open = 1;
        else mi_possible = 0;
      } else mi_possible = 0;
    }
    if (opens) {
      if (depth >= 255) sc_bail("conditionals nested too deeply in %s", f->path);
      cond_t c = {0};
      c.parent_active = active;
      if (active) {
        if (IS("if")) c.active = eval_if(rest, line_end);
        else {
          sym_t *m = ifdef_name(rest, line_end, IS("ifdef") ? "ifdef" : "ifndef");
          c.active = IS("ifdef") ? sym_defined(m) : !sym_defined(m);
        }
        c.taken = c.active;
      }
      stack[depth++] = c;
    } else if (IS("elif") || IS("elifdef") || IS("elifndef")) {
      if (depth == 0) sc_bail("#elif without #if in %s", f->path);
      cond_t *c = &stack[depth - 1];
      if (c->seen_else) sc_bail("#elif after #else in %s", f->path);
      if (depth == 1 && mi_open) mi_possible = 0;
      if (!IS("elif")) sc_bail("#%.*s in %s", (int)nlen, name, f->path);
      if (c->parent_active && !c->taken) {
        c->active = eval_if(rest, line_end);
        c->taken = c->active;
      } else c->active = 0;
    } else if (IS("else")) {
      if (depth == 0) sc_bail("#else without #if in %s", f->path);
      cond_t *c = &stack[depth - 1];
      if (c->seen_else) sc_bail("#else after #else in %s", f->path);
      if (depth == 1 && mi_open) mi_possible = 0;
      c->seen_else = 1;
      c->active = c->parent_active && !c->taken;
      c->taken = 1;
    } else if (IS("endif")) {
      if (depth == 0) sc_bail("#endif without #if in %s", f->path);
      depth--;
      if (depth == 0 && mi_open) { mi_open = 0; mi_closed = 1; }
    } else if (!active) {
      /* any other line in a skipped group is ignored */
    } else if (IS("include") || IS("include_next") || IS("import")) {
      int angled = 0;
      const char *r = rest;
      char *hn = include_name(&r, line_end, &angled);
      int next = IS("include_next");
      enum inc_type t = next ? (angled ? INC_NEXT_ANGLED : INC_NEXT_QUOTE) : (angled ? INC_ANGLED : INC_QUOTE);
      if (next && is_main) t = angled ? INC_ANGLED : INC_QUOTE;
      do_include(t, hn, IS("import"));
    } else if (IS("define")) {
      tokv_t line = {0};
      line.scratch = 1;
      const char *r = rest;
      sc_lex_line(&r, line_end, &line);
      /* the body lives as long as the file's text; the token vector must outlive the scratch arena */
      sc_define(&line, f->path);
    } else if (IS("undef")) {
      tokv_t line = {0};
      line.scratch = 1;
      const char *r = rest;
      sc_lex_line(&r, line_end, &line);
      sc_undef(&line);
    } else if (IS("pragma")) {
      do_pragma(f, is_main, rest, line_end);
    } else if (IS("line")) {
      /* __LINE__ and __FILE__ are never evaluated here, so line numbers do not matter; only the directive's
       * form, which gcc checks: a digit sequence, then perhaps a "file name" */
      tokv_t line = {0}, out = {0};
      line.scratch = 1;
      const char *r = rest;
      sc_lex_line(&r, line_end, &line);
      sc_expand(&line, &out, X_INCLUDE);
      int good = out.n >= 1 && out.n <= 2 && out.v[0].type == T_NUMBER;
      for (uint32_t k = 0; good && k < out.v[0].len; k++) good = out.v[0].p[k] >= '0' && out.v[0].p[k] <= '9';
      if (good && out.n == 2) good = out.v[1].type == T_STRING && out.v[1].p[0] == '"';
      if (!good) sc_bail("#line of an unexpected form in %s", f->path);
    } else if (IS("ident") || IS("sccs")) {
      tokv_t line = {0};
      line.scratch = 1;
      const char *r = rest;
      sc_lex_line(&r, line_end, &line);
      if (line.n != 1 || line.v[0].type != T_STRING || line.v[0].p[0] != '"') sc_bail("#%.*s without a string in %s", (int)nlen, name, f->path);
    } else if (nlen == 0 && q < line_end) {
      /* `#` then something that is neither a name, a number nor the end of the line */
      sc_bail("invalid preprocessing directive in %s", f->path);
    } else if (nlen == 0 || (name[0] >= '0' && name[0] <= '9')) {
      if (nlen) {
        /* a line marker: `# 33 "file" flags`; flag 3 makes the rest of the file a system header */
        tokv_t line = {0};
        line.scratch = 1;
        const char *r = q;
        sc_lex_line(&r, line_end, &line);
        for (int i = 1; i < line.n; i++) {
          if (line.v[i].type != T_NUMBER) continue;
          if (tok_is(&line.v[i], "3")) g_ctx.sysp = 1;
          else if (tok_is(&line.v[i], "1") || tok_is(&line.v[i], "2")) sc_bail("line marker entering or leaving a file in %s", f->path);
        }
      }
      /* a null directive */
    } else if (IS("warning")) {
      if (sc_lang.werror) sc_bail("#warning with -Werror in %s", f->path);
    } else if (IS("error")) {
      sc_bail("#error in %s", f->path);
    } else {
      sc_bail("#%.*s in %s", (int)nlen, name, f->path);
    }
#undef IS
    sc_release(mark);
  }
  if (depth != 0) sc_bail("unterminated #if in %s", f->path);
  if (mi_possible && mi_closed && mi_sym) f->guard = mi_sym;
  g_depth--;
  g_ctx = saved;
}

/* ---------------------------------------------------------------- the request */

static const char *lang_of(const scan_request_t *rq) {
  const char *x = NULL;
  for (int i = 1; i < rq->src_argi && i < rq->nargs; i++) {
    const char *a = rq->args[i];
    if (strcmp(a, "-x") == 0 && i + 1 < rq->nargs) x = rq->args[++i];
    else if (strncmp(a, "-x", 2) == 0 && a[2]) x = a + 2;
    else if (strcmp(a, "--language") == 0 && i + 1 < rq->nargs) x = rq->args[++i];
    else if (strncmp(a, "--language=", 11) == 0) x = a + 11;
  }
  if (x && strcmp(x, "none") != 0) {
    if (strcmp(x, "c") == 0) return "c";
    if (strcmp(x, "c++") == 0) return "c++";
    sc_bail("language %s", x);
  }
  const char *src = rq->args[rq->src_argi];
  const char *base = strrchr(src, '/');
  base = base ? base + 1 : src;
  const char *dot = strrchr(base, '.');
  if (!dot || dot == base) sc_bail("source without a suffix");
  const char *sfx = dot + 1;
  if (strcmp(sfx, "c") == 0) return rq->cxx_driver ? "c++" : "c";
  static const char *const CXX[] = {"cc", "cp", "cxx", "cpp", "CPP", "c++", "C", NULL};
  for (int i = 0; CXX[i]; i++)
    if (strcmp(sfx, CXX[i]) == 0) return "c++";
  sc_bail("source suffix .%s", sfx);
}

static const char *const CXX_OPS[][2] = {{"and", "&&"}, {"and_eq", "&="}, {"bitand", "&"}, {"bitor", "|"}, {"compl", "~"},
                                         {"not", "!"}, {"not_eq", "!="}, {"or", "||"}, {"or_eq", "|="}, {"xor", "^"},
                                         {"xor_eq", "^="}, {NULL, NULL}};

static void init_symbols(void) {
  sc_symbols_reset();
  memset(g_files, 0, sizeof g_files);
  memset(g_lookups, 0, sizeof g_lookups);
  memset(g_rdirs, 0, sizeof g_rdirs);
  g_all_files = NULL;
  g_any_once = 0;
  g_deps = NULL;
  g_ndeps = g_capdeps = 0;
  g_depth = 0;
  memset(&g_ctx, 0, sizeof g_ctx);
  sc_intern("defined", 7)->builtin = B_DEFINED;
  sc_intern("__VA_ARGS__", 11)->va_args = 1;
  sc_intern("__VA_OPT__", 10)->va_args = 2;
  static const uint8_t OPS[] = {P_ANDAND, P_OTHER, P_AND, P_OR, P_TILDE, P_NOT, P_NE, P_OROR, P_OTHER, P_XOR, P_OTHER};
  for (int i = 0; CXX_OPS[i][0]; i++) sc_intern(CXX_OPS[i][0], strlen(CXX_OPS[i][0]))->cxx_op = OPS[i];
}

static char *abs_of(const char *cwd, const char *p) {
  if (p[0] == '/') return sc_strdup(p);
  size_t n = strlen(cwd) + strlen(p) + 2;
  char *s = sc_alloc(n);
  snprintf(s, n, "%s/%s", cwd, p);
  return s;
}

int scan_fast(const scan_request_t *rq, scan_result_t *out) {
  memset(out, 0, sizeof *out);
  memset(&sc_lang, 0, sizeof sc_lang);
  memset(&sc_probe, 0, sizeof sc_probe);
  sc_request = rq;
  if (setjmp(sc_bail_jmp)) {
    snprintf(out->reason, sizeof out->reason, "%s", sc_bail_reason);
    sc_arena_free();
    return 0;
  }
  sc_lex_init();
  sc_macro_reset();
  init_symbols();
  g_user_only = rq->user_only;
  g_missing_ok = rq->missing_ok;
  const char *lang = lang_of(rq);
  sc_load_probe(rq, lang);
  /* the search chain */
  g_nquote = sc_probe.nquote;
  g_nchain = sc_probe.nquote + sc_probe.nbracket;
  g_chain = sc_alloc(sizeof(dir_t) * (size_t)(g_nchain + 1));
  for (int i = 0; i < sc_probe.nquote; i++) {
    g_chain[i].name = sc_probe.quote[i];
    if (sc_probe.quote_stamp) g_chain[i].stamp = sc_probe.quote_stamp[i];
  }
  for (int i = 0; i < sc_probe.nbracket; i++) {
    g_chain[g_nquote + i].name = sc_probe.bracket[i];
    g_chain[g_nquote + i].sysp = sc_probe.bracket_sysp[i];
    if (sc_probe.bracket_stamp) g_chain[g_nquote + i].stamp = sc_probe.bracket_stamp[i];
  }
  load_dir_cache();
  const char *src = rq->args[rq->src_argi];
  file_t *main = open_file(src);
  if (!main) sc_bail("%s: no such file", src);
  main->dir_idx = -2;
  /* the main file is listed first, then read after the command line's includes */
  main->listed = 1;
  add_dep(main->path);
  g_ctx.file = main;
  g_ctx.dir_idx = -2;
  g_cmdline_phase = 1;
  for (int i = 0; i < sc_probe.ninclude_opts; i++) {
    const char *o = sc_probe.include_opts[i];
    if (o[0] == 'm') do_include(INC_CMDLINE, o + 1, 0);
  }
  for (int i = 0; i < sc_probe.npreinclude; i++) {
    /* searched as <name> in the bracket chain; silently absent when it is not there */
    const char *path = sc_probe.preinclude[i];
    const char *name = sc_probe.preinclude_name[i];
    int idx, dsysp;
    file_t *pre = find_include(name, INC_DEFAULT, &g_ctx, &idx, &dsysp);
    /* the predefined macros came with this file: another one found first would not have them */
    if (pre && strcmp(pre->path, path) != 0) sc_bail("the implicit include %s resolves to %s here", path, pre->path);
    if (pre) do_include(INC_DEFAULT, name, 0);
  }
  for (int i = 0; i < sc_probe.ninclude_opts; i++) {
    const char *o = sc_probe.include_opts[i];
    if (o[0] != 'i') continue;
    struct stat st;
    char *gch = sc_alloc(strlen(o) + 8);
    sprintf(gch, "%s.gch", o + 1);
    if (stat(gch, &st) == 0) sc_bail("-include %s has a precompiled header", o + 1);
    do_include(INC_CMDLINE, o + 1, 0);
  }
  g_cmdline_phase = 0;
  process_file(main, 0, 1, -2);
  save_dir_cache();
  /* the answer, copied out of the arena */
  out->ndeps = g_ndeps;
  out->deps = calloc((size_t)g_ndeps + 1, sizeof(char *));
  for (int i = 0; i < g_ndeps; i++) out->deps[i] = strdup(g_deps[i]);
  out->nsearch = g_nchain;
  out->search_dirs = calloc((size_t)g_nchain + 1, sizeof(char *));
  for (int i = 0; i < g_nchain; i++) out->search_dirs[i] = strdup(abs_of(rq->cwd, g_chain[i].name));
  out->nabsent = sc_probe.nabsent;
  out->absent_dirs = calloc((size_t)sc_probe.nabsent + 1, sizeof(char *));
  for (int i = 0; i < sc_probe.nabsent; i++) out->absent_dirs[i] = strdup(sc_probe.absent[i]);
  sc_arena_free();
  return 1;
}

/* ---------------------------------------------------------------- the depfile */

static void munge(sc_buf_t *b, const char *s) {
  for (const char *p = s; *p; p++) {
    switch (*p) {
      case ' ':
      case '\t':
        for (const char *q = p - 1; q >= s && *q == '\\'; q--) sc_buf_putc(b, '\\');
        sc_buf_putc(b, '\\');
        break;
      case '$': sc_buf_putc(b, '$'); break;
      case '#': sc_buf_putc(b, '\\'); break;
      default: break;
    }
    sc_buf_putc(b, *p);
  }
}

static void write_name(sc_buf_t *b, const char *name, int quote, unsigned *col) {
  sc_buf_t m = {0};
  if (quote) munge(&m, name);
  else sc_buf_puts(&m, name);
  unsigned size = (unsigned)m.n;
  if (*col) {
    if (*col + size > 72) {
      sc_buf_puts(b, " \\\n");
      *col = 0;
    }
    (*col)++;
    sc_buf_putc(b, ' ');
  }
  *col += size;
  sc_buf_puts(b, m.p ? m.p : "");
  free(m.p);
}

char *scan_depfile_text(const scan_request_t *rq, const scan_result_t *res, const char *default_target) {
  sc_buf_t b = {0};
  unsigned col = 0;
  int targets = 0, phony = 0;
  for (int i = 1; i < rq->nargs; i++) {
    const char *a = rq->args[i];
    int mt = strncmp(a, "-MT", 3) == 0, mq = strncmp(a, "-MQ", 3) == 0;
    if (strcmp(a, "-MP") == 0) phony = 1;
    if (!mt && !mq) continue;
    const char *v = a[3] ? a + 3 : (i + 1 < rq->nargs ? rq->args[++i] : "");
    write_name(&b, v, mq, &col);
    targets++;
  }
  if (!targets) write_name(&b, default_target, 1, &col);
  sc_buf_putc(&b, ':');
  col++;
  for (int i = 0; i < res->ndeps; i++) write_name(&b, res->deps[i], 1, &col);
  sc_buf_putc(&b, '\n');
  if (phony)
    for (int i = 1; i < res->ndeps; i++) {
      sc_buf_t m = {0};
      munge(&m, res->deps[i]);
      sc_buf_puts(&b, m.p ? m.p : "");
      sc_buf_puts(&b, ":\n");
      free(m.p);
    }
  return b.p;
}
