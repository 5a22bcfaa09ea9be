/* Process trees; see proctree.h. */
#include "linux/proctree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "linux/pidfd.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct pid_list {
    pid_t *items;
    unsigned long long *start_times; /* as found: a pid reused later is not them */
    size_t n, cap;
};

static void list_free(struct pid_list *l)
{
    free(l->items);
    free(l->start_times);
}

static int push(struct pid_list *l, pid_t pid, struct error *err)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i] == pid) return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        pid_t *items = realloc(l->items, cap * sizeof *items);
        if (items) l->items = items;
        unsigned long long *times = realloc(l->start_times, cap * sizeof *times);
        if (times) l->start_times = times;
        if (!items || !times) return error_set(err, ENOMEM, "process list");
        l->cap = cap;
    }
    l->items[l->n] = pid;
    l->start_times[l->n++] = pid_start_time(pid);
    return 0;
}

/* Every thread's children: a thread other than the leader may fork. */
static int add_children(struct pid_list *l, pid_t pid, struct error *err)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    _cleanup_closedir_ DIR *tasks = opendir(path);
    if (!tasks) return 0; /* gone meanwhile */
    struct dirent *e;
    while ((e = readdir(tasks))) {
        if (e->d_name[0] == '.') continue;
        char file[sizeof path + sizeof e->d_name + 16];
        snprintf(file, sizeof file, "%s/%s/children", path, e->d_name);
        _cleanup_free_ char *text = NULL;
        struct error ignored;
        if (fs_read_file_at(AT_FDCWD, file, &text, NULL, &ignored) < 0) continue;
        for (char *p = text, *end; *p; p = end) {
            long child = strtol(p, &end, 10);
            if (end == p) break;
            if (push(l, (pid_t)child, err) < 0) return -1;
        }
    }
    return 0;
}

static bool same_pid_namespace(pid_t pid, const struct stat *ns)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/proc/%d/ns/pid", pid);
    return stat(path, &st) == 0 && st.st_ino == ns->st_ino && st.st_dev == ns->st_dev;
}

/* Every process in the pid namespace, the init's and nested ones aside:
 * exec'd processes whose nsrun parent went away were reparented outside
 * the init's tree, but not out of its namespace. */
static int add_namespace_members(struct pid_list *l, pid_t init, struct error *err)
{
    char path[64];
    struct stat ns;
    snprintf(path, sizeof path, "/proc/%d/ns/pid", init);
    if (stat(path, &ns) < 0) return 0; /* gone */
    _cleanup_closedir_ DIR *proc = opendir("/proc");
    if (!proc) return error_sys(err, "read /proc");
    struct dirent *e;
    while ((e = readdir(proc))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || pid == init) continue;
        if (same_pid_namespace((pid_t)pid, &ns) && push(l, (pid_t)pid, err) < 0) return -1;
    }
    return 0;
}

static int collect(pid_t root, unsigned long long root_start, struct pid_list *l, struct error *err)
{
    *l = (struct pid_list){0};
    struct stat ours;
    bool own_pidns = stat("/proc/self/ns/pid", &ours) == 0 && !same_pid_namespace(root, &ours);
    if (push(l, root, err) < 0) goto fail;
    if (l->start_times[0] != root_start) { /* the init is gone, its pid maybe reused */
        l->n = 0;
        return 0;
    }
    if (own_pidns && add_namespace_members(l, root, err) < 0) goto fail;
    for (size_t i = 0; i < l->n; i++)
        if (add_children(l, l->items[i], err) < 0) goto fail;
    return 0;
fail:
    list_free(l);
    return -1;
}

int proctree_list(pid_t root, unsigned long long root_start, pid_t **pids, size_t *n,
                  struct error *err)
{
    struct pid_list l;
    if (collect(root, root_start, &l, err) < 0) return -1;
    free(l.start_times);
    *pids = l.items;
    *n = l.n;
    return 0;
}

int proctree_signal(pid_t root, unsigned long long root_start, int sig, struct error *err)
{
    struct pid_list l;
    if (collect(root, root_start, &l, err) < 0) return -1;
    /* Children first: the init going first could leave them reparented. */
    for (size_t i = l.n; i-- > 0;) {
        struct error gone;
        _cleanup_close_ int fd = pidfd_open_verified(l.items[i], l.start_times[i], &gone);
        if (fd >= 0) pidfd_signal(fd, sig, &gone);
    }
    list_free(&l);
    return 0;
}
