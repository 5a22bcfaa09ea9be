/* Running OCI hooks; see hooks.h. */
#include "container/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

enum { OUTPUT_MAX = 2048 };

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

_Noreturn static void exec_hook(const struct spec_hook *hook, int in, int out)
{
    dup2(in, STDIN_FILENO);
    dup2(out, STDOUT_FILENO);
    dup2(out, STDERR_FILENO);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    const char *argv0[] = {hook->path, NULL};
    const char *env0[] = {NULL};
    execve(hook->path, (char *const *)(hook->args.len ? hook->args.items : argv0),
           (char *const *)(hook->env.len ? hook->env.items : env0));
    dprintf(STDERR_FILENO, "exec: %s", strerror(errno));
    _exit(127);
}

/* Collects the hook's output until it closes it or the deadline passes. */
static bool read_output(int fd, char *buf, size_t size, long long deadline)
{
    size_t used = 0;
    for (;;) {
        int wait = deadline < 0 ? -1 : (int)(deadline - now_ms());
        if (deadline >= 0 && wait <= 0) return false;
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int rc = poll(&p, 1, wait);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) return rc == 0 ? false : true;
        char chunk[512];
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;
        size_t keep = used + (size_t)n < size - 1 ? (size_t)n : size - 1 - used;
        memcpy(buf + used, chunk, keep);
        used += keep;
        buf[used] = '\0';
    }
}

static int run_one(const struct spec_hook *hook, const char *name, const char *state,
                   struct error *err)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0) return error_sys(err, "%s: pipe", name);
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return error_sys(err, "%s: pipe", name);
    }
    pid_t pid = fork();
    if (pid == 0) exec_hook(hook, in[0], out[1]);
    close(in[0]);
    close(out[1]);
    _cleanup_close_ int to_hook = in[1], from_hook = out[0];
    if (pid < 0) return error_sys(err, "%s: fork", name);

    /* A hook that does not read its state must not block us: SIGPIPE is
     * ignored for the write, and a short write is not an error. */
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    sigaction(SIGPIPE, &ignore, &old);
    (void)fs_write_all(to_hook, state, strlen(state));
    sigaction(SIGPIPE, &old, NULL);
    close(TAKE_FD(to_hook));

    char output[OUTPUT_MAX] = "";
    long long deadline = hook->has_timeout ? now_ms() + hook->timeout * 1000LL : -1;
    bool finished = read_output(from_hook, output, sizeof output, deadline);
    if (!finished) kill(pid, SIGKILL);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    for (size_t n = strlen(output); n > 0 && output[n - 1] == '\n'; n--) output[n - 1] = '\0';
    if (!finished)
        return error_set(err, 0, "%s: %s: timed out after %d s", name, hook->path, hook->timeout);
    if (WIFSIGNALED(status))
        return error_set(err, 0, "%s: %s: killed by signal %d%s%s", name, hook->path,
                         WTERMSIG(status), *output ? ": " : "", output);
    if (WEXITSTATUS(status))
        return error_set(err, 0, "%s: %s: exited with status %d%s%s", name, hook->path,
                         WEXITSTATUS(status), *output ? ": " : "", output);
    if (*output) log_debug("%s: %s: %s", name, hook->path, output);
    return 0;
}

int hooks_run(const struct spec *spec, enum hook_kind kind, const char *state_json,
              struct error *err)
{
    const struct spec_hook_list *list = &spec->hooks[kind];
    for (size_t i = 0; i < list->len; i++) {
        char name[64];
        snprintf(name, sizeof name, "hooks.%s[%zu]", hook_kind_name(kind), i);
        if (run_one(&list->items[i], name, state_json, err) < 0) return -1;
    }
    return 0;
}

void hooks_run_warn(const struct spec *spec, enum hook_kind kind, const char *state_json)
{
    const struct spec_hook_list *list = &spec->hooks[kind];
    for (size_t i = 0; i < list->len; i++) {
        char name[64];
        struct error err;
        snprintf(name, sizeof name, "hooks.%s[%zu]", hook_kind_name(kind), i);
        if (run_one(&list->items[i], name, state_json, &err) < 0) log_warn("%s", err.msg);
    }
}
