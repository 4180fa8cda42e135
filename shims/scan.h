/* The shims' header scanner: finds a translation unit's header dependencies the way the real gcc/clang
 * preprocessor would (`-M`/`-MM`), without running it. In: the compiler call (its real tool, arguments,
 * working directory) and the source to scan. Out: the dependency list in the order and spelling gcc gives,
 * or "not handled" with a reason, after which the caller runs the real preprocessor.
 * Must stay true: an answer is given only when it is the preprocessor's own answer; anything the scanner
 * does not model exactly (an #error, an unknown directive, a construct it cannot evaluate) means "not
 * handled", never a guess. */
#ifndef CONTINUITY_SCAN_H
#define CONTINUITY_SCAN_H

typedef struct {
  const char *tool;            /* the real compiler (gcc, g++, clang...) */
  int cxx_driver;              /* the tool compiles .c as C++ (g++, c++, clang++) */
  char **args;                 /* the call's arguments after @file expansion; args[0] is the tool name */
  int nargs;
  const unsigned char *drop;   /* per argument: 1 = not part of any scan (-o X, -c, -MD...), 2 = an input */
  int src_argi;                /* index of the source to scan in args */
  const char *cwd;
  int user_only;               /* -MM: leave out system headers */
  int missing_ok;              /* a missing header is skipped (headers of faked packages), as with -MG */
  const char *probe_dir;       /* where compiler probes and builtin queries are kept (absolute) */
} scan_request_t;

typedef struct {
  char **deps;                 /* as gcc spells them: the source first, then headers in first-inclusion order */
  int ndeps;
  char **search_dirs;          /* the include search list (for the scan cache), absolute */
  int nsearch;
  char **absent_dirs;          /* search directories that did not exist, absolute */
  int nabsent;
  char reason[160];            /* when not handled: why */
} scan_result_t;

/* 1: handled, `out` filled; 0: not handled, out->reason says why. */
int scan_fast(const scan_request_t *rq, scan_result_t *out);

/* The make-syntax depfile gcc would write for `deps` (-MT/-MQ targets and -MP taken from the call's
 * arguments; `default_target` when there is none). Returns a malloc'd string. */
char *scan_depfile_text(const scan_request_t *rq, const scan_result_t *res, const char *default_target);

#endif
