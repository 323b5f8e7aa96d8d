/* Helpers shared by judgekit's small native supervisors: the nsjail runner's jk-jail and
   jk-forker (packages/runner-nsjail/native/) and the Docker runner's jk-exec
   (packages/runner-docker/images/jk-exec.c, compiled into the images with -I this folder).
   Header-only: each helper is static, so a program includes it once and links nothing. */
#ifndef JK_COMMON_H
#define JK_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Monotonic time in microseconds. */
static inline int64_t jk_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Reads exactly n bytes; -1 on end of file or error. */
static inline int jk_read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

/* Writes all n bytes, retrying on EINTR: 0 once written, -1 when the reader is gone or the
   write fails (callers that have nobody to tell ignore it). */
static inline int jk_write_full(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static inline int jk_write_str(int fd, const char *s) { return jk_write_full(fd, s, strlen(s)); }

/* Next NUL-terminated field of a request's payload, or NULL past its end. */
static inline char *jk_field(char **cursor, char *end) {
  if (*cursor >= end) return NULL;
  char *start = *cursor;
  char *nul = memchr(start, 0, (size_t)(end - start));
  if (!nul) return NULL;
  *cursor = nul + 1;
  return start;
}

/* Sets both the soft and the hard limit. */
static inline void jk_set_limit(int resource, unsigned long long value) {
  struct rlimit rl = {(rlim_t)value, (rlim_t)value};
  setrlimit(resource, &rl);
}

/* Closes every descriptor numbered `low` or above except `keep` (-1 keeps none). One
   close_range(2) per range where the kernel has it (5.9 and later); else one close() per number
   up to the descriptor limit, which costs about a thousand failing system calls. */
static inline void jk_close_from(int low, int keep) {
#ifdef SYS_close_range
  int done;
  if (keep < low) done = syscall(SYS_close_range, (unsigned)low, ~0U, 0) == 0;
  else
    done = (keep == low || syscall(SYS_close_range, (unsigned)low, (unsigned)keep - 1, 0) == 0) &&
           syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0;
  if (done) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  if (max < 1024) max = 1024;
  for (int fd = low; fd < max; fd++)
    if (fd != keep) close(fd);
}

#endif
