/* The container process' own attributes and its exec; see process.h. */
#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/caps.h"
#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/passwd.h"

static const char default_path[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

int process_set_rlimits(const struct spec_process *p, struct error *err)
{
    for (size_t i = 0; i < p->n_rlimits; i++) {
        const struct spec_rlimit *rl = &p->rlimits[i];
        struct rlimit lim = {.rlim_cur = rl->soft, .rlim_max = rl->hard};
        if (setrlimit(rl->resource, &lim) < 0)
            return error_sys(err, "process.rlimits: set %s", rl->type);
    }
    return 0;
}

static const char own_oom_score_adj[] = "/proc/self/oom_score_adj";

int process_oom_score_adj_push(const struct spec_process *p, struct oom_saved *saved,
                               struct error *err)
{
    saved->set = false;
    if (!p->has_oom_score_adj) return 0;
    _cleanup_close_ int fd = open(own_oom_score_adj, O_RDWR | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "process.oomScoreAdj: open %s", own_oom_score_adj);
    ssize_t n = fs_read_all(fd, saved->value, sizeof saved->value - 1);
    if (n <= 0) return error_sys(err, "process.oomScoreAdj: read %s", own_oom_score_adj);
    saved->value[n] = '\0';
    char v[16];
    int len = snprintf(v, sizeof v, "%d", p->oom_score_adj);
    if (pwrite(fd, v, (size_t)len, 0) != len)
        return error_sys(err, "process.oomScoreAdj: set %s", v);
    saved->set = true;
    return 0;
}

void process_oom_score_adj_pop(const struct oom_saved *saved)
{
    if (!saved->set) return;
    /* Back up to the value it had: never below the floor the kernel keeps,
     * so allowed without privilege. */
    _cleanup_close_ int fd = open(own_oom_score_adj, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, saved->value, strlen(saved->value)) < 0)
        log_warn("process.oomScoreAdj: nsrun could not take back its own value %s: %s",
                 saved->value, strerror(errno));
}

static int set_groups(const struct spec_user *u, struct error *err)
{
    _Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");
    size_t n = u->n_additional_gids;
    if (setgroups(n, (const gid_t *)u->additional_gids) == 0) return 0;
    /* In a user namespace whose setgroups is "deny" the empty list the
     * process has is already what was asked for. */
    if (errno == EPERM && n == 0) return 0;
    return error_sys(err, "process.user.additionalGids: setgroups");
}

int process_set_identity(const struct spec_process *p, struct error *err)
{
    const struct spec_user *u = &p->user;
    if (p->has_capabilities && caps_drop_bounding(&p->capabilities, err) < 0) return -1;
    if (p->has_capabilities && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return error_sys(err, "prctl PR_SET_KEEPCAPS");
    if (set_groups(u, err) < 0) return -1;
    if (setresgid(u->gid, u->gid, u->gid) < 0)
        return error_sys(err, "process.user.gid: setresgid %u", u->gid);
    if (setresuid(u->uid, u->uid, u->uid) < 0)
        return error_sys(err, "process.user.uid: setresuid %u", u->uid);
    if (p->has_capabilities) {
        if (caps_set(&p->capabilities, err) < 0) return -1;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return error_sys(err, "prctl PR_SET_KEEPCAPS");
    }
    umask(u->has_umask ? u->umask : 022);
    return 0;
}

int process_set_no_new_privs(const struct spec_process *p, struct error *err)
{
    if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return error_sys(err, "process.noNewPrivileges: prctl");
    return 0;
}

int process_set_personality(const struct spec_personality *p, struct error *err)
{
    /* runtime-spec defines no flags yet: the domain is all there is. */
    if (p && personality(p->domain_value) < 0)
        return error_sys(err, "linux.personality: %s", p->domain);
    return 0;
}

/* What execve would make of a path: 0, or the errno it would fail with. */
static int check_executable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) return errno;
    if (S_ISDIR(st.st_mode) || !(st.st_mode & 0111)) return EACCES;
    return access(path, X_OK) < 0 ? errno : 0;
}

