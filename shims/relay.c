/* continuity-relay: the shims' reports, batched, on one WebSocket connection to the collector.
 * In: shim connections on a Unix socket in a private directory, each `<secret>\n<report line>\n`, then end
 * of stream. Out: text messages of reports joined by '\n' to the collector (flushed at RELAY_BATCH_BYTES
 * or RELAY_FLUSH_US after the first report waiting), and one JSON line of counts on stdout at the end.
 * Must stay true: a connection without the exact secret forwards nothing; only whole lines (ending with
 * '\n') are forwarded, so a client killed mid-send adds nothing; everything accepted before the stop is
 * forwarded or counted as dropped before the relay exits; a shim never waits on the collector. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "relay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* A message is flushed once it holds this many bytes (one larger report goes alone)... */
#define RELAY_BATCH_BYTES (256 * 1024)
/* ...or this long after its first report arrived. */
#define RELAY_FLUSH_US 5000
/* The collector's MAX_REPORT_BYTES (src/collector/server.ts): a longer report is refused there. */
#define RELAY_MAX_REPORT (64 * 1024 * 1024)
/* What one shim connection may send: the secret line and one report. */
#define RELAY_MAX_CONN (RELAY_MAX_REPORT + 64 * 1024)
/* Bytes waiting for the collector beyond which reports are dropped (the spool still has them). */
#define RELAY_MAX_QUEUE ((size_t)256 * 1024 * 1024)
/* How long a stop may take to drain connections and to hear the collector close. */
#define RELAY_DRAIN_SECONDS 10
#define RELAY_CONNECT_SECONDS 5

/* ------------------------------------------------------------------ small utilities */

static void relay_oom(void) {
  static const char msg[] = "continuity-relay: out of memory\n";
  if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */ }
  _exit(1);
}

typedef struct {
  char *p;
  size_t n, cap;
} rbuf_t;

static void rb_reserve(rbuf_t *b, size_t extra) {
  if (b->n + extra <= b->cap) return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->n + extra) cap *= 2;
  char *p = realloc(b->p, cap);
  if (!p) relay_oom();
  b->p = p;
  b->cap = cap;
}

