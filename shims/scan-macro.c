/* Header scanner: macros. #define/#undef, and expansion with hidesets (each token carries the set of
 * macros it came out of, and an identifier is never expanded inside its own expansion), # and ##, variadic
 * macros (__VA_ARGS__, __VA_OPT__, GNU named variadics and `, ## __VA_ARGS__`).
 * Expansion is only needed for #if/#elif lines and computed #include names; text is never expanded. */
#include <string.h>

#include "scan-int.h"

/* ---------------------------------------------------------------- hidesets */

static int hs_has(const hideset_t *h, uint32_t id) {
  if (!h) return 0;
  for (uint32_t i = 0; i < h->n; i++)
    if (h->ids[i] == id) return 1;
  return 0;
}

static const hideset_t *hs_make(const uint32_t *ids, uint32_t n) {
  if (n == 0) return NULL;
  hideset_t *h = sc_scratch(sizeof *h + sizeof(uint32_t) * n);
  h->n = n;
  memcpy(h->ids, ids, sizeof(uint32_t) * n);
  return h;
}

static const hideset_t *hs_union(const hideset_t *a, const hideset_t *b) {
  if (!a) return b;
  if (!b || a == b) return a;
  uint32_t *ids = sc_scratch(sizeof(uint32_t) * (a->n + b->n));
  uint32_t n = 0;
  for (uint32_t i = 0; i < a->n; i++) ids[n++] = a->ids[i];
  for (uint32_t i = 0; i < b->n; i++)
    if (!hs_has(a, b->ids[i])) ids[n++] = b->ids[i];
  return hs_make(ids, n);
}

static const hideset_t *hs_add(const hideset_t *a, uint32_t id) {
  if (hs_has(a, id)) return a;
  uint32_t n = a ? a->n : 0;
  uint32_t *ids = sc_scratch(sizeof(uint32_t) * (n + 1));
  if (n) memcpy(ids, a->ids, sizeof(uint32_t) * n);
  ids[n] = id;
  return hs_make(ids, n + 1);
}

static const hideset_t *hs_intersect(const hideset_t *a, const hideset_t *b) {
  if (!a || !b) return NULL;
  if (a == b) return a;
  uint32_t *ids = sc_scratch(sizeof(uint32_t) * a->n);
  uint32_t n = 0;
  for (uint32_t i = 0; i < a->n; i++)
    if (hs_has(b, a->ids[i])) ids[n++] = a->ids[i];
  return hs_make(ids, n);
}

/* ---------------------------------------------------------------- definitions */

static int is_punct(const tok_t *t, int p) { return t->type == T_PUNCT && t->punct == p; }

void sc_define(tokv_t *line, const char *where) {
  if (line->n == 0 || line->v[0].type != T_IDENT) sc_bail("#define without a macro name in %s", where);
  sym_t *name = line->v[0].sym;
  if (name->builtin != B_NONE || name->va_args || (sc_lang.cxx && name->cxx_op && sc_lang.operator_names))
    sc_bail("#define of '%s' in %s", name->name, where);
  macro_t *m = sc_alloc(sizeof *m);
  int i = 1;
  sym_t *params[256];
  if (line->n > 1 && is_punct(&line->v[1], P_LPAREN) && !(line->v[1].flags & F_WS)) {
    m->fn = 1;
    i = 2;
    if (i < line->n && is_punct(&line->v[i], P_RPAREN)) i++;
    else {
      for (;;) {
        if (i >= line->n) sc_bail("unterminated parameter list of %s in %s", name->name, where);
        tok_t *t = &line->v[i];
        if (is_punct(t, P_ELLIPSIS)) {
          if (m->nparams >= 255) sc_bail("too many macro parameters");
          params[m->nparams++] = sc_intern("__VA_ARGS__", 11);
          m->variadic = 1;
          i++;
          if (i >= line->n || !is_punct(&line->v[i], P_RPAREN)) sc_bail("bad parameter list of %s in %s", name->name, where);
          i++;
          break;
        }
        if (t->type != T_IDENT || t->sym->va_args) sc_bail("bad parameter list of %s in %s", name->name, where);
        if (m->nparams >= 255) sc_bail("too many macro parameters");
        for (int k = 0; k < m->nparams; k++)
          if (params[k] == t->sym) sc_bail("duplicate macro parameter in %s", where);
        params[m->nparams++] = t->sym;
        i++;
        if (i < line->n && is_punct(&line->v[i], P_ELLIPSIS)) { /* GNU: NAME... */
          m->variadic = 1;
          i++;
          if (i >= line->n || !is_punct(&line->v[i], P_RPAREN)) sc_bail("bad parameter list of %s in %s", name->name, where);
          i++;
          break;
        }
        if (i < line->n && is_punct(&line->v[i], P_RPAREN)) { i++; break; }
        if (i < line->n && is_punct(&line->v[i], P_COMMA)) { i++; continue; }
        sc_bail("bad parameter list of %s in %s", name->name, where);
      }
    }
    m->params = sc_alloc(sizeof(sym_t *) * (size_t)(m->nparams ? m->nparams : 1));
    memcpy(m->params, params, sizeof(sym_t *) * (size_t)m->nparams);
  }
  m->nbody = line->n - i;
  m->body = sc_alloc(sizeof(tok_t) * (size_t)(m->nbody ? m->nbody : 1));
  for (int k = 0; k < m->nbody; k++) {
    tok_t t = line->v[i + k];
    if (k == 0) t.flags &= (uint8_t)~F_WS;
    t.param = 0;
    if (m->fn && t.type == T_IDENT)
      for (int q = 0; q < m->nparams; q++)
        if (m->params[q] == t.sym) t.param = (uint8_t)(q + 1);
    /* the spelling points into the file's text or the compiler's macro list, both kept for the whole scan */
    m->body[k] = t;
  }
  if (m->nbody && (is_punct(&m->body[0], P_HASHHASH) || is_punct(&m->body[m->nbody - 1], P_HASHHASH)))
    sc_bail("'##' at either end of %s in %s", name->name, where);
  if (m->fn)
    for (int k = 0; k < m->nbody; k++)
      if (is_punct(&m->body[k], P_HASH) && !(k + 1 < m->nbody && m->body[k + 1].param))
        sc_bail("'#' not followed by a parameter in %s in %s", name->name, where);
  name->macro = m;
}

