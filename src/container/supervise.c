/* The foreground loop of run and exec; see supervise.h. */
#include "container/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linux/pidfd.h"
#include "util/fs.h"

int supervise_signals(sigset_t *old, struct error *err)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, old);
    int fd = signalfd(-1, &all, SFD_CLOEXEC);
    if (fd < 0) {
        sigprocmask(SIG_SETMASK, old, NULL);
        return error_sys(err, "signalfd");
    }
    return fd;
}

static int exit_code_of(int status)
{
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

static void copy_window_size(int from, int to)
{
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) == 0) ioctl(to, TIOCSWINSZ, &ws);
}

/* Copies what is there from one descriptor to another; false at the end. */
static bool pump(int from, int to)
{
    char buf[8192];
    ssize_t n = read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) return false; /* EIO on a master: the slave side is gone */
    return fs_write_all(to, buf, (size_t)n) == 0;
}

/* Whatever the process wrote before it exited. */
static void drain(int master)
{
    struct pollfd p = {.fd = master, .events = POLLIN};
    while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) && pump(master, STDOUT_FILENO)) {
    }
}

/* One signal: 0 to go on, or the exit code once the child has exited. */
static int on_signal(const struct supervision *s, const struct signalfd_siginfo *si, int *code)
{
    if (si->ssi_signo == SIGWINCH && s->master >= 0) {
        copy_window_size(STDIN_FILENO, s->master);
        return 0;
    }
    if (si->ssi_signo != SIGCHLD) {
        struct error ignored;
        pidfd_signal(s->child_pidfd, (int)si->ssi_signo, &ignored);
        return 0;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid != s->child) continue; /* an orphan we inherited as subreaper */
        *code = exit_code_of(status);
        return 1;
    }
    return 0;
}

static int loop(const struct supervision *s)
{
    bool master_open = s->master >= 0, stdin_open = s->relay_stdin && s->master >= 0;
    for (;;) {
        struct pollfd fds[3] = {{s->sig_fd, POLLIN, 0}, {-1, POLLIN, 0}, {-1, POLLIN, 0}};
        if (master_open) fds[1].fd = s->master;
        if (stdin_open) fds[2].fd = STDIN_FILENO;
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            return 255;
        }
        if (fds[1].revents) master_open = pump(s->master, STDOUT_FILENO);
        if (fds[2].revents) stdin_open = pump(STDIN_FILENO, s->master);
        if (!fds[0].revents) continue;
        struct signalfd_siginfo si;
        if (read(s->sig_fd, &si, sizeof si) != (ssize_t)sizeof si) continue;
        int code;
        if (on_signal(s, &si, &code)) {
            if (master_open) drain(s->master);
            return code;
        }
    }
}

int supervise(const struct supervision *s)
{
    struct termios saved, raw;
    bool restore = false;
    if (s->master >= 0 && s->relay_stdin && isatty(STDIN_FILENO) &&
        tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        cfmakeraw(&raw);
        restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        copy_window_size(STDIN_FILENO, s->master);
    }
    int code = loop(s);
    if (restore) tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    return code;
}
