/* Freezing a container: v1's freezer.state or v2's cgroup.freeze, waited
 * for with a bound. A freeze that does not complete is undone and
 * reported, so a container is never left half frozen. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"

enum { FREEZE_TIMEOUT_MS = 2000 };

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* v1 first (this host's freezer may be there), else the v2 directory. */
static const struct cgroup_dir *freezer_dir(const struct cgroup *cg, bool *v2)
{
    for (size_t i = 0; i < cg->n; i++)
        if (!cg->dirs[i].v2 && cgroup_has_controller(cg->dirs[i].controllers, "freezer")) {
            *v2 = false;
            return &cg->dirs[i];
        }
    for (size_t i = 0; i < cg->n; i++)
        if (cg->dirs[i].v2 && cgroup_has_file(&cg->dirs[i], "cgroup.freeze")) {
            *v2 = true;
            return &cg->dirs[i];
        }
    return NULL;
}

/* v1: the state is FREEZING until every task stopped; writing FROZEN again
 * nudges tasks that were busy in the kernel the first time. */
static int v1_set(const struct cgroup_dir *d, bool freeze, struct error *err)
{
    const char *want = freeze ? "FROZEN" : "THAWED";
    long long deadline = now_ms() + FREEZE_TIMEOUT_MS;
    struct timespec delay = {0, 1000000};
    for (;;) {
        char state[32];
        if (cgroup_write(d, "freezer.state", want, "freezer", err) < 0 ||
            cgroup_read(d, "freezer.state", state, sizeof state, err) < 0)
            return -1;
        if (strcmp(state, want) == 0) return 0;
        if (now_ms() > deadline) return error_set(err, ETIMEDOUT, "freezer.state stays %s", state);
        nanosleep(&delay, NULL);
        if (delay.tv_nsec < 16000000) delay.tv_nsec *= 2;
    }
}

static int v2_frozen(const struct cgroup_dir *d, bool *frozen, struct error *err)
{
    char events[256], path[4096];
    snprintf(path, sizeof path, "%s/cgroup.events", d->path);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open %s", path);
    ssize_t n = read(fd, events, sizeof events - 1);
    if (n < 0) return error_sys(err, "read %s", path);
    events[n] = '\0';
    *frozen = strstr(events, "frozen 1") != NULL;
    return 0;
}

/* v2: cgroup.events says when the freeze is complete; the kernel signals
 * each change of it (POLLPRI). */
static int v2_set(const struct cgroup_dir *d, bool freeze, struct error *err)
{
    if (cgroup_write(d, "cgroup.freeze", freeze ? "1" : "0", "cgroup.freeze", err) < 0) return -1;
    char path[4096];
    snprintf(path, sizeof path, "%s/cgroup.events", d->path);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open %s", path);
    long long deadline = now_ms() + FREEZE_TIMEOUT_MS;
    for (;;) {
        bool frozen;
        if (v2_frozen(d, &frozen, err) < 0) return -1;
        if (frozen == freeze) return 0;
        long long left = deadline - now_ms();
        if (left <= 0)
            return error_set(err, ETIMEDOUT, "cgroup.events never says frozen %d", freeze);
        struct pollfd p = {.fd = fd, .events = POLLPRI};
        (void)poll(&p, 1, (int)(left < 10 ? left : 10));
    }
}

int cgroup_freeze(const struct cgroup *cg, bool freeze, struct error *err)
{
    bool v2;
    const struct cgroup_dir *d = freezer_dir(cg, &v2);
    if (!d) return error_set(err, 0, "no freezer for the container's cgroup on this host");
    int rc = v2 ? v2_set(d, freeze, err) : v1_set(d, freeze, err);
    if (rc == 0 || !freeze) return rc;
    /* Half frozen is the worst of both: thaw, and say why. */
    struct error ignored;
    if (v2)
        v2_set(d, false, &ignored);
    else
        v1_set(d, false, &ignored);
    return error_wrap(err,
                      "could not freeze the container within %d ms (a process stuck in the "
                      "kernel?); it is thawed again",
                      FREEZE_TIMEOUT_MS);
}

bool cgroup_is_frozen(const struct cgroup *cg)
{
    bool v2, frozen = false;
    struct error ignored;
    const struct cgroup_dir *d = freezer_dir(cg, &v2);
    if (!d) return false;
    if (v2) return v2_frozen(d, &frozen, &ignored) == 0 && frozen;
    char state[32];
    return cgroup_read(d, "freezer.state", state, sizeof state, &ignored) == 0 &&
           strcmp(state, "FROZEN") == 0;
}
