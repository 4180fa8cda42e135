/* Header scanner: what the compiler itself must tell. For one call's preprocessing flags, one run of the
 * real compiler (`-E -dM -v -MD` on a small probe file) gives its predefined macros, the include search
 * list and which directories it dropped, the headers it includes implicitly (stdc-predef.h) and which
 * builtin names it defines. That answer is kept under the probe directory, keyed by SHA-256 over the
 * tool (path, inode, size, mtime), the language, the working directory, the flags and the environment
 * that changes preprocessing, and is reused only while every search directory is still the same
 * directory and every dropped one is still absent. Builtin queries (__has_attribute(x)...) are asked of
 * the compiler the first time they are met and kept the same way. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scan-int.h"
#include "sha256.h"

extern char **environ;

probe_t sc_probe;

static const char *const ENV_KEYS[] = {"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH",
                                       "GCC_EXEC_PREFIX", "COMPILER_PATH", "SOURCE_DATE_EPOCH", "DEPENDENCIES_OUTPUT",
                                       "SUNPRO_DEPENDENCIES", "GCC_COMPARE_DEBUG", NULL};

/* builtin names whose definedness the probe asks, and what the scanner does with each */
static const struct {
  const char *name;
  uint8_t kind;
} BUILTINS[] = {
    {"__has_include", B_HAS_INCLUDE}, {"__has_include__", B_HAS_INCLUDE}, {"__has_include_next", B_HAS_INCLUDE_NEXT},
    {"__has_include_next__", B_HAS_INCLUDE_NEXT}, {"__has_attribute", B_QUERY}, {"__has_cpp_attribute", B_QUERY},
    {"__has_c_attribute", B_QUERY}, {"__has_builtin", B_QUERY}, {"__has_feature", B_QUERY}, {"__has_extension", B_QUERY},
    {"__has_warning", B_QUERY}, {"__has_declspec_attribute", B_QUERY}, {"__is_identifier", B_QUERY},
    {"__has_constexpr_builtin", B_QUERY}, {"__is_target_arch", B_QUERY}, {"__is_target_vendor", B_QUERY},
    {"__is_target_os", B_QUERY}, {"__is_target_environment", B_QUERY}, {"__is_target_variant_os", B_QUERY},
    {"__is_target_variant_environment", B_QUERY}, {"__INCLUDE_LEVEL__", B_INCLUDE_LEVEL}, {"__LINE__", B_UNMODELED},
    {"__FILE__", B_UNMODELED}, {"__BASE_FILE__", B_UNMODELED}, {"__FILE_NAME__", B_UNMODELED},
    {"__COUNTER__", B_UNMODELED}, {"__DATE__", B_UNMODELED}, {"__TIME__", B_UNMODELED}, {"__TIMESTAMP__", B_UNMODELED},
    {"_Pragma", B_UNMODELED}, {"__has_embed", B_UNMODELED}, {"__building_module", B_UNMODELED},
    {NULL, 0}};

#define PROBE_PREFIX "__continuity_builtin_"

/* ---------------------------------------------------------------- the call's preprocessing flags */

typedef struct {
  char **v;
  int n, cap;
} strv_t;

static void sv_add(strv_t *a, char *s) {
  if (a->n + 1 >= a->cap) {
    int cap = a->cap ? a->cap * 2 : 32;
    char **v = sc_alloc(sizeof(char *) * (size_t)cap);
    if (a->n) memcpy(v, a->v, sizeof(char *) * (size_t)a->n);
    a->v = v;
    a->cap = cap;
  }
  a->v[a->n++] = s;
  a->v[a->n] = NULL;
}

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* options carrying a separate value that only name where dependencies go, or the input's language */
static const char *const M_SEPARATE[] = {"-MF", "-MT", "-MQ", "-MJ", NULL};

static int in_list(const char *const *l, const char *a) {
  for (int i = 0; l[i]; i++)
    if (strcmp(l[i], a) == 0) return 1;
  return 0;
}

/* -O, -include-style value carriers that the gcc driver also accepts joined */
static int joined_of(const char *const *l, const char *a) {
  for (int i = 0; l[i]; i++)
    if (starts(a, l[i]) && a[strlen(l[i])]) return 1;
  return 0;
}

static strv_t g_probe_args;   /* every preprocessing flag of the call, in order */
static strv_t g_query_args;   /* those minus include paths and macro definitions: the base flags */
static strv_t g_user_dirs;    /* -I directories and CPATH entries (non-system), absolute */
static char g_probe_key[65], g_query_key[65];

/* Include paths and macro definitions of the call, in order. Unless g_full, the compiler is probed with the
 * base flags alone (one probe serves every target of a project) and these are applied here, as gcc applies
 * them: -D/-U in order after the predefined macros, and the include chains joined and pruned by gcc's rules. */
typedef struct {
  char kind;   /* 'q' -iquote, 'I' -I, 's' -isystem, 'a' -idirafter; 'D', 'U' */
  char *value;
} opt_t;
static opt_t *g_opts;
static int g_nopts, g_capopts;
static int g_full;            /* options whose effect on the search list is left to the compiler (-iprefix...) */

static void opt_add(char kind, char *value) {
  if (g_nopts == g_capopts) {
    int cap = g_capopts ? g_capopts * 2 : 32;
    opt_t *v = sc_alloc(sizeof(opt_t) * (size_t)cap);
    if (g_nopts) memcpy(v, g_opts, sizeof(opt_t) * (size_t)g_nopts);
    g_opts = v;
    g_capopts = cap;
  }
  g_opts[g_nopts].kind = kind;
  g_opts[g_nopts].value = value;
  g_nopts++;
}

