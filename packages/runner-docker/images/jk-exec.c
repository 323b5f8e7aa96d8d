/*
 * jk-exec: the per-exec helper baked into every judgekit image (static, no libc beyond itself).
 *
 *   jk-exec init                      PID 1 of the container: reaps orphans, sleeps forever.
 *   jk-exec run CPU_MS WALL_MS MEM_BYTES FSIZE_BYTES NOFILE NPROC MILLICPUS -- ARGV...
 *                                     runs ARGV once with limits and reports what it used.
 *   jk-exec write DIR                 reads files from stdin (see below) and writes them under DIR.
 *   jk-exec read DIR PATH MAX_BYTES   copies DIR/PATH to stdout, never following a symbolic link.
 *   jk-exec kill                      kills every process of its user in the container.
 *
 * Why a helper: Docker measures and limits a container, not one `docker exec`. A submission's
 * container lives for all its steps, so each step runs under `run`, which forks the program,
 * watches it (wall clock, CPU, anonymous resident memory of every process, sampled every millisecond,
 * read exactly from smaps every 10 ms and whenever it matters: see sample()), kills
 * everything at a limit, and reports the rusage of all reaped processes.
 *
 * run's stdin protocol: first line "NONCE STDIN_LEN [1]\n"; with the 1, file records as for
 * `write` follow, ended by an empty path; then STDIN_LEN bytes relayed to the
 * program's stdin (then closed). Any further byte, or EOF, from the judge means "kill now".
 * The report is the last line on stderr: "\n\x1eNONCE key=value ...\n". The nonce is read from
 * stdin before the program starts, and this process is not dumpable, so the program cannot
 * forge a report.
 *
 * write's stdin: repeated records "PATH\0MODE_OCTAL\0SIZE\0" followed by SIZE bytes.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static int write_full(int fd, const void *buf, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = write(fd, (const char *)buf + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    done += (size_t)w;
  }
  return 0;
}

/* Reads one field ending in `end` from fd, byte by byte (so nothing past it is consumed). */
static int read_field(int fd, char *buf, size_t cap, char end) {
  size_t i = 0;
  for (;;) {
    char c;
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return i == 0 ? 1 : -1;
    if (c == end) break;
    if (i + 1 >= cap) return -1;
    buf[i++] = c;
  }
  buf[i] = 0;
  return 0;
}

/* openat that refuses a symbolic link even where O_NOFOLLOW is not honoured: the name is
   lstat-ed first and the opened file must be that same inode. */
static int openat_nolink(int dir, const char *name, int flags, mode_t mode) {
  struct stat before, after;
  int exists = fstatat(dir, name, &before, AT_SYMLINK_NOFOLLOW) == 0;
  if (exists && S_ISLNK(before.st_mode)) {
    errno = ELOOP;
    return -1;
  }
  int fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return -1;
  if (fstat(fd, &after) < 0 || (exists && (before.st_dev != after.st_dev || before.st_ino != after.st_ino))) {
    close(fd);
    errno = ELOOP;
    return -1;
  }
  if (!exists && fstatat(dir, name, &before, AT_SYMLINK_NOFOLLOW) == 0 && (before.st_dev != after.st_dev || before.st_ino != after.st_ino)) {
    close(fd);
    errno = ELOOP;
    return -1;
  }
  return fd;
}

/* Opens DIR/rel one component at a time, never through a link; creates folders when `create` is set. */
static int open_parent(int root, char *rel, int create, const char **leaf) {
  int dir = dup(root);
  char *p = rel;
  for (;;) {
    char *slash = strchr(p, '/');
    if (!slash) break;
    *slash = 0;
    if (p[0] == 0 || strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
      close(dir);
      errno = EINVAL;
      return -1;
    }
    if (create && mkdirat(dir, p, 0755) < 0 && errno != EEXIST) {
      close(dir);
      return -1;
    }
    int next = openat_nolink(dir, p, O_RDONLY | O_DIRECTORY, 0);
    close(dir);
    if (next < 0) return -1;
    dir = next;
    p = slash + 1;
  }
  if (p[0] == 0 || strcmp(p, ".") == 0 || strcmp(p, "..") == 0) {
    close(dir);
    errno = EINVAL;
    return -1;
  }
  *leaf = p;
  return dir;
}

