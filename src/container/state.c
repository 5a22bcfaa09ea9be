/* The state directory and state.json; see state.h. */
#include "container/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "linux/pidfd.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define STATE_FILE "state.json"
#define FIFO_FILE  "exec.fifo"

const char *status_name(enum container_status status)
{
    switch (status) {
    case STATUS_CREATING: return "creating";
    case STATUS_CREATED: return "created";
    case STATUS_RUNNING: return "running";
    case STATUS_PAUSED: return "paused";
    case STATUS_STOPPED: return "stopped";
    }
    return "unknown";
}

json_t *state_oci_json(const struct container_state *st)
{
    json_t *annotations = st->annotations ? json_incref(st->annotations) : json_object();
    return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o}", "ociVersion", "1.2.0", "id",
                     st->id, "pid", st->status == STATUS_STOPPED ? 0 : (int)st->pid, "status",
                     status_name(st->status), "bundle", st->bundle, "rootfs", st->rootfs, "created",
                     st->created, "owner", st->owner, "annotations", annotations);
}

char *state_process_state_text(const struct container_state *st, pid_t pid, const char *metadata)
{
    json_t *doc =
        json_pack("{s:s, s:[s], s:i, s:s, s:o}", "ociVersion", "1.2.0", "fds", "seccompFd", "pid",
                  (int)pid, "metadata", metadata ? metadata : "", "state", state_oci_json(st));
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}

char *state_oci_text(const struct container_state *st, size_t flags)
{
    json_t *doc = state_oci_json(st);
    char *text = doc ? json_dumps(doc, flags) : NULL;
    json_decref(doc);
    return text;
}

int state_check_id(const char *id, struct error *err)
{
    size_t len = strlen(id);
    if (len == 0) return error_set(err, 0, "container id must not be empty");
    if (len > STATE_ID_MAX)
        return error_set(err, 0, "container id is longer than %d characters", STATE_ID_MAX);
    /* Names with a leading dot are nsrun's own in the state root (and
     * `list` would not show such a container). */
    if (id[0] == '.')
        return error_set(err, 0, "invalid container id \"%s\": must not start with a dot", id);
    for (const char *p = id; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '.';
        if (!ok)
            return error_set(err, 0,
                             "invalid container id: only letters, digits and _+-. are allowed");
    }
    return 0;
}

/* The state root is trusted: another user must not own it or be able to
 * write in it (a /tmp/nsrun-UID made by someone else first, say). */
int state_open_root(const char *root, bool create, struct error *err)
{
    if (create && fs_mkdir_p(root, 0700, err) < 0) return error_wrap(err, "state root");
    _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "state root %s", root);
    struct stat st;
    if (fstat(fd, &st) < 0) return error_sys(err, "state root %s", root);
    if (st.st_uid != geteuid())
        return error_set(err, 0, "state root %s belongs to uid %u, not to this user", root,
                         (unsigned)st.st_uid);
    if (st.st_mode & 022)
        return error_set(err, 0, "state root %s is writable by others (mode %o)", root,
                         (unsigned)(st.st_mode & 07777));
    return TAKE_FD(fd);
}

static int lock_dir(int dir_fd, const char *id, struct error *err)
{
    while (flock(dir_fd, LOCK_EX) < 0)
        if (errno != EINTR) return error_sys(err, "lock container %s", id);
    return 0;
}

