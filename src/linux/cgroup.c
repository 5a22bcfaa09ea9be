/* The cgroup interface: host layout, the container's directories, joining,
 * signalling and removal; the v1 and v2 resource files are written by
 * cgroup_v1.c and cgroup_v2.c. */
#include "linux/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "linux/cgroup_internal.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static const char *const v1_controllers[] = {
    "cpu",   "cpuacct",    "cpuset",  "memory", "devices", "freezer", "net_cls", "net_prio",
    "blkio", "perf_event", "hugetlb", "pids",   "rdma",    "misc",    "debug",
};

bool cgroup_has_controller(const char *controllers, const char *controller)
{
    size_t len = strlen(controller);
    for (const char *p = controllers; *p;) {
        size_t tok = strcspn(p, ", ");
        if (tok == len && strncmp(p, controller, len) == 0) return true;
        p += tok;
        p += strspn(p, ", ");
    }
    return false;
}

static bool is_v1_controller(const char *tok, size_t len)
{
    if (len > 5 && strncmp(tok, "name=", 5) == 0) return true;
    for (size_t i = 0; i < ARRAY_LEN(v1_controllers); i++)
        if (strlen(v1_controllers[i]) == len && strncmp(v1_controllers[i], tok, len) == 0)
            return true;
    return false;
}

/* The controllers in a v1 mount's super options ("rw,nosuid,cpu,cpuacct"). */
static char *v1_controllers_of(const char *super_options)
{
    char *out = calloc(1, strlen(super_options) + 1);
    if (!out) return NULL;
    for (const char *p = super_options; *p;) {
        size_t len = strcspn(p, ",");
        if (is_v1_controller(p, len)) {
            if (*out) strcat(out, ",");
            strncat(out, p, len);
        }
        p += len;
        if (*p == ',') p++;
    }
    return out;
}

/* mountinfo escapes spaces and the like as \ooo. */
static void unescape_octal(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static bool known_hierarchy(const struct cgroup_host *host, bool v2, const char *controllers)
{
    for (size_t i = 0; i < host->n; i++)
        if (host->h[i].v2 == v2 && (v2 || strcmp(host->h[i].controllers, controllers) == 0))
            return true;
    return false;
}

static int add_hierarchy(struct cgroup_host *host, char *line, struct error *err)
{
    /* id parent maj:min root mountpoint options [optional...] - fstype source super */
    char *fields[6] = {0}, *save = NULL, *tok = strtok_r(line, " ", &save);
    for (int i = 0; i < 6 && tok; i++, tok = strtok_r(NULL, " ", &save)) fields[i] = tok;
    while (tok && strcmp(tok, "-") != 0) tok = strtok_r(NULL, " ", &save);
    char *fstype = tok ? strtok_r(NULL, " ", &save) : NULL;
    char *source = fstype ? strtok_r(NULL, " ", &save) : NULL;
    char *super = source ? strtok_r(NULL, " \n", &save) : NULL;
    if (!fields[4] || !super) return 0;
    bool v2 = strcmp(fstype, "cgroup2") == 0;
    if (!v2 && strcmp(fstype, "cgroup") != 0) return 0;

    _cleanup_free_ char *controllers = v2 ? strdup("") : v1_controllers_of(super);
    if (!controllers) return error_set(err, ENOMEM, "cgroup hierarchies");
    if (!v2 && !*controllers) return 0;
    if (known_hierarchy(host, v2, controllers)) return 0; /* mounted twice: first wins */
    if (host->n == CGROUP_MAX_HIERARCHIES) return error_set(err, 0, "too many cgroup hierarchies");

    unescape_octal(fields[3]);
    unescape_octal(fields[4]);
    struct cgroup_hierarchy *h = &host->h[host->n];
    h->v2 = v2;
    h->root = strdup(fields[3]);
    h->mount = strdup(fields[4]);
    h->controllers = TAKE_PTR(controllers);
    host->n++;
    if (!h->root || !h->mount) return error_set(err, ENOMEM, "cgroup hierarchies");
    return 0;
}

/* Fills each hierarchy's `own` from /proc/self/cgroup. */
static int read_own_cgroups(struct cgroup_host *host, struct error *err)
{
    _cleanup_free_ char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, "/proc/self/cgroup", &text, NULL, err) < 0) return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *c1 = strchr(line, ':');
        char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2) continue;
        *c2 = '\0';
        const char *controllers = c1 + 1, *path = c2 + 1;
        bool v2 = strcmp(line, "0") == 0 || !*controllers;
        for (size_t i = 0; i < host->n; i++) {
            struct cgroup_hierarchy *h = &host->h[i];
            if (h->own || h->v2 != v2 || (!v2 && strcmp(h->controllers, controllers) != 0))
                continue;
            h->own = strdup(path);
            if (!h->own) return error_set(err, ENOMEM, "cgroup hierarchies");
        }
    }
    return 0;
}