/* Reads file records from stdin until EOF or an empty path, writing them under root_path. */
static int cmd_write(const char *root_path) {
  int root = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) { perror("jk-exec write: open root"); return 10; }
  static char buf[65536];
  char path[4096], mode_s[16], size_s[32];
  for (;;) {
    int r = read_field(0, path, sizeof path, 0);
    if (r == 1 || (r == 0 && path[0] == 0)) return 0;
    if (r < 0 || read_field(0, mode_s, sizeof mode_s, 0) || read_field(0, size_s, sizeof size_s, 0)) {
      fprintf(stderr, "jk-exec write: malformed record\n");
      return 11;
    }
    long long size = atoll(size_s);
    const char *leaf;
    int dir = open_parent(root, path, 1, &leaf);
    if (dir < 0) { fprintf(stderr, "jk-exec write: %s: %s\n", path, strerror(errno)); return errno == ELOOP || errno == ENOTDIR ? 14 : 12; }
    int fd = openat_nolink(dir, leaf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    close(dir);
    if (fd < 0) { fprintf(stderr, "jk-exec write: %s: %s\n", path, strerror(errno)); return errno == ELOOP || errno == EISDIR ? 14 : 12; }
    while (size > 0) {
      size_t n = size > (long long)sizeof buf ? sizeof buf : (size_t)size;
      if (read_full(0, buf, n) || write_full(fd, buf, n)) {
        fprintf(stderr, "jk-exec write: %s: %s\n", path, strerror(errno));
        return 13;
      }
      size -= (long long)n;
    }
    fchmod(fd, (mode_t)strtol(mode_s, NULL, 8) & 07777);
    close(fd);
  }
}

static int cmd_read(const char *root_path, const char *rel_in, long long max) {
  int root = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) { perror("jk-exec read: open root"); return 10; }
  char rel[4096];
  snprintf(rel, sizeof rel, "%s", rel_in);
  const char *leaf;
  int dir = open_parent(root, rel, 0, &leaf);
  if (dir < 0) { fprintf(stderr, "link-or-missing: %s\n", strerror(errno)); return errno == ELOOP || errno == ENOTDIR ? 2 : 4; }
  int fd = openat_nolink(dir, leaf, O_RDONLY | O_NONBLOCK, 0);
  close(dir);
  if (fd < 0) { fprintf(stderr, "open: %s\n", strerror(errno)); return errno == ELOOP ? 2 : 4; }
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) { fprintf(stderr, "not a regular file\n"); return 2; }
  if (st.st_size > max) { fprintf(stderr, "too large: %lld\n", (long long)st.st_size); return 3; }
  static char buf[65536];
  long long total = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { perror("read"); return 4; }
    if (r == 0) break;
    total += r;
    if (total > max) { fprintf(stderr, "too large\n"); return 3; }
    if (write_full(1, buf, (size_t)r)) return 5;
  }
  return 0;
}

/* Memory is counted as anonymous resident memory (heap, stacks, private copies): gVisor's
   resident figure in /proc/<pid>/stat counts file-backed mappings (libjvm.so, the JVM's class
   archive, node's binary) in full, which made a Java hello world "use" 200 MiB. The exact figure
   is the sum of the `Anonymous:` lines of /proc/<pid>/smaps (gVisor has no RssAnon in status),
   which is costly to read for a big process. So each process's smaps is read when it is new,
   every SMAPS_US, and whenever its cheap estimate (stat's resident figure less the file-backed
   share at its last smaps read) exceeds its last exact figure by SLACK_KB. The peak is therefore
   within SLACK_KB per process of exact readings, and a kill at the memory limit is confirmed by
   reading every smaps first. The slack keeps a process growing by small steps (a thread bomb's
   stacks) from being re-read on every sample, which would make samples too rare. */
#define SMAPS_US 10000
#define SLACK_KB 1024
#define PID_SLOTS 4096
static struct { pid_t pid; long long file_kb, anon_kb, file_max_kb; } seen[PID_SLOTS];