/* the kind of an include path or macro option (separate value), or 0 */
static char opt_kind(const char *a) {
  if (strcmp(a, "-I") == 0 || strcmp(a, "--include-directory") == 0) return 'I';
  if (strcmp(a, "-iquote") == 0) return 'q';
  if (strcmp(a, "-isystem") == 0) return 's';
  if (strcmp(a, "-idirafter") == 0) return 'a';
  if (strcmp(a, "-D") == 0 || strcmp(a, "--define-macro") == 0) return 'D';
  if (strcmp(a, "-U") == 0 || strcmp(a, "--undefine-macro") == 0) return 'U';
  return 0;
}

/* the same for a joined form (-Idir, -iquotedir, --include-directory=dir, -DX=1...): kind and value */
static char opt_joined(const char *a, const char **value) {
  static const struct { const char *prefix; char kind; } J[] = {
      {"--include-directory=", 'I'}, {"--define-macro=", 'D'}, {"--undefine-macro=", 'U'}, {"-iquote", 'q'},
      {"-isystem", 's'}, {"-idirafter", 'a'}, {"-I", 'I'}, {"-D", 'D'}, {"-U", 'U'}, {NULL, 0}};
  for (int i = 0; J[i].prefix; i++)
    if (starts(a, J[i].prefix) && a[strlen(J[i].prefix)]) {
      *value = a + strlen(J[i].prefix);
      return J[i].kind;
    }
  return 0;
}

static char *abs_norm(const char *cwd, const char *p) {
  size_t n = strlen(cwd) + strlen(p) + 2;
  char *s = sc_alloc(n);
  if (p[0] == '/') strcpy(s, p);
  else snprintf(s, n, "%s/%s", cwd, p);
  /* lexically: drop ".", "..", repeated and trailing slashes */
  char *out = sc_alloc(strlen(s) + 2), *o = out;
  const char *q = s;
  while (*q) {
    while (*q == '/') q++;
    if (!*q) break;
    const char *e = strchr(q, '/');
    size_t len = e ? (size_t)(e - q) : strlen(q);
    if (len == 1 && q[0] == '.') {}
    else if (len == 2 && q[0] == '.' && q[1] == '.') {
      while (o > out && *--o != '/') {}
    } else {
      *o++ = '/';
      memcpy(o, q, len);
      o += len;
    }
    q += len;
  }
  if (o == out) *o++ = '/';
  *o = 0;
  return out;
}