int cgroup_host_detect(struct cgroup_host *host, struct error *err)
{
    memset(host, 0, sizeof *host);
    _cleanup_free_ char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, "/proc/self/mountinfo", &text, NULL, err) < 0) return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (strstr(line, " - cgroup") && add_hierarchy(host, line, err) < 0) goto fail;
    if (read_own_cgroups(host, err) < 0) goto fail;

    bool any_v1 = false, any_v2 = false;
    for (size_t i = 0; i < host->n; i++) {
        struct cgroup_hierarchy *h = &host->h[i];
        if (!h->own) h->own = strdup("/"); /* not a member: treat as the root */
        if (h->v2) {
            char path[PATH_MAX];
            char *available = NULL;
            snprintf(path, sizeof path, "%s/cgroup.controllers", h->mount);
            struct error ignored;
            if (fs_read_file_at(AT_FDCWD, path, &available, NULL, &ignored) == 0) {
                available[strcspn(available, "\n")] = '\0';
                free(h->controllers);
                h->controllers = available;
            }
        }
        any_v1 |= !h->v2;
        any_v2 |= h->v2;
    }
    host->mode = any_v1 ? (any_v2 ? CGROUP_HYBRID : CGROUP_V1) : CGROUP_V2;
    if (host->n == 0) {
        error_set(err, 0, "no cgroup hierarchy is mounted");
        goto fail;
    }
    return 0;
fail:
    cgroup_host_free(host);
    return -1;
}

void cgroup_host_free(struct cgroup_host *host)
{
    for (size_t i = 0; i < host->n; i++) {
        free(host->h[i].mount);
        free(host->h[i].root);
        free(host->h[i].own);
        free(host->h[i].controllers);
    }
    memset(host, 0, sizeof *host);
}

void cgroup_clean_path(char *path)
{
    char src[PATH_MAX];
    snprintf(src, sizeof src, "%s", path);
    size_t len = 0; /* of the cleaned path, written back into path */
    for (const char *p = src; *p;) {
        while (*p == '/') p++;
        size_t seg = strcspn(p, "/");
        if (seg == 0) break;
        if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && path[len - 1] != '/') len--;
            if (len > 0) len--; /* the slash before it */
        } else if (!(seg == 1 && p[0] == '.')) {
            path[len++] = '/';
            memcpy(path + len, p, seg);
            len += seg;
        }
        p += seg;
    }
    if (len == 0) path[len++] = '/';
    path[len] = '\0';
}

/* The container's cgroup as a path inside each hierarchy. */
/* Where a relative path is taken from: the caller's cgroup on v1; on v2 its
 * parent, as runc has it, since the caller's own cgroup holds the caller,
 * and v2 enables no controller below a cgroup that has processes (nsrun
 * in a systemd service puts its containers beside the service). */