/* Sum of the Anonymous: lines of /proc/<pid>/smaps in kB, or -1 if it cannot be read. */
static long long smaps_anon_kb(pid_t pid) {
  static char buf[65536];
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/smaps", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long long kb = 0;
  size_t have = 0;
  for (;;) {
    ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    buf[have] = 0;
    /* Whole lines only; a partial last line waits for the next read. */
    char *line = buf, *nl;
    while ((nl = strchr(line, '\n'))) {
      if (strncmp(line, "Anonymous:", 10) == 0) kb += strtoll(line + 10, NULL, 10);
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
    if (have == sizeof buf - 1) have = 0; /* a line longer than the buffer holds no field of ours */
  }
  close(fd);
  return kb;
}

/* Sums CPU ticks, anonymous memory (see above) and threads of every live process except this
   one and PID 1; all_smaps forces an smaps read of every process. */
static void sample(pid_t self, int all_smaps, long long *cpu_ticks, long long *mem_kb, int *count) {
  *cpu_ticks = 0;
  *mem_kb = 0;
  *count = 0;
  DIR *d = opendir("/proc");
  if (!d) return;
  struct dirent *e;
  char path[64], buf[1024];
  long long page_kb = sysconf(_SC_PAGESIZE) / 1024;
  while ((e = readdir(d))) {
    pid_t pid = (pid_t)atoi(e->d_name);
    if (pid <= 1 || pid == self) continue;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) continue;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p) continue;
    /* Fields after ")": state(3) ... utime(14) stime(15) ... rss(24). */
    unsigned long long v[24] = {0};
    int field = 2;
    for (char *tok = strtok(p + 2, " "); tok && field < 24; tok = strtok(NULL, " ")) v[field++] = strtoull(tok, NULL, 10);
    *cpu_ticks += (long long)(v[13] + v[14]);
    long long rss_kb = (long long)v[23] * page_kb;
    int i = pid % PID_SLOTS;
    int known = seen[i].pid == pid;
    long long anon_kb = known ? rss_kb - seen[i].file_kb : rss_kb;
    if (anon_kb < 0) anon_kb = 0;
    if (all_smaps || !known || anon_kb > seen[i].anon_kb + SLACK_KB) {
      long long exact = smaps_anon_kb(pid);
      if (exact >= 0) {
        anon_kb = exact;
        if (!known) seen[i].file_max_kb = 0;
        seen[i].pid = pid;
        seen[i].anon_kb = exact;
        seen[i].file_kb = rss_kb > exact ? rss_kb - exact : 0;
        if (seen[i].file_kb > seen[i].file_max_kb) seen[i].file_max_kb = seen[i].file_kb;
      }
    }
    *mem_kb += anon_kb;
    /* Threads count toward the process limit, as RLIMIT_NPROC and the pids cgroup count them. */
    *count += v[19] > 0 ? (int)v[19] : 1;
  }
  closedir(d);
}

/* A process can grow and exit between two samples (a program that touches 100 MiB and exits at
   once). Its own ru_maxrss, less the largest file-backed share seen at its smaps reads (the last
   one may come from its exit, when its mappings are already gone), is then the best figure of its
   anonymous peak; a process never sampled (it lived under a millisecond) adds nothing, since its
   file-backed share is unknown. */
static long long reaped_anon_kb(pid_t pid, const struct rusage *ru) {
  int i = pid % PID_SLOTS;
  if (seen[i].pid != pid) return 0;
  long long kb = ru->ru_maxrss - seen[i].file_max_kb;
  return kb > 0 ? kb : 0;
}

