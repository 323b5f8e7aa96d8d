/* jk-forker: the nsjail runner's process starter (see packages/runner-nsjail/src/forker.ts).

   Started once by the judge (as root, while the judge is still small), it does on the judge's
   behalf what would otherwise cost the judge a fork of its whole, grown address space each time:
   it starts nsjail for a pre-started jail and mounts and unmounts the sandboxes' tmpfs storage.

   Channel. fd 0: requests from the judge, each `<op> <id> <length>\n` then <length> bytes of
   NUL-terminated fields. fd 1: one reply line per request (and one per exit), `<id> <word> ...`.
   Ops:
   - `M id` target, options: mounts a tmpfs ("judgekit-sandbox") at target. Reply `ok` or `err N`.
   - `R id` target, options: remounts it with new options. Reply `ok` or `err N`.
   - `U id` target: unmounts it (lazily when busy). Reply `ok` or `err N`.
   - `L id` n, procs files (n), argc, argv (argc): starts argv[0] with an empty environment. The
     child joins every cgroup in the procs files first (writing its own pid), gets SIGKILL when
     this process dies (PR_SET_PDEATHSIG; this process gets it when the judge dies), and has as
     fds 0-3 the FIFOs <dir>/<id>.0 (its stdin) .1 .2 .3 (stdout, stderr, nsjail's log), real
     pipes, never sockets (programs open /dev/stdin). Reply `pid P` once argv[0] runs (or `err N`),
     later `exit STATUS UTIME_US STIME_US` (its wait status and rusage) when it has ended.
   - `O id`: the judge has opened its ends of the FIFOs: their names are removed and this
     process lets go of the ends it held so far (so end-of-file works both ways). Reply none.
   End of file on fd 0: this process exits, and so does every child it started (their
   parent-death signal). */
#include "jk-common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_LAUNCHES 4096

struct launch {
  unsigned long id;
  pid_t pid;
  /* Failed to start: its exit is reaped without a report (the judge had `err`). */
  int quiet;
  int held[4];
};

static struct launch launches[MAX_LAUNCHES];
static const char *fifo_dir;
static pid_t self;
/* The judge's umask, which the children get back (this process creates its FIFOs under 077). */
static mode_t judge_umask;

static void reply(const char *line) { jk_write_str(1, line); }

static void reply_errno(unsigned long id, int err) {
  char line[64];
  snprintf(line, sizeof line, "%lu err %d\n", id, err);
  reply(line);
}

/* `ID ok` for 0, else `ID err ERRNO`. */
static void reply_result(unsigned long id, int err) {
  if (err) {
    reply_errno(id, err);
    return;
  }
  char line[64];
  snprintf(line, sizeof line, "%lu ok\n", id);
  reply(line);
}

static void fifo_path(char *out, size_t size, unsigned long id, int n) { snprintf(out, size, "%s/%lu.%d", fifo_dir, id, n); }

static struct launch *find(unsigned long id, int by_pid, pid_t pid) {
  for (int i = 0; i < MAX_LAUNCHES; i++) {
    if (launches[i].pid == 0) continue;
    if (by_pid ? launches[i].pid == pid : launches[i].id == id) return &launches[i];
  }
  return NULL;
}

static void release_held(struct launch *l) {
  for (int n = 0; n < 4; n++) {
    if (l->held[n] >= 0) {
      char path[4200];
      fifo_path(path, sizeof path, l->id, n);
      unlink(path);
      close(l->held[n]);
      l->held[n] = -1;
    }
  }
}

/* The child: parent-death signal, cgroups, FIFOs as fds 0-3, then exec. Any failure before the
   FIFOs are in place goes to `report`; after, to fd 3 (nsjail's log pipe), as the judge expects. */
static void child_start(unsigned long id, char **procs, int nprocs, char **argv, int report) {
  int err = 0;
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_DFL);
  umask(judge_umask);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != self) _exit(125);
  int fds[4];
  for (int n = 0; n < 4; n++) {
    char path[4200];
    fifo_path(path, sizeof path, id, n);
    /* The parent holds every FIFO open both ways, so none of these opens waits. */
    fds[n] = open(path, (n == 0 ? O_RDONLY : O_WRONLY) | O_NOFOLLOW);
    if (fds[n] < 0) {
      err = errno;
      jk_write_full(report, (char *)&err, sizeof err);
      _exit(125);
    }
  }
  /* Moved above the target numbers first, so no dup2 overwrites an fd still to be moved. */
  for (int n = 0; n < 4; n++) {
    int high = fcntl(fds[n], F_DUPFD, 100);
    if (high < 0) {
      err = errno;
      jk_write_full(report, (char *)&err, sizeof err);
      _exit(125);
    }
    close(fds[n]);
    fds[n] = high;
  }
  for (int n = 0; n < 4; n++) {
    if (dup2(fds[n], n) < 0) {
      err = errno;
      jk_write_full(report, (char *)&err, sizeof err);
      _exit(125);
    }
    close(fds[n]);
  }
  jk_close_from(4, report);
  char pid_text[32];
  int len = snprintf(pid_text, sizeof pid_text, "%d", (int)getpid());
  for (int i = 0; i < nprocs; i++) {
    int fd = open(procs[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, pid_text, (size_t)len) != len) {
      jk_write_str(3, "[judgekit] cannot join the cgroup\n");
      _exit(125);
    }
    close(fd);
  }
  char *envp[] = {NULL};
  execve(argv[0], argv, envp);
  err = errno;
  jk_write_full(report, (char *)&err, sizeof err);
  _exit(127);
}

