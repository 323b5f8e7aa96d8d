/*
 * jk-exec: the per-exec helper baked into every judgekit image (static, no libc beyond itself).
 *
 *   jk-exec serve                     PID 1 of the container and the supervisor of every step,
 *                                     spoken to over the attach stream (protocol 2, see below).
 *   jk-exec init                      PID 1 of the container: reaps orphans, sleeps forever.
 *   jk-exec run CPU_MS WALL_MS MEM_BYTES FSIZE_BYTES NOFILE NPROC MILLICPUS -- ARGV...
 *                                     runs ARGV once with limits and reports what it used.
 *   jk-exec write DIR                 reads files from stdin (see below) and writes them under DIR.
 *   jk-exec read DIR PATH MAX_BYTES   copies DIR/PATH to stdout, never following a symbolic link.
 *   jk-exec kill                      kills every process of its user in the container.
 *
 * The commands below `serve` are protocol 1 (one `docker exec` per step, the helper running as the
 * program's own user); they stay for images used by older judges and go in a later release.
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
/* jk_now_us, jk_read_full, jk_write_full, jk_set_limit: shared with the nsjail runner's jk-jail
   (packages/runner-nsjail/native, passed with -I when this file is compiled: <> so that a copy
   next to this file, made for the Dockerfiles, never shadows the real one). */
#include <jk-common.h>

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
      if (jk_read_full(0, buf, n) || jk_write_full(fd, buf, n)) {
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
    if (jk_write_full(1, buf, (size_t)r)) return 5;
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

/* Sum of the Anonymous: lines of /proc/<pid>/smaps in kB, or -1 if it cannot be read; with
   rss_kb, the sum of its Rss: lines too. */
static long long smaps_kb(pid_t pid, long long *rss_kb) {
  static char buf[65536];
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/smaps", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long long kb = 0, rss = 0;
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
      else if (strncmp(line, "Rss:", 4) == 0) rss += strtoll(line + 4, NULL, 10);
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
    if (have == sizeof buf - 1) have = 0; /* a line longer than the buffer holds no field of ours */
  }
  close(fd);
  if (rss_kb) *rss_kb = rss;
  return kb;
}

static long long smaps_anon_kb(pid_t pid) { return smaps_kb(pid, NULL); }

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
  int64_t start = jk_now_us();
  pid_t child = fork();
  if (child < 0) { perror("jk-exec run: fork"); return 122; }
  if (child == 0) {
    dup2(in_pipe[0], 0);
    /* No RLIMIT_CPU: gVisor's per-task CPU counters overcount under fork storms and would kill
       innocent processes; the watcher below enforces the CPU limit on the clamped total. */
    jk_set_limit(RLIMIT_FSIZE, (unsigned long long)fsize);
    jk_set_limit(RLIMIT_NOFILE, (unsigned long long)nofile);
    jk_set_limit(RLIMIT_CORE, 0);
    /* Counted per user: init and this helper run as the same user, hence the +2. */
    jk_set_limit(RLIMIT_NPROC, (unsigned long long)(nproc + 2));
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
      if (p == child) { status = st; main_done = 1; end = jk_now_us(); }
    }
    if (main_done) break;

    long long cpu_ticks, rss_kb;
    int procs;
    int64_t t_sample = jk_now_us();
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
    int64_t t = jk_now_us();
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
  if (end == 0) end = jk_now_us();
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

/* ===================================================================================== *
 * Protocol 2: `jk-exec serve`, PID 1 of the container and the supervisor of every step. *
 * ===================================================================================== *
 *
 * One long-lived process per container, spoken to over the container's attach stream, so a
 * step costs no `docker exec`. It runs as root inside gVisor (capabilities SETUID, SETGID, KILL,
 * SETPCAP, DAC_READ_SEARCH, and SYS_ADMIN until the box's storage is mounted; no new
 * privileges); every program, and every file write or
 * read done for the judge, runs as uid/gid 65534 with no capabilities at all. A different uid is
 * what keeps the program away from its supervisor: it cannot open /proc/1/fd/N, signal, prlimit
 * or ptrace it (gVisor applies the same permission checks as Linux).
 *
 * Each step runs in cgroups of its own inside gVisor's cgroupfs (memory, cpuacct, pids):
 *   memory.usage_in_bytes counts every page the step makes resident (anonymous, MAP_SHARED,
 *   memfd, files in a tmpfs, /dev/shm); cpuacct.usage keeps the CPU time of processes that
 *   already exited; pids.max is enforced by gVisor. gVisor does not enforce memory.limit_in_bytes,
 *   so the supervisor samples the counters every millisecond and kills the step at a limit.
 *
 * The program's stdout and stderr are pipes to the supervisor, which frames them: the program
 * has no way to write into the judge's channel, so no message of the judge can be forged.
 *
 * Judge -> supervisor (stdin), one op at a time, each a text line then its payload:
 *   P                                  ping; answered by an H frame "jk-exec 2"
 *   S DISK_BYTES                       mount the box's storage (see box_setup); answered by A
 *   W LEN + LEN bytes of records       write files under /work (records as for `write`)
 *   G MAX_BYTES PATH_LEN + PATH        read /work/PATH, at most MAX_BYTES, never through a link
 *   R CPU_MS WALL_MS MEM FSIZE NOFILE NPROC MILLICPUS OUT_BYTES DISK_BYTES DISK_INODES
 *     NENV NARGV ARGS_LEN STDIN_LEN + ARGS_LEN bytes (NENV "K=V\0", NARGV "ARG\0") + STDIN_LEN bytes
 *                                      run one step; any byte after its stdin means "kill now"
 *   X CPU_MS ... ARGS_LEN COLS ROWS + ARGS_LEN bytes
 *                                      run one live step (a session, one side of an interactive
 *                                      problem): as R, but its stdin, signals, resizes and flow
 *                                      control come as messages while it runs (see spawn_feed);
 *                                      COLS and ROWS > 0: on a new pseudo-terminal of that size
 * Supervisor -> judge (stdout): frames of 1 type byte, 4 bytes big-endian length, payload:
 *   H hello, O stdout bytes, E stderr bytes, D file bytes, A "CODE MESSAGE" (end of W and G),
 *   B the live step runs (exec'd), w "COUNT" stdin bytes written to it,
 *   R the report of a step, "key=value ...".
 * An image older than op X answers it with A 120 (unknown op): the judge says to rebuild.
 */
#include <grp.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>

#define PROG_ID 65534
#define CG_ROOT "/sys/fs/cgroup"
static const char *const cg_ctrls[] = {"memory", "cpuacct", "pids"};
#define N_CTRLS 3
static const char *const box_mounts[] = {"/work", "/tmp"};
#define N_MOUNTS 2
/* Set once the box's storage (one tmpfs for both) is mounted: see box_setup. */
static int box_ready;