static int cmd_run(int argc, char **argv) {
  if (argc < 11 || strcmp(argv[9], "--") != 0) {
    fprintf(stderr, "usage: jk-exec run CPU_MS WALL_MS MEM_BYTES FSIZE_BYTES NOFILE NPROC MILLICPUS -- ARGV...\n");
    return 120;
  }
  long long cpu_ms = atoll(argv[2]), wall_ms = atoll(argv[3]), mem_bytes = atoll(argv[4]);
  long long fsize = atoll(argv[5]), nofile = atoll(argv[6]), nproc = atoll(argv[7]), millicpus = atoll(argv[8]);
  char **prog = argv + 10;

  /* Not dumpable: same-user processes cannot ptrace us or read our memory (the nonce). */
  prctl(PR_SET_DUMPABLE, 0);
  /* Orphans of the program come back to us, so their CPU time is counted and they die with it. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  char header[128];
  if (read_field(0, header, sizeof header, '\n')) { fprintf(stderr, "jk-exec run: no header\n"); return 121; }
  char nonce[80];
  long long stdin_len = 0;
  int with_files = 0;
  if (sscanf(header, "%79s %lld %d", nonce, &stdin_len, &with_files) < 2) { fprintf(stderr, "jk-exec run: bad header\n"); return 121; }
  /* Files of a fresh sandbox come with its first step (one exec instead of two). */
  if (with_files) {
    int w = cmd_write(".");
    if (w != 0) return w;
  }

  int in_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) { perror("jk-exec run: pipe"); return 122; }
  int64_t start = now_us();
  pid_t child = fork();
  if (child < 0) { perror("jk-exec run: fork"); return 122; }
  if (child == 0) {
    dup2(in_pipe[0], 0);
    struct rlimit rl;
    /* No RLIMIT_CPU: gVisor's per-task CPU counters overcount under fork storms and would kill
       innocent processes; the watcher below enforces the CPU limit on the clamped total. */
    rl.rlim_cur = rl.rlim_max = (rlim_t)fsize;
    setrlimit(RLIMIT_FSIZE, &rl);
    rl.rlim_cur = rl.rlim_max = (rlim_t)nofile;
    setrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_CORE, &rl);
    /* Counted per user: init and this helper run as the same user, hence the +2. */
    rl.rlim_cur = rl.rlim_max = (rlim_t)(nproc + 2);
    setrlimit(RLIMIT_NPROC, &rl);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGXFSZ, SIG_DFL);
    execvp(prog[0], prog);
    int e = errno;
    (void)!write(err_pipe[1], &e, sizeof e);
    _exit(127);
  }
  close(in_pipe[0]);
  close(err_pipe[1]);
  signal(SIGPIPE, SIG_IGN);
  int to_child = in_pipe[1];
  fcntl(to_child, F_SETFL, O_NONBLOCK);
  long long stdin_left = stdin_len;
  static char buf[65536];
  size_t pend_off = 0, pend_len = 0;
  if (stdin_left == 0) { close(to_child); to_child = -1; }

  long long hz = sysconf(_SC_CLK_TCK);
  long long peak_kb = 0, last_cpu_ticks = 0;
  int peak_procs = 0;
  const char *limit = "none";
  int status = 0, main_done = 0, judge_gone = 0;
  pid_t self = getpid();
  int64_t deadline = start + wall_ms * 1000;
  int64_t end = 0;
  int64_t last_smaps = 0;

  while (!main_done) {
    struct pollfd fds[2];
    int nfds = 0;
    int want_in = (stdin_left > 0 && pend_len == 0) || stdin_left == 0;
    if (!judge_gone && want_in) { fds[nfds].fd = 0; fds[nfds].events = POLLIN; nfds++; }
    int out_idx = -1;
    if (to_child >= 0 && pend_len > 0) { out_idx = nfds; fds[nfds].fd = to_child; fds[nfds].events = POLLOUT; nfds++; }
    poll(fds, (nfds_t)nfds, 1);
    if (nfds > 0 && fds[0].fd == 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      if (stdin_left > 0) {
        size_t want = stdin_left > (long long)sizeof buf ? sizeof buf : (size_t)stdin_left;
        ssize_t r = read(0, buf, want);
        if (r > 0) { pend_off = 0; pend_len = (size_t)r; stdin_left -= r; }
        else if (r == 0) { judge_gone = 1; limit = "killed"; }
      } else {
        /* A byte (or EOF) after the program's stdin: the judge asks us to kill now. */
        ssize_t r = read(0, buf, 1);
        if (r >= 0) { judge_gone = 1; limit = "killed"; }
      }
    }
    if (to_child >= 0 && pend_len > 0 && (out_idx < 0 || fds[out_idx].revents)) {
      ssize_t w = write(to_child, buf + pend_off, pend_len);
      if (w > 0) { pend_off += (size_t)w; pend_len -= (size_t)w; }
      else if (w < 0 && errno == EPIPE) { pend_len = 0; stdin_left = 0; }
      if (pend_len == 0 && stdin_left == 0) { close(to_child); to_child = -1; }
    } else if (to_child >= 0 && pend_len == 0 && stdin_left == 0) {
      close(to_child);
      to_child = -1;
    }

    /* Reap: the program, and orphans re-parented to us. */
    for (;;) {
      int st;
      struct rusage pru;
      pid_t p = wait4(-1, &st, WNOHANG, &pru);
      if (p <= 0) break;
      long long kb = reaped_anon_kb(p, &pru);
      if (kb > peak_kb) peak_kb = kb;
      if (p == child) { status = st; main_done = 1; end = now_us(); }
    }
    if (main_done) break;

    long long cpu_ticks, rss_kb;
    int procs;
    int64_t t_sample = now_us();
    int all_smaps = t_sample - last_smaps >= SMAPS_US;
    if (all_smaps) last_smaps = t_sample;
    sample(self, all_smaps, &cpu_ticks, &rss_kb, &procs);
    if (!all_smaps && rss_kb * 1024 > mem_bytes) {
      /* Only exact readings kill. */
      last_smaps = t_sample;
      int procs_before = procs;
      sample(self, 1, &cpu_ticks, &rss_kb, &procs);
      if (procs_before > procs) procs = procs_before;
    }
    if (rss_kb > peak_kb) peak_kb = rss_kb;
    if (procs > peak_procs) peak_procs = procs;
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    long long reaped_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
    long long cpu_now_ms = reaped_ms + cpu_ticks * 1000 / hz;
    last_cpu_ticks = cpu_ticks;
    int64_t t = now_us();
    /* The container's CPU quota bounds real CPU time: gVisor's counters can overcount. */
    long long cpu_cap_ms = (t - start) / 1000 * millicpus / 1000 + 20;
    if (cpu_now_ms > cpu_cap_ms) cpu_now_ms = cpu_cap_ms;
    /* The first limit reached is the one reported. Reaching the process limit is only recorded:
       the kernel already refuses the fork, and the program may cope with that. */
    const char *hit = NULL;
    if (rss_kb * 1024 > mem_bytes) hit = "memory";
    else if (cpu_now_ms > cpu_ms) hit = "cpu";
    else if (t > deadline) hit = "wall";
    if (procs >= nproc && strcmp(limit, "none") == 0) limit = "processes";
    if (hit || judge_gone) {
      if (hit && strcmp(limit, "none") == 0) limit = hit;
      kill(-1, SIGKILL);
      kill(child, SIGKILL);
    }
  }
  (void)last_cpu_ticks;
  /* Nothing of the program outlives the step. A fork racing with kill(-1) can leave a new
     process alive, so kill again until nothing is left to reap. */
  for (int round = 0;; round++) {
    kill(-1, SIGKILL);
    pid_t p;
    struct rusage pru;
    while ((p = wait4(-1, NULL, WNOHANG, &pru)) > 0) {
      long long kb = reaped_anon_kb(p, &pru);
      if (kb > peak_kb) peak_kb = kb;
    }
    if (p < 0 && errno == ECHILD) break;
    struct timespec pause_ts = {0, round < 100 ? 1000000 : 10000000};
    nanosleep(&pause_ts, NULL);
  }
  int exec_errno = 0;
  if (read(err_pipe[0], &exec_errno, sizeof exec_errno) != sizeof exec_errno) exec_errno = 0;

  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  long long cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
  long long maxrss_kb = ru.ru_maxrss;
  if (end == 0) end = now_us();
  long long cpu_cap_us = (long long)(end - start) * millicpus / 1000 + 20000;
  if (cpu_us > cpu_cap_us) cpu_us = cpu_cap_us;
  if (strcmp(limit, "none") == 0 && WIFSIGNALED(status)) {
    if (WTERMSIG(status) == SIGXCPU || (WTERMSIG(status) == SIGKILL && cpu_us / 1000 >= cpu_ms)) limit = "cpu";
    else if (WTERMSIG(status) == SIGXFSZ) limit = "filesize";
  }
  fprintf(stderr, "\n\x1e%s exit=%d signal=%d cpu_us=%lld wall_us=%lld maxrss_kb=%lld peak_kb=%lld procs=%d limit=%s exec_errno=%d\n", nonce,
          WIFEXITED(status) ? WEXITSTATUS(status) : -1, WIFSIGNALED(status) ? WTERMSIG(status) : 0, cpu_us, (long long)(end - start), maxrss_kb,
          peak_kb, peak_procs, limit, exec_errno);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "init") == 0) {
    /* PID 1: ignore signals, reap whatever is re-parented here. */
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    for (;;) {
      if (waitpid(-1, NULL, 0) < 0) pause();
    }
  }
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return cmd_run(argc, argv);
  if (argc == 3 && strcmp(argv[1], "write") == 0) return cmd_write(argv[2]);
  if (argc == 5 && strcmp(argv[1], "read") == 0) return cmd_read(argv[2], argv[3], atoll(argv[4]));
  if (argc == 2 && strcmp(argv[1], "kill") == 0) {
    kill(-1, SIGKILL);
    return 0;
  }
  fprintf(stderr, "usage: jk-exec init|run|write|read|kill\n");
  return 120;
}
