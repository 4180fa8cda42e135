/* Header scanner: the lexer. Files are cleaned first (line splices removed, CRLF read as LF), then read
 * line by line: directive lines are cut into preprocessing tokens, text lines are only stepped over, but
 * whole, so that a comment, a string or a raw string never hides or fakes a directive. */
#include <string.h>

#include "scan-int.h"

lang_t sc_lang;

static int is_ident_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80;
}
static int is_ident_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_hspace(unsigned char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == 0; }

/* ---------------------------------------------------------------- cleaning */

char *sc_clean(char *text, size_t *len) {
  size_t n = *len;
  int need = memchr(text, '\r', n) != NULL;
  if (!need) {
    for (const char *q = text; (q = memchr(q, '\\', (size_t)(text + n - q))) != NULL; q++) {
      const char *r = q + 1;
      while (r < text + n && (*r == ' ' || *r == '\t' || *r == '\f' || *r == '\v')) r++;
      if (r < text + n && *r == '\n') { need = 1; break; }
    }
  }
  if (!need) return text;
  char *out = sc_alloc(n + 1);
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    char c = text[i];
    if (c == '\r' && i + 1 < n && text[i + 1] == '\n') continue; /* CRLF */
    if (c == '\\') {
      size_t j = i + 1;
      while (j < n && (text[j] == ' ' || text[j] == '\t' || text[j] == '\f' || text[j] == '\v')) j++;
      if (j < n && text[j] == '\r' && j + 1 < n && text[j + 1] == '\n') j++;
      if (j < n && text[j] == '\n') { i = j; continue; } /* a splice: backslash (blanks) newline */
    }
    out[o++] = c;
  }
  out[o] = 0;
  *len = o;
  return out;
}

void sc_check_trigraphs(const char *text, size_t len, const char *path) {
  if (!sc_lang.trigraphs) return;
  for (const char *q = text; (q = memchr(q, '?', (size_t)(text + len - q))) != NULL; q++) {
    if (q + 2 < text + len && q[1] == '?' && strchr("=(/)'<!>-", q[2]) && q[2]) sc_bail("trigraph in %s", path);
  }
}

/* ---------------------------------------------------------------- comments and blanks */

/* p at "/ *": returns the position after the comment's end (or end when unterminated) */
static const char *skip_block_comment(const char *p, const char *end) {
  p += 2;
  for (;;) {
    const char *s = memchr(p, '/', (size_t)(end - p));
    if (!s) return end;
    if (s > p && s[-1] == '*' && s - 1 >= p) return s + 1;
    p = s + 1;
  }
}

static const char *skip_line_comment(const char *p, const char *end) {
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  return nl ? nl : end;
}

int sc_skip_ws(const char **pp, const char *end) {
  const char *p = *pp;
  int any = 0;
  for (;;) {
    while (p < end && is_hspace((unsigned char)*p)) p++, any = 1;
    if (p + 1 < end && p[0] == '/' && p[1] == '*') { p = skip_block_comment(p, end); any = 1; continue; }
    if (p + 1 < end && p[0] == '/' && p[1] == '/') { p = skip_line_comment(p, end); any = 1; continue; }
    break;
  }
  *pp = p;
  return any;
}

const char *sc_line_start(const char *p, const char *end) {
  sc_skip_ws(&p, end);
  return p;
}

/* ---------------------------------------------------------------- literals */

/* p at the opening quote of a non-raw literal: the position after its closing quote, or the newline when
 * it has none on this line (gcc then makes the rest of the line one CPP_OTHER token) */
static const char *skip_quoted(const char *p, const char *end, int *terminated) {
  char q = *p++;
  while (p < end) {
    char c = *p;
    if (c == '\\' && p + 1 < end && p[1] != '\n') { p += 2; continue; }
    if (c == q) { *terminated = 1; return p + 1; }
    if (c == '\n') break;
    p++;
  }
  *terminated = 0;
  return p;
}

/* Whether the quote at q starts a raw string: R, LR, uR, UR or u8R right before it, starting a token. */
static int raw_prefix_before(const char *q, const char *begin) {
  static const char *const PREFIXES[] = {"u8R", "LR", "uR", "UR", "R", NULL};
  if (!sc_lang.raw_strings || q == begin || q[-1] != 'R') return 0;
  for (int i = 0; PREFIXES[i]; i++) {
    size_t n = strlen(PREFIXES[i]);
    if ((size_t)(q - begin) < n) continue;
    const char *s = q - n;
    if (memcmp(s, PREFIXES[i], n) != 0) continue;
    if (s == begin || !is_ident_char((unsigned char)s[-1])) return 1;
  }
  return 0;
}