void sc_undef(tokv_t *line) {
  if (line->n == 0 || line->v[0].type != T_IDENT) sc_bail("#undef without a macro name");
  if (line->v[0].sym->builtin != B_NONE) sc_bail("#undef of the builtin %s", line->v[0].sym->name);
  line->v[0].sym->macro = NULL;
}

void sc_define_text(const char *line, size_t n) {
  const char *p = line, *end = line + n;
  tokv_t tv = {0};
  tv.scratch = 1;
  size_t mark = sc_mark();
  tok_t t;
  sc_lex(&p, end, &t);
  if (!(t.type == T_PUNCT && t.punct == P_HASH)) sc_bail("compiler probe: not a #define line");
  sc_lex(&p, end, &t);
  if (t.type != T_IDENT || strncmp(t.p, "define", 6) != 0 || t.len != 6) sc_bail("compiler probe: not a #define line");
  sc_lex_line(&p, end, &tv);
  sc_define(&tv, "the compiler's predefined macros");
  sc_release(mark);
}

/* ---------------------------------------------------------------- spelling */

char *sc_spell(const tok_t *v, int n) {
  size_t len = 1;
  for (int i = 0; i < n; i++) len += v[i].len + 1;
  char *s = sc_scratch(len), *o = s;
  for (int i = 0; i < n; i++) {
    if (v[i].type == T_PLACEMARKER) continue;
    if (i && (v[i].flags & F_WS) && o != s) *o++ = ' ';
    memcpy(o, v[i].p, v[i].len);
    o += v[i].len;
  }
  *o = 0;
  return s;
}

static tok_t stringify(const tok_t *v, int n, uint8_t flags) {
  size_t cap = 3;
  for (int i = 0; i < n; i++) cap += v[i].len * 2 + 1;
  char *s = sc_scratch(cap), *o = s;
  *o++ = '"';
  int first = 1;
  for (int i = 0; i < n; i++) {
    if (v[i].type == T_PLACEMARKER) continue;
    if (!first && (v[i].flags & F_WS)) *o++ = ' ';
    first = 0;
    int esc = v[i].type == T_STRING || v[i].type == T_CHAR;
    for (uint32_t k = 0; k < v[i].len; k++) {
      char c = v[i].p[k];
      if (esc && (c == '"' || c == '\\')) *o++ = '\\';
      *o++ = c;
    }
  }
  *o++ = '"';
  tok_t t = {0};
  t.type = T_STRING;
  t.flags = flags;
  t.p = s;
  t.len = (uint32_t)(o - s);
  return t;
}