static char in_buf[1 << 16];
static size_t in_off, in_len;

/* Blocks for at least one byte from the judge; -1 at EOF. */
static int in_fill(void) {
  if (in_off < in_len) return 0;
  in_off = in_len = 0;
  for (;;) {
    ssize_t r = read(0, in_buf, sizeof in_buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    in_len = (size_t)r;
    return 0;
  }
}

static int in_read(void *dst, size_t n) {
  char *d = dst;
  while (n > 0) {
    if (in_fill()) return -1;
    size_t k = in_len - in_off < n ? in_len - in_off : n;
    memcpy(d, in_buf + in_off, k);
    in_off += k;
    d += k;
    n -= k;
  }
  return 0;
}

static int in_line(char *dst, size_t cap) {
  size_t i = 0;
  for (;;) {
    if (in_fill()) return -1;
    char c = in_buf[in_off++];
    if (c == '\n') break;
    if (i + 1 < cap) dst[i++] = c;
  }
  dst[i] = 0;
  return 0;
}

static void frame(char type, const void *data, size_t len) {
  unsigned char h[5] = {(unsigned char)type, (unsigned char)(len >> 24), (unsigned char)(len >> 16), (unsigned char)(len >> 8), (unsigned char)len};
  if (jk_write_full(1, h, 5) || (len && jk_write_full(1, data, len))) _exit(125); /* the judge is gone */
}

static void answer(int code, const char *message) {
  char buf[1200];
  int n = snprintf(buf, sizeof buf, "%d %s", code, message);
  frame('A', buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
}

/* In a child: no capabilities left, not even in the bounding set, then uid and gid 65534. */
static int become_program(void) {
  for (int cap = 0; cap < 64; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL) break;
  if (setgroups(0, NULL) || setresgid(PROG_ID, PROG_ID, PROG_ID) || setresuid(PROG_ID, PROG_ID, PROG_ID)) return -1;
  if (getuid() != PROG_ID || geteuid() != PROG_ID) return -1;
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return 0;
}

/* One NUL-ended field of a memory buffer. */
static int mem_field(const char **p, const char *end, char *out, size_t cap) {
  const char *nul = memchr(*p, 0, (size_t)(end - *p));
  if (!nul || (size_t)(nul - *p) >= cap) return -1;
  memcpy(out, *p, (size_t)(nul - *p) + 1);
  *p = nul + 1;
  return 0;
}

/* Writes file records held in memory under root; returns jk-exec write's exit codes. */
static int write_records(int root, const char *p, const char *end, char *msg, size_t cap) {
  char path[4096], mode_s[16], size_s[32];
  while (p < end) {
    if (*p == 0) return 0; /* an empty path ends the records */
    if (mem_field(&p, end, path, sizeof path) || mem_field(&p, end, mode_s, sizeof mode_s) || mem_field(&p, end, size_s, sizeof size_s)) {
      snprintf(msg, cap, "malformed record");
      return 11;
    }
    long long size = atoll(size_s);
    if (size < 0 || size > end - p) {
      snprintf(msg, cap, "%s: record shorter than its size", path);
      return 11;
    }
    const char *leaf;
    int dir = open_parent(root, path, 1, &leaf);
    if (dir < 0) {
      snprintf(msg, cap, "%s: %s", path, strerror(errno));
      return errno == ELOOP || errno == ENOTDIR ? 14 : 12;
    }
    int fd = openat_nolink(dir, leaf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    close(dir);
    if (fd < 0) {
      snprintf(msg, cap, "%s: %s", path, strerror(errno));
      return errno == ELOOP || errno == EISDIR ? 14 : 12;
    }
    if (jk_write_full(fd, p, (size_t)size)) {
      snprintf(msg, cap, "%s: %s", path, strerror(errno));
      close(fd);
      return 13;
    }
    p += size;
    fchmod(fd, (mode_t)strtol(mode_s, NULL, 8) & 07777);
    close(fd);
  }
  return 0;
}

/* Runs fn as uid 65534 in a child; its message comes back through a pipe. */
static int as_program(int (*fn)(void *, char *, size_t), void *arg, char *msg, size_t cap) {
  int mp[2];
  if (pipe2(mp, O_CLOEXEC)) { snprintf(msg, cap, "pipe: %s", strerror(errno)); return 12; }
  pid_t pid = fork();
  if (pid < 0) { snprintf(msg, cap, "fork: %s", strerror(errno)); close(mp[0]); close(mp[1]); return 12; }
  if (pid == 0) {
    char m[1024] = "";
    int code = become_program() ? 15 : fn(arg, m, sizeof m);
    if (code == 15) snprintf(m, sizeof m, "cannot become uid %d: %s", PROG_ID, strerror(errno));
    (void)!write(mp[1], m, strlen(m));
    _exit(code);
  }
  close(mp[1]);
  ssize_t n = read(mp[0], msg, cap - 1);
  msg[n > 0 ? n : 0] = 0;
  close(mp[0]);
  int st;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) ? WEXITSTATUS(st) : 12;
}

struct write_job { const char *p, *end; };
static int do_write(void *arg, char *msg, size_t cap) {
  struct write_job *job = arg;
  int root = open("/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) { snprintf(msg, cap, "open /work: %s", strerror(errno)); return 10; }
  return write_records(root, job->p, job->end, msg, cap);
}

static void op_write(long long len) {
  char *buf = len > 0 ? malloc((size_t)len) : NULL;
  if (len > 0 && !buf) _exit(124); /* the stream would be out of step: the judge sees the container end */
  if (len > 0 && in_read(buf, (size_t)len)) _exit(0);
  struct write_job job = {buf, buf + len};
  char msg[1024] = "";
  int code = as_program(do_write, &job, msg, sizeof msg);
  free(buf);
  answer(code, msg);
}

struct read_job { char *path; long long max; int out; };
static int do_read(void *arg, char *msg, size_t cap) {
  struct read_job *job = arg;
  int root = open("/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) { snprintf(msg, cap, "open /work: %s", strerror(errno)); return 10; }
  const char *leaf;
  int dir = open_parent(root, job->path, 0, &leaf);
  if (dir < 0) { snprintf(msg, cap, "link-or-missing: %s", strerror(errno)); return errno == ELOOP || errno == ENOTDIR ? 2 : 4; }
  int fd = openat_nolink(dir, leaf, O_RDONLY | O_NONBLOCK, 0);
  close(dir);
  if (fd < 0) { snprintf(msg, cap, "open: %s", strerror(errno)); return errno == ELOOP ? 2 : 4; }
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) { snprintf(msg, cap, "not a regular file"); return 2; }
  if (st.st_size > job->max) { snprintf(msg, cap, "too large: %lld", (long long)st.st_size); return 3; }
  static char buf[65536];
  long long total = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) { snprintf(msg, cap, "read: %s", strerror(errno)); return 4; }
    if (r == 0) break;
    total += r;
    if (total > job->max) { snprintf(msg, cap, "too large"); return 3; }
    if (jk_write_full(job->out, buf, (size_t)r)) return 5;
  }
  return 0;
}

static void op_read(long long max, long long path_len) {
  char path[4096];
  if (path_len < 0 || path_len >= (long long)sizeof path) { answer(2, "path too long"); return; }
  if (in_read(path, (size_t)path_len)) _exit(0);
  path[path_len] = 0;
  int dp[2];
  if (pipe2(dp, O_CLOEXEC)) { answer(12, strerror(errno)); return; }
  /* The child writes the file into a pipe; this process relays it as D frames meanwhile. */
  pid_t pid = fork();
  if (pid == 0) {
    close(dp[0]);
    struct read_job job = {path, max, dp[1]};
    char msg[1024] = "";
    int code = become_program() ? 15 : do_read(&job, msg, sizeof msg);
    close(dp[1]);
    /* The message follows the data on a second channel: the exit code, and stderr is unused. */
    (void)msg;
    _exit(code);
  }
  close(dp[1]);
  static char buf[65536];
  for (;;) {
    ssize_t r = read(dp[0], buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    frame('D', buf, (size_t)r);
  }
  close(dp[0]);
  int st = 0;
  while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  int code = pid < 0 ? 12 : WIFEXITED(st) ? WEXITSTATUS(st) : 12;
  answer(code, code == 0 ? "ok" : code == 2 ? "a link, or not a regular file" : code == 3 ? "too large" : code == 4 ? "missing" : "failed");
}


/* The box's storage: one tmpfs of DISK_BYTES for the work directory and /tmp together, mounted
   at the first op that knows the submission's limit (gVisor's tmpfs enforces size=, so a write
   past it fails with ENOSPC; it neither enforces nr_inodes nor resizes on remount, so inodes and
   a later, smaller limit are enforced by sampling). Files written there are memory inside
   gVisor: they count toward the container's memory cap, never touch the host's disk. After it,
   the supervisor gives up CAP_SYS_ADMIN. */
#define BOX_ROOT "/run/jk"

static void drop_sys_admin(void) {
  struct { uint32_t version; int pid; } head = {0x20080522, 0};
  struct { uint32_t effective, permitted, inheritable; } data[2];
  if (syscall(SYS_capget, &head, data)) return;
  data[0].effective &= ~(1u << 21);
  data[0].permitted &= ~(1u << 21);
  data[0].inheritable = data[1].inheritable = 0;
  syscall(SYS_capset, &head, data);
}

static int box_setup(long long disk_bytes, char *msg, size_t cap) {
  char opts[64];
  if (disk_bytes < 65536) disk_bytes = 65536;
  snprintf(opts, sizeof opts, "size=%lld,mode=0700", disk_bytes);
  if (mkdir(BOX_ROOT, 0700) && errno != EEXIST) { snprintf(msg, cap, "mkdir " BOX_ROOT ": %s", strerror(errno)); return 16; }
  if (mount("none", BOX_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, opts)) { snprintf(msg, cap, "mount tmpfs: %s", strerror(errno)); return 16; }
  if (mkdir(BOX_ROOT "/work", 01777) || mkdir(BOX_ROOT "/tmp", 01777) || chmod(BOX_ROOT "/work", 01777) || chmod(BOX_ROOT "/tmp", 01777)) {
    snprintf(msg, cap, "mkdir: %s", strerror(errno));
    return 16;
  }
  if (mount(BOX_ROOT "/work", "/work", NULL, MS_BIND, NULL) || mount(BOX_ROOT "/tmp", "/tmp", NULL, MS_BIND, NULL)) {
    snprintf(msg, cap, "bind: %s", strerror(errno));
    return 16;
  }
  snprintf(msg, cap, "%s", opts);
  return 0;
}

static void op_setup(long long disk_bytes) {
  char msg[256] = "";
  int code = box_ready ? 17 : box_setup(disk_bytes, msg, sizeof msg);
  if (code == 17) snprintf(msg, sizeof msg, "already set up");
  box_ready = 1;
  drop_sys_admin();
  answer(code, msg);
}

/* ---- steps ---- */

static long long read_ll(int fd) {
  char b[64];
  ssize_t n = pread(fd, b, sizeof b - 1, 0);
  if (n <= 0) return -1;
  b[n] = 0;
  return strtoll(b, NULL, 10);
}

static int write_file_str(const char *path, const char *value) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int r = jk_write_full(fd, value, strlen(value));
  close(fd);
  return r;
}

/* Files, folders and links under the box's mounts, counted up to limit + 1 (not further). A
   tree deeper than 200 levels counts as over the limit: the walk keeps one descriptor a level. */
static long long count_entries(int dfd, long long count, long long limit, int depth) {
  DIR *d = fdopendir(dfd);
  if (!d) { close(dfd); return count; }
  struct dirent *e;
  while (count <= limit && (e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    count++;
    int is_dir = e->d_type == DT_DIR;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st;
      is_dir = fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    if (!is_dir) continue;
    if (depth >= 200) { count = limit + 1; break; }
    int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub >= 0) count = count_entries(sub, count, limit, depth + 1);
  }
  closedir(d);
  return count;
}

static long long box_inodes(long long limit) {
  long long count = 0;
  for (int i = 0; i < N_MOUNTS && count <= limit; i++) {
    int fd = open(box_mounts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) count = count_entries(fd, count, limit, 0);
  }
  return count;
}

/* Bytes held by the box's mounts; *full is set when one of them has no block left. */
static long long box_bytes(int *full) {
  long long used = 0;
  *full = 0;
  /* Once set up, the work directory and /tmp are one file system. */
  for (int i = 0; i < (box_ready ? 1 : N_MOUNTS); i++) {
    struct statfs s;
    if (statfs(box_ready ? "/run/jk" : box_mounts[i], &s)) continue;
    used += (long long)(s.f_blocks - s.f_bfree) * (long long)s.f_bsize;
    if (s.f_blocks > 0 && s.f_bfree == 0) *full = 1;
  }
  return used;
}


/* gVisor charges a step's cgroup for the pages of the image's own files its processes map (the
   JVM's libjvm.so and class archive, node's binary): those are the runtime's, not the program's
   memory, and the same limit must mean the same thing in every language. So the clean,
   file-backed resident pages of mappings of files outside the box (not /work, /tmp, /dev/shm,
   not memfds or deleted files) are subtracted, read from every process's smaps: each file counts
   once, at the most any process has of it, so many processes mapping one library cannot hide
   memory of their own. Anonymous copies inside file mappings (relocations, .data) still count. */
#define FILE_SLOTS 2048
static struct { unsigned long long key; long long kb; } file_seen[FILE_SLOTS];

static int box_path(const char *path) {
  return strncmp(path, "/work", 5) == 0 || strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/tmp", 4) == 0 || strncmp(path, "/dev/shm", 8) == 0 ||
         strncmp(path, "/run/jk", 7) == 0 || strncmp(path, "/memfd:", 7) == 0 || strstr(path, "(deleted)") != NULL;
}

/* Returns whether the process has any mapping: one with none is exiting (its memory is being
   released, which gVisor's cgroup figure shows only later) or a zombie. */
static int smaps_files(pid_t pid) {
  static char buf[1 << 16];
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/smaps", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  unsigned long long key = 0;
  long long rss = 0, anon = 0;
  int counted = 0, mappings = 0;
  size_t have = 0;
  for (int eof = 0; !eof;) {
    ssize_t r = read(fd, buf + have, sizeof buf - 1 - have);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) { eof = 1; r = 0; }
    have += (size_t)r;
    buf[have] = 0;
    char *line = buf, *nl;
    while ((nl = strchr(line, '\n')) || (eof && *line)) {
      if (nl) *nl = 0;
      unsigned long long lo, hi, off, ino;
      unsigned maj, mnr;
      char perms[8];
      int consumed = 0;
      if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &lo, &hi, perms, &off, &maj, &mnr, &ino, &consumed) >= 7) {
        if (counted && rss > anon) {
          unsigned i = (unsigned)(key % FILE_SLOTS);
          while (file_seen[i].key && file_seen[i].key != key) i = (i + 1) % FILE_SLOTS;
          file_seen[i].key = key;
          if (rss - anon > file_seen[i].kb) file_seen[i].kb = rss - anon;
        }
        mappings++;
        const char *name = line + consumed;
        counted = ino != 0 && name[0] == '/' && !box_path(name);
        key = ((unsigned long long)maj << 56) ^ ((unsigned long long)mnr << 40) ^ ino;
        if (!key) key = 1;
        rss = anon = 0;
      } else if (strncmp(line, "Rss:", 4) == 0) rss = strtoll(line + 4, NULL, 10);
      else if (strncmp(line, "Anonymous:", 10) == 0) anon = strtoll(line + 10, NULL, 10);
      if (!nl) { line += strlen(line); break; }
      line = nl + 1;
    }
    have = (size_t)(buf + have - line);
    memmove(buf, line, have);
    if (have == sizeof buf - 1) have = 0;
  }
  if (counted && rss > anon) {
    unsigned i = (unsigned)(key % FILE_SLOTS);
    while (file_seen[i].key && file_seen[i].key != key) i = (i + 1) % FILE_SLOTS;
    file_seen[i].key = key;
    if (rss - anon > file_seen[i].kb) file_seen[i].kb = rss - anon;
  }
  close(fd);
  return mappings > 0;
}