int state_create_dir(int root_fd, const char *id, struct error *err)
{
    if (mkdirat(root_fd, id, 0700) < 0) {
        if (errno == EEXIST) return error_set(err, 0, "container with id %s already exists", id);
        return error_sys(err, "create the state directory of %s", id);
    }
    int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return error_sys(err, "open the state directory of %s", id);
    if (lock_dir(fd, id, err) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int state_lock_dir(int root_fd, const char *id, struct error *err)
{
    _cleanup_close_ int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) return error_set(err, 0, "container %s does not exist", id);
    if (fd < 0) return error_sys(err, "open the state directory of %s", id);
    if (lock_dir(fd, id, err) < 0) return -1;
    /* A delete that held the lock before us may have removed it. */
    struct stat st;
    if (fstat(fd, &st) < 0 || st.st_nlink == 0)
        return error_set(err, 0, "container %s does not exist", id);
    return TAKE_FD(fd);
}

int state_remove_dir(int root_fd, const char *id, struct error *err)
{
    _cleanup_close_ int fd = openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return errno == ENOENT ? 0 : error_sys(err, "open the state directory of %s", id);
    DIR *d = fs_list_dir(fd);
    if (!d) return error_sys(err, "read the state directory of %s", id);
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT) {
            error_sys(err, "remove %s/%s", id, e->d_name);
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    if (unlinkat(root_fd, id, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return error_sys(err, "remove the state directory of %s", id);
    return 0;
}

static json_t *cgroup_to_json(const struct cgroup *cg)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_dir *d = &cg->dirs[i];
        json_array_append_new(arr, json_pack("{s:s, s:b, s:s, s:s, s:i}", "path", d->path, "v2",
                                             d->v2, "name", d->name, "controllers", d->controllers,
                                             "created", d->created));
    }
    return arr;
}

static int cgroup_from_json(json_t *arr, struct cgroup *cg)
{
    memset(cg, 0, sizeof *cg);
    cg->v2_fd = -1;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (cg->n == CGROUP_MAX_HIERARCHIES) return -1;
        const char *path, *name, *controllers;
        int v2, created;
        if (json_unpack(v, "{s:s, s:b, s:s, s:s, s:i}", "path", &path, "v2", &v2, "name", &name,
                        "controllers", &controllers, "created", &created) < 0)
            return -1;
        struct cgroup_dir *d = &cg->dirs[cg->n++];
        d->path = strdup(path);
        d->name = strdup(name);
        d->controllers = strdup(controllers);
        d->v2 = v2;
        d->created = created;
        if (!d->path || !d->name || !d->controllers) return -1;
    }
    return 0;
}

int state_write(int dir_fd, const struct container_state *st, struct error *err)
{
    json_t *doc = json_pack(
        "{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:b}", "ociVersion", "1.2.0", "id",
        st->id, "pid", (int)st->pid, "initStartTime", (json_int_t)st->start_time, "bundle",
        st->bundle, "rootfs", st->rootfs, "created", st->created, "owner", st->owner, "annotations",
        st->annotations ? json_incref(st->annotations) : json_object(), "cgroupPaths",
        cgroup_to_json(&st->cgroup), "pidNamespace", st->has_pid_namespace);
    if (!doc) return error_set(err, ENOMEM, "state.json");
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!text) return error_set(err, ENOMEM, "state.json");
    int rc = fs_write_atomic_at(dir_fd, STATE_FILE, text, strlen(text), 0600, err);
    free(text);
    return rc;
}

bool state_init_alive(const struct container_state *st)
{
    return st->pid > 0 && st->start_time && pid_start_time(st->pid) == st->start_time;
}

/* Whether a creation is still under way: its creator holds the lock. */
static bool being_created(int dir_fd)
{
    if (flock(dir_fd, LOCK_EX | LOCK_NB) < 0) return true;
    flock(dir_fd, LOCK_UN);
    return false;
}

static enum container_status derive_status(int dir_fd, const struct container_state *st)
{
    if (st->pid == 0) return being_created(dir_fd) ? STATUS_CREATING : STATUS_STOPPED;
    if (!state_init_alive(st)) return STATUS_STOPPED;
    if (faccessat(dir_fd, FIFO_FILE, F_OK, AT_SYMLINK_NOFOLLOW) == 0) return STATUS_CREATED;
    return cgroup_is_frozen(&st->cgroup) ? STATUS_PAUSED : STATUS_RUNNING;
}

/* A directory with no state.json: its creator holds the lock, or died. */
static int read_unfinished(int dir_fd, struct container_state *st)
{
    st->status = being_created(dir_fd) ? STATUS_CREATING : STATUS_STOPPED;
    st->bundle = strdup("");
    st->rootfs = strdup("");
    st->created = strdup("");
    st->owner = strdup("");
    st->cgroup.v2_fd = -1;
    return 0;
}