/* p at the quote of R"delim( ... )delim": after the closing quote */
static const char *skip_raw(const char *p, const char *end, const char *where) {
  const char *d = p + 1;
  const char *open = d;
  while (open < end && *open != '(' && open - d <= 16) {
    unsigned char c = (unsigned char)*open;
    if (c == ' ' || c == ')' || c == '\\' || c == '\t' || c == '\v' || c == '\f' || c == '\n' || c == '"')
      sc_bail("raw string with an invalid delimiter in %s", where);
    open++;
  }
  if (open >= end || *open != '(') sc_bail("raw string with an invalid delimiter in %s", where);
  size_t dl = (size_t)(open - d);
  for (const char *s = open + 1; s < end; s++) {
    if (*s == ')' && (size_t)(end - s) > dl + 1 && memcmp(s + 1, d, dl) == 0 && s[1 + dl] == '"') return s + dl + 2;
  }
  sc_bail("unterminated raw string in %s", where);
}

/* Whether the apostrophe at q is a digit separator inside a pp-number. */
static int digit_separator_at(const char *q, const char *begin, const char *end) {
  if (!sc_lang.digit_separators || q == begin || q + 1 >= end || !is_ident_char((unsigned char)q[1])) return 0;
  const char *s = q;
  while (s > begin && (is_ident_char((unsigned char)s[-1]) || s[-1] == '.' || s[-1] == '\'')) s--;
  return is_digit((unsigned char)*s) || (*s == '.' && s + 1 < end && is_digit((unsigned char)s[1]));
}

/* ---------------------------------------------------------------- text lines */

const char *sc_skip_line(const char *p, const char *end, int *had_tokens) {
  const char *begin = p;
  int had = 0;
  while (p < end) {
    char c = *p;
    switch (c) {
      case '\n':
        if (had) *had_tokens = 1;
        return p + 1;
      case ' ': case '\t': case '\f': case '\v': case '\r':
        p++;
        break;
      case '/':
        if (p + 1 < end && p[1] == '*') { p = skip_block_comment(p, end); break; }
        if (p + 1 < end && p[1] == '/') { p = skip_line_comment(p, end); break; }
        had = 1;
        p++;
        break;
      case '"': {
        had = 1;
        if (raw_prefix_before(p, begin)) { p = skip_raw(p, end, "a text line"); break; }
        int term;
        p = skip_quoted(p, end, &term);
        break;
      }
      case '\'': {
        had = 1;
        if (digit_separator_at(p, begin, end)) { p++; break; }
        int term;
        p = skip_quoted(p, end, &term);
        break;
      }
      default:
        had = 1;
        p++;
        break;
    }
  }
  if (had) *had_tokens = 1;
  return end;
}

/* ---------------------------------------------------------------- directive tokens */

typedef struct {
  const char *s;
  uint8_t len, punct;
} punct_t;

/* longest first within each leading character */
static const punct_t PUNCTS[] = {
    {"...", 3, P_ELLIPSIS}, {"<<=", 3, P_OTHER}, {">>=", 3, P_OTHER}, {"->*", 3, P_OTHER}, {"%:%:", 4, P_HASHHASH},
    {"##", 2, P_HASHHASH}, {"<<", 2, P_SHL}, {">>", 2, P_SHR}, {"<=", 2, P_LE}, {">=", 2, P_GE}, {"==", 2, P_EQ},
    {"!=", 2, P_NE}, {"&&", 2, P_ANDAND}, {"||", 2, P_OROR}, {"->", 2, P_OTHER}, {"++", 2, P_OTHER},
    {"--", 2, P_OTHER}, {"+=", 2, P_OTHER}, {"-=", 2, P_OTHER}, {"*=", 2, P_OTHER}, {"/=", 2, P_OTHER},
    {"%=", 2, P_OTHER}, {"&=", 2, P_OTHER}, {"|=", 2, P_OTHER}, {"^=", 2, P_OTHER}, {"::", 2, P_OTHER},
    {".*", 2, P_OTHER}, {"<:", 2, P_OTHER}, {":>", 2, P_OTHER}, {"<%", 2, P_OTHER}, {"%>", 2, P_OTHER},
    {"%:", 2, P_HASH}, {"#", 1, P_HASH}, {"(", 1, P_LPAREN}, {")", 1, P_RPAREN}, {",", 1, P_COMMA},
    {"<", 1, P_LT}, {">", 1, P_GT}, {"&", 1, P_AND}, {"|", 1, P_OR}, {"^", 1, P_XOR}, {"!", 1, P_NOT},
    {"~", 1, P_TILDE}, {"+", 1, P_PLUS}, {"-", 1, P_MINUS}, {"*", 1, P_STAR}, {"/", 1, P_SLASH},
    {"%", 1, P_PERCENT}, {"?", 1, P_QUESTION}, {":", 1, P_COLON}, {"=", 1, P_ASSIGN}, {"[", 1, P_OTHER},
    {"]", 1, P_OTHER}, {"{", 1, P_OTHER}, {"}", 1, P_OTHER}, {";", 1, P_OTHER}, {".", 1, P_OTHER},
    {NULL, 0, 0}};