static void relative_base(const struct cgroup_hierarchy *h, char *out, size_t size)
{
    snprintf(out, size, "%s", h->own);
    char *slash = strrchr(out, '/');
    if (!h->v2 || !slash) return;
    if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

static int container_cgroup_path(const struct cgroup_hierarchy *h, const char *cgroups_path,
                                 const char *id, char *out, size_t size, struct error *err)
{
    const char *rel = cgroups_path && *cgroups_path ? cgroups_path : id;
    char base[PATH_MAX];
    relative_base(h, base, sizeof base);
    int n =
        rel[0] == '/' ? snprintf(out, size, "%s", rel) : snprintf(out, size, "%s/%s", base, rel);
    if (n < 0 || (size_t)n >= size) return error_set(err, ENAMETOOLONG, "linux.cgroupsPath");
    cgroup_clean_path(out);
    if (strcmp(out, "/") == 0)
        return error_set(err, 0, "linux.cgroupsPath: \"%s\" is the root cgroup", rel);
    return 0;
}

/* The host directory of a hierarchy path, through the mount's root. */
static char *hierarchy_dir(const struct cgroup_hierarchy *h, const char *path, struct error *err)
{
    size_t root_len = strcmp(h->root, "/") == 0 ? 0 : strlen(h->root);
    if (root_len && (strncmp(path, h->root, root_len) != 0 ||
                     (path[root_len] != '/' && path[root_len] != '\0'))) {
        error_set(err, 0,
                  "linux.cgroupsPath: %s is outside the part of the hierarchy mounted at %s", path,
                  h->mount);
        return NULL;
    }
    char *dir = NULL;
    if (asprintf(&dir, "%s%s", h->mount, path + root_len) < 0) {
        error_set(err, ENOMEM, "cgroup path");
        return NULL;
    }
    return dir;
}

/* mkdir -p below the mount, counting the levels made. */
static int make_dirs(const struct cgroup_hierarchy *h, struct cgroup_dir *d, struct error *err)
{
    size_t mount_len = strlen(h->mount);
    for (char *p = d->path + mount_len + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(d->path, 0755) == 0) {
            d->created++;
            if (!h->v2 && cgroup_has_controller(h->controllers, "cpuset") &&
                cgroup_v1_cpuset_init(d->path, err) < 0) {
                *p = saved;
                return -1;
            }
        } else if (errno != EEXIST) {
            error_sys(err, "create cgroup %s", d->path);
            *p = saved;
            return -1;
        }
        *p = saved;
        if (!saved) break;
    }
    return 0;
}

/* The v2 hierarchy's mount point, for controller delegation; NULL without. */
static const char *v2_mount(const struct cgroup_host *host)
{
    for (size_t i = 0; i < host->n; i++)
        if (host->h[i].v2) return host->h[i].mount;
    return NULL;
}

int cgroup_writef(const struct cgroup_dir *dir, const char *file, const char *field,
                  struct error *err, const char *fmt, ...)
{
    char value[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    return cgroup_write(dir, file, value, field, err);
}

int cgroup_read(const struct cgroup_dir *dir, const char *file, char *buf, size_t size,
                struct error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir->path, file);
    _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "open %s", path);
    ssize_t n = read(fd, buf, size - 1);
    if (n < 0) return error_sys(err, "read %s", path);
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

bool cgroup_has_file(const struct cgroup_dir *dir, const char *file)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir->path, file);
    return access(path, F_OK) == 0;
}

int cgroup_update(struct cgroup *cg, const struct spec_resources *resources, struct error *err)
{
    struct cgroup_host host;
    if (cgroup_host_detect(&host, err) < 0) return -1;
    int rc = cgroup_apply(cg, v2_mount(&host), resources, err);
    cgroup_host_free(&host);
    return rc;
}

int cgroup_write(const struct cgroup_dir *dir, const char *file, const char *value,
                 const char *field, struct error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir->path, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "%s: open %s", field, path);
    ssize_t len = (ssize_t)strlen(value);
    if (write(fd, value, (size_t)len) != len)
        return error_sys(err, "%s: write %s to %s", field, value, path);
    return 0;
}

static int open_join_fds(struct cgroup *cg, struct error *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_dir *d = &cg->dirs[i];
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", d->path, d->v2 ? "cgroup.procs" : "tasks");
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) return error_sys(err, "open %s", path);
        cg->join_fds[cg->n_join++] = fd;
        if (d->v2) {
            cg->v2_fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (cg->v2_fd < 0) return error_sys(err, "open %s", d->path);
        }
    }
    return 0;
}

/* The levels of d's path below the mount that do not exist yet. */
static int missing_levels(const struct cgroup_hierarchy *h, const struct cgroup_dir *d)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", d->path);
    int missing = 0;
    size_t mount_len = strlen(h->mount);
    while (strlen(path) > mount_len && access(path, F_OK) < 0) {
        missing++;
        *strrchr(path, '/') = '\0';
    }
    return missing;
}

