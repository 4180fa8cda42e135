/* Header scanner: #if expressions, evaluated as gcc does (intmax_t / uintmax_t arithmetic with the usual
 * conversions, short-circuit evaluation, `defined`, __has_include, the compiler's __has_* queries).
 * Anything gcc would reject (a string, a float, division by zero where evaluated, a stray token) bails. */
#include <string.h>

#include "scan-int.h"

typedef struct {
  uint64_t v;
  int u; /* unsigned */
} val_t;

typedef struct {
  const tok_t *v;
  int n, i;
  int skip;  /* >0: inside an operand whose value is not used */
  int depth; /* nesting of the recursive descent, bounded so that no expression can exhaust the stack */
} ev_t;

#define MAX_DEPTH 2000

static const tok_t *peek(ev_t *e) { return e->i < e->n ? &e->v[e->i] : NULL; }

/* the operator a token stands for, C++ alternative tokens included */
static int op_of(const tok_t *t) {
  if (!t) return -1;
  if (t->type == T_PUNCT) return t->punct;
  if (t->type == T_IDENT && sc_lang.cxx && sc_lang.operator_names && t->sym->cxx_op) return t->sym->cxx_op;
  return -1;
}

static int accept(ev_t *e, int op) {
  if (op_of(peek(e)) == op) {
    e->i++;
    return 1;
  }
  return 0;
}

static val_t expr(ev_t *e);
static val_t cond(ev_t *e);

static val_t sval(int64_t v) { val_t r = {(uint64_t)v, 0}; return r; }

static int64_t s64(uint64_t v) { return (int64_t)v; }

static int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

static val_t number(const tok_t *t) {
  char buf[128];
  size_t n = 0;
  for (uint32_t i = 0; i < t->len; i++) {
    if (t->p[i] == '\'') continue;
    if (n + 1 >= sizeof buf) sc_bail("number too long in #if");
    buf[n++] = t->p[i];
  }
  buf[n] = 0;
  int base = 10;
  size_t i = 0;
  if (n > 1 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) base = 16, i = 2;
  else if (n > 1 && buf[0] == '0' && (buf[1] == 'b' || buf[1] == 'B')) base = 2, i = 2;
  else if (buf[0] == '0') base = 8;
  size_t digits_from = i;
  uint64_t v = 0;
  int overflow = 0;
  for (; i < n; i++) {
    int d = digit_value(buf[i]);
    if (d >= base) break;
    if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) overflow = 1;
    v = v * (uint64_t)base + (uint64_t)d;
  }
  if (i == digits_from && base != 8) sc_bail("bad number '%s' in #if", buf);
  /* suffix: u and l / ll, in either order */
  int u = 0, l = 0;
  for (; i < n; i++) {
    char c = buf[i];
    if ((c == 'u' || c == 'U') && !u) u = 1;
    else if ((c == 'l' || c == 'L') && l == 0) {
      l = 1;
      if (i + 1 < n && buf[i + 1] == c) { l = 2; i++; }
    } else sc_bail("number '%s' in #if (floating, or an unknown suffix)", buf);
  }
  if (overflow) sc_bail("integer constant too large in #if");
  val_t r = {v, u};
  if (!u && v > (uint64_t)INT64_MAX) r.u = 1; /* too large for intmax_t: unsigned, as gcc says */
  return r;
}