static void collect_flags(const scan_request_t *rq) {
  g_opts = NULL;
  g_nopts = g_capopts = 0;
  g_full = 0;
  memset(&g_probe_args, 0, sizeof g_probe_args);
  memset(&g_query_args, 0, sizeof g_query_args);
  memset(&g_user_dirs, 0, sizeof g_user_dirs);
  sc_probe.include_opts = NULL;
  sc_probe.ninclude_opts = 0;
  strv_t incl = {0};
  for (int i = 1; i < rq->nargs; i++) {
    if (rq->drop[i]) continue;
    char *a = rq->args[i];
    char *val = NULL;
    if (a[0] != '-') { sv_add(&g_probe_args, a); sv_add(&g_query_args, a); continue; }
    /* dependency output: not part of what is preprocessed */
    if (strcmp(a, "-M") == 0 || strcmp(a, "-MM") == 0 || strcmp(a, "-MD") == 0 || strcmp(a, "-MMD") == 0 ||
        strcmp(a, "-MP") == 0 || strcmp(a, "-MG") == 0)
      continue;
    if (in_list(M_SEPARATE, a)) { i++; continue; }
    if (joined_of(M_SEPARATE, a)) continue;
    /* -include / -imacros: read by the scanner itself, in order */
    if (strcmp(a, "-include") == 0 || strcmp(a, "--include") == 0 || strcmp(a, "-imacros") == 0 || strcmp(a, "--imacros") == 0) {
      if (i + 1 >= rq->nargs) sc_bail("%s without a file", a);
      char kind = strstr(a, "macros") ? 'm' : 'i';
      char *v = sc_alloc(strlen(rq->args[i + 1]) + 2);
      v[0] = kind;
      strcpy(v + 1, rq->args[i + 1]);
      sv_add(&incl, v);
      i++;
      continue;
    }
    if (starts(a, "--include=") || starts(a, "--imacros=") || (starts(a, "-include") && a[8]) || (starts(a, "-imacros") && a[8])) {
      const char *f = strchr(a, '=') && a[1] == '-' ? strchr(a, '=') + 1 : a + 8;
      char *v = sc_alloc(strlen(f) + 2);
      v[0] = strstr(a, "macros") ? 'm' : 'i';
      strcpy(v + 1, f);
      sv_add(&incl, v);
      continue;
    }
    if (strcmp(a, "-x") == 0 || starts(a, "-x") || starts(a, "--language")) { if (strcmp(a, "-x") == 0 || strcmp(a, "--language") == 0) i++; continue; }
    /* what the scanner does not model */
    if (starts(a, "-Wp,") || strcmp(a, "-Xpreprocessor") == 0 || strcmp(a, "-traditional") == 0 ||
        strcmp(a, "-traditional-cpp") == 0 || strcmp(a, "-fpreprocessed") == 0 || strcmp(a, "-fdirectives-only") == 0 ||
        strcmp(a, "-I-") == 0 || strcmp(a, "-iplugindir") == 0 || starts(a, "-fplugin") || strcmp(a, "-remap") == 0 ||
        starts(a, "-fmax-include-depth") || strcmp(a, "-save-temps") == 0 || starts(a, "-save-temps=") ||
        strcmp(a, "-ftrack-macro-expansion") == 0 || strcmp(a, "-include-pch") == 0 || starts(a, "-fmodules") ||
        starts(a, "-fmodule") || strcmp(a, "-fcoroutines-ts") == 0 || strcmp(a, "-ivfsoverlay") == 0)
      sc_bail("option %s", a);
    if (strcmp(a, "-funsigned-char") == 0) sc_lang.unsigned_char = 1;
    if (strcmp(a, "-fsigned-char") == 0) sc_lang.unsigned_char = 0;
    if (strcmp(a, "-fno-operator-names") == 0) sc_lang.operator_names = 0;
    if (strcmp(a, "-Werror") == 0 || strcmp(a, "-Werror=cpp") == 0 || strcmp(a, "-pedantic-errors") == 0) sc_lang.werror = 1;
    if (strcmp(a, "-trigraphs") == 0) sc_lang.trigraphs = 1;
    if (strcmp(a, "-fno-canonical-system-headers") == 0) sc_lang.no_canonical = 1;
    if (strcmp(a, "-fcanonical-system-headers") == 0) sc_lang.no_canonical = 0;
    /* include paths and macro definitions: part of the probe, not of the builtin queries */
    if (strcmp(a, "-iprefix") == 0 || strcmp(a, "-iwithprefix") == 0 || strcmp(a, "-iwithprefixbefore") == 0 ||
        starts(a, "-iprefix") || starts(a, "-iwithprefix")) {
      g_full = 1;
      sv_add(&g_probe_args, a);
      if (strcmp(a, "-iprefix") == 0 || strcmp(a, "-iwithprefix") == 0 || strcmp(a, "-iwithprefixbefore") == 0) {
        if (i + 1 >= rq->nargs) sc_bail("%s without a value", a);
        sv_add(&g_probe_args, rq->args[++i]);
      }
      continue;
    }
    char kind = opt_kind(a);
    const char *jv = NULL;
    char jkind = kind ? 0 : opt_joined(a, &jv);
    if (kind) {
      if (i + 1 >= rq->nargs) sc_bail("%s without a value", a);
      val = rq->args[i + 1];
      sv_add(&g_probe_args, a);
      sv_add(&g_probe_args, val);
      opt_add(kind, val);
      if (kind == 'I') sv_add(&g_user_dirs, abs_norm(rq->cwd, val));
      i++;
      continue;
    }
    if (jkind) {
      sv_add(&g_probe_args, a);
      opt_add(jkind, (char *)jv);
      if (jkind == 'I') sv_add(&g_user_dirs, abs_norm(rq->cwd, jv));
      continue;
    }
    sv_add(&g_probe_args, a);
    sv_add(&g_query_args, a);
    /* the few other options with a separate value */
    static const char *const OTHER_SEPARATE[] = {"-isysroot", "--sysroot", "-imultilib", "-imultiarch", "-target", "--target",
                                                 "-arch", "-B", "-specs", "--param", "-Xclang", "-gcc-toolchain",
                                                 "--gcc-toolchain", "-resource-dir", "-A", "--assert", "-iframework", "-F",
                                                 "-aux-info", "-G", "-wrapper", NULL};
    if (in_list(OTHER_SEPARATE, a) && i + 1 < rq->nargs) {
      sv_add(&g_probe_args, rq->args[i + 1]);
      sv_add(&g_query_args, rq->args[i + 1]);
      i++;
    }
  }
  for (int i = 0; ENV_KEYS[i] && i < 4; i++)
    if (getenv(ENV_KEYS[i])) g_full = 1; /* CPATH and friends: the compiler's own search list */
  const char *cpath = getenv("CPATH");
  if (cpath) {
    const char *q = cpath;
    for (;;) {
      const char *e = strchr(q, ':');
      size_t len = e ? (size_t)(e - q) : strlen(q);
      char *d = sc_strndup(q, len);
      sv_add(&g_user_dirs, abs_norm(rq->cwd, len ? d : "."));
      if (!e) break;
      q = e + 1;
    }
  }
  sc_probe.include_opts = incl.v;
  sc_probe.ninclude_opts = incl.n;
}

/* Whether the compiler's answer for these flags can depend on the working directory: a relative path in them. */
static int cwd_matters(const strv_t *args) {
  for (int i = 0; i < args->n; i++) {
    const char *a = args->v[i];
    const char *v = a;
    if (a[0] == '-') {
      const char *eq = strchr(a, '=');
      if (eq) v = eq + 1;
      else if (a[1] == 'B') v = a + 2;
      else continue;
    }
    if (*v && *v != '/' && (strchr(v, '/') || a[0] != '-')) return 1;
  }
  return 0;
}