int cgroup_plan(const struct cgroup_host *host, const char *cgroups_path, const char *id,
                struct cgroup *cg, struct error *err)
{
    memset(cg, 0, sizeof *cg);
    cg->v2_fd = -1;
    for (size_t i = 0; i < host->n; i++) {
        const struct cgroup_hierarchy *h = &host->h[i];
        char path[PATH_MAX];
        if (container_cgroup_path(h, cgroups_path, id, path, sizeof path, err) < 0) goto fail;
        struct cgroup_dir *d = &cg->dirs[cg->n];
        d->v2 = h->v2;
        d->path = hierarchy_dir(h, path, err);
        if (!d->path) goto fail;
        cg->n++;
        d->name = strdup(strrchr(h->mount, '/') + 1);
        d->controllers = strdup(h->controllers);
        if (!d->name || !d->controllers) {
            error_set(err, ENOMEM, "cgroup");
            goto fail;
        }
        d->created = missing_levels(h, d);
    }
    return 0;
fail:
    cgroup_free(cg);
    return -1;
}

/* A cgroup that was there before must not hold anyone's processes: limits
 * and `delete` would reach them (a hostile linux.cgroupsPath naming
 * sshd's, say). runc refuses it too. */
static int check_empty(const struct cgroup_dir *d, struct error *err)
{
    if (d->created) return 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/cgroup.procs", d->path);
    _cleanup_free_ char *procs = NULL;
    if (fs_read_file_at(AT_FDCWD, path, &procs, NULL, err) < 0) return -1;
    if (procs[0])
        return error_set(err, 0, "linux.cgroupsPath: the cgroup %s already has processes", d->path);
    return 0;
}

int cgroup_make(const struct cgroup_host *host, const struct spec_resources *resources,
                struct cgroup *cg, struct error *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        struct cgroup_dir *d = &cg->dirs[i];
        d->created = 0; /* counted again as they are made */
        if (make_dirs(&host->h[i], d, err) < 0 || check_empty(d, err) < 0) goto fail;
    }
    if (resources && cgroup_apply(cg, v2_mount(host), resources, err) < 0) goto fail;
    if (open_join_fds(cg, err) < 0) goto fail;
    return 0;
fail:
    cgroup_destroy(cg, &(struct error){0});
    cgroup_free(cg);
    return -1;
}

int cgroup_join_self(struct cgroup *cg, bool v2_joined, struct error *err)
{
    for (size_t i = 0; i < cg->n_join; i++) {
        if (cg->dirs[i].v2 && v2_joined) continue;
        if (write(cg->join_fds[i], "0", 1) != 1)
            return error_sys(err, "join cgroup %s", cg->dirs[i].path);
    }
    return 0;
}

void cgroup_close_fds(struct cgroup *cg)
{
    for (size_t i = 0; i < cg->n_join; i++) close(cg->join_fds[i]);
    cg->n_join = 0;
    if (cg->v2_fd >= 0) close(cg->v2_fd);
    cg->v2_fd = -1;
}

/* A cgroup directory's child cgroups: kernfs counts them in its link count
 * (2 + subdirectories), so the common case, none, costs one stat. */
static bool has_children(const char *dir)
{
    struct stat st;
    return stat(dir, &st) == 0 && st.st_nlink > 2;
}

/* Calls visit on dir and, first, on every cgroup below it (depth first),
 * down to CGROUP_MAX_DEPTH levels: the container may make cgroups of its
 * own in one it can write, and move processes there. */
enum { CGROUP_MAX_DEPTH = 32 };
typedef int (*cgroup_visit)(const char *dir, void *ctx, struct error *err);

static int walk_tree(const char *dir, int depth, cgroup_visit visit, void *ctx, struct error *err)
{
    if (depth > CGROUP_MAX_DEPTH)
        return error_set(err, ELOOP, "cgroup %s: more than %d levels below", dir, CGROUP_MAX_DEPTH);
    if (has_children(dir)) {
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d && errno != ENOENT) return error_sys(err, "list cgroup %s", dir);
        for (struct dirent *e; d && (e = readdir(d));) {
            if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char child[PATH_MAX];
            if (snprintf(child, sizeof child, "%s/%s", dir, e->d_name) >= (int)sizeof child)
                return error_set(err, ENAMETOOLONG, "cgroup %s/%s", dir, e->d_name);
            if (walk_tree(child, depth + 1, visit, ctx, err) < 0) return -1;
        }
    }
    return visit(dir, ctx, err);
}

struct pid_list {
    pid_t *items;
    size_t n, cap;
};