static val_t charconst(const tok_t *t) {
  const char *p = t->p, *end = t->p + t->len;
  int wide = 0;
  if (*p == 'L') { wide = 1; p++; }
  else if (*p == 'u' || *p == 'U') sc_bail("char16/char32 constant in #if");
  if (*p != '\'' || end[-1] != '\'') sc_bail("bad character constant in #if");
  if (sc_lang.unsigned_char) sc_bail("character constant in #if with -funsigned-char");
  p++;
  end--;
  uint64_t acc = 0;
  int count = 0;
  int64_t last = 0;
  while (p < end) {
    int64_t c;
    if (*p == '\\') {
      p++;
      if (p >= end) sc_bail("bad escape in #if");
      char e = *p++;
      switch (e) {
        case 'n': c = '\n'; break;
        case 't': c = '\t'; break;
        case 'v': c = '\v'; break;
        case 'b': c = '\b'; break;
        case 'r': c = '\r'; break;
        case 'f': c = '\f'; break;
        case 'a': c = 7; break;
        case 'e': case 'E': c = 27; break;
        case '\\': case '\'': case '"': case '?': c = e; break;
        case 'x': {
          c = 0;
          int any = 0;
          while (p < end && digit_value(*p) < 16) { c = c * 16 + digit_value(*p++); any = 1; if (c > 0xffffffff) sc_bail("escape too large in #if"); }
          if (!any) sc_bail("bad \\x escape in #if");
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            c = e - '0';
            for (int k = 0; k < 2 && p < end && *p >= '0' && *p <= '7'; k++) c = c * 8 + (*p++ - '0');
            break;
          }
          sc_bail("escape '\\%c' in #if", e);
      }
    } else {
      c = (unsigned char)*p++;
      if (c >= 0x80) sc_bail("non-ASCII character constant in #if");
    }
    last = c;
    if (!wide) acc = (acc << 8) | ((uint64_t)c & 0xff);
    count++;
  }
  if (count == 0) sc_bail("empty character constant in #if");
  if (wide) {
    if (count > 1) sc_bail("multi-character wide constant in #if");
    return sval((int32_t)last);
  }
  if (count == 1) return sval((int8_t)(acc & 0xff));
  if (count > 4) sc_bail("character constant too long in #if");
  return sval((int32_t)(uint32_t)acc);
}

/* The header name operand of __has_include: `"name"`, `<name>` (tokens glued), or macros expanding to one. */
static char *header_operand(const tok_t *v, int n, int *angled) {
  if (n >= 1 && v[0].type == T_STRING && v[0].p[0] == '"') {
    if (n != 1) sc_bail("extra tokens after a header name");
    *angled = 0;
    char *s = sc_scratch(v[0].len);
    memcpy(s, v[0].p + 1, v[0].len - 2);
    s[v[0].len - 2] = 0;
    return s;
  }
  if (n >= 1 && v[0].type == T_PUNCT && v[0].punct == P_LT) {
    int k = 1;
    while (k < n && !(v[k].type == T_PUNCT && v[k].punct == P_GT)) k++;
    if (k >= n) sc_bail("missing '>' in a header name");
    if (k != n - 1) sc_bail("extra tokens after a header name");
    *angled = 1;
    char *s = sc_spell(v + 1, k - 1);
    if (k - 1 > 0 && (v[1].flags & F_WS)) {
      /* a space right after '<' is part of the name */
      char *t = sc_scratch(strlen(s) + 2);
      t[0] = ' ';
      strcpy(t + 1, s);
      s = t;
    }
    return s;
  }
  if (n >= 1 && (v[0].flags & F_VERBATIM)) {
    /* written as a macro name: expanded, then read again */
    tokv_t in = {0}, out = {0};
    in.scratch = 1;
    for (int k = 0; k < n; k++) {
      tok_t t = v[k];
      t.flags &= (uint8_t)~(F_VERBATIM | F_NOEXP);
      tv_push(&in, &t);
    }
    sc_expand(&in, &out, X_INCLUDE);
    for (int k = 0; k < out.n; k++) out.v[k].flags &= (uint8_t)~F_VERBATIM;
    if (out.n >= 1 && ((out.v[0].type == T_STRING && out.v[0].p[0] == '"') || (out.v[0].type == T_PUNCT && out.v[0].punct == P_LT)))
      return header_operand(out.v, out.n, angled);
  }
  sc_bail("bad operand of __has_include");
}

/* the tokens inside ( ... ) after a builtin; e->i is at the '(' */
static int paren_operand(ev_t *e, const tok_t **v, const char *what) {
  if (!accept(e, P_LPAREN)) sc_bail("missing '(' after %s", what);
  int from = e->i, depth = 0;
  for (; e->i < e->n; e->i++) {
    int op = op_of(&e->v[e->i]);
    if (op == P_LPAREN) depth++;
    else if (op == P_RPAREN) {
      if (depth == 0) {
        *v = &e->v[from];
        int n = e->i - from;
        e->i++;
        return n;
      }
      depth--;
    }
  }
  sc_bail("missing ')' after %s", what);
}

