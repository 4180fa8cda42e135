/* Internal types of the header scanner (shims/scan*.c): symbols, tokens, macros, the scan's state.
 * One scan is one process's work: everything is allocated from one arena and dropped at the end, and a
 * construct the scanner does not model exactly ends the scan through sc_bail (a longjmp to scan_fast). */
#ifndef CONTINUITY_SCAN_INT_H
#define CONTINUITY_SCAN_INT_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "scan.h"

/* ---------------------------------------------------------------- memory */

void *sc_alloc(size_t n);                 /* from the scan's arena, zeroed, never freed on its own */
void *sc_alloc_raw(size_t n);             /* the same, not zeroed */
char *sc_strndup(const char *s, size_t n);
char *sc_strdup(const char *s);
size_t sc_mark(void);                     /* scratch: a mark to roll the scratch arena back to */
void *sc_scratch(size_t n);               /* from the scratch arena (directive-local work) */
void sc_release(size_t mark);
void sc_arena_free(void);

typedef struct {
  char *p;
  size_t n, cap;
} sc_buf_t;                               /* a growable byte buffer on malloc */
void sc_buf_put(sc_buf_t *b, const char *s, size_t n);
void sc_buf_puts(sc_buf_t *b, const char *s);
void sc_buf_putc(sc_buf_t *b, char c);

_Noreturn void sc_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t sc_hash(const char *s, size_t n);
struct stat;
/* malloc'd, NUL-terminated, its stat in *st (when st is not NULL); NULL and *err when it cannot be read */
char *sc_read_file(const char *path, size_t *len, int *err, struct stat *st);
void sc_own(void *p); /* a malloc'd block freed when the scan ends */

/* ---------------------------------------------------------------- symbols */

enum builtin {
  B_NONE,
  B_DEFINED,         /* the `defined` operator */
  B_HAS_INCLUDE,     /* __has_include */
  B_HAS_INCLUDE_NEXT,
  B_QUERY,           /* __has_attribute, __has_builtin, __has_cpp_attribute...: asked of the compiler */
  B_INCLUDE_LEVEL,   /* __INCLUDE_LEVEL__ */
  B_UNMODELED        /* __LINE__, __FILE__, __COUNTER__, _Pragma...: defined, but not evaluated here */
};

struct macro;

typedef struct sym {
  const char *name;
  uint32_t len;
  uint32_t id;             /* small integer, for hidesets */
  uint64_t hash;
  struct macro *macro;     /* current definition, or NULL */
  struct pushed *pushed;   /* #pragma push_macro stack */
  uint8_t builtin;         /* enum builtin; only set when the compiler defines it */
  uint8_t cxx_op;          /* C++ alternative token (and, or, not...): its punctuator */
  uint8_t va_args;         /* __VA_ARGS__ or __VA_OPT__ (1, 2) */
  struct sym *next;
} sym_t;

sym_t *sc_intern(const char *s, size_t n);
void sc_symbols_reset(void);

/* ---------------------------------------------------------------- tokens */

enum tok_type { T_END, T_IDENT, T_NUMBER, T_CHAR, T_STRING, T_PUNCT, T_OTHER, T_PLACEMARKER };

/* punctuators the scanner must tell apart (others are P_OTHER and keep their spelling) */
enum punct {
  P_OTHER, P_LPAREN, P_RPAREN, P_COMMA, P_HASH, P_HASHHASH, P_LT, P_GT, P_LE, P_GE, P_EQ, P_NE,
  P_ANDAND, P_OROR, P_AND, P_OR, P_XOR, P_NOT, P_TILDE, P_PLUS, P_MINUS, P_STAR, P_SLASH, P_PERCENT,
  P_SHL, P_SHR, P_QUESTION, P_COLON, P_ELLIPSIS, P_ASSIGN
};

#define F_WS 1u        /* whitespace (or a comment) before the token */
#define F_NOEXP 2u     /* an identifier that must never be expanded (painted blue) */
#define F_MACRO 4u     /* came out of a macro expansion */
#define F_VERBATIM 8u  /* an operand of defined/__has_include copied from the directive as written */

typedef struct hideset {
  uint32_t n;
  uint32_t ids[];
} hideset_t;

typedef struct {
  uint8_t type;        /* enum tok_type */
  uint8_t punct;       /* enum punct, for T_PUNCT */
  uint8_t flags;
  uint8_t param;       /* in a macro body: 1 + the index of the parameter it names, else 0 */
  uint32_t len;
  const char *p;       /* spelling (not NUL-terminated) */
  sym_t *sym;          /* T_IDENT */
  const hideset_t *hs;
} tok_t;