static void key_of(const scan_request_t *rq, const char *lang, const strv_t *args, const char *what, char out[65]) {
  struct stat st;
  if (stat(rq->tool, &st) != 0) sc_bail("cannot stat %s", rq->tool);
  sha256_t h;
  sha_init(&h);
  char num[128];
  sha_str(&h, what);
  sha_str(&h, rq->tool);
  snprintf(num, sizeof num, "%llu %lld %lld.%09ld", (unsigned long long)st.st_ino, (long long)st.st_size,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  sha_str(&h, num);
  sha_str(&h, lang);
  sha_str(&h, g_full || cwd_matters(args) ? rq->cwd : "");
  for (int i = 0; i < args->n; i++) sha_str(&h, args->v[i]);
  sha_str(&h, "\x01env");
  for (int i = 0; ENV_KEYS[i]; i++) {
    const char *v = getenv(ENV_KEYS[i]);
    sha_str(&h, ENV_KEYS[i]);
    sha_str(&h, v ? v : "\x01unset");
  }
  sha_hex(&h, out);
}

/* ---------------------------------------------------------------- running the compiler */

typedef struct {
  char *out, *err;
  int status;
} run_t;

static char *read_fd(int fd) {
  off_t n = lseek(fd, 0, SEEK_END);
  if (n < 0) n = 0;
  char *p = sc_alloc((size_t)n + 1);
  if (n > 0 && pread(fd, p, (size_t)n, 0) != n) p[0] = 0;
  p[n] = 0;
  return p;
}

/* Runs the real tool with args + extra; stdout and stderr captured. */
static run_t run_tool(const scan_request_t *rq, const strv_t *args, char *const *extra) {
  strv_t v = {0};
  sv_add(&v, (char *)rq->tool);
  for (int i = 0; i < args->n; i++) sv_add(&v, args->v[i]);
  for (int i = 0; extra[i]; i++) sv_add(&v, extra[i]);
  int ofd = memfd_create("continuity-probe-out", MFD_CLOEXEC);
  int efd = memfd_create("continuity-probe-err", MFD_CLOEXEC);
  if (ofd < 0 || efd < 0) sc_bail("memfd_create: %s", strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, ofd, 1);
  posix_spawn_file_actions_adddup2(&fa, efd, 2);
  /* the real tool's environment, without the shims' mode: nothing it does is a build step */
  pid_t pid;
  int rc = posix_spawn(&pid, rq->tool, &fa, NULL, v.v, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) sc_bail("cannot run %s: %s", rq->tool, strerror(rc));
  run_t r;
  while (waitpid(pid, &r.status, 0) < 0)
    if (errno != EINTR) sc_bail("waitpid: %s", strerror(errno));
  r.out = read_fd(ofd);
  r.err = read_fd(efd);
  close(ofd);
  close(efd);
  return r;
}

static void mkdirs(char *p) {
  for (char *q = p + 1; *q; q++)
    if (*q == '/') { *q = 0; mkdir(p, 0755); *q = '/'; }
  mkdir(p, 0755);
}

static char *entry_path(const scan_request_t *rq, const char *sub, const char key[65]) {
  size_t n = strlen(rq->probe_dir) + strlen(sub) + 80;
  char *p = sc_alloc(n);
  snprintf(p, n, "%s/%s/%.2s/%s", rq->probe_dir, sub, key, key + 2);
  return p;
}

static int write_atomic(const char *path, const char *data, size_t n) {
  char *dir = sc_strdup(path);
  char *slash = strrchr(dir, '/');
  *slash = 0;
  mkdirs(dir);
  size_t tn = strlen(path) + 16;
  char *tmp = sc_alloc(tn);
  snprintf(tmp, tn, "%s.tmp-XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) return 0;
  size_t off = 0;
  while (off < n) {
    ssize_t w = write(fd, data + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) { close(fd); unlink(tmp); return 0; }
    off += (size_t)w;
  }
  close(fd);
  if (rename(tmp, path) != 0) { unlink(tmp); return 0; }
  return 1;
}

/* a temporary file (in the probe directory) holding text; returns its path */
static char *temp_file(const scan_request_t *rq, const char *suffix, const char *text) {
  size_t n = strlen(rq->probe_dir) + 64;
  char *p = sc_alloc(n);
  snprintf(p, n, "%s/tmp", rq->probe_dir);
  mkdirs(p);
  snprintf(p, n, "%s/tmp/probe-XXXXXX%s", rq->probe_dir, suffix);
  int fd = mkstemps(p, (int)strlen(suffix));
  if (fd < 0) sc_bail("cannot create a probe file in %s: %s", rq->probe_dir, strerror(errno));
  size_t len = strlen(text), off = 0;
  while (off < len) {
    ssize_t w = write(fd, text + off, len - off);
    if (w <= 0 && errno != EINTR) { close(fd); unlink(p); sc_bail("cannot write a probe file"); }
    if (w > 0) off += (size_t)w;
  }
  close(fd);
  return p;
}

/* ---------------------------------------------------------------- the probe */

static void parse_dirs(const char *verbose, sc_buf_t *entry, const char *cwd) {
  int in = 0; /* 1: quote list, 2: bracket list */
  strv_t sysdup = {0};
  const char *l = verbose;
  int found = 0;
  while (l && *l) {
    const char *e = strchr(l, '\n');
    size_t n = e ? (size_t)(e - l) : strlen(l);
    char *line = sc_strndup(l, n);
    l = e ? e + 1 : NULL;
    if (strstr(line, "#include \"...\" search starts here:")) { in = 1; found = 1; continue; }
    if (strstr(line, "#include <...> search starts here:")) { in = 2; found = 1; continue; }
    if (starts(line, "End of search list.")) { in = 0; continue; }
    if (starts(line, "ignoring nonexistent directory \"")) {
      char *d = line + strlen("ignoring nonexistent directory \"");
      char *q = strrchr(d, '"');
      if (q) *q = 0;
      sc_buf_puts(entry, "A ");
      sc_buf_puts(entry, abs_norm(cwd, d));
      sc_buf_putc(entry, '\n');
      continue;
    }
    if (starts(line, "ignoring duplicate directory \"")) {
      char *d = line + strlen("ignoring duplicate directory \"");
      char *q = strrchr(d, '"');
      if (q) *q = 0;
      if (l && strstr(l, "  as it is a non-system directory that duplicates a system directory") == l) sv_add(&sysdup, abs_norm(cwd, d));
      continue;
    }
    if (in && line[0] == ' ') {
      char *d = line + 1;
      char *fw = strstr(d, " (framework directory)");
      if (fw) sc_bail("framework directories");
      char *abs = abs_norm(cwd, d);
      struct stat st;
      if (stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) sc_bail("search directory %s is not a directory", abs);
      int sysp = 0;
      if (in == 2) {
        sysp = 1;
        for (int k = 0; k < g_user_dirs.n; k++)
          if (strcmp(g_user_dirs.v[k], abs) == 0) sysp = 0;
        for (int k = 0; k < sysdup.n; k++)
          if (strcmp(sysdup.v[k], abs) == 0) sysp = 1;
      }
      char num[96];
      snprintf(num, sizeof num, "%c %d %llu %llu ", in == 1 ? 'Q' : 'B', sysp, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
      sc_buf_puts(entry, num);
      sc_buf_puts(entry, d);
      sc_buf_putc(entry, '\n');
    }
  }
  if (!found) sc_bail("the compiler printed no include search list");
}

/* the dependencies of the probe file, other than itself: the implicit includes */
static void parse_preincludes(const char *deptext, const char *probe_file, sc_buf_t *entry, const char *cwd) {
  const char *p = strchr(deptext, ':');
  if (!p) sc_bail("the compiler wrote no dependencies for its probe");
  p++;
  char *probe_abs = abs_norm(cwd, probe_file);
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || (*p == '\\' && p[1] == '\n')) p += (*p == '\\') ? 2 : 1;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n') {
      if (*p == '\\' && p[1] && p[1] != '\n') sc_bail("escaped character in an implicit include's path");
      p++;
    }
    char *dep = sc_strndup(s, (size_t)(p - s));
    if (strcmp(abs_norm(cwd, dep), probe_abs) == 0) continue;
    sc_buf_puts(entry, "P ");
    sc_buf_puts(entry, dep);
    sc_buf_putc(entry, '\n');
  }
}

