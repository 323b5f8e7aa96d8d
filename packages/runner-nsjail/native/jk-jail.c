/* jk-jail: PID 1 of a sandbox's jail (see packages/runner-nsjail/src/warm.ts and exec.ts).

   Identity. nsjail maps two outside uids into the jail: inside uid 0 is the supervisor's own
   (an unprivileged uid outside, with only CAP_SETUID, CAP_SETGID and CAP_KILL inside the jail's
   user namespace), inside uid 65534 the program's. The supervisor starts each program as 65534
   with no capabilities, so the program can neither prlimit, ptrace nor signal it, nor open its
   /proc/1/fd/N (it is not dumpable, and not the program's uid).

   Two modes.
   - `jk-jail once FSIZE ARGV...`: a sandbox command in an nsjail of its own. Starts ARGV with
     RLIMIT_FSIZE = FSIZE bytes (nsjail's own is whole MiB), writes `judgekit-init: started` to
     fd 3 (nsjail's log pipe) once the program runs, or `[judgekit] ...` when it cannot start,
     waits for it, kills whatever it left, and exits with its status (128+N for signal N).
   - `jk-jail` (no arguments): a warm jail serving every later command of a sandbox. fd 0:
     commands from the judge, each `JK1 <length>\n` then <length> bytes of fields ending in NUL:
     nonce, stdin path, RLIMIT_CPU seconds, RLIMIT_FSIZE bytes, RLIMIT_NOFILE, RLIMIT_NPROC,
     RLIMIT_STACK bytes, argc, argv..., envc, env... fd 1 and 2: the judge's pipes, which the
     program inherits. fd 3: `[jk] ready` once, then per command
     `[jk] NONCE exit=N signal=N wall_us=N errno=N`. After the program ends, every other process
     of the jail is killed and reaped, then `\x1eNONCE\x1f` is written to fd 1 and fd 2: the last
     bytes of the command's output, which the program never saw and so cannot forge. */
#include "jk-common.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

#define PROGRAM_ID 65534

/* Limits of one command, applied in its child just before exec (0: keep what nsjail set). */
struct limits {
  unsigned long long cpu_s, fsize, nofile, nproc, stack;
};

/* Becomes the program: uid and gid 65534, no groups, no capabilities of any kind. Run as the
   supervisor's inside uid 0 (two mappings); under a single mapping it is the program already. */
static int become_program(void) {
  if (getuid() != 0) return 0;
  if (setgroups(0, NULL) < 0) return -1;
  if (setresgid(PROGRAM_ID, PROGRAM_ID, PROGRAM_ID) < 0) return -1;
  if (setresuid(PROGRAM_ID, PROGRAM_ID, PROGRAM_ID) < 0) return -1;
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) < 0) return -1;
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (getuid() == 0 || geteuid() == 0) return -1;
  return 0;
}

/* In the forked child: stdin, descriptors, identity, work directory, limits, then exec. On any
   failure the errno goes to `report` (closed on a successful exec) and the child exits. */
static void start_program(char **argv, char **envp, const char *stdin_path, const struct limits *l, int report) {
  int failure = 0;
  if (stdin_path) {
    int in = open(stdin_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    failure = errno;
    if (in < 0 || dup2(in, 0) < 0) goto fail;
  }
  /* Nothing of the supervisor's beyond stdio reaches the program: fd 3 (the log pipe) and every
     other descriptor close here or on exec. */
  jk_close_from(3, report);
  signal(SIGPIPE, SIG_DFL);
  if (become_program() < 0 || chdir("/box") < 0) {
    failure = errno ? errno : EPERM;
    goto fail;
  }
  if (l->cpu_s) jk_set_limit(RLIMIT_CPU, l->cpu_s);
  if (l->fsize) jk_set_limit(RLIMIT_FSIZE, l->fsize);
  if (l->nofile) jk_set_limit(RLIMIT_NOFILE, l->nofile);
  if (l->nproc) jk_set_limit(RLIMIT_NPROC, l->nproc);
  if (l->stack) jk_set_limit(RLIMIT_STACK, l->stack);
  jk_set_limit(RLIMIT_CORE, 0);
  jk_set_limit(RLIMIT_MEMLOCK, 0);
  jk_set_limit(RLIMIT_MSGQUEUE, 0);
  jk_set_limit(RLIMIT_RTPRIO, 0);
  if (envp) environ = envp; /* execvp searches the PATH of the program's own environment */
  execvp(argv[0], argv);
  failure = errno;
fail:
  jk_write_full(report, (char *)&failure, sizeof failure);
  _exit(127);
}

/* Forks and starts the program; returns its pid (or -1) and its exec errno (0 once it runs). */
static pid_t spawn_program(char **argv, char **envp, const char *stdin_path, const struct limits *l, int *exec_errno) {
  int report[2];
  *exec_errno = 0;
  if (pipe2(report, O_CLOEXEC) < 0) {
    *exec_errno = errno;
    return -1;
  }
  pid_t child = fork();
  if (child == 0) {
    close(report[0]);
    start_program(argv, envp, stdin_path, l, report[1]);
  }
  close(report[1]);
  if (child < 0) *exec_errno = errno;
  else if (jk_read_full(report[0], exec_errno, sizeof *exec_errno) < 0) *exec_errno = 0; /* closed on exec */
  close(report[0]);
  return child;
}

/* Waits for `child`, then kills and reaps everything else in the jail: nothing of a command
   outlives it. Returns the child's wait status. */
static int finish(pid_t child) {
  int status = 0;
  for (;;) {
    pid_t done = waitpid(-1, &status, 0);
    if (done == child) break;
    if (done < 0 && errno != EINTR) break;
  }
  kill(-1, SIGKILL);
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
  }
  return status;
}