void sc_lex(const char **pp, const char *end, tok_t *t) {
  const char *p = *pp;
  memset(t, 0, sizeof *t);
  if (sc_skip_ws(&p, end)) t->flags |= F_WS;
  if (p >= end || *p == '\n') {
    t->type = T_END;
    t->p = p;
    *pp = p;
    return;
  }
  const char *s = p;
  unsigned char c = (unsigned char)*p;
  if (is_ident_start(c)) {
    while (p < end && is_ident_char((unsigned char)*p)) p++;
    size_t n = (size_t)(p - s);
    /* a literal's prefix: L, u, U, u8 (and R for raw strings) */
    if (p < end && (*p == '"' || *p == '\'')) {
      int prefix = (n == 1 && (s[0] == 'L' || s[0] == 'u' || s[0] == 'U')) || (n == 2 && s[0] == 'u' && s[1] == '8');
      int raw = *p == '"' && s[n - 1] == 'R' &&
                (n == 1 || (n == 2 && (s[0] == 'L' || s[0] == 'u' || s[0] == 'U')) || (n == 3 && s[0] == 'u' && s[1] == '8'));
      if (raw && sc_lang.raw_strings) sc_bail("raw string literal in a directive");
      if (prefix) {
        char q = *p;
        int term;
        p = skip_quoted(p, end, &term);
        t->type = term ? (q == '"' ? T_STRING : T_CHAR) : T_OTHER;
        t->p = s;
        t->len = (uint32_t)(p - s);
        *pp = p;
        return;
      }
    }
    t->type = T_IDENT;
    t->p = s;
    t->len = (uint32_t)n;
    t->sym = sc_intern(s, n);
    *pp = p;
    return;
  }
  if (is_digit(c) || (c == '.' && p + 1 < end && is_digit((unsigned char)p[1]))) {
    p++;
    while (p < end) {
      unsigned char d = (unsigned char)*p;
      if ((d == '+' || d == '-') && (p[-1] == 'e' || p[-1] == 'E' || p[-1] == 'p' || p[-1] == 'P')) { p++; continue; }
      if (is_ident_char(d) || d == '.') { p++; continue; }
      if (d == '\'' && sc_lang.digit_separators && p + 1 < end && is_ident_char((unsigned char)p[1])) { p += 2; continue; }
      break;
    }
    t->type = T_NUMBER;
    t->p = s;
    t->len = (uint32_t)(p - s);
    *pp = p;
    return;
  }
  if (c == '"' || c == '\'') {
    int term;
    p = skip_quoted(p, end, &term);
    t->type = term ? (c == '"' ? T_STRING : T_CHAR) : T_OTHER;
    t->p = s;
    t->len = (uint32_t)(p - s);
    *pp = p;
    return;
  }
  for (const punct_t *q = PUNCTS; q->s; q++) {
    if (q->s[0] == (char)c && (size_t)(end - p) >= q->len && memcmp(p, q->s, q->len) == 0) {
      t->type = T_PUNCT;
      t->punct = q->punct;
      t->p = s;
      t->len = q->len;
      *pp = p + q->len;
      return;
    }
  }
  t->type = T_OTHER;
  t->p = s;
  t->len = 1;
  *pp = p + 1;
}

void sc_lex_line(const char **pp, const char *end, tokv_t *out) {
  for (;;) {
    tok_t t;
    sc_lex(pp, end, &t);
    if (t.type == T_END) return;
    tv_push(out, &t);
  }
}