static char *make_probe(const scan_request_t *rq, const char *lang, const char *path) {
  sc_buf_t src = {0};
  for (int i = 0; BUILTINS[i].name; i++) {
    char line[256];
    snprintf(line, sizeof line, "#ifdef %s\n#define " PROBE_PREFIX "%s 1\n#endif\n", BUILTINS[i].name, BUILTINS[i].name);
    sc_buf_puts(&src, line);
  }
  char *file = temp_file(rq, strcmp(lang, "c++") == 0 ? ".cc" : ".c", src.p);
  free(src.p);
  size_t dn = strlen(file) + 3;
  char *dfile = sc_alloc(dn);
  snprintf(dfile, dn, "%s.d", file);
  char *extra[] = {"-E", "-dM", "-v", "-MD", "-MF", dfile, "-x", (char *)lang, file, NULL};
  run_t r = run_tool(rq, g_full ? &g_probe_args : &g_query_args, extra);
  size_t dl = 0;
  int err = 0;
  char *deps = sc_read_file(dfile, &dl, &err, NULL);
  unlink(file);
  unlink(dfile);
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0 || !deps) {
    free(deps);
    sc_bail("the compiler probe failed (%s)", lang);
  }
  sc_buf_t entry = {0};
  sc_buf_puts(&entry, "continuity-probe 1\n");
  parse_dirs(r.err, &entry, rq->cwd);
  parse_preincludes(deps, file, &entry, rq->cwd);
  free(deps);
  sc_buf_t defs = {0};
  for (const char *l = r.out; *l;) {
    const char *e = strchr(l, '\n');
    size_t n = e ? (size_t)(e - l) + 1 : strlen(l);
    if (starts(l, "#define " PROBE_PREFIX)) {
      const char *name = l + strlen("#define " PROBE_PREFIX);
      const char *sp = strchr(name, ' ');
      sc_buf_puts(&entry, "F ");
      sc_buf_put(&entry, name, (size_t)(sp ? sp - name : 0));
      sc_buf_putc(&entry, '\n');
    } else if (starts(l, "#define ")) {
      sc_buf_put(&defs, l, n);
      if (!e) sc_buf_putc(&defs, '\n');
    }
    l += n;
  }
  sc_buf_puts(&entry, "--\n");
  if (defs.p) sc_buf_puts(&entry, defs.p);
  free(defs.p);
  if (!write_atomic(path, entry.p, entry.n)) {} /* a cache that cannot be written costs the next probe only */
  char *text = sc_strndup(entry.p, entry.n);
  free(entry.p);
  return text;
}

