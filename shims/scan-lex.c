/* Header scanner: the lexer. Files are cleaned first (line splices removed, CRLF read as LF), then read
 * line by line: directive lines are cut into preprocessing tokens, text lines are only stepped over, but
 * whole, so that a comment, a string or a raw string never hides or fakes a directive. */
#include <string.h>

#include "scan-int.h"

lang_t sc_lang;

/* character classes, one table lookup each */
enum { C_IDSTART = 1, C_DIGIT = 2, C_HSPACE = 4, C_TEXT = 8 /* ends a run of plain text: \n " ' / */ };
static unsigned char CLASS[256];

void sc_lex_init(void) {
  if (CLASS['a']) return;
  for (int c = 0; c < 256; c++) {
    unsigned char k = 0;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' || c >= 0x80) k |= C_IDSTART;
    if (c >= '0' && c <= '9') k |= C_DIGIT;
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\r' || c == 0) k |= C_HSPACE;
    if (c == '\n' || c == '"' || c == '\'' || c == '/') k |= C_TEXT;
    CLASS[c] = k;
  }
}

static inline int is_ident_start(unsigned char c) { return CLASS[c] & C_IDSTART; }
static inline int is_ident_char(unsigned char c) { return CLASS[c] & (C_IDSTART | C_DIGIT); }
static inline int is_digit(unsigned char c) { return CLASS[c] & C_DIGIT; }
static inline int is_hspace(unsigned char c) { return CLASS[c] & C_HSPACE; }

/* ---------------------------------------------------------------- cleaning */