int state_read(int root_fd, const char *id, struct container_state *st, struct error *err)
{
    memset(st, 0, sizeof *st);
    snprintf(st->id, sizeof st->id, "%s", id);
    _cleanup_close_ int dir_fd =
        openat(root_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dir_fd < 0 && errno == ENOENT) return error_set(err, 0, "container %s does not exist", id);
    if (dir_fd < 0) return error_sys(err, "open the state directory of %s", id);

    _cleanup_free_ char *text = NULL;
    if (fs_read_file_at(dir_fd, STATE_FILE, &text, NULL, err) < 0) {
        if (err->errnum == ENOENT) return read_unfinished(dir_fd, st);
        return error_wrap(err, "state of %s", id);
    }
    json_error_t jerr;
    json_t *doc = json_loads(text, 0, &jerr);
    const char *bundle, *rootfs, *created, *owner;
    json_t *annotations, *cgroups;
    json_int_t start_time;
    int pid, pidns = 0;
    if (!doc || json_unpack(doc, "{s:i, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s?b}", "pid", &pid,
                            "initStartTime", &start_time, "bundle", &bundle, "rootfs", &rootfs,
                            "created", &created, "owner", &owner, "annotations", &annotations,
                            "cgroupPaths", &cgroups, "pidNamespace", &pidns) < 0) {
        json_decref(doc);
        return error_set(err, 0, "state of %s: state.json is damaged", id);
    }
    st->pid = pid;
    st->start_time = (unsigned long long)start_time;
    st->bundle = strdup(bundle);
    st->rootfs = strdup(rootfs);
    st->created = strdup(created);
    st->owner = strdup(owner);
    st->annotations = json_incref(annotations);
    st->has_pid_namespace = pidns;
    int bad = cgroup_from_json(cgroups, &st->cgroup);
    json_decref(doc);
    if (bad || !st->bundle || !st->rootfs || !st->created || !st->owner) {
        state_free(st);
        return error_set(err, 0, "state of %s: state.json is damaged", id);
    }
    st->status = derive_status(dir_fd, st);
    return 0;
}

void state_free(struct container_state *st)
{
    free(st->bundle);
    free(st->rootfs);
    free(st->created);
    free(st->owner);
    json_decref(st->annotations);
    cgroup_free(&st->cgroup);
    st->bundle = st->rootfs = st->created = st->owner = NULL;
    st->annotations = NULL;
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int state_list_ids(int root_fd, char ***ids, size_t *n, struct error *err)
{
    *ids = NULL;
    *n = 0;
    DIR *d = fs_list_dir(root_fd);
    if (!d) return error_sys(err, "read the state root");
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **bigger = realloc(*ids, cap * sizeof *bigger);
            if (!bigger) break;
            *ids = bigger;
        }
        if (!((*ids)[*n] = strdup(e->d_name))) break;
        (*n)++;
    }
    closedir(d);
    if (*n) qsort(*ids, *n, sizeof **ids, compare_ids);
    return 0;
}

/* Only a sure absence counts: whatever else goes wrong is for the caller's
 * next step to report. */
bool state_exists(const char *root, const char *id)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", root, id) >= (int)sizeof path) return true;
    return lstat(path, &st) == 0 || errno != ENOENT;
}

int state_open_locked(const char *root, const char *id, struct locked_state *ls, struct error *err)
{
    ls->root_fd = ls->dir_fd = -1;
    memset(&ls->st, 0, sizeof ls->st);
    ls->st.cgroup.v2_fd = -1;
    if (state_check_id(id, err) < 0) return -1;
    ls->root_fd = state_open_root(root, false, err);
    if (ls->root_fd < 0 && err->errnum == ENOENT)
        return error_set(err, 0, "container %s does not exist", id);
    if (ls->root_fd < 0) return -1;
    if ((ls->dir_fd = state_lock_dir(ls->root_fd, id, err)) < 0 ||
        state_read(ls->root_fd, id, &ls->st, err) < 0) {
        state_close_locked(ls);
        return -1;
    }
    return 0;
}

void state_close_locked(struct locked_state *ls)
{
    state_free(&ls->st);
    if (ls->dir_fd >= 0) close(ls->dir_fd);
    if (ls->root_fd >= 0) close(ls->root_fd);
    ls->dir_fd = ls->root_fd = -1;
}