/* Reads an entry: 1 when every recorded directory fact still holds (and the entry is loaded). */
static int load_entry(char *text, const scan_request_t *rq) {
  (void)rq;
  if (!starts(text, "continuity-probe 1\n")) return 0;
  strv_t quote = {0}, bracket = {0}, absent = {0}, pre = {0};
  unsigned char sysp[4096];
  char *l = text + strlen("continuity-probe 1\n");
  for (;;) {
    char *e = strchr(l, '\n');
    if (!e) return 0;
    *e = 0;
    if (strcmp(l, "--") == 0) { l = e + 1; break; }
    char kind = l[0];
    if (kind == 'Q' || kind == 'B') {
      int sp = 0, at = 0;
      unsigned long long dev = 0, ino = 0;
      if (sscanf(l + 2, "%d %llu %llu %n", &sp, &dev, &ino, &at) < 3 || at == 0) return 0;
      char *d = l + 2 + at;
      struct stat st;
      /* a relative search directory is the compiler's cwd-relative spelling */
      if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_dev != dev || st.st_ino != ino) return 0;
      if (kind == 'Q') sv_add(&quote, d);
      else {
        if (bracket.n >= (int)sizeof sysp) sc_bail("too many search directories");
        sysp[bracket.n] = (unsigned char)sp;
        sv_add(&bracket, d);
      }
    } else if (kind == 'A') {
      struct stat st;
      if (stat(l + 2, &st) == 0 || (errno != ENOENT && errno != ENOTDIR)) return 0;
      sv_add(&absent, l + 2);
    } else if (kind == 'P') {
      sv_add(&pre, l + 2);
    } else if (kind == 'F') {
      sym_t *s = sc_intern(l + 2, strlen(l + 2));
      for (int i = 0; BUILTINS[i].name; i++)
        if (strcmp(BUILTINS[i].name, l + 2) == 0) s->builtin = BUILTINS[i].kind;
    } else return 0;
    l = e + 1;
  }
  sc_probe.quote = quote.v;
  sc_probe.nquote = quote.n;
  sc_probe.bracket = bracket.v;
  sc_probe.nbracket = bracket.n;
  sc_probe.bracket_sysp = sc_alloc((size_t)bracket.n + 1);
  memcpy(sc_probe.bracket_sysp, sysp, (size_t)bracket.n);
  sc_probe.absent = absent.v;
  sc_probe.nabsent = absent.n;
  sc_probe.preinclude = pre.v;
  sc_probe.npreinclude = pre.n;
  /* each implicit include is a name the compiler searched for in its own directories */
  sc_probe.preinclude_name = sc_alloc(sizeof(char *) * (size_t)(pre.n + 1));
  for (int i = 0; i < pre.n; i++) {
    const char *path = pre.v[i];
    const char *name = NULL;
    for (int k = 0; k < bracket.n && !name; k++) {
      size_t dl = strlen(bracket.v[k]);
      if (strncmp(path, bracket.v[k], dl) == 0 && path[dl] == '/' && !strchr(path + dl + 1, '/')) name = path + dl + 1;
    }
    if (!name) sc_bail("implicit include %s outside the search list", path);
    sc_probe.preinclude_name[i] = (char *)name;
  }
  /* the predefined macros */
  while (*l) {
    char *e = strchr(l, '\n');
    size_t n = e ? (size_t)(e - l) : strlen(l);
    sc_define_text(l, n);
    l += e ? n + 1 : n;
  }
  return 1;
}

static long long macro_number(const char *name, long long dflt) {
  sym_t *s = sc_intern(name, strlen(name));
  if (!s->macro) return dflt;
  if (s->macro->fn || s->macro->nbody != 1 || s->macro->body[0].type != T_NUMBER) return dflt;
  const tok_t *t = &s->macro->body[0];
  return strtoll(sc_strndup(t->p, t->len), NULL, 10);
}

static int macro_defined(const char *name) { return sc_intern(name, strlen(name))->macro != NULL; }

/* ---------------------------------------------------------------- gcc's include chains
 * As gcc's incpath.c joins them: QUOTE (-iquote) → BRACKET (-I) → SYSTEM (-isystem, the compiler's own,
 * -idirafter). A directory that does not exist (or is not a directory) is dropped, so is one that repeats an
 * earlier one of its chain, one of BRACKET or QUOTE that is also in SYSTEM, and the last of a chain when it
 * is the first of the chain it joins. Directories are the same when device and inode are. */

typedef struct {
  char *name;
  dev_t dev;
  ino_t ino;
  int sysp;
  int missing;         /* does not exist: dropped, but it still counts for "the last of its chain" */
  int64_t mtime_sec, mtime_nsec;
} chain_dir_t;

typedef struct {
  chain_dir_t *v;
  int n, cap;
} chain_t;

static strv_t g_absent_user;