static val_t primary(ev_t *e) {
  const tok_t *t = peek(e);
  if (!t) sc_bail("#if expression ends early");
  e->i++;
  int op = op_of(t);
  if (op == P_LPAREN) {
    val_t v = expr(e);
    if (!accept(e, P_RPAREN)) sc_bail("missing ')' in #if");
    return v;
  }
  switch (t->type) {
    case T_NUMBER: return number(t);
    case T_CHAR: return charconst(t);
    case T_IDENT: break;
    default: sc_bail("'%.*s' in #if", (int)t->len, t->p);
  }
  sym_t *s = t->sym;
  switch (s->builtin) {
    case B_DEFINED: {
      int paren = accept(e, P_LPAREN);
      const tok_t *n = peek(e);
      if (!n || n->type != T_IDENT) sc_bail("'defined' without an identifier");
      e->i++;
      if (paren && !accept(e, P_RPAREN)) sc_bail("missing ')' after defined");
      if (sc_lang.cxx && sc_lang.operator_names && n->sym->cxx_op) sc_bail("'defined' of a C++ operator");
      return sval(n->sym->macro != NULL || n->sym->builtin != B_NONE);
    }
    case B_HAS_INCLUDE:
    case B_HAS_INCLUDE_NEXT: {
      const tok_t *v;
      int n = paren_operand(e, &v, s->name);
      int angled = 0;
      char *name = header_operand(v, n, &angled);
      if (!*name) sc_bail("empty header name in __has_include");
      return sval(e->skip ? 0 : sc_has_include(name, angled, s->builtin == B_HAS_INCLUDE_NEXT));
    }
    case B_QUERY: {
      const tok_t *v;
      int n = paren_operand(e, &v, s->name);
      if (sc_lang.clang)
        for (int k = 0; k < n; k++)
          if (v[k].type == T_IDENT && v[k].sym->macro) sc_bail("clang query operand names a macro");
      if (e->skip) return sval(0);
      return sval(sc_query(s->name, sc_spell(v, n)));
    }
    case B_INCLUDE_LEVEL: return sval(sc_include_level());
    case B_UNMODELED: sc_bail("builtin %s in #if", s->name);
    default: break;
  }
  if (sc_lang.cxx && t->len == 4 && memcmp(t->p, "true", 4) == 0) return sval(1);
  if (sc_lang.cxx && t->len == 5 && memcmp(t->p, "false", 5) == 0) return sval(0);
  if (!sc_lang.cxx && sc_lang.stdc_version > 201710L && ((t->len == 4 && memcmp(t->p, "true", 4) == 0) || (t->len == 5 && memcmp(t->p, "false", 5) == 0)))
    sc_bail("true/false in a C2x #if");
  /* an identifier that is not a macro: 0; a function-like macro name not called also lands here */
  if (peek(e) && op_of(peek(e)) == P_LPAREN && !s->macro) sc_bail("'%s(' in #if: an unknown function-like name", s->name);
  return sval(0);
}

static val_t unary(ev_t *e) {
  if (++e->depth > MAX_DEPTH) sc_bail("#if expression nested too deeply");
  val_t r;
  int op = op_of(peek(e));
  if (op == P_PLUS || op == P_MINUS || op == P_TILDE || op == P_NOT) {
    e->i++;
    val_t v = unary(e);
    switch (op) {
      case P_PLUS: r = v; break;
      case P_MINUS: v.v = (uint64_t)0 - v.v; r = v; break;
      case P_TILDE: v.v = ~v.v; r = v; break;
      default: r = sval(v.v == 0); break;
    }
  } else r = primary(e);
  e->depth--;
  return r;
}

static int lt(val_t a, val_t b) { return (a.u || b.u) ? a.v < b.v : s64(a.v) < s64(b.v); }

static uint64_t shift_left(val_t a, uint64_t n) { return n >= 64 ? 0 : a.v << n; }
static uint64_t shift_right(val_t a, uint64_t n) {
  if (a.u || s64(a.v) >= 0) return n >= 64 ? 0 : a.v >> n;
  return n >= 64 ? UINT64_MAX : (uint64_t)(s64(a.v) >> n);
}