/* Pastes two tokens; the result must lex as exactly one token. */
static tok_t paste(const tok_t *l, const tok_t *r) {
  if (l->type == T_PLACEMARKER) return *r;
  if (r->type == T_PLACEMARKER) return *l;
  char *s = sc_scratch(l->len + r->len + 2);
  memcpy(s, l->p, l->len);
  memcpy(s + l->len, r->p, r->len);
  s[l->len + r->len] = '\n';
  const char *p = s, *end = s + l->len + r->len;
  tok_t t;
  sc_lex(&p, end, &t);
  if (t.type == T_END || (t.flags & F_WS) || p != end) sc_bail("pasting '%.*s' and '%.*s' does not give one token", (int)l->len, l->p, (int)r->len, r->p);
  t.flags = (uint8_t)(l->flags & F_WS);
  return t;
}

/* ---------------------------------------------------------------- expansion */

/* the input: a stack of token arrays, read from the top */
typedef struct frame {
  const tok_t *v;
  int n, i;
  struct frame *prev;
} frame_t;

typedef struct {
  frame_t *top;
} input_t;

static void in_push(input_t *in, const tok_t *v, int n) {
  if (n == 0) return;
  frame_t *f = sc_scratch(sizeof *f);
  f->v = v;
  f->n = n;
  f->prev = in->top;
  in->top = f;
}

static const tok_t *in_peek(input_t *in) {
  while (in->top && in->top->i >= in->top->n) in->top = in->top->prev;
  return in->top ? &in->top->v[in->top->i] : NULL;
}

static const tok_t *in_next(input_t *in) {
  const tok_t *t = in_peek(in);
  if (t) in->top->i++;
  return t;
}

typedef struct {
  tokv_t *args;        /* raw */
  tokv_t *expanded;    /* lazily expanded */
  int nargs;
  enum expand_ctx ctx;
} actuals_t;

static const tokv_t *arg_expanded(actuals_t *a, int k) {
  if (!a->expanded[k].v && a->args[k].n) {
    a->expanded[k].scratch = 1;
    sc_expand(&a->args[k], &a->expanded[k], a->ctx);
  }
  return &a->expanded[k];
}

static void push_copy(tokv_t *out, const tok_t *v, int n, uint8_t first_ws, int set_ws) {
  for (int i = 0; i < n; i++) {
    tok_t t = v[i];
    if (i == 0 && set_ws) t.flags = (uint8_t)((t.flags & ~F_WS) | first_ws);
    tv_push(out, &t);
  }
}

static tok_t placemarker(void) {
  tok_t t = {0};
  t.type = T_PLACEMARKER;
  return t;
}

static int variadic_empty(const macro_t *m, actuals_t *a) {
  return !m->variadic || a->nargs < m->nparams || a->args[m->nparams - 1].n == 0;
}

