/* Id maps of a new user namespace; see userns.h. */
#include "linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/cleanup.h"
#include "util/fs.h"

struct id_map_kind {
    const char *file;   /* in /proc/PID */
    const char *field;  /* the spec's, after the prefix ("linux.", "mounts[2].") */
    const char *helper; /* the setuid helper that writes it for the unprivileged */
};

static const struct id_map_kind uid_kind = {"uid_map", "uidMappings", "newuidmap"};
static const struct id_map_kind gid_kind = {"gid_map", "gidMappings", "newgidmap"};

static int write_proc_file(pid_t pid, const char *file, const char *text, const char *prefix,
                           const char *field, struct error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "%s%s: open %s", prefix, field, path);
    ssize_t len = (ssize_t)strlen(text);
    if (write(fd, text, (size_t)len) != len)
        return error_sys(err, "%s%s: the kernel refused the mapping", prefix, field);
    return 0;
}

static int write_map(pid_t pid, const struct id_map_kind *k, const struct spec_id_mappings *maps,
                     const char *prefix, struct error *err)
{
    char text[4096];
    size_t used = 0;
    for (size_t i = 0; i < maps->len; i++) {
        int n = snprintf(text + used, sizeof text - used, "%u %u %u\n", maps->items[i].container_id,
                         maps->items[i].host_id, maps->items[i].size);
        if (n < 0 || (size_t)n >= sizeof text - used)
            return error_set(err, E2BIG, "%s%s: too many mappings", prefix, k->field);
        used += (size_t)n;
    }
    return write_proc_file(pid, k->file, text, prefix, k->field, err);
}

/* The helper's argv: PID, then each mapping's three numbers. */
static char **helper_argv(const struct id_map_kind *k, pid_t pid,
                          const struct spec_id_mappings *maps, char *numbers, size_t size)
{
    size_t n_args = 2 + 3 * maps->len + 1;
    char **argv = calloc(n_args, sizeof *argv);
    if (!argv) return NULL;
    size_t a = 0, used = 0;
    argv[a++] = (char *)k->helper;
    unsigned values[3];
    for (size_t i = 0; i <= maps->len; i++) {
        size_t count = i == 0 ? 1 : 3;
        if (i == 0)
            values[0] = (unsigned)pid;
        else {
            values[0] = maps->items[i - 1].container_id;
            values[1] = maps->items[i - 1].host_id;
            values[2] = maps->items[i - 1].size;
        }
        for (size_t j = 0; j < count; j++) {
            int n = snprintf(numbers + used, size - used, "%u", values[j]);
            if (n < 0 || (size_t)n >= size - used) {
                free(argv);
                return NULL;
            }
            argv[a++] = numbers + used;
            used += (size_t)n + 1;
        }
    }
    return argv;
}

/* newuidmap/newgidmap check the ranges against /etc/subuid and /etc/subgid
 * and write the map with their privilege; their stderr becomes the error. */
static int run_helper(pid_t pid, const struct id_map_kind *k, const struct spec_id_mappings *maps,
                      const char *prefix, struct error *err)
{
    char numbers[4096];
    _cleanup_free_ char **argv = helper_argv(k, pid, maps, numbers, sizeof numbers);
    if (!argv) return error_set(err, E2BIG, "%s%s: too many mappings", prefix, k->field);
    int out[2];
    if (pipe2(out, O_CLOEXEC) < 0) return error_sys(err, "%s%s: pipe", prefix, k->field);
    pid_t child = fork();
    if (child < 0) {
        close(out[0]);
        close(out[1]);
        return error_sys(err, "%s%s: fork", prefix, k->field);
    }
    if (child == 0) {
        dup2(out[1], STDERR_FILENO);
        dup2(out[1], STDOUT_FILENO);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execvp(k->helper, argv);
        dprintf(STDERR_FILENO, "%s", errno == ENOENT ? "not installed" : strerror(errno));
        _exit(127);
    }
    close(out[1]);
    char said[512];
    ssize_t got = fs_read_all(out[0], said, sizeof said - 1);
    size_t len = got > 0 ? (size_t)got : 0;
    close(out[0]);
    said[len] = '\0';
    while (len && (said[len - 1] == '\n' || said[len - 1] == ' ')) said[--len] = '\0';
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR) return error_sys(err, "%s%s: wait for %s", prefix, k->field, k->helper);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    char ranges[256] = "";
    for (size_t i = 0; i < maps->len; i++)
        snprintf(ranges + strlen(ranges), sizeof ranges - strlen(ranges), "%s%u %u %u",
                 i ? ", " : "", maps->items[i].container_id, maps->items[i].host_id,
                 maps->items[i].size);
    return error_set(err, 0, "%s%s: %s refused the mapping %s: %s", prefix, k->field, k->helper,
                     ranges, len ? said : "no reason given");
}

/* One mapping of exactly the caller's own id: what the kernel lets an
 * unprivileged process write itself. */
static bool only_own_id(const struct spec_id_mappings *maps, unsigned own)
{
    return maps->len == 1 && maps->items[0].size == 1 && maps->items[0].host_id == own;
}

static int write_rootless(pid_t pid, const struct id_map_kind *k,
                          const struct spec_id_mappings *maps, unsigned own, const char *prefix,
                          struct error *err)
{
    if (!only_own_id(maps, own)) return run_helper(pid, k, maps, prefix, err);
    /* The kernel takes an unprivileged gid_map only with setgroups denied. */
    if (k == &gid_kind && write_proc_file(pid, "setgroups", "deny", prefix, k->field, err) < 0)
        return -1;
    return write_map(pid, k, maps, prefix, err);
}

int userns_write_maps(pid_t pid, const struct spec_id_mappings *uids,
                      const struct spec_id_mappings *gids, bool rootless, const char *prefix,
                      struct error *err)
{
    if (!rootless) {
        if (write_map(pid, &uid_kind, uids, prefix, err) < 0) return -1;
        return write_map(pid, &gid_kind, gids, prefix, err);
    }
    if (write_rootless(pid, &uid_kind, uids, (unsigned)geteuid(), prefix, err) < 0) return -1;
    return write_rootless(pid, &gid_kind, gids, (unsigned)getegid(), prefix, err);
}

int userns_become_root(struct error *err)
{
    if (setresgid(0, 0, 0) < 0) return error_sys(err, "setresgid to root of the user namespace");
    if (setresuid(0, 0, 0) < 0) return error_sys(err, "setresuid to root of the user namespace");
    return 0;
}