static void chain_add(chain_t *c, const char *name, int sysp, const scan_request_t *rq) {
  (void)rq;
  struct stat st;
  int missing = 0;
  if (stat(name, &st) != 0) {
    if (errno != ENOENT && errno != EPERM && errno != ENOTDIR) sc_bail("include directory %s: %s", name, strerror(errno));
    sv_add(&g_absent_user, abs_norm(rq->cwd, name));
    missing = 1;
  } else if (!S_ISDIR(st.st_mode)) sc_bail("include directory %s is not a directory", name);
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 16;
    chain_dir_t *v = sc_alloc(sizeof(chain_dir_t) * (size_t)cap);
    if (c->n) memcpy(v, c->v, sizeof(chain_dir_t) * (size_t)c->n);
    c->v = v;
    c->cap = cap;
  }
  chain_dir_t *d = &c->v[c->n++];
  d->name = (char *)name;
  d->dev = missing ? 0 : st.st_dev;
  d->ino = missing ? 0 : st.st_ino;
  d->mtime_sec = missing ? 0 : (int64_t)st.st_mtim.tv_sec;
  d->mtime_nsec = missing ? 0 : (int64_t)st.st_mtim.tv_nsec;
  d->sysp = sysp;
  d->missing = missing;
}

static int same_dir(const chain_dir_t *a, const chain_dir_t *b) { return a->dev == b->dev && a->ino == b->ino; }

/* gcc's remove_duplicates: in order, each entry is dropped when it does not exist, is in SYSTEM, repeats an
 * entry kept before it, or is the last of the chain (entries not yet dropped count) and the one it joins */
static void prune(chain_t *c, const chain_t *system, const chain_dir_t *join) {
  int k = 0;
  for (int i = 0; i < c->n; i++) {
    const chain_dir_t *cur = &c->v[i];
    int drop = cur->missing;
    for (int j = 0; system && j < system->n && !drop; j++) drop = same_dir(&system->v[j], cur);
    for (int j = 0; j < k && !drop; j++) drop = same_dir(&c->v[j], cur);
    if (!drop && i == c->n - 1 && join && same_dir(cur, join)) drop = 1;
    if (!drop) c->v[k++] = *cur;
  }
  c->n = k;
}

static void stamp_of(const chain_dir_t *d, dir_stamp_t *out) {
  out->dev = (uint64_t)d->dev;
  out->ino = (uint64_t)d->ino;
  out->mtime_sec = d->mtime_sec;
  out->mtime_nsec = d->mtime_nsec;
  out->valid = 1;
}

static void layered_chains(const scan_request_t *rq) {
  chain_t quote = {0}, bracket = {0}, system = {0};
  memset(&g_absent_user, 0, sizeof g_absent_user);
  for (int i = 0; i < g_nopts; i++)
    if (g_opts[i].kind == 'q') chain_add(&quote, g_opts[i].value, 0, rq);
  for (int i = 0; i < g_nopts; i++)
    if (g_opts[i].kind == 'I') chain_add(&bracket, g_opts[i].value, 0, rq);
  for (int i = 0; i < g_nopts; i++)
    if (g_opts[i].kind == 's') chain_add(&system, g_opts[i].value, 1, rq);
  for (int i = 0; i < sc_probe.nbracket; i++) chain_add(&system, sc_probe.bracket[i], 1, rq);
  for (int i = 0; i < g_nopts; i++)
    if (g_opts[i].kind == 'a') chain_add(&system, g_opts[i].value, 1, rq);
  prune(&system, NULL, NULL);
  prune(&bracket, &system, system.n ? &system.v[0] : NULL);
  prune(&quote, &system, bracket.n ? &bracket.v[0] : system.n ? &system.v[0] : NULL);
  sc_probe.nquote = quote.n;
  sc_probe.quote = sc_alloc(sizeof(char *) * (size_t)(quote.n + 1));
  sc_probe.quote_stamp = sc_alloc(sizeof(dir_stamp_t) * (size_t)(quote.n + 1));
  for (int i = 0; i < quote.n; i++) {
    sc_probe.quote[i] = quote.v[i].name;
    stamp_of(&quote.v[i], &sc_probe.quote_stamp[i]);
  }
  sc_probe.nbracket = bracket.n + system.n;
  sc_probe.bracket = sc_alloc(sizeof(char *) * (size_t)(sc_probe.nbracket + 1));
  sc_probe.bracket_sysp = sc_alloc((size_t)sc_probe.nbracket + 1);
  sc_probe.bracket_stamp = sc_alloc(sizeof(dir_stamp_t) * (size_t)(sc_probe.nbracket + 1));
  for (int i = 0; i < bracket.n; i++) {
    sc_probe.bracket[i] = bracket.v[i].name;
    stamp_of(&bracket.v[i], &sc_probe.bracket_stamp[i]);
  }
  for (int i = 0; i < system.n; i++) {
    sc_probe.bracket[bracket.n + i] = system.v[i].name;
    sc_probe.bracket_sysp[bracket.n + i] = 1;
    stamp_of(&system.v[i], &sc_probe.bracket_stamp[bracket.n + i]);
  }
  if (g_absent_user.n) {
    char **v = sc_alloc(sizeof(char *) * (size_t)(sc_probe.nabsent + g_absent_user.n + 1));
    for (int i = 0; i < sc_probe.nabsent; i++) v[i] = sc_probe.absent[i];
    for (int i = 0; i < g_absent_user.n; i++) v[sc_probe.nabsent + i] = g_absent_user.v[i];
    sc_probe.absent = v;
    sc_probe.nabsent += g_absent_user.n;
  }
}