/* Bytes of the image's files resident for the step's processes now (see above), or -1 when the
   main process has no mapping left: it is exiting, its files are no longer in its smaps but
   their pages are still in the cgroup's figure for a while, so this moment says nothing. */
static long long runtime_file_bytes(const char *procs_path, pid_t main_pid) {
  static char buf[65536];
  memset(file_seen, 0, sizeof file_seen);
  int fd = open(procs_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  char *save = NULL;
  int main_gone = 0;
  for (char *tok = strtok_r(buf, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
    pid_t pid = (pid_t)atoi(tok);
    if (!smaps_files(pid) && pid == main_pid) main_gone = 1;
  }
  if (main_gone) return -1;
  long long kb = 0;
  for (int i = 0; i < FILE_SLOTS; i++) kb += file_seen[i].kb;
  return kb * 1024;
}

static struct {
  pid_t child;
  int status, main_done;
  int64_t end;
  /* The main process's own peak resident size (its rusage at reaping), in kB. */
  long long maxrss_kb;
} step;

static void reap(void) {
  int st;
  pid_t p;
  struct rusage ru;
  while ((p = wait4(-1, &st, WNOHANG, &ru)) > 0) {
    if (p == step.child && !step.main_done) {
      step.status = st;
      step.main_done = 1;
      step.end = jk_now_us();
      step.maxrss_kb = ru.ru_maxrss;
    }
  }
}

/* Resident size of one process from /proc/<pid>/stat (field 24), in kB; -1 when it is gone. */
static long long stat_rss_kb(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return -1;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return -1;
  /* After ")": state is field 3, rss field 24. */
  int field = 2;
  char *save = NULL;
  for (char *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
    if (++field == 24) return strtoll(tok, NULL, 10) * (sysconf(_SC_PAGESIZE) / 1024);
  }
  return -1;
}

/* Kills every process of the step's cgroup until none is left (a fork can race a kill). */
static void kill_step(const char *procs_path) {
  static char buf[65536];
  for (int round = 0; round < 5000; round++) {
    int fd = open(procs_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    int any = 0;
    for (char *tok = strtok(buf, "\n"); tok; tok = strtok(NULL, "\n")) {
      pid_t pid = (pid_t)atoi(tok);
      if (pid > 1) { kill(pid, SIGKILL); any = 1; }
    }
    reap();
    if (!any) return;
    struct timespec ts = {0, round < 100 ? 200000 : 2000000};
    nanosleep(&ts, NULL);
  }
}

static unsigned step_seq;

/* A spawned step (op X) hears from the judge while it runs, in frames like the supervisor's own
   (1 type byte, 4 bytes big-endian length, payload):
     I stdin bytes    C close stdin (pipes)    Z "COLS ROWS" resize    S "SIGNUM" signal
     K kill now       P stop reading the program's output    Q read it again
     F the judge has the report: the op is over (sent once, after R)
   The judge keeps at most a window of stdin bytes unacknowledged: each write to the program is
   acknowledged by a `w` frame ("COUNT"), so the buffer below never holds more than that window. */
#define IBUF_CAP (1 << 20)
static struct {
  unsigned char head[5];
  int head_have;
  char type;
  size_t len, got;
  char small[64];
} jmsg;
static char ibuf[IBUF_CAP];
static size_t ibuf_off, ibuf_len;
struct spawn_ctl {
  int kill_asked, close_in, paused, finished, master;
  const char *procs_path;
};

/* Sends a signal to every process of the step (by its cgroup). */
static void signal_step(const char *procs_path, int sig) {
  static char buf[65536];
  int fd = open(procs_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = 0;
  char *save = NULL;
  for (char *tok = strtok_r(buf, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
    pid_t pid = (pid_t)atoi(tok);
    if (pid > 1) kill(pid, sig);
  }
}

static void spawn_message(struct spawn_ctl *c) {
  jmsg.small[jmsg.got < sizeof jmsg.small ? jmsg.got : sizeof jmsg.small - 1] = 0;
  switch (jmsg.type) {
    case 'C': c->close_in = 1; break;
    case 'K': c->kill_asked = 1; break;
    case 'P': c->paused = 1; break;
    case 'Q': c->paused = 0; break;
    case 'F': c->finished = 1; break;
    case 'S': {
      int sig = atoi(jmsg.small);
      if (sig > 0 && sig < NSIG && sig != SIGKILL) signal_step(c->procs_path, sig);
      if (sig == SIGKILL) c->kill_asked = 1;
      break;
    }
    case 'Z': {
      int cols = 0, rows = 0;
      if (c->master >= 0 && sscanf(jmsg.small, "%d %d", &cols, &rows) == 2 && cols > 0 && rows > 0) {
        struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
        ioctl(c->master, TIOCSWINSZ, &ws);
        /* gVisor's terminal takes the size without signalling it (Linux sends SIGWINCH to the
           foreground process group): it is sent here, to that group, or to the whole step when
           the group is unknown. */
        pid_t group = -1;
        if (ioctl(c->master, TIOCGPGRP, &group) == 0 && group > 1) kill(-group, SIGWINCH);
        else signal_step(c->procs_path, SIGWINCH);
      }
      break;
    }
    default: break;
  }
}

/* Feeds bytes from the judge to the message parser: stdin goes to ibuf, the rest is acted on.
   Returns how many it took: it stops right after F, the rest being the next op's. */
static size_t spawn_feed(const char *data, size_t n, struct spawn_ctl *c) {
  size_t total = n;
  while (n > 0 && !c->finished) {
    if (jmsg.head_have < 5) {
      jmsg.head[jmsg.head_have++] = (unsigned char)*data++;
      n--;
      if (jmsg.head_have == 5) {
        jmsg.type = (char)jmsg.head[0];
        jmsg.len = ((size_t)jmsg.head[1] << 24) | ((size_t)jmsg.head[2] << 16) | ((size_t)jmsg.head[3] << 8) | jmsg.head[4];
        jmsg.got = 0;
        if (jmsg.len == 0) {
          spawn_message(c);
          jmsg.head_have = 0;
        }
      }
      continue;
    }
    size_t k = jmsg.len - jmsg.got < n ? jmsg.len - jmsg.got : n;
    if (jmsg.type == 'I') {
      if (ibuf_off > 0 && ibuf_len + k > IBUF_CAP) {
        memmove(ibuf, ibuf + ibuf_off, ibuf_len - ibuf_off);
        ibuf_len -= ibuf_off;
        ibuf_off = 0;
      }
      /* Past the window the judge keeps to, bytes are dropped (a judge bug, never the program's). */
      size_t room = IBUF_CAP - ibuf_len, take = k < room ? k : room;
      memcpy(ibuf + ibuf_len, data, take);
      ibuf_len += take;
    } else {
      for (size_t i = 0; i < k; i++)
        if (jmsg.got + i < sizeof jmsg.small - 1) jmsg.small[jmsg.got + i] = data[i];
    }
    jmsg.got += k;
    data += k;
    n -= k;
    if (jmsg.got == jmsg.len) {
      if (jmsg.type != 'I') spawn_message(c);
      jmsg.head_have = 0;
    }
  }
  return total - n;
}

/* Runs one step: op R (stdin given whole, `spawn` 0) or op X (`spawn` 1: stdin, signals, resizes
   and flow control come as messages while it runs; with COLS > 0, on a fresh pseudo-terminal). */
static void op_run(long long *v, int spawn) {
  long long cpu_ms = v[0], wall_ms = v[1], mem_bytes = v[2], fsize = v[3], nofile = v[4], nproc = v[5], millicpus = v[6];
  long long out_bytes = v[7], disk_bytes = v[8], disk_inodes = v[9], nenv = v[10], nargv = v[11], args_len = v[12];
  long long stdin_len = spawn ? 0 : v[13], cols = spawn ? v[13] : 0, rows = spawn ? v[14] : 0;
  int tty = spawn && cols > 0 && rows > 0;
  struct spawn_ctl ctl = {0, 0, 0, 0, -1, NULL};
  memset(&jmsg, 0, sizeof jmsg);
  ibuf_off = ibuf_len = 0;
  char *args = malloc((size_t)args_len + 1);
  if (!args || args_len < 0 || nenv < 0 || nargv < 1 || nenv + nargv > 100000) _exit(121);
  if (in_read(args, (size_t)args_len)) _exit(0);
  args[args_len] = 0;
  char **env = calloc((size_t)nenv + 1, sizeof *env), **argv = calloc((size_t)nargv + 1, sizeof *argv);
  char *p = args, *end = args + args_len;
  for (long long i = 0; i < nenv + nargv; i++) {
    if (p >= end) _exit(121);
    if (i < nenv) env[i] = p; else argv[i - nenv] = p;
    p += strlen(p) + 1;
  }

  /* The step's own cgroups. */
  char cg[N_CTRLS][128], path[512], val[32];
  int to_child = -1, from_out = -1, from_err = -1;
  const char *error = NULL;
  int err = 0;
  unsigned seq = ++step_seq;
  for (int i = 0; i < N_CTRLS; i++) {
    snprintf(cg[i], sizeof cg[i], CG_ROOT "/%s/jk-step-%u", cg_ctrls[i], seq);
    if (mkdir(cg[i], 0700) && errno != EEXIST && !error) { error = "cgroup"; err = errno; }
  }
  snprintf(path, sizeof path, "%s/pids.max", cg[2]);
  snprintf(val, sizeof val, "%lld", nproc);
  if (!error && write_file_str(path, val)) { error = "pids.max"; err = errno; }
  int fd_mem = -1, fd_cpu = -1, fd_pids = -1;
  if (!error) {
    snprintf(path, sizeof path, "%s/memory.usage_in_bytes", cg[0]);
    fd_mem = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof path, "%s/cpuacct.usage", cg[1]);
    fd_cpu = open(path, O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof path, "%s/pids.current", cg[2]);
    fd_pids = open(path, O_RDONLY | O_CLOEXEC);
    if (fd_mem < 0 || fd_cpu < 0 || fd_pids < 0) { error = "cgroup files"; err = errno; }
  }
  char procs_path[512];
  snprintf(procs_path, sizeof procs_path, "%s/cgroup.procs", cg[2]);
  ctl.procs_path = procs_path;

  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
  if (!error && (pipe2(exec_pipe, O_CLOEXEC) ||
                 (!tty && (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC))))) {
    error = "pipe";
    err = errno;
  }
  /* A terminal of its own for the step: the program's stdin, stdout and stderr are its replica
     and its controlling terminal; the master stays here. Nothing else in the container is a
     terminal, so whatever the program does to it (TIOCSTI included) reaches only itself. */
  char replica[128] = "";
  if (!error && tty) {
    ctl.master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct winsize ws = {(unsigned short)rows, (unsigned short)cols, 0, 0};
    if (ctl.master < 0 || grantpt(ctl.master) || unlockpt(ctl.master) || ptsname_r(ctl.master, replica, sizeof replica) ||
        ioctl(ctl.master, TIOCSWINSZ, &ws)) {
      error = "pty";
      err = errno;
    }
  }
  char *sbuf = stdin_len > 0 ? malloc((size_t)stdin_len) : NULL;
  if (stdin_len > 0 && !sbuf && !error) { error = "stdin buffer"; err = ENOMEM; }
  memset(&step, 0, sizeof step);
  int64_t start = jk_now_us();
  if (!error) {
    step.child = fork();
    if (step.child < 0) { error = "fork"; err = errno; }
  }
  if (!error && step.child == 0) {
    int stage = 0;
    char pid_s[32];
    snprintf(pid_s, sizeof pid_s, "%d\n", getpid());
    for (int i = 0; i < N_CTRLS; i++) {
      snprintf(path, sizeof path, "%s/cgroup.procs", cg[i]);
      if (write_file_str(path, pid_s)) goto failed;
    }
    stage = 1;
    jk_set_limit(RLIMIT_FSIZE, (unsigned long long)fsize);
    jk_set_limit(RLIMIT_NOFILE, (unsigned long long)nofile);
    jk_set_limit(RLIMIT_CORE, 0);
    /* The program's uid runs nothing else: its process count is the step's. */
    jk_set_limit(RLIMIT_NPROC, (unsigned long long)nproc);
    if (tty) {
      /* A new session led by the program, the replica its controlling terminal. */
      if (setsid() < 0) goto failed;
      int t = open(replica, O_RDWR);
      if (t < 0 || ioctl(t, TIOCSCTTY, 0) || dup2(t, 0) < 0 || dup2(t, 1) < 0 || dup2(t, 2) < 0) goto failed;
      if (t > 2) close(t);
    } else if (dup2(in_pipe[0], 0) < 0 || dup2(out_pipe[1], 1) < 0 || dup2(err_pipe[1], 2) < 0) {
      goto failed;
    }
    if (chdir("/work")) goto failed;
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    if (become_program()) goto failed;
    stage = 2;
    environ = env;
    execvp(argv[0], argv);
  failed:;
    int report[2] = {stage, errno};
    (void)!write(exec_pipe[1], report, sizeof report);
    _exit(127);
  }
  if (error) {
    char r[256];
    int n = snprintf(r, sizeof r, "error=%s errno=%d", error, err);
    frame('R', r, (size_t)n);
    /* Its stdin still comes: consume it so the stream stays in step. */
    for (long long left = stdin_len; left > 0;) {
      static char skip[65536];
      size_t k = left > (long long)sizeof skip ? sizeof skip : (size_t)left;
      if (in_read(skip, k)) _exit(0);
      left -= (long long)k;
    }
    goto cleanup;
  }
  close(exec_pipe[1]);
  exec_pipe[1] = -1;
  if (tty) {
    to_child = fcntl(ctl.master, F_DUPFD_CLOEXEC, 0);
    from_out = fcntl(ctl.master, F_DUPFD_CLOEXEC, 0);
  } else {
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    in_pipe[0] = out_pipe[1] = err_pipe[1] = -1;
    to_child = in_pipe[1];
    from_out = out_pipe[0];
    from_err = err_pipe[0];
    in_pipe[1] = out_pipe[0] = err_pipe[0] = -1;
  }
  fcntl(to_child, F_SETFL, O_NONBLOCK);
  fcntl(from_out, F_SETFL, O_NONBLOCK);
  if (from_err >= 0) fcntl(from_err, F_SETFL, O_NONBLOCK);
  int report[2] = {0, 0}, have_report = 0;
  if (spawn) {
    /* Started means exec'd: the exec pipe closes on exec, or brings the failure. */
    ssize_t got;
    while ((got = read(exec_pipe[0], report, sizeof report)) < 0 && errno == EINTR) {}
    have_report = 1;
    if (got != sizeof report) {
      report[0] = report[1] = 0;
      frame('B', "", 0);
    }
  }

  /* Stdin: what the judge already sent sits in in_buf; the rest comes while the step runs. */
  long long s_have = 0, s_sent = 0;
  if (spawn) {
    /* Messages the judge sent right behind the op's header. */
    in_off += spawn_feed(in_buf + in_off, in_len - in_off, &ctl);
  } else if (stdin_len > 0) {
    size_t k = in_len - in_off < (size_t)stdin_len ? in_len - in_off : (size_t)stdin_len;
    memcpy(sbuf, in_buf + in_off, k);
    in_off += k;
    s_have = (long long)k;
  } else {
    close(to_child);
    to_child = -1;
  }
  int kill_asked = spawn ? ctl.kill_asked : in_off < in_len; /* R: a byte after the stdin means kill now */
  in_off = in_len = 0;
  int judge_gone = 0, quiet = 0;
  long long acked = 0;

  const char *limit = "none";
  long long peak = 0, cpu_ns = 0, out_total = 0, inodes = 0, disk_used = 0, main_shared_kb = -1, main_smaps_rss = 0;
  int64_t main_smaps_at = -1, main_smaps_took = 0;
  int files_unsettled = 0;
  int out_trunc = 0, err_trunc = 0, peak_procs = 0, disk_full = 0, killed = 0;
  int64_t deadline = start + wall_ms * 1000, last_sample = 0, next_walk = 0, last_files = 0;
  long long files_bytes = 0;
  int64_t files_every = 10000, files_took = 0;
  static char buf[65536];
  while (!step.main_done || from_out >= 0 || from_err >= 0) {
    struct pollfd fds[4];
    int nfds = 0, i_in = -1, i_out = -1, i_err = -1, i_child = -1;
    /* Paused output is left in the program's pipe or terminal (it blocks once that fills); not
       once the step is being killed, when whatever is left is read and the step ends. */
    int reading = !(spawn && ctl.paused && !killed);
    int in_pending = spawn ? ibuf_len > ibuf_off : s_sent < s_have;
    if (!judge_gone) { i_in = nfds; fds[nfds++] = (struct pollfd){0, POLLIN, 0}; }
    if (from_out >= 0 && reading) { i_out = nfds; fds[nfds++] = (struct pollfd){from_out, POLLIN, 0}; }
    if (from_err >= 0 && reading) { i_err = nfds; fds[nfds++] = (struct pollfd){from_err, POLLIN, 0}; }
    if (to_child >= 0 && in_pending) { i_child = nfds; fds[nfds++] = (struct pollfd){to_child, POLLOUT, 0}; }
    poll(fds, (nfds_t)nfds, 1);
    if (i_in >= 0 && fds[i_in].revents) {
      ssize_t r = read(0, buf, sizeof buf);
      if (r <= 0 && !(r < 0 && errno == EINTR)) { judge_gone = 1; kill_asked = 1; }
      else if (r > 0 && spawn) {
        spawn_feed(buf, (size_t)r, &ctl);
        if (ctl.kill_asked) kill_asked = 1;
      } else if (r > 0) {
        long long room = stdin_len - s_have, k = r < room ? r : room;
        if (k > 0) { memcpy(sbuf + s_have, buf, (size_t)k); s_have += k; }
        if (r > k) kill_asked = 1;
      }
    }
    if (i_child >= 0 && fds[i_child].revents) {
      ssize_t w = spawn ? write(to_child, ibuf + ibuf_off, ibuf_len - ibuf_off) : write(to_child, sbuf + s_sent, (size_t)(s_have - s_sent));
      if (w > 0 && spawn) {
        ibuf_off += (size_t)w;
        acked += w;
        if (ibuf_off == ibuf_len) ibuf_off = ibuf_len = 0;
      } else if (w > 0) {
        s_sent += w;
      } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
        close(to_child);
        to_child = -1;
        /* Nobody reads it any more: what is queued is acknowledged, so the judge is not held up. */
        if (spawn) { acked += (long long)(ibuf_len - ibuf_off); ibuf_off = ibuf_len = 0; }
      }
    }
    if (spawn && to_child < 0 && ibuf_len > ibuf_off) { acked += (long long)(ibuf_len - ibuf_off); ibuf_off = ibuf_len = 0; }
    if (spawn && acked > 0) {
      char a[32];
      int n = snprintf(a, sizeof a, "%lld", acked);
      frame('w', a, (size_t)n);
      acked = 0;
    }
    if (spawn ? (!tty && ctl.close_in && ibuf_len == ibuf_off && to_child >= 0) : (to_child >= 0 && s_sent == stdin_len)) {
      close(to_child);
      to_child = -1;
    }
    /* A terminal whose every replica is closed may not say so on every system: once the step
       is over and its output has been quiet for 100 ms, it is done. */
    if (step.main_done && killed && from_out >= 0 && (i_out < 0 || !fds[i_out].revents) && ++quiet > 100) {
      close(from_out);
      from_out = -1;
    }
    for (int k = 0; k < 2; k++) {
      int idx = k ? i_err : i_out;
      int *fdp = k ? &from_err : &from_out;
      if (idx < 0 || !fds[idx].revents) continue;
      quiet = 0;
      ssize_t r = read(*fdp, buf, sizeof buf);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno == EAGAIN && !(fds[idx].revents & (POLLHUP | POLLERR))) continue;
      if (r <= 0) { close(*fdp); *fdp = -1; continue; }
      long long room = out_bytes - out_total;
      out_total += r;
      if (room > 0) frame(k ? 'E' : 'O', buf, (size_t)(r < room ? r : room));
      if (r > room) {
        if (k) err_trunc = 1; else out_trunc = 1;
        if (strcmp(limit, "none") == 0) limit = "output";
        if (!killed) { kill_step(procs_path); killed = 1; }
      }
    }
    reap();
    int64_t t = jk_now_us();
    if (!step.main_done && t - last_sample >= 1000) {
      last_sample = t;
      long long mem = read_ll(fd_mem), cpu = read_ll(fd_cpu), procs = read_ll(fd_pids);
      /* The runtime's file pages matter only near the limit: re-read once the step holds half of
         it, at most 5% of the time (smaps of a big process is slow to make, and slows its page
         faults meanwhile), and again before a memory kill. */
      if (mem * 2 > mem_bytes &&
          (t - last_files >= files_every ||
           ((files_unsettled || mem - files_bytes > mem_bytes) && t - last_files >= files_took * 4 + 1000))) {
        last_files = t;
        long long now_files = runtime_file_bytes(procs_path, step.child);
        files_took = jk_now_us() - t;
        files_every = files_took * 20 > 10000 ? files_took * 20 : 10000;
        /* The main process is exiting (see runtime_file_bytes): neither the peak nor a memory
           kill is decided until a reading shows it mapped again (a live process always has its
           code mapped); it is reaped within milliseconds and the step ends. */
        files_unsettled = now_files < 0;
        if (!files_unsettled) files_bytes = now_files;
      }
      mem = files_unsettled ? 0 : mem > files_bytes ? mem - files_bytes : 0;
      if (mem > peak) peak = mem;
      /* The main process's resident pages that are not its own anonymous memory (the binary,
         libraries, shared mappings), re-read from its smaps as it grows: see the floor below. */
      long long rss_kb = stat_rss_kb(step.child);
      if (rss_kb > 0 && (main_smaps_at < 0 || (rss_kb > main_smaps_rss + (main_smaps_rss / 32 > 1024 ? main_smaps_rss / 32 : 1024) &&
                                               t - main_smaps_at >= main_smaps_took * 20))) {
        long long total = 0, anon = smaps_kb(step.child, &total);
        if (anon >= 0 && total > 0) {
          main_shared_kb = total > anon ? total - anon : 0;
          main_smaps_rss = rss_kb;
        }
        main_smaps_at = t;
        main_smaps_took = jk_now_us() - t;
      }
      if (cpu > cpu_ns) cpu_ns = cpu;
      if (procs > peak_procs) peak_procs = (int)procs;
      disk_used = box_bytes(&disk_full);
      if (t >= next_walk) {
        inodes = box_inodes(disk_inodes);
        int64_t took = jk_now_us() - t;
        next_walk = jk_now_us() + (took * 4 > 20000 ? took * 4 : 20000);
      }
      /* The container's CPU quota bounds real CPU time: gVisor's counters overcount under fork storms. */
      long long cpu_cap_ms = (t - start) / 1000 * millicpus / 1000 + 20;
      long long cpu_now_ms = cpu_ns / 1000000 < cpu_cap_ms ? cpu_ns / 1000000 : cpu_cap_ms;
      const char *hit = NULL;
      if (mem > mem_bytes) hit = "memory";
      else if (cpu_now_ms > cpu_ms) hit = "cpu";
      else if (t > deadline) hit = "wall";
      else if (disk_used > disk_bytes || inodes > disk_inodes) hit = "disk";
      /* Reaching the process limit is only recorded: gVisor already refuses the fork. */
      if (procs >= nproc && strcmp(limit, "none") == 0) limit = "processes";
      if (hit && strcmp(limit, "none") == 0) limit = hit;
      if (hit && !killed) { kill_step(procs_path); killed = 1; }
    }
    if (kill_asked && !killed) {
      if (strcmp(limit, "none") == 0) limit = "killed";
      kill_step(procs_path);
      killed = 1;
    }
    /* The main process is done: nothing of the step outlives it. */
    if (step.main_done && !killed) { kill_step(procs_path); killed = 1; }
  }
  if (to_child >= 0) close(to_child);
  to_child = -1;
  kill_step(procs_path);
  /* Stdin the judge still had to send (the program ended first): read it off the stream. */
  while (!judge_gone && s_have < stdin_len) {
    long long room = stdin_len - s_have;
    ssize_t r = read(0, buf, room < (long long)sizeof buf ? (size_t)room : sizeof buf);
    if (r <= 0) break;
    s_have += r;
  }
  {
    long long mem = read_ll(fd_mem) - files_bytes, cpu = read_ll(fd_cpu);
    if (mem > peak && !files_unsettled) peak = mem;
    if (cpu > cpu_ns) cpu_ns = cpu;
  }
  /* A floor of the program's own peak. The step's memory is sampled every millisecond, and
     gVisor's cgroup figure trails the pages a program touches (by up to a few MiB while it
     writes fast): a program that touches 100 MiB and exits at once can end above its last
     sample. The main process's own peak resident size (its rusage at reaping) less its resident
     pages that are not anonymous (read from its smaps as it grew, see above) is memory it really
     held at one time: the peak is never below it. Subtracting the latest such reading keeps the
     runtime's files out (a JVM's libjvm.so); a file mapped after that reading would count, so the
     reading is refreshed each time the process grows by 1/32 (at least 1 MiB), at most 5% of
     the time. The floor holds only when that reading is recent enough to say what the peak was
     made of: taken at no less than half the peak resident size. A JVM faults its class library in
     as it grows, and under load the refresh can lag; a reading from its first milliseconds would
     count some 30 MiB of the runtime's file pages as the program's (a hello world "using" 54 MiB). */
  if (step.main_done && main_shared_kb >= 0 && step.maxrss_kb > main_shared_kb && main_smaps_rss * 2 >= step.maxrss_kb) {
    long long floor_bytes = (step.maxrss_kb - main_shared_kb) * 1024 - files_bytes;
    if (floor_bytes > peak) peak = floor_bytes;
  }
  disk_used = box_bytes(&disk_full);
  inodes = box_inodes(disk_inodes);
  if (!have_report && read(exec_pipe[0], report, sizeof report) != sizeof report) report[0] = report[1] = 0;
  int64_t end_t = step.end ? step.end : jk_now_us();
  long long cpu_us = cpu_ns / 1000, cpu_cap_us = (long long)(end_t - start) * millicpus / 1000 + 20000;
  if (cpu_us > cpu_cap_us) cpu_us = cpu_cap_us;
  int st = step.status;
  if (strcmp(limit, "none") == 0 && WIFSIGNALED(st)) {
    if (WTERMSIG(st) == SIGXCPU || (WTERMSIG(st) == SIGKILL && cpu_us / 1000 >= cpu_ms)) limit = "cpu";
    else if (WTERMSIG(st) == SIGXFSZ) limit = "filesize";
  }
  if (strcmp(limit, "none") == 0 && (disk_full || disk_used > disk_bytes || inodes > disk_inodes)) limit = "disk";
  {
    char r[512];
    int n = snprintf(r, sizeof r,
                     "exit=%d signal=%d cpu_us=%lld wall_us=%lld peak_kb=%lld procs=%d limit=%s exec_errno=%d exec_stage=%d out_trunc=%d err_trunc=%d disk_kb=%lld inodes=%lld",
                     WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0, cpu_us, (long long)(end_t - start), peak / 1024,
                     peak_procs, limit, report[0] == 2 || report[1] ? report[1] : 0, report[0], out_trunc, err_trunc, disk_used / 1024, inodes);
    frame('R', r, (size_t)n);
  }
cleanup:
  /* A spawned step's messages still in flight come before the judge's F: read them off. */
  if (spawn) {
    while (!ctl.finished) {
      if (in_fill()) _exit(0);
      in_off += spawn_feed(in_buf + in_off, in_len - in_off, &ctl);
    }
  }
  if (to_child >= 0) close(to_child);
  if (ctl.master >= 0) close(ctl.master);
  if (from_out >= 0) close(from_out);
  if (from_err >= 0) close(from_err);
  for (int i = 0; i < 2; i++) {
    if (in_pipe[i] >= 0) close(in_pipe[i]);
    if (out_pipe[i] >= 0) close(out_pipe[i]);
    if (err_pipe[i] >= 0) close(err_pipe[i]);
    if (exec_pipe[i] >= 0) close(exec_pipe[i]);
  }
  if (fd_mem >= 0) close(fd_mem);
  if (fd_cpu >= 0) close(fd_cpu);
  if (fd_pids >= 0) close(fd_pids);
  for (int i = 0; i < N_CTRLS; i++) rmdir(cg[i]);
  free(sbuf);
  free(args);
  free(env);
  free(argv);
}

static int cmd_serve(void) {
  signal(SIGPIPE, SIG_IGN);
  char line[512];
  for (;;) {
    reap();
    if (in_line(line, sizeof line)) {
      /* No judge attached with stdin (or it closed it): only reap, as `init` does. */
      for (;;) if (waitpid(-1, NULL, 0) < 0) pause();
    }
    /* A kill byte (R's "kill now") that came after its step had ended sits before the next op. */
    char *op = line;
    while (*op == 'K') op++;
    long long v[16] = {0};
    int n = 0;
    for (char *tok = strtok(op + 1, " "); tok && n < 16; tok = strtok(NULL, " ")) v[n++] = atoll(tok);
    switch (op[0]) {
      case 'P': frame('H', "jk-exec 2", 9); break;
      case 'S': op_setup(v[0]); break;
      case 'W': op_write(v[0]); break;
      case 'G': op_read(v[0], v[1]); break;
      case 'R':
        if (n != 14) { frame('R', "error=header errno=0", 20); _exit(121); }
        op_run(v, 0);
        break;
      case 'X':
        if (n != 15) { frame('R', "error=header errno=0", 20); _exit(121); }
        op_run(v, 1);
        break;
      case 0: break; /* only late kill bytes */
      default: answer(120, "unknown op"); break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "init") == 0) {
    /* PID 1: ignore signals, reap whatever is re-parented here. */
    for (int s = 1; s < NSIG; s++) signal(s, SIG_DFL);
    for (;;) {
      if (waitpid(-1, NULL, 0) < 0) pause();
    }
  }
  if (argc == 2 && strcmp(argv[1], "serve") == 0) return cmd_serve();
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return cmd_run(argc, argv);
  if (argc == 3 && strcmp(argv[1], "write") == 0) return cmd_write(argv[2]);
  if (argc == 5 && strcmp(argv[1], "read") == 0) return cmd_read(argv[2], argv[3], atoll(argv[4]));
  if (argc == 2 && strcmp(argv[1], "kill") == 0) {
    kill(-1, SIGKILL);
    return 0;
  }
  fprintf(stderr, "usage: jk-exec serve|init|run|write|read|kill\n");
  return 120;
}