static int add_procs(const char *dir, void *ctx, struct error *err)
{
    struct pid_list *l = ctx;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/cgroup.procs", dir);
    _cleanup_free_ char *text = NULL;
    if (fs_read_file_at(AT_FDCWD, path, &text, NULL, err) < 0)
        return err->errnum == ENOENT ? 0 : -1;
    for (char *p = text; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        if (l->n == l->cap) {
            size_t cap = l->cap ? 2 * l->cap : 16;
            pid_t *bigger = realloc(l->items, cap * sizeof *bigger);
            if (!bigger) return error_set(err, ENOMEM, "read %s", path);
            l->items = bigger;
            l->cap = cap;
        }
        l->items[l->n++] = (pid_t)v;
        p = end + strspn(end, "\n");
    }
    return 0;
}

int cgroup_list_pids(const struct cgroup *cg, pid_t **pids, size_t *n, struct error *err)
{
    *pids = NULL;
    *n = 0;
    if (cg->n == 0) return 0;
    struct pid_list l = {0};
    if (walk_tree(cg->dirs[0].path, 0, add_procs, &l, err) < 0) {
        free(l.items);
        return -1;
    }
    *pids = l.items;
    *n = l.n;
    return 0;
}

/* v2's cgroup.kill: SIGKILL to the whole subtree at once, which no fork or
 * pid reuse can race; 0 done, 1 where there is none (v1, kernels < 5.14). */
static int kill_v2_tree(const struct cgroup *cg, struct error *err)
{
    for (size_t i = 0; i < cg->n; i++) {
        if (!cg->dirs[i].v2) continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/cgroup.kill", cg->dirs[i].path);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) return 1;
        if (fd < 0 || write(fd, "1", 1) != 1) return error_sys(err, "kill through %s", path);
        return 0;
    }
    return 1;
}

int cgroup_signal_all(const struct cgroup *cg, int sig, struct error *err)
{
    if (sig == SIGKILL) {
        int rc = kill_v2_tree(cg, err);
        if (rc <= 0) return rc;
    }
    _cleanup_free_ pid_t *pids = NULL;
    size_t n;
    if (cgroup_list_pids(cg, &pids, &n, err) < 0) return -1;
    for (size_t i = 0; i < n; i++)
        if (kill(pids[i], sig) < 0 && errno != ESRCH) return error_sys(err, "kill %d", pids[i]);
    return 0;
}

bool cgroup_has_processes(const struct cgroup *cg)
{
    _cleanup_free_ pid_t *pids = NULL;
    size_t n = 0;
    struct error ignored;
    return cgroup_list_pids(cg, &pids, &n, &ignored) == 0 && n > 0;
}

/* rmdir that waits, bounded, for exiting processes to leave the cgroup. */
static int remove_one(const char *path, void *ctx, struct error *err)
{
    (void)ctx;
    struct timespec delay = {0, 1000000};
    for (int attempt = 0;; attempt++) {
        if (rmdir(path) == 0 || errno == ENOENT) return 0;
        if (errno != EBUSY || attempt == 60) return error_sys(err, "remove cgroup %s", path);
        nanosleep(&delay, NULL);
        if (delay.tv_nsec < 64000000) delay.tv_nsec *= 2; /* up to ~3 s in all */
    }
}

/* The cgroup and any the container made below it, deepest first (looked
 * for only when a first rmdir finds the cgroup busy: the common case costs
 * nothing more). */
static int remove_dir(const char *path, struct error *err)
{
    if (rmdir(path) == 0 || errno == ENOENT) return 0;
    return walk_tree(path, 0, remove_one, NULL, err);
}

int cgroup_destroy(struct cgroup *cg, struct error *err)
{
    int rc = 0;
    for (size_t i = 0; i < cg->n; i++) {
        struct cgroup_dir *d = &cg->dirs[i];
        for (; d->created > 0; d->created--) {
            if (remove_dir(d->path, err) < 0) {
                rc = -1;
                break;
            }
            char *slash = strrchr(d->path, '/');
            if (slash) *slash = '\0';
        }
    }
    return rc;
}

void cgroup_free(struct cgroup *cg)
{
    cgroup_close_fds(cg);
    for (size_t i = 0; i < cg->n; i++) {
        free(cg->dirs[i].path);
        free(cg->dirs[i].name);
        free(cg->dirs[i].controllers);
    }
    memset(cg, 0, sizeof *cg);
    cg->v2_fd = -1;
}