typedef struct {
  tok_t *v;
  int n, cap;
  int scratch;         /* storage from the scratch arena */
} tokv_t;
void tv_push(tokv_t *tv, const tok_t *t);

/* ---------------------------------------------------------------- language */

typedef struct {
  int cxx;             /* C++ */
  long long cplusplus; /* __cplusplus, 0 in C */
  long long stdc_version;
  int strict;          /* __STRICT_ANSI__ */
  int raw_strings;
  int digit_separators;
  int trigraphs;
  int operator_names;  /* C++ alternative tokens (and, or...) are operators */
  int unsigned_char;
  int werror;          /* -Werror: #warning is an error */
  int clang;
  int no_canonical;    /* -fno-canonical-system-headers */
} lang_t;

extern lang_t sc_lang;

/* lexing one line of directive text [*pp, end): one token, or T_END at the newline (left unconsumed) */
void sc_lex_init(void); /* the character tables, once per process */
void sc_lex(const char **pp, const char *end, tok_t *t);
/* the whole rest of the line as tokens (T_END not included) */
void sc_lex_line(const char **pp, const char *end, tokv_t *out);
/* skips whitespace and comments inside a line; returns whether any was skipped */
int sc_skip_ws(const char **pp, const char *end);
/* skips a text line (or the rest of one): strings, character constants, raw strings and comments are
 * stepped over whole; stops after the newline. *had_tokens is set when anything but whitespace and
 * comments was there. */
const char *sc_skip_line(const char *p, const char *end, int *had_tokens);
/* at the start of a line: skips whitespace and comments (block comments may span lines); returns the
 * first significant position */
const char *sc_line_start(const char *p, const char *end);
/* a file's bytes with line splices removed and CRLF as LF, when it has any; else the bytes themselves */
char *sc_clean(char *text, size_t *len);
void sc_check_trigraphs(const char *text, size_t len, const char *path);

/* ---------------------------------------------------------------- macros */

typedef struct macro {
  int fn;              /* function-like */
  int nparams;
  int variadic;        /* the last parameter takes the variable arguments */
  sym_t **params;
  tok_t *body;
  int nbody;
} macro_t;

typedef struct pushed {
  macro_t *macro;
  struct pushed *next;
} pushed_t;

/* parses `NAME ...` after #define (tokens of the line); defines it */
void sc_define(tokv_t *line, const char *where);
void sc_undef(tokv_t *line);
/* parses a "#define NAME BODY" line from the compiler's -dM output */
void sc_define_text(const char *line, size_t n);

void sc_macro_reset(void);

enum expand_ctx { X_IF, X_INCLUDE };
/* fully expands a token list; in X_IF, `defined X` and __has_include(...) operands are left as written */
void sc_expand(const tokv_t *in, tokv_t *out, enum expand_ctx ctx);
/* the spelling of tokens: a space where a token had whitespace before it (none before the first) */
char *sc_spell(const tok_t *v, int n);

/* ---------------------------------------------------------------- #if */

/* evaluates an expanded #if expression; bails on anything gcc would reject */
int sc_eval(const tokv_t *expr);

/* hooks the evaluator needs from the scanner */
int sc_has_include(const char *name, int angled, int next);
long long sc_query(const char *builtin, const char *operand);
int sc_include_level(void);

/* ---------------------------------------------------------------- compiler probe */

typedef struct {
  uint64_t dev, ino;
  int64_t mtime_sec, mtime_nsec;
  int valid;           /* 0: not known (no listing of the directory is kept or reused) */
} dir_stamp_t;

typedef struct {
  char **quote;        /* -iquote dirs, as gcc spells them */
  int nquote;
  char **bracket;      /* -I, -isystem, system dirs */
  int nbracket;
  unsigned char *bracket_sysp;
  dir_stamp_t *quote_stamp, *bracket_stamp; /* each directory as stat saw it when the chain was made */
  char **absent;       /* directories gcc ignored because they did not exist */
  int nabsent;
  char **preinclude;   /* implicitly included headers (stdc-predef.h) where the compiler found them */
  char **preinclude_name; /* ... and the names they are searched for, as <name> */
  int npreinclude;
  char **include_opts; /* -imacros / -include files in order ('m' or 'i' prefix + name) */
  int ninclude_opts;
} probe_t;

extern probe_t sc_probe;

/* reads the compiler's facts for this call (cached under rq->probe_dir); defines its macros */
void sc_load_probe(const scan_request_t *rq, const char *lang);

#endif