char *sc_clean(char *text, size_t *len) {

  size_t n = *len;
  /* find the first splice or CR; most files have neither */
  const char *first = NULL;
  for (const char *q = text; q < text + n;) {
    const char *bs = memchr(q, '\\', (size_t)(text + n - q));
    if (!bs) break;
    const char *r = bs + 1;
    while (r < text + n && (*r == ' ' || *r == '\t' || *r == '\f' || *r == '\v')) r++;
    if (r < text + n && (*r == '\n' || *r == '\r')) { first = bs; break; }
    q = bs + 1;
  }
  const char *cr = memchr(text, '\r', n);
  if (cr && (!first || cr < first)) first = cr;
  if (!first) return text;
  char *out = sc_alloc_raw(n + 1);
  size_t o = (size_t)(first - text);
  memcpy(out, text, o);
  for (size_t i = o; i < n;) {
    /* copy a run without backslashes or CRs at once (the text is NUL-terminated; a NUL inside it is copied
     * like any other byte) */
    size_t j = i + strcspn(text + i, "\\\r");
    while (j < n && text[j] == 0) j = j + 1 + strcspn(text + j + 1, "\\\r");
    if (j > n) j = n;
    memcpy(out + o, text + i, j - i);
    o += j - i;
    i = j;
    if (i >= n) break;
    char c = text[i];
    if (c == '\r' && i + 1 < n && text[i + 1] == '\n') { i++; continue; } /* CRLF */
    if (c == '\\') {
      size_t k = i + 1;
      while (k < n && (text[k] == ' ' || text[k] == '\t' || text[k] == '\f' || text[k] == '\v')) k++;
      if (k < n && text[k] == '\r' && k + 1 < n && text[k + 1] == '\n') k++;
      if (k < n && text[k] == '\n') { i = k + 1; continue; } /* a splice: backslash (blanks) newline */
    }
    out[o++] = c;
    i++;
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
    if (!s) sc_bail("unterminated comment");
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
    /* plain text: anything but a newline, a quote, an apostrophe or a slash (the text is NUL-terminated;
     * strcspn also stops at a NUL inside it, which is then stepped over) */
    if (!(CLASS[(unsigned char)*p] & C_TEXT)) {
      had = 1;
      p += strcspn(p, "\n\"'/");
      if (p < end && *p == 0) p++;
      continue;
    }
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

/* The punctuator at p (longest match): its length and what it is. */
static int punct_at(const char *p, const char *end, uint8_t *punct) {
  size_t left = (size_t)(end - p);
  char c = p[0], d = left > 1 ? p[1] : 0, e = left > 2 ? p[2] : 0;
  *punct = P_OTHER;
  switch (c) {
    case '(': *punct = P_LPAREN; return 1;
    case ')': *punct = P_RPAREN; return 1;
    case ',': *punct = P_COMMA; return 1;
    case '?': *punct = P_QUESTION; return 1;
    case '~': *punct = P_TILDE; return 1;
    case '[': case ']': case '{': case '}': case ';': return 1;
    case '#': if (d == '#') { *punct = P_HASHHASH; return 2; } *punct = P_HASH; return 1;
    case '<':
      if (d == '<') { if (e == '=') return 3; *punct = P_SHL; return 2; }
      if (d == '=') { *punct = P_LE; return 2; }
      if (d == ':' || d == '%') return 2;
      *punct = P_LT; return 1;
    case '>':
      if (d == '>') { if (e == '=') return 3; *punct = P_SHR; return 2; }
      if (d == '=') { *punct = P_GE; return 2; }
      *punct = P_GT; return 1;
    case '=': if (d == '=') { *punct = P_EQ; return 2; } *punct = P_ASSIGN; return 1;
    case '!': if (d == '=') { *punct = P_NE; return 2; } *punct = P_NOT; return 1;
    case '&': if (d == '&') { *punct = P_ANDAND; return 2; } if (d == '=') return 2; *punct = P_AND; return 1;
    case '|': if (d == '|') { *punct = P_OROR; return 2; } if (d == '=') return 2; *punct = P_OR; return 1;
    case '^': if (d == '=') return 2; *punct = P_XOR; return 1;
    case '+': if (d == '+' || d == '=') return 2; *punct = P_PLUS; return 1;
    case '-': if (d == '>') return e == '*' ? 3 : 2; if (d == '-' || d == '=') return 2; *punct = P_MINUS; return 1;
    case '*': if (d == '=') return 2; *punct = P_STAR; return 1;
    case '/': if (d == '=') return 2; *punct = P_SLASH; return 1;
    case '%':
      if (d == ':') {
        if (e == '%' && left > 3 && p[3] == ':') { *punct = P_HASHHASH; return 4; }
        *punct = P_HASH; return 2;
      }
      if (d == '=' || d == '>') return 2;
      *punct = P_PERCENT; return 1;
    case ':': if (d == ':' || d == '>') return 2; *punct = P_COLON; return 1;
    case '.':
      if (d == '.' && e == '.') { *punct = P_ELLIPSIS; return 3; }
      if (d == '*') return 2;
      return 1;
    default: return 0;
  }
}

void sc_lex(const char **pp, const char *end, tok_t *t) {
  const char *p = *pp;
  memset(t, 0, sizeof *t);
  if (p < end && (is_hspace((unsigned char)*p) || *p == '/') && sc_skip_ws(&p, end)) t->flags |= F_WS;
  if (p >= end || *p == '\n') {
    t->type = T_END;
    t->p = p;
    *pp = p;
    return;
  }
  const char *s = p;
  unsigned char c = (unsigned char)*p;
  if (is_ident_start(c)) {
    int ascii = 1;
    while (p < end && is_ident_char((unsigned char)*p)) ascii &= (unsigned char)*p++ < 0x80;
    /* gcc takes only valid UTF-8 of the letters C allows in identifiers; that is not modelled here */
    if (!ascii) sc_bail("a non-ASCII identifier in a directive");
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
  uint8_t pu;
  int plen = punct_at(p, end, &pu);
  if (plen) {
    t->type = T_PUNCT;
    t->punct = pu;
    t->p = s;
    t->len = (uint32_t)plen;
    *pp = p + plen;
    return;
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