static void rb_put(rbuf_t *b, const void *p, size_t n) {
  rb_reserve(b, n);
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

static void rb_free(rbuf_t *b) {
  free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int put_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int fail(const char *what, const char *detail) {
  fprintf(stderr, "continuity-relay: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  return 1;
}

/* Valid UTF-8 (the collector's WebSocket server closes the connection on a text frame that is not). */
static int utf8_ok(const unsigned char *p, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = p[i];
    if (c < 0x80) { i++; continue; }
    size_t k; /* continuation bytes */
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) { k = 1; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { k = 2; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { k = 3; min = 0x10000; }
    else return 0;
    if (n - i <= k) return 0;
    unsigned v = c & (0x3Fu >> k);
    for (size_t j = 1; j <= k; j++) {
      if ((p[i + j] & 0xC0) != 0x80) return 0;
      v = v << 6 | (p[i + j] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    i += k + 1;
  }
  return 1;
}

/* ------------------------------------------------------------------ the client side (a shim) */

const char *relay_send(const char *socket_path, const char *secret, const char *line, size_t n) {
  struct sockaddr_un su;
  memset(&su, 0, sizeof su);
  su.sun_family = AF_UNIX;
  if (strlen(socket_path) >= sizeof su.sun_path) return "relay socket path too long";
  strcpy(su.sun_path, socket_path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "relay socket";
  /* bounds connect (a full backlog) and each send: a stuck relay costs a shim at most this */
  struct timeval tv = {2, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect(fd, (struct sockaddr *)&su, sizeof su) != 0) {
    close(fd);
    return "relay not reachable";
  }
  struct iovec iov[3] = {
      {(void *)secret, strlen(secret)},
      {(void *)"\n", 1},
      {(void *)line, n},
  };
  struct iovec *v = iov;
  int nv = 3;
  while (nv > 0) {
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = v;
    mh.msg_iovlen = (size_t)nv;
    ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      close(fd);
      return "relay send failed";
    }
    size_t left = (size_t)w;
    while (nv > 0 && left >= v->iov_len) {
      left -= v->iov_len;
      v++;
      nv--;
    }
    if (nv > 0) {
      v->iov_base = (char *)v->iov_base + left;
      v->iov_len -= left;
    }
  }
  close(fd);
  return NULL;
}

/* ------------------------------------------------------------------ the relay */

typedef struct {
  unsigned long long connections, forwarded, messages, refused, torn, oversized, invalid, dropped;
} relay_stats_t;

/* A message written (or being written) to the collector: where it ends in the queue, how many reports. */
typedef struct {
  size_t end;
  unsigned long long reports;
} frame_t;

typedef struct {
  int open;
  rbuf_t in;
} conn_t;

static struct {
  const char *secret;
  size_t secret_len;
  int ep;
  int listen_fd;
  int ws_fd; /* -1 once the collector is gone */
  int ws_wants_out;
  rbuf_t out; /* framed bytes for the collector, out_off of them written */
  size_t out_off;
  frame_t *frames;
  size_t nframes, frames_cap;
  rbuf_t batch; /* reports joined by '\n', not yet framed */
  unsigned long long batch_reports;
  int64_t batch_since;
  conn_t *conns; /* by fd */
  int conns_cap;
  int live; /* open shim connections */
  int accept_paused;
  relay_stats_t st;
} R;

static void ws_gone(void) {
  if (R.ws_fd < 0) return;
  epoll_ctl(R.ep, EPOLL_CTL_DEL, R.ws_fd, NULL);
  close(R.ws_fd);
  R.ws_fd = -1;
  for (size_t i = 0; i < R.nframes; i++) R.st.dropped += R.frames[i].reports;
  R.nframes = 0;
  R.out.n = R.out_off = 0;
  R.st.dropped += R.batch_reports;
  R.batch.n = 0;
  R.batch_reports = 0;
}

/* Writes what the collector's socket takes now; the rest waits for EPOLLOUT. */
static void ws_write(void) {
  if (R.ws_fd < 0) return;
  while (R.out_off < R.out.n) {
    ssize_t w = send(R.ws_fd, R.out.p + R.out_off, R.out.n - R.out_off, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      ws_gone();
      return;
    }
    R.out_off += (size_t)w;
  }
  size_t done = 0;
  while (done < R.nframes && R.frames[done].end <= R.out_off) R.st.forwarded += R.frames[done++].reports;
  if (done) {
    memmove(R.frames, R.frames + done, (R.nframes - done) * sizeof *R.frames);
    R.nframes -= done;
  }
  if (R.out_off == R.out.n) R.out.n = R.out_off = 0;
  else if (R.out_off > R.out.n / 2) {
    /* keep the queue from growing without bound while the collector is slow */
    memmove(R.out.p, R.out.p + R.out_off, R.out.n - R.out_off);
    R.out.n -= R.out_off;
    for (size_t i = 0; i < R.nframes; i++) R.frames[i].end -= R.out_off;
    R.out_off = 0;
  }
  int want = R.out_off < R.out.n;
  if (want != R.ws_wants_out) {
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.fd = R.ws_fd};
    epoll_ctl(R.ep, EPOLL_CTL_MOD, R.ws_fd, &ev);
    R.ws_wants_out = want;
  }
}

/* Appends one masked client frame (RFC 6455 requires clients to mask) to the queue. */
static void ws_frame(int opcode, const char *data, size_t n, unsigned long long reports) {
  unsigned char hdr[14];
  size_t h = 0;
  hdr[h++] = (unsigned char)(0x80 | opcode);
  if (n < 126) hdr[h++] = (unsigned char)(0x80 | n);
  else if (n < 65536) {
    hdr[h++] = 0x80 | 126;
    hdr[h++] = (unsigned char)(n >> 8);
    hdr[h++] = (unsigned char)n;
  } else {
    hdr[h++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--) hdr[h++] = (unsigned char)((uint64_t)n >> (8 * i));
  }
  unsigned char mask[4];
  if (getrandom(mask, 4, 0) != 4) {
    uint64_t x = (uint64_t)mono_us() * 0x9E3779B97F4A7C15ull;
    memcpy(mask, &x, 4);
  }
  rb_reserve(&R.out, h + 4 + n);
  memcpy(R.out.p + R.out.n, hdr, h);
  memcpy(R.out.p + R.out.n + h, mask, 4);
  char *dst = R.out.p + R.out.n + h + 4;
  for (size_t i = 0; i < n; i++) dst[i] = (char)(data[i] ^ mask[i & 3]);
  R.out.n += h + 4 + n;
  if (R.nframes == R.frames_cap) {
    R.frames_cap = R.frames_cap ? R.frames_cap * 2 : 64;
    R.frames = realloc(R.frames, R.frames_cap * sizeof *R.frames);
    if (!R.frames) relay_oom();
  }
  R.frames[R.nframes].end = R.out.n;
  R.frames[R.nframes].reports = reports;
  R.nframes++;
}

static void flush_batch(void) {
  if (R.batch_reports == 0) return;
  if (R.ws_fd < 0 || R.out.n - R.out_off + R.batch.n > RELAY_MAX_QUEUE) {
    R.st.dropped += R.batch_reports;
  } else {
    ws_frame(1, R.batch.p, R.batch.n, R.batch_reports);
    R.st.messages++;
  }
  R.batch.n = 0;
  R.batch_reports = 0;
  if (R.batch.cap > 4 * RELAY_BATCH_BYTES) rb_free(&R.batch); /* after one huge report */
  ws_write();
}

static void add_report(const char *line, size_t n) {
  if (n > RELAY_MAX_REPORT) { R.st.oversized++; return; }
  if (!utf8_ok((const unsigned char *)line, n)) { R.st.invalid++; return; }
  if (R.ws_fd < 0) { R.st.dropped++; return; }
  if (R.batch_reports && R.batch.n + 1 + n > RELAY_BATCH_BYTES) flush_batch();
  if (R.batch_reports) rb_put(&R.batch, "\n", 1);
  else R.batch_since = mono_us();
  rb_put(&R.batch, line, n);
  R.batch_reports++;
  if (R.batch.n >= RELAY_BATCH_BYTES) flush_batch();
}

/* A connection's whole stream: the secret line, then report lines, each ending with '\n'. */
static void take(const char *p, size_t n) {
  const char *nl = memchr(p, '\n', n);
  size_t sl = nl ? (size_t)(nl - p) : n;
  /* the comparison takes the same time wherever the first difference is */
  unsigned char diff = sl != R.secret_len;
  for (size_t i = 0; i < R.secret_len; i++) diff |= (unsigned char)((i < sl ? p[i] : 0) ^ R.secret[i]);
  if (!nl || diff) { R.st.refused++; return; }
  const char *q = nl + 1, *end = p + n;
  while (q < end) {
    const char *e = memchr(q, '\n', (size_t)(end - q));
    if (!e) { R.st.torn++; return; } /* a writer cut off mid-line */
    if (e > q) add_report(q, (size_t)(e - q));
    q = e + 1;
  }
}

static void conn_close(int fd) {
  conn_t *c = &R.conns[fd];
  rb_free(&c->in);
  c->open = 0;
  close(fd); /* also leaves the epoll set */
  R.live--;
  if (R.accept_paused && R.listen_fd >= 0) {
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = R.listen_fd};
    epoll_ctl(R.ep, EPOLL_CTL_ADD, R.listen_fd, &ev);
    R.accept_paused = 0;
  }
}

/* Reads what a connection has; returns 1 when it is finished (and closed). */
static int conn_read(int fd) {
  conn_t *c = &R.conns[fd];
  for (;;) {
    rb_reserve(&c->in, c->in.n < 1024 ? 1024 : c->in.n); /* 4 KiB first, then doubling */
    ssize_t r = read(fd, c->in.p + c->in.n, c->in.cap - c->in.n);
    if (r > 0) {
      c->in.n += (size_t)r;
      if (c->in.n > RELAY_MAX_CONN) {
        R.st.oversized++;
        conn_close(fd);
        return 1;
      }
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    /* end of stream, or the peer is gone: what arrived whole is taken */
    take(c->in.p, c->in.n);
    conn_close(fd);
    return 1;
  }
}

static void accept_all(void) {
  for (;;) {
    int fd = accept4(R.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        /* out of descriptors: stop accepting until a connection ends */
        if (R.live > 0 && !R.accept_paused) {
          epoll_ctl(R.ep, EPOLL_CTL_DEL, R.listen_fd, NULL);
          R.accept_paused = 1;
        }
      }
      return;
    }
    if (fd >= R.conns_cap) {
      int cap = R.conns_cap ? R.conns_cap : 1024;
      while (cap <= fd) cap *= 2;
      conn_t *p = realloc(R.conns, (size_t)cap * sizeof *p);
      if (!p) relay_oom();
      memset(p + R.conns_cap, 0, (size_t)(cap - R.conns_cap) * sizeof *p);
      R.conns = p;
      R.conns_cap = cap;
    }
    R.conns[fd].open = 1;
    R.live++;
    R.st.connections++;
    /* a shim has usually sent everything and closed by now: no need to wait for readiness */
    if (conn_read(fd)) continue;
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    if (epoll_ctl(R.ep, EPOLL_CTL_ADD, fd, &ev) != 0) conn_close(fd);
  }
}

static int b64(const unsigned char *in, size_t n, char *out) {
  static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
    out[o++] = t[v >> 18 & 63];
    out[o++] = t[v >> 12 & 63];
    out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
    out[o++] = i + 2 < n ? t[v & 63] : '=';
  }
  out[o] = 0;
  return (int)o;
}

/* Connects to the collector and upgrades with the secret; the connected socket, or -1 with `why` set. */
static int ws_connect(const char *endpoint, const char *secret, const char **why) {
  const char *colon = strrchr(endpoint, ':');
  char host[64];
  size_t hl = colon ? (size_t)(colon - endpoint) : 0;
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  if (!colon || hl >= sizeof host) { *why = "CONTINUITY_ENDPOINT is not HOST:PORT"; return -1; }
  memcpy(host, endpoint, hl);
  host[hl] = 0;
  int port = atoi(colon + 1);
  if (port <= 0 || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) { *why = "CONTINUITY_ENDPOINT is not IPv4:PORT"; return -1; }
  sa.sin_port = htons((uint16_t)port);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) { *why = "socket"; return -1; }
  struct timeval tv = {RELAY_CONNECT_SECONDS, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { *why = "cannot connect to the collector"; close(fd); return -1; }
  unsigned char key[16];
  char key64[32];
  if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key) memset(key, 0x5a, sizeof key);
  b64(key, sizeof key, key64);
  rbuf_t req = {0};
  const char *parts[] = {"GET /report HTTP/1.1\r\nHost: ", endpoint, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ",
                         key64, "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ", secret, "\r\n\r\n"};
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) rb_put(&req, parts[i], strlen(parts[i]));
  int rc = put_all(fd, req.p, req.n);
  rb_free(&req);
  if (rc != 0) { *why = "upgrade request not sent"; close(fd); return -1; }
  char resp[2048];
  size_t n = 0;
  while (n < sizeof resp - 1) {
    ssize_t r = read(fd, resp + n, sizeof resp - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
    resp[n] = 0;
    if (strstr(resp, "\r\n\r\n")) break;
  }
  resp[n] = 0;
  if (strncmp(resp, "HTTP/1.1 101", 12) != 0) {
    *why = strncmp(resp, "HTTP/1.1 401", 12) == 0 ? "the collector refused the secret (401)" : "the collector did not upgrade the connection";
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/* Binds the socket in a directory only its owner can enter. */
static int listen_private(const char *path, const char **why) {
  struct sockaddr_un su;
  memset(&su, 0, sizeof su);
  su.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof su.sun_path) { *why = "socket path too long"; return -1; }
  strcpy(su.sun_path, path);
  char *copy = strdup(path);
  if (!copy) relay_oom();
  struct stat st;
  int private_dir = stat(dirname(copy), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 077) == 0;
  free(copy);
  if (!private_dir) { *why = "the socket's directory is not private (owned by the user, mode 0700)"; return -1; }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) { *why = "socket"; return -1; }
  mode_t old = umask(077);
  int b = bind(fd, (struct sockaddr *)&su, sizeof su);
  umask(old);
  if (b != 0) { *why = errno == EADDRINUSE ? "the socket path is in use" : "cannot bind the socket"; close(fd); return -1; }
  if (listen(fd, 65535) != 0) { *why = "listen"; close(fd); unlink(path); return -1; }
  return fd;
}

static void print_stats(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
  char line[512];
  int n = snprintf(line, sizeof line,
                   "{\"connections\":%llu,\"forwarded\":%llu,\"messages\":%llu,\"refused\":%llu,\"torn\":%llu,"
                   "\"oversized\":%llu,\"invalid\":%llu,\"dropped\":%llu,\"cpuSeconds\":%.6f,\"maxRssKiB\":%ld}\n",
                   R.st.connections, R.st.forwarded, R.st.messages, R.st.refused, R.st.torn, R.st.oversized, R.st.invalid,
                   R.st.dropped, cpu, ru.ru_maxrss);
  put_all(1, line, (size_t)n);
}

int relay_main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s <socket path>  (CONTINUITY_ENDPOINT and CONTINUITY_SECRET in the environment)\n", RELAY_NAME);
    return 2;
  }
  const char *path = argv[1];
  const char *endpoint = getenv("CONTINUITY_ENDPOINT");
  const char *secret = getenv("CONTINUITY_SECRET");
  if (!endpoint || !*endpoint) return fail("CONTINUITY_ENDPOINT is not set", NULL);
  if (!secret || !*secret) return fail("CONTINUITY_SECRET is not set", NULL);
  if (strchr(secret, '\n')) return fail("CONTINUITY_SECRET holds a newline", NULL);
  memset(&R, 0, sizeof R);
  R.secret = secret;
  R.secret_len = strlen(secret);
  R.listen_fd = R.ws_fd = -1;

  /* thousands of shims may connect at once */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  sigprocmask(SIG_BLOCK, &sigs, NULL);
  signal(SIGPIPE, SIG_IGN);
  int sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sig_fd < 0) return fail("signalfd", strerror(errno));

  const char *why = NULL;
  R.ws_fd = ws_connect(endpoint, secret, &why);
  if (R.ws_fd < 0) return fail(why, endpoint);
  R.listen_fd = listen_private(path, &why);
  if (R.listen_fd < 0) return fail(why, path);

  R.ep = epoll_create1(EPOLL_CLOEXEC);
  if (R.ep < 0) { unlink(path); return fail("epoll", strerror(errno)); }
  struct epoll_event ev = {.events = EPOLLIN};
  ev.data.fd = R.listen_fd;
  epoll_ctl(R.ep, EPOLL_CTL_ADD, R.listen_fd, &ev);
  ev.data.fd = R.ws_fd;
  epoll_ctl(R.ep, EPOLL_CTL_ADD, R.ws_fd, &ev);
  ev.data.fd = sig_fd;
  epoll_ctl(R.ep, EPOLL_CTL_ADD, sig_fd, &ev);
  /* stdin ending (the driver closed it, or died) stops the relay; stdin that cannot be polled is ignored */
  ev.data.fd = 0;
  int watch_stdin = epoll_ctl(R.ep, EPOLL_CTL_ADD, 0, &ev) == 0;

  if (put_all(1, "ready\n", 6) != 0) { unlink(path); return fail("cannot write to stdout", NULL); }

  enum { RUN, DRAIN, CLOSING } phase = RUN;
  int64_t deadline = 0;
  struct epoll_event evs[256];
  for (;;) {
    int64_t now = mono_us();
    if (phase == DRAIN && (R.live == 0 || now >= deadline)) {
      /* every connection is in (or out of time): the last message, then the close frame */
      for (int fd = 0; fd < R.conns_cap; fd++)
        if (R.conns[fd].open) { R.st.torn++; conn_close(fd); }
      flush_batch();
      if (R.ws_fd >= 0) {
        static const char bye[2] = {0x03, (char)0xE8}; /* 1000, normal closure */
        ws_frame(8, bye, 2, 0);
        ws_write();
      }
      phase = CLOSING;
    }
    if (phase == CLOSING && (R.ws_fd < 0 || now >= deadline)) break;
    if (R.batch_reports && now - R.batch_since >= RELAY_FLUSH_US) flush_batch();

    int timeout = -1;
    if (R.batch_reports) timeout = (int)((R.batch_since + RELAY_FLUSH_US - now + 999) / 1000);
    if (phase != RUN) {
      int t = deadline > now ? (int)((deadline - now + 999) / 1000) : 0;
      if (timeout < 0 || t < timeout) timeout = t;
    }
    int n = epoll_wait(R.ep, evs, (int)(sizeof evs / sizeof *evs), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    int stop = 0;
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == R.listen_fd) accept_all();
      else if (fd == R.ws_fd) {
        if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          /* the collector sends nothing but its close: data is discarded, end of stream means it is gone */
          char sink[4096];
          ssize_t r;
          while ((r = read(R.ws_fd, sink, sizeof sink)) > 0) {}
          if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) ws_gone();
        }
        if (R.ws_fd >= 0 && (evs[i].events & EPOLLOUT)) ws_write();
      } else if (fd == sig_fd) {
        struct signalfd_siginfo si;
        while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) stop = 1;
      } else if (fd == 0 && watch_stdin) {
        char sink[256];
        ssize_t r = read(0, sink, sizeof sink);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          epoll_ctl(R.ep, EPOLL_CTL_DEL, 0, NULL);
          watch_stdin = 0;
          stop = 1;
        }
      } else if (fd >= 0 && fd < R.conns_cap && R.conns[fd].open) {
        conn_read(fd);
      }
    }
    if (stop && phase == RUN) {
      /* the build is over: take every connection already made, then stop listening */
      accept_all();
      close(R.listen_fd);
      R.listen_fd = -1;
      R.accept_paused = 0;
      unlink(path);
      phase = DRAIN;
      deadline = mono_us() + (int64_t)RELAY_DRAIN_SECONDS * 1000000;
    }
  }
  if (R.listen_fd >= 0) {
    close(R.listen_fd);
    unlink(path);
  }
  if (R.ws_fd >= 0) ws_gone(); /* the collector never closed: whatever was still queued is dropped */
  print_stats();
  return 0;
}
