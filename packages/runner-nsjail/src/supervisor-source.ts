/**
 * @internal The C source of `jk-jail`, the supervisor that runs as PID 1 of a sandbox's
 * long-lived jail and starts each command of the submission in it (see `warm.ts`). The runner
 * compiles it once per host with the host's gcc (static) into its work directory base, keyed
 * by the hash of this text.
 *
 * Protocol. fd 0: commands from the judge, each `JK1 <length>\n` then <length> bytes of fields
 * ending in NUL: nonce, stdin path, RLIMIT_CPU seconds, RLIMIT_FSIZE bytes, RLIMIT_NOFILE,
 * RLIMIT_NPROC, RLIMIT_STACK bytes, argc, argv..., envc, env... fd 1 and 2: the judge's pipes,
 * which the program inherits. fd 3: nsjail's log pipe, where the supervisor writes `[jk] ready`
 * once, then per command `[jk] NONCE exit=N signal=N wall_us=N errno=N`. After the program
 * ends, every other process of the jail is killed and reaped, then `\x1eNONCE\x1f` is written to
 * fd 1 and fd 2: the last bytes of the command's output, which the program never saw and so
 * cannot forge. The supervisor is not dumpable and, as the namespace's init, cannot be sent a
 * signal it does not handle by anything inside the jail.
 */
export const supervisorSource = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static void write_full(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    buf += w;
    n -= (size_t)w;
  }
}

static void set_limit(int resource, unsigned long long value) {
  struct rlimit rl = {(rlim_t)value, (rlim_t)value};
  setrlimit(resource, &rl);
}

/* Next NUL-terminated field of the payload, or NULL past its end. */
static char *field(char **cursor, char *end) {
  if (*cursor >= end) return NULL;
  char *start = *cursor;
  char *nul = memchr(start, 0, (size_t)(end - start));
  if (!nul) return NULL;
  *cursor = nul + 1;
  return start;
}

int main(void) {
  prctl(PR_SET_DUMPABLE, 0);
  signal(SIGPIPE, SIG_IGN);
  write_full(3, "[jk] ready\n", 11);
  for (;;) {
    char header[64];
    size_t h = 0;
    for (;;) {
      char c;
      ssize_t r = read(0, &c, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return 0; /* the judge closed the channel: the jail ends */
      if (c == '\n') break;
      if (h + 1 >= sizeof header) return 2;
      header[h++] = c;
    }
    header[h] = 0;
    unsigned long length = 0;
    if (sscanf(header, "JK1 %lu", &length) != 1 || length == 0 || length > (64ul << 20)) return 2;
    char *payload = malloc(length);
    if (!payload || read_full(0, payload, length) < 0) return 2;
    char *cursor = payload, *end = payload + length;
    char *nonce = field(&cursor, end);
    char *stdin_path = field(&cursor, end);
    char *numbers[6];
    for (int i = 0; i < 6; i++) numbers[i] = field(&cursor, end);
    if (!nonce || !stdin_path || !numbers[5]) return 2;
    unsigned long long cpu_s = strtoull(numbers[0], NULL, 10), fsize = strtoull(numbers[1], NULL, 10),
                       nofile = strtoull(numbers[2], NULL, 10), nproc = strtoull(numbers[3], NULL, 10),
                       stack = strtoull(numbers[4], NULL, 10);
    int argc = atoi(numbers[5]);
    if (argc <= 0 || argc > 100000) return 2;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    for (int i = 0; i < argc; i++)
      if (!(argv[i] = field(&cursor, end))) return 2;
    char *envc_text = field(&cursor, end);
    if (!envc_text) return 2;
    int envc = atoi(envc_text);
    if (envc < 0 || envc > 100000) return 2;
    char **envp = calloc((size_t)envc + 1, sizeof *envp);
    for (int i = 0; i < envc; i++)
      if (!(envp[i] = field(&cursor, end))) return 2;

    int report[2];
    if (pipe2(report, O_CLOEXEC) < 0) return 2;
    int64_t started = now_us();
    pid_t child = fork();
    if (child == 0) {
      close(report[0]);
      int in = open(stdin_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      int failure = errno;
      if (in < 0 || dup2(in, 0) < 0) {
        write_full(report[1], (char *)&failure, sizeof failure);
        _exit(126);
      }
      /* Nothing of the supervisor's beyond stdio reaches the program: fd 3 (the log pipe) and
         every other descriptor close here or on exec. */
      for (int fd = 3; fd < 1024; fd++)
        if (fd != report[1]) close(fd);
      signal(SIGPIPE, SIG_DFL);
      set_limit(RLIMIT_CPU, cpu_s);
      set_limit(RLIMIT_FSIZE, fsize);
      set_limit(RLIMIT_NOFILE, nofile);
      set_limit(RLIMIT_NPROC, nproc);
      set_limit(RLIMIT_STACK, stack);
      set_limit(RLIMIT_CORE, 0);
      set_limit(RLIMIT_MEMLOCK, 0);
      set_limit(RLIMIT_MSGQUEUE, 0);
      set_limit(RLIMIT_RTPRIO, 0);
      environ = envp; /* execvp searches the PATH of the program's own environment */
      execvp(argv[0], argv);
      failure = errno;
      write_full(report[1], (char *)&failure, sizeof failure);
      _exit(127);
    }
    close(report[1]);
    int exec_errno = 0;
    if (child < 0) {
      exec_errno = errno;
    } else if (read_full(report[0], &exec_errno, sizeof exec_errno) < 0) {
      exec_errno = 0; /* closed on exec: the program started */
    }
    close(report[0]);
    int status = 0;
    int64_t wall = 0;
    if (child > 0) {
      for (;;) {
        pid_t done = waitpid(-1, &status, 0);
        if (done == child) break;
        if (done < 0 && errno != EINTR) break;
      }
      wall = now_us() - started;
    }
    /* The command is over: nothing it started may outlive it. */
    kill(-1, SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }
    char marker[96];
    int m = snprintf(marker, sizeof marker, "\x1e%s\x1f", nonce);
    write_full(1, marker, (size_t)m);
    write_full(2, marker, (size_t)m);
    char line[256];
    int n = snprintf(line, sizeof line, "[jk] %s exit=%d signal=%d wall_us=%lld errno=%d\n", nonce,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                     (long long)wall, exec_errno);
    write_full(3, line, (size_t)n);
    free(argv);
    free(envp);
    free(payload);
  }
}
`;