/* -D and -U in command-line order, as gcc applies them after its own macros */
static void apply_definitions(void) {
  for (int i = 0; i < g_nopts; i++) {
    const opt_t *o = &g_opts[i];
    if (o->kind != 'D' && o->kind != 'U') continue;
    if (strchr(o->value, '\n')) sc_bail("a macro option with a newline");
    size_t n = strlen(o->value);
    char *line = sc_alloc(n + 16);
    if (o->kind == 'U') {
      snprintf(line, n + 16, "#undef %s", o->value);
      tokv_t tv = {0};
      tv.scratch = 1;
      const char *p = line + 7;
      size_t mark = sc_mark();
      sc_lex_line(&p, line + strlen(line), &tv);
      if (tv.n != 1 || tv.v[0].type != T_IDENT) sc_bail("-U %s", o->value);
      sc_undef(&tv);
      sc_release(mark);
      continue;
    }
    const char *eq = strchr(o->value, '=');
    if (eq) snprintf(line, n + 16, "#define %.*s %s", (int)(eq - o->value), o->value, eq + 1);
    else snprintf(line, n + 16, "#define %s 1", o->value);
    sc_define_text(line, strlen(line));
  }
}

void sc_load_probe(const scan_request_t *rq, const char *lang) {
  sc_lang.operator_names = 1;
  collect_flags(rq);
  /* layered: the compiler is asked about the base flags only; full: about everything */
  key_of(rq, lang, g_full ? &g_probe_args : &g_query_args, g_full ? "continuity-probe 1 full" : "continuity-probe 1 base", g_probe_key);
  key_of(rq, lang, &g_query_args, "continuity-query 1", g_query_key);
  char *path = entry_path(rq, "probe", g_probe_key);
  size_t len = 0;
  int err = 0;
  char *text = sc_read_file(path, &len, &err, NULL);
  int ok = 0;
  if (text) {
    char *copy = sc_strndup(text, len);
    free(text);
    ok = load_entry(copy, rq);
  }
  if (!ok) {
    /* first time, or a directory fact changed: ask the compiler (again) */
    for (int i = 0; BUILTINS[i].name; i++) sc_intern(BUILTINS[i].name, strlen(BUILTINS[i].name))->builtin = B_NONE;
    char *fresh = make_probe(rq, lang, path);
    if (!load_entry(fresh, rq)) sc_bail("the compiler probe's answer does not hold");
  }
  if (!g_full) {
    apply_definitions();
    layered_chains(rq);
  }
  sc_lang.cxx = strcmp(lang, "c++") == 0;
  sc_lang.cplusplus = sc_lang.cxx ? macro_number("__cplusplus", 199711L) : 0;
  sc_lang.stdc_version = sc_lang.cxx ? 0 : macro_number("__STDC_VERSION__", 199000L);
  sc_lang.strict = macro_defined("__STRICT_ANSI__");
  sc_lang.clang = macro_defined("__clang__");
  sc_lang.raw_strings = sc_lang.cxx ? sc_lang.cplusplus >= 201103L : (!sc_lang.strict && sc_lang.stdc_version >= 199901L);
  sc_lang.digit_separators = sc_lang.cxx ? sc_lang.cplusplus >= 201402L : sc_lang.stdc_version > 201710L;
  if (sc_lang.strict && (!sc_lang.cxx || sc_lang.cplusplus < 201703L)) sc_lang.trigraphs = 1;
  if (sc_lang.clang) sc_bail("clang's preprocessor is not modelled");
}

/* ---------------------------------------------------------------- builtin queries */

long long sc_query(const char *builtin, const char *operand) {
  sha256_t h;
  sha_init(&h);
  sha_str(&h, g_query_key);
  sha_str(&h, builtin);
  sha_str(&h, operand);
  char key[65];
  sha_hex(&h, key);
  extern const scan_request_t *sc_request;
  const scan_request_t *rq = sc_request;
  char *path = entry_path(rq, "query", key);
  size_t len = 0;
  int err = 0;
  char *text = sc_read_file(path, &len, &err, NULL);
  if (text) {
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    int good = end && end != text && *end == '\n';
    free(text);
    if (good) return v;
  }
  if (strpbrk(operand, "\n\\")) sc_bail("query operand");
  sc_buf_t src = {0};
  char line[512];
  for (int b = 0; b < 32; b++) {
    snprintf(line, sizeof line, "#if ((%s(%s)) >> %d) & 1\n__continuity_q_b%d\n#endif\n", builtin, operand, b, b);
    sc_buf_puts(&src, line);
  }
  snprintf(line, sizeof line, "#if (%s(%s)) < 0\n__continuity_q_neg\n#endif\n", builtin, operand);
  sc_buf_puts(&src, line);
  char *lang = sc_lang.cxx ? "c++" : "c";
  char *file = temp_file(rq, sc_lang.cxx ? ".cc" : ".c", src.p);
  free(src.p);
  char *extra[] = {"-E", "-P", "-x", lang, file, NULL};
  run_t r = run_tool(rq, &g_query_args, extra);
  unlink(file);
  if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) sc_bail("the compiler rejects %s(%s)", builtin, operand);
  long long v = 0;
  for (int b = 0; b < 32; b++) {
    char want[48];
    snprintf(want, sizeof want, "__continuity_q_b%d\n", b);
    char *at = strstr(r.out, want);
    /* whole token: at line start */
    while (at && at != r.out && at[-1] != '\n') at = strstr(at + 1, want);
    if (at) v |= 1ll << b;
  }
  if (strstr(r.out, "__continuity_q_neg")) sc_bail("negative value of %s(%s)", builtin, operand);
  char num[32];
  int n = snprintf(num, sizeof num, "%lld\n", v);
  write_atomic(path, num, (size_t)n);
  return v;
}
