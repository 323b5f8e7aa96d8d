/*
 * jk-pty: hands a fresh pseudo-terminal from the judge to the program inside nsjail, so the
 * terminal's signals (Ctrl-C as SIGINT, a resize as SIGWINCH) reach the program and nothing else.
 *
 *   jk-pty detach -- nsjail ...   on the host, as node-pty's child: it leads a session whose
 *                                 controlling terminal is the pty; it lets go of it (TIOCNOTTY),
 *                                 then becomes nsjail. nsjail never gets the terminal's signals.
 *   jk-pty attach -- PROGRAM ...  inside the jail, as the init shell's child: a new session, the
 *                                 pty on fd 0 as its controlling terminal (TIOCSCTTY), then exec.
 *
 * The terminal is a new one for each command, never the judge's own: whatever the program does
 * to it (TIOCSTI included) reaches only its own terminal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int usage(void) {
  fputs("usage: jk-pty detach|attach -- COMMAND [ARG...]\n", stderr);
  return 125;
}

int main(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[2], "--") != 0) return usage();
  char **command = argv + 3;
  if (strcmp(argv[1], "detach") == 0) {
    /* Letting go of the terminal sends SIGHUP and SIGCONT to its foreground group: ours. */
    signal(SIGHUP, SIG_IGN);
    if (ioctl(0, TIOCNOTTY) != 0 && errno != ENOTTY) {
      fprintf(stderr, "[judgekit] jk-pty: TIOCNOTTY: %s\n", strerror(errno));
      return 125;
    }
    signal(SIGHUP, SIG_DFL);
  } else if (strcmp(argv[1], "attach") == 0) {
    if (setsid() < 0) {
      fprintf(stderr, "[judgekit] jk-pty: setsid: %s\n", strerror(errno));
      return 125;
    }
    if (isatty(0) && ioctl(0, TIOCSCTTY, 0) != 0) {
      fprintf(stderr, "[judgekit] jk-pty: TIOCSCTTY: %s\n", strerror(errno));
      return 125;
    }
  } else {
    return usage();
  }
  execvp(command[0], command);
  fprintf(stderr, "%s: %s\n", command[0], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}