static void do_launch(unsigned long id, char **procs, int nprocs, char **argv) {
  struct launch *slot = NULL;
  for (int i = 0; i < MAX_LAUNCHES && !slot; i++)
    if (launches[i].pid == 0) slot = &launches[i];
  if (!slot) {
    reply_errno(id, EAGAIN);
    return;
  }
  int held[4] = {-1, -1, -1, -1};
  int err = 0;
  for (int n = 0; n < 4 && !err; n++) {
    char path[4200];
    fifo_path(path, sizeof path, id, n);
    unlink(path);
    if (mkfifo(path, 0600) < 0 || (held[n] = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW)) < 0) err = errno;
  }
  int report[2] = {-1, -1};
  if (!err && pipe2(report, O_CLOEXEC) < 0) err = errno;
  pid_t pid = -1;
  if (!err) {
    pid = fork();
    if (pid == 0) {
      close(report[0]);
      child_start(id, procs, nprocs, argv, report[1]);
    }
    if (pid < 0) err = errno;
  }
  if (report[1] >= 0) close(report[1]);
  if (pid > 0 && jk_read_full(report[0], &err, sizeof err) < 0) err = 0; /* closed on exec */
  if (report[0] >= 0) close(report[0]);
  slot->id = id;
  slot->pid = pid > 0 ? pid : 0;
  slot->quiet = err != 0;
  for (int n = 0; n < 4; n++) slot->held[n] = held[n];
  if (err) {
    /* A child that failed has exited (or is about to) and is reaped quietly. */
    release_held(slot);
    reply_errno(id, err);
    return;
  }
  char line[64];
  snprintf(line, sizeof line, "%lu pid %d\n", id, (int)pid);
  reply(line);
}

static void reap(void) {
  for (;;) {
    int status;
    struct rusage ru;
    pid_t pid = wait4(-1, &status, WNOHANG, &ru);
    if (pid <= 0) return;
    struct launch *l = find(0, 1, pid);
    if (!l) continue;
    if (l->quiet) {
      l->pid = 0;
      continue;
    }
    char line[128];
    snprintf(line, sizeof line, "%lu exit %d %lld %lld\n", l->id, status,
             (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
             (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec);
    release_held(l);
    l->pid = 0;
    reply(line);
  }
}

/* Reads one request header line from fd 0; 0 at end of file. */
static int read_header(char *header, size_t size) {
  size_t h = 0;
  for (;;) {
    char c;
    ssize_t r = read(0, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    if (c == '\n') break;
    if (h + 1 >= size) return -1;
    header[h++] = c;
  }
  header[h] = 0;
  return 1;
}

static int handle(void) {
  char header[96];
  int got = read_header(header, sizeof header);
  if (got <= 0) return got;
  char op;
  unsigned long id, length;
  if (sscanf(header, "%c %lu %lu", &op, &id, &length) != 3 || length > (16ul << 20)) return -1;
  char *payload = malloc(length + 1);
  if (!payload || (length > 0 && jk_read_full(0, payload, length) < 0)) return -1;
  char *cursor = payload, *end = payload + length;
  if (op == 'M' || op == 'R') {
    char *target = jk_field(&cursor, end), *options = jk_field(&cursor, end);
    if (!target || !options) return -1;
    int r = op == 'M' ? mount("judgekit-sandbox", target, "tmpfs", 0, options) : mount(NULL, target, NULL, MS_REMOUNT, options);
    reply_result(id, r < 0 ? errno : 0);
  } else if (op == 'U') {
    char *target = jk_field(&cursor, end);
    if (!target) return -1;
    int r = umount2(target, UMOUNT_NOFOLLOW);
    /* Busy (a process of a crashed judge's jail still has it): detach it now, freed when they go. */
    if (r < 0 && errno == EBUSY) r = umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
    reply_result(id, r < 0 ? errno : 0);
  } else if (op == 'L') {
    char *count = jk_field(&cursor, end);
    int nprocs = count ? atoi(count) : -1;
    if (nprocs < 0 || nprocs > 16) return -1;
    char *procs[16];
    for (int i = 0; i < nprocs; i++)
      if (!(procs[i] = jk_field(&cursor, end))) return -1;
    char *argc_text = jk_field(&cursor, end);
    int argc = argc_text ? atoi(argc_text) : 0;
    if (argc <= 0 || argc > 100000) return -1;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!argv) return -1;
    for (int i = 0; i < argc; i++)
      if (!(argv[i] = jk_field(&cursor, end))) return -1;
    do_launch(id, procs, nprocs, argv);
    free(argv);
  } else if (op == 'O') {
    struct launch *l = find(id, 0, 0);
    if (l) release_held(l);
  } else {
    return -1;
  }
  free(payload);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  fifo_dir = argv[1];
  self = getpid();
  /* This process goes with the judge, and its children with it. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) return 2;
  prctl(PR_SET_DUMPABLE, 0);
  signal(SIGPIPE, SIG_IGN);
  judge_umask = umask(077);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 2;
  jk_write_str(1, "ready\n");
  for (;;) {
    struct pollfd p[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 2;
    }
    if (p[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) > 0) {
      }
      reap();
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      int r = handle();
      if (r == 0) return 0;
      if (r < 0) {
        jk_write_str(2, "jk-forker: malformed request\n");
        return 2;
      }
      /* A child that failed at once may have ended already. */
      reap();
    }
  }
}
