/* SHA-256 for the shims (scan cache keys, compiler probe keys). In: bytes. Out: the digest as 64 hex digits. */
#ifndef CONTINUITY_SHA256_H
#define CONTINUITY_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h[8];
  uint64_t len;
  unsigned char buf[64];
  size_t n;
} sha256_t;

void sha_init(sha256_t *s);
void sha_update(sha256_t *s, const void *data, size_t n);
/* A string with its terminating NUL, so that ("ab","c") and ("a","bc") differ. */
void sha_str(sha256_t *s, const char *str);
void sha_hex(sha256_t *s, char out[65]);

#endif