/* Substitutes body[lo, hi) of macro m with the actual arguments into out. */
static void subst(const macro_t *m, int lo, int hi, actuals_t *a, tokv_t *out) {
  for (int i = lo; i < hi; i++) {
    const tok_t *b = &m->body[i];
    if (m->fn && is_punct(b, P_HASH) && i + 1 < hi && m->body[i + 1].param) {
      const tokv_t *raw = &a->args[m->body[i + 1].param - 1];
      tok_t s = stringify(raw->v, raw->n, (uint8_t)(b->flags & F_WS));
      tv_push(out, &s);
      i++;
      continue;
    }
    if (is_punct(b, P_HASHHASH)) {
      if (i + 1 >= hi) sc_bail("'##' at the end of a macro");
      const tok_t *r = &m->body[++i];
      tok_t left = out->n ? out->v[out->n - 1] : placemarker();
      if (r->param) {
        const tokv_t *raw = &a->args[r->param - 1];
        int is_va = m->variadic && r->param == m->nparams;
        if (is_va && is_punct(&left, P_COMMA) && out->n) {
          /* GNU: `, ## __VA_ARGS__` drops the comma when there are no variable arguments */
          if (raw->n == 0) { out->n--; continue; }
          push_copy(out, raw->v, raw->n, (uint8_t)(r->flags & F_WS), 1);
          continue;
        }
        if (raw->n == 0) continue; /* left ## placemarker = left */
        if (out->n) out->n--;
        tok_t pasted = paste(&left, &raw->v[0]);
        tv_push(out, &pasted);
        push_copy(out, raw->v + 1, raw->n - 1, 0, 0);
        continue;
      }
      if (r->sym && r->sym->va_args == 2) sc_bail("'##' next to __VA_OPT__");
      if (m->fn && is_punct(r, P_HASH) && i + 1 < hi && m->body[i + 1].param) {
        const tokv_t *raw = &a->args[m->body[i + 1].param - 1];
        tok_t s = stringify(raw->v, raw->n, 0);
        i++;
        if (out->n) out->n--;
        tok_t pasted = paste(&left, &s);
        tv_push(out, &pasted);
        continue;
      }
      if (out->n) out->n--;
      tok_t pasted = paste(&left, r);
      tv_push(out, &pasted);
      continue;
    }
    if (b->param) {
      int k = b->param - 1;
      int next_paste = i + 1 < hi && is_punct(&m->body[i + 1], P_HASHHASH);
      if (next_paste) {
        const tokv_t *raw = &a->args[k];
        if (raw->n == 0) { tok_t pm = placemarker(); tv_push(out, &pm); }
        else push_copy(out, raw->v, raw->n, (uint8_t)(b->flags & F_WS), 1);
      } else {
        const tokv_t *ex = arg_expanded(a, k);
        if (ex->n == 0) { tok_t pm = placemarker(); tv_push(out, &pm); }
        else push_copy(out, ex->v, ex->n, (uint8_t)(b->flags & F_WS), 1);
      }
      continue;
    }
    if (b->type == T_IDENT && b->sym->va_args == 2 && m->variadic) {
      /* __VA_OPT__ ( content ) */
      int j = i + 1;
      if (j >= hi || !is_punct(&m->body[j], P_LPAREN)) sc_bail("__VA_OPT__ without '('");
      int depth = 0, close = -1;
      for (int q = j; q < hi; q++) {
        if (is_punct(&m->body[q], P_LPAREN)) depth++;
        else if (is_punct(&m->body[q], P_RPAREN) && --depth == 0) { close = q; break; }
      }
      if (close < 0) sc_bail("unterminated __VA_OPT__");
      if (!variadic_empty(m, a)) {
        int before = out->n;
        subst(m, j + 1, close, a, out);
        if (out->n > before) out->v[before].flags = (uint8_t)((out->v[before].flags & ~F_WS) | (b->flags & F_WS));
      } else {
        tok_t pm = placemarker();
        tv_push(out, &pm);
      }
      i = close;
      continue;
    }
    tok_t t = *b;
    tv_push(out, &t);
  }
}

/* Collects the arguments of a function-like macro call; the '(' is next in the input. Returns the ')'. */
static const tok_t *collect_args(const macro_t *m, const sym_t *name, input_t *in, actuals_t *a, enum expand_ctx ctx) {
  in_next(in); /* ( */
  int cap = m->nparams > 0 ? m->nparams : 1;
  a->args = sc_scratch(sizeof(tokv_t) * (size_t)(cap + 1));
  a->nargs = 1;
  a->args[0].scratch = 1;
  int depth = 0;
  for (;;) {
    const tok_t *t = in_next(in);
    if (!t) sc_bail("unterminated call of macro %s", name->name);
    if (ctx == X_IF && t->type == T_IDENT && (t->sym->builtin == B_DEFINED || t->sym->builtin == B_HAS_INCLUDE || t->sym->builtin == B_HAS_INCLUDE_NEXT))
      sc_bail("'%s' in a macro argument", t->sym->name);
    if (is_punct(t, P_LPAREN)) depth++;
    else if (is_punct(t, P_RPAREN)) {
      if (depth == 0) {
        a->expanded = sc_scratch(sizeof(tokv_t) * (size_t)(a->nargs + 1));
        return t;
      }
      depth--;
    } else if (is_punct(t, P_COMMA) && depth == 0 && !(m->variadic && a->nargs >= m->nparams)) {
      if (a->nargs >= cap) {
        if (!m->variadic) sc_bail("macro %s passed too many arguments", name->name);
      }
      if (a->nargs >= cap) sc_bail("macro %s passed too many arguments", name->name);
      a->args[a->nargs].scratch = 1;
      a->nargs++;
      continue;
    }
    tv_push(&a->args[a->nargs - 1], t);
  }
}

static void check_arity(const macro_t *m, const sym_t *name, actuals_t *a) {
  if (m->nparams == 0) {
    if (a->nargs == 1 && a->args[0].n == 0) { a->nargs = 0; return; }
    sc_bail("macro %s takes no arguments", name->name);
  }
  if (a->nargs == m->nparams) return;
  if (m->variadic && a->nargs == m->nparams - 1) {
    /* no variable arguments at all: the variadic parameter is empty */
    a->args[a->nargs].scratch = 1;
    a->args[a->nargs].n = 0;
    a->nargs++;
    return;
  }
  sc_bail("macro %s passed %d arguments, takes %d", name->name, a->nargs, m->nparams);
}