static val_t binop(ev_t *e, int op, val_t a, val_t b) {
  val_t r;
  r.u = a.u || b.u;
  switch (op) {
    case P_STAR: r.v = a.v * b.v; return r;
    case P_SLASH:
    case P_PERCENT:
      if (b.v == 0) {
        if (e->skip) return sval(0);
        sc_bail("division by zero in #if");
      }
      if (r.u) r.v = op == P_SLASH ? a.v / b.v : a.v % b.v;
      else if (s64(a.v) == INT64_MIN && s64(b.v) == -1) r.v = op == P_SLASH ? a.v : 0;
      else r.v = (uint64_t)(op == P_SLASH ? s64(a.v) / s64(b.v) : s64(a.v) % s64(b.v));
      return r;
    case P_PLUS: r.v = a.v + b.v; return r;
    case P_MINUS: r.v = a.v - b.v; return r;
    case P_SHL:
    case P_SHR: {
      int left = op == P_SHL;
      uint64_t n = b.v;
      if (!b.u && s64(b.v) < 0) { left = !left; n = (uint64_t)0 - b.v; }
      r.u = a.u;
      r.v = left ? shift_left(a, n) : shift_right(a, n);
      return r;
    }
    case P_LT: return sval(lt(a, b));
    case P_GT: return sval(lt(b, a));
    case P_LE: return sval(!lt(b, a));
    case P_GE: return sval(!lt(a, b));
    case P_EQ: return sval(a.v == b.v);
    case P_NE: return sval(a.v != b.v);
    case P_AND: r.v = a.v & b.v; return r;
    case P_XOR: r.v = a.v ^ b.v; return r;
    case P_OR: r.v = a.v | b.v; return r;
    default: sc_bail("operator in #if");
  }
}

static int prec(int op) {
  switch (op) {
    case P_STAR: case P_SLASH: case P_PERCENT: return 10;
    case P_PLUS: case P_MINUS: return 9;
    case P_SHL: case P_SHR: return 8;
    case P_LT: case P_GT: case P_LE: case P_GE: return 7;
    case P_EQ: case P_NE: return 6;
    case P_AND: return 5;
    case P_XOR: return 4;
    case P_OR: return 3;
    case P_ANDAND: return 2;
    case P_OROR: return 1;
    default: return 0;
  }
}

static val_t binary(ev_t *e, int min) {
  val_t a = unary(e);
  for (;;) {
    int op = op_of(peek(e));
    int p = prec(op);
    if (p == 0 || p < min) return a;
    e->i++;
    if (op == P_ANDAND || op == P_OROR) {
      int short_circuit = op == P_ANDAND ? a.v == 0 : a.v != 0;
      if (short_circuit) e->skip++;
      val_t b = binary(e, p + 1);
      if (short_circuit) e->skip--;
      a = sval(op == P_ANDAND ? (a.v != 0 && b.v != 0) : (a.v != 0 || b.v != 0));
      continue;
    }
    val_t b = binary(e, p + 1);
    a = binop(e, op, a, b);
  }
}

static val_t cond(ev_t *e) {
  val_t c = binary(e, 1);
  if (!accept(e, P_QUESTION)) return c;
  int take = c.v != 0;
  if (!take) e->skip++;
  val_t a = expr(e);
  if (!take) e->skip--;
  if (!accept(e, P_COLON)) sc_bail("missing ':' in #if");
  if (take) e->skip++;
  val_t b = cond(e);
  if (take) e->skip--;
  val_t r = take ? a : b;
  r.u = a.u || b.u;
  return r;
}

static val_t expr(ev_t *e) {
  val_t v = cond(e);
  while (accept(e, P_COMMA)) v = cond(e);
  return v;
}

int sc_eval(const tokv_t *x) {
  ev_t e = {x->v, x->n, 0, 0, 0};
  if (x->n == 0) sc_bail("#if with no expression");
  val_t v = expr(&e);
  if (e.i != e.n) sc_bail("missing binary operator before '%.*s' in #if", (int)e.v[e.i].len, e.v[e.i].p);
  return v.v != 0;
}
