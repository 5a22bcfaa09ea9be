/* events: a container's statistics, once or every interval, and its OOM
 * kills as they happen, one JSON object per line as runc prints them,
 * until the container stops. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "linux/pidfd.h"
#include "util/cleanup.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void emit(const char *type, const char *id, json_t *data)
{
    json_t *event = json_pack("{s:s, s:s}", "type", type, "id", id);
    if (data) json_object_set_new(event, "data", data);
    char *text = json_dumps(event, JSON_COMPACT);
    json_decref(event);
    if (text) printf("%s\n", text);
    fflush(stdout);
    free(text);
}

static int stream(const struct container_state *st, int interval_ms, struct error *err)
{
    _cleanup_close_ int pidfd = pidfd_open_verified(st->pid, st->start_time, err);
    if (pidfd < 0) return error_set(err, 0, "container %s is not running", st->id);
    struct oom_watch oom;
    struct error no_oom;
    bool watching = cgroup_oom_watch(&st->cgroup, &oom, &no_oom) == 0;
    long long next = now_ms() + interval_ms;
    int recheck = 0;
    for (;;) {
        struct pollfd fds[2] = {{pidfd, POLLIN, 0}, {watching ? oom.fd : -1, POLLIN | POLLPRI, 0}};
        long long wait = next - now_ms();
        if (recheck && wait > 20) wait = 20;
        int rc = poll(fds, 2, wait > 0 ? (int)wait : 0);
        if (rc < 0 && errno != EINTR) break;
        /* The notification comes when the cgroup runs out of memory, the
         * kill (and its count) a moment later: look again shortly. */
        if (watching && ((rc > 0 && fds[1].revents) || recheck)) {
            unsigned n = cgroup_oom_new(&oom);
            recheck = n ? 0 : (rc > 0 && fds[1].revents) ? 50 : recheck - 1;
            for (; n > 0; n--) emit("oom", st->id, NULL);
        }
        if (rc > 0 && fds[0].revents) break; /* the init exited: the container stopped */
        if (now_ms() >= next) {
            emit("stats", st->id, cgroup_stats(&st->cgroup));
            next += interval_ms;
        }
    }
    if (watching) cgroup_oom_close(&oom);
    return 0;
}

int container_events(const struct runtime *rt, const char *id, bool stats_once, int interval_ms,
                     struct error *err)
{
    struct container_state st;
    if (container_state(rt, id, &st, err) < 0) return -1;
    int rc = 0;
    if (st.status == STATUS_STOPPED || st.status == STATUS_CREATING)
        rc = error_set(err, 0, "container %s is not running", id);
    else
        rc = container_require_cgroup(&st, err);
    if (rc == 0 && stats_once)
        emit("stats", id, cgroup_stats(&st.cgroup));
    else if (rc == 0)
        rc = stream(&st, interval_ms, err);
    state_free(&st);
    return rc;
}