int process_find_executable(const struct spec_process *p, char out[PATH_MAX], struct error *err)
{
    const char *name = p->args.items[0];
    if (strchr(name, '/')) {
        int e = check_executable(name);
        if (e == ENOENT || e == ENOTDIR)
            return error_set(err, 0, "exec: \"%s\": stat %s: no such file or directory", name,
                             name);
        if (e)
            return error_set(err, 0, "exec: \"%s\": %s", name,
                             e == EACCES ? "permission denied" : strerror(e));
        snprintf(out, PATH_MAX, "%s", name);
        return 0;
    }
    const char *path = spec_getenv(p, "PATH");
    if (!path) path = default_path;
    bool denied = false;
    for (const char *dir = path;; dir++) {
        size_t len = strcspn(dir, ":");
        int n = snprintf(out, PATH_MAX, "%.*s/%s", (int)len, len ? dir : ".", name);
        if (n > 0 && n < PATH_MAX) {
            int e = check_executable(out);
            if (e == 0) return 0;
            denied |= e == EACCES;
        }
        dir += len;
        if (!*dir) break;
    }
    if (denied) return error_set(err, 0, "exec: \"%s\": permission denied", name);
    return error_set(err, 0, "exec: \"%s\": executable file not found in $PATH", name);
}

char **process_environment(const struct spec_process *p, const char *const *extra,
                           struct error *err)
{
    const struct spec_strings *env = &p->env;
    size_t n_extra = 0;
    while (extra && extra[n_extra]) n_extra++;
    char **out = calloc(env->len + n_extra + 2, sizeof *out);
    if (!out) {
        error_set(err, ENOMEM, "environment");
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < env->len; i++) out[n++] = (char *)env->items[i];
    for (size_t i = 0; i < n_extra; i++) out[n++] = (char *)extra[i];
    if (!spec_getenv(p, "HOME")) {
        _cleanup_free_ char *home = NULL;
        if (passwd_lookup_uid("/etc/passwd", p->user.uid, NULL, &home) < 0) home = strdup("/");
        if (!home || asprintf(&out[n], "HOME=%s", home) < 0) {
            free(out);
            error_set(err, ENOMEM, "environment");
            return NULL;
        }
    }
    return out;
}

void process_reset_signals(void)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

static bool is_kept(int fd, const int *keep, size_t n_keep)
{
    for (size_t i = 0; i < n_keep; i++)
        if (keep[i] == fd) return true;
    return false;
}

static int close_from_to(unsigned from, unsigned to, struct error *err)
{
    if (from > to) return 0;
    if (syscall(SYS_close_range, from, to, 0) < 0)
        return error_sys(err, "close descriptors %u to %u", from, to);
    return 0;
}

int process_close_fds(int preserve_fds, const int *keep, size_t n_keep, struct error *err)
{
    unsigned first = 3u + (unsigned)preserve_fds;
    /* Among the preserved numbers, nsrun's own descriptors are the
     * close-on-exec ones (every one it makes is; the caller's that survived
     * nsrun's exec are not). */
    for (int fd = 3; fd < (int)first; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && (flags & FD_CLOEXEC) && !is_kept(fd, keep, n_keep)) close(fd);
    }
    /* The gaps between the kept descriptors above the preserved ones, in
     * ascending order of the kept. */
    unsigned from = first;
    for (;;) {
        unsigned next = ~0u;
        for (size_t i = 0; i < n_keep; i++)
            if (keep[i] >= 0 && (unsigned)keep[i] >= from && (unsigned)keep[i] < next)
                next = (unsigned)keep[i];
        if (next == ~0u) return close_from_to(from, ~0u, err);
        if (close_from_to(from, next - 1, err) < 0) return -1;
        from = next + 1;
    }
}

int process_exec(const char *file, const struct spec_process *p, char **env, struct error *err)
{
    execve(file, (char *const *)p->args.items, env);
    return error_sys(err, "exec %s", file);
}