/* Expansion is bounded: a line whose macros expand into more than this many tokens (or nest this deep) is
 * left to gcc, so that no macro can exhaust memory or time here. */
#define MAX_EXPANSION_TOKENS 2000000
#define MAX_EXPANSION_DEPTH 200
static long g_expanded_tokens;
static int g_expand_depth;

void sc_macro_reset(void) {
  g_expanded_tokens = 0;
  g_expand_depth = 0;
}

void sc_expand(const tokv_t *src, tokv_t *out, enum expand_ctx ctx) {
  if (g_expand_depth == 0) g_expanded_tokens = 0;
  if (++g_expand_depth > MAX_EXPANSION_DEPTH) sc_bail("macro arguments nested too deeply");
  input_t in = {0};
  in_push(&in, src->v, src->n);
  out->scratch = 1;
  for (;;) {
    const tok_t *tp = in_next(&in);
    if (!tp) break;
    tok_t t = *tp;
    if (t.type != T_IDENT || (t.flags & F_NOEXP)) {
      if (t.type != T_PLACEMARKER) tv_push(out, &t);
      continue;
    }
    sym_t *s = t.sym;
    if (ctx == X_IF && s->builtin == B_DEFINED) {
      if (t.flags & F_MACRO) sc_bail("'defined' produced by a macro expansion");
      t.flags |= F_VERBATIM;
      tv_push(out, &t);
      const tok_t *n = in_peek(&in);
      if (n && is_punct(n, P_LPAREN)) {
        for (int k = 0; k < 3; k++) {
          const tok_t *o = in_next(&in);
          if (!o) break;
          tok_t c = *o;
          c.flags |= F_NOEXP | F_VERBATIM;
          tv_push(out, &c);
          if (k == 1 && c.type != T_IDENT) break;
        }
      } else if (n) {
        tok_t c = *in_next(&in);
        c.flags |= F_NOEXP | F_VERBATIM;
        tv_push(out, &c);
      }
      continue;
    }
    if (ctx == X_IF && (s->builtin == B_HAS_INCLUDE || s->builtin == B_HAS_INCLUDE_NEXT || (s->builtin == B_QUERY && sc_lang.clang)) &&
        !(t.flags & F_MACRO)) {
      /* as written: the operand is a header name, not macro-expanded */
      t.flags |= F_VERBATIM;
      tv_push(out, &t);
      const tok_t *n = in_peek(&in);
      if (n && is_punct(n, P_LPAREN)) {
        int depth = 0;
        for (;;) {
          const tok_t *o = in_next(&in);
          if (!o) break;
          tok_t c = *o;
          c.flags |= F_NOEXP | F_VERBATIM;
          tv_push(out, &c);
          if (is_punct(&c, P_LPAREN)) depth++;
          else if (is_punct(&c, P_RPAREN) && --depth == 0) break;
        }
      }
      continue;
    }
    macro_t *m = s->macro;
    if (!m) {
      tv_push(out, &t);
      continue;
    }
    if (hs_has(t.hs, s->id)) {
      t.flags |= F_NOEXP; /* painted: never expanded again */
      tv_push(out, &t);
      continue;
    }
    tokv_t body = {0};
    body.scratch = 1;
    const hideset_t *hs;
    if (!m->fn) {
      actuals_t none = {0};
      none.ctx = ctx;
      subst(m, 0, m->nbody, &none, &body);
      hs = hs_add(t.hs, s->id);
    } else {
      const tok_t *n = in_peek(&in);
      if (!n || !is_punct(n, P_LPAREN)) {
        tv_push(out, &t);
        continue;
      }
      actuals_t a = {0};
      a.ctx = ctx;
      const tok_t *rp = collect_args(m, s, &in, &a, ctx);
      check_arity(m, s, &a);
      subst(m, 0, m->nbody, &a, &body);
      hs = hs_add(hs_intersect(t.hs, rp->hs), s->id);
    }
    /* the expansion: every token hidden from s (and what hid the call), then read again */
    int k = 0;
    for (int i = 0; i < body.n; i++) {
      if (body.v[i].type == T_PLACEMARKER) continue;
      tok_t b = body.v[i];
      b.hs = hs_union(b.hs, hs);
      b.flags |= F_MACRO;
      if (k == 0) b.flags = (uint8_t)((b.flags & ~F_WS) | (t.flags & F_WS));
      body.v[k++] = b;
    }
    g_expanded_tokens += k;
    if (g_expanded_tokens > MAX_EXPANSION_TOKENS) sc_bail("macro expansion too large");
    in_push(&in, body.v, k);
  }
  g_expand_depth--;
}