static int run_once(int argc, char **argv) {
  struct limits l = {0, strtoull(argv[2], NULL, 10), 0, 0, 0};
  (void)argc;
  int exec_errno;
  pid_t child = spawn_program(argv + 3, NULL, NULL, &l, &exec_errno);
  if (exec_errno || child < 0) {
    char line[512];
    if (exec_errno == ENOENT) snprintf(line, sizeof line, "[judgekit] command not found in the sandbox: %s\n", argv[3]);
    else snprintf(line, sizeof line, "[judgekit] cannot start the command (%s): %s\n", strerror(exec_errno), argv[3]);
    jk_write_str(3, line);
    if (child > 0) finish(child);
    return 127;
  }
  jk_write_str(3, "judgekit-init: started\n");
  close(3);
  int status = finish(child);
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int serve(void) {
  jk_write_str(3, "[jk] ready\n");
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
    if (!payload || jk_read_full(0, payload, length) < 0) return 2;
    char *cursor = payload, *end = payload + length;
    char *nonce = jk_field(&cursor, end);
    char *stdin_path = jk_field(&cursor, end);
    char *numbers[6];
    for (int i = 0; i < 6; i++) numbers[i] = jk_field(&cursor, end);
    if (!nonce || !stdin_path || !numbers[5]) return 2;
    struct limits l = {strtoull(numbers[0], NULL, 10), strtoull(numbers[1], NULL, 10), strtoull(numbers[2], NULL, 10),
                       strtoull(numbers[3], NULL, 10), strtoull(numbers[4], NULL, 10)};
    int argc = atoi(numbers[5]);
    if (argc <= 0 || argc > 100000) return 2;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!argv) return 2;
    for (int i = 0; i < argc; i++)
      if (!(argv[i] = jk_field(&cursor, end))) return 2;
    char *envc_text = jk_field(&cursor, end);
    if (!envc_text) return 2;
    int envc = atoi(envc_text);
    if (envc < 0 || envc > 100000) return 2;
    char **envp = calloc((size_t)envc + 1, sizeof *envp);
    if (!envp) return 2;
    for (int i = 0; i < envc; i++)
      if (!(envp[i] = jk_field(&cursor, end))) return 2;

    int64_t started = jk_now_us();
    int exec_errno;
    pid_t child = spawn_program(argv, envp, stdin_path, &l, &exec_errno);
    int status = 0;
    int64_t wall = 0;
    if (child > 0) {
      status = finish(child);
      wall = jk_now_us() - started;
    }
    char marker[96];
    int m = snprintf(marker, sizeof marker, "\x1e%s\x1f", nonce);
    jk_write_full(1, marker, (size_t)m);
    jk_write_full(2, marker, (size_t)m);
    char line[256];
    int n = snprintf(line, sizeof line, "[jk] %s exit=%d signal=%d wall_us=%lld errno=%d\n", nonce,
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                     (long long)wall, exec_errno);
    jk_write_full(3, line, (size_t)n);
    free(argv);
    free(envp);
    free(payload);
  }
}

int main(int argc, char **argv) {
  prctl(PR_SET_DUMPABLE, 0);
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 4 && strcmp(argv[1], "once") == 0) return run_once(argc, argv);
  if (argc != 1) return 2;
  return serve();
}
