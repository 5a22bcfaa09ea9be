/* Planning the rootfs set-up; see mount_plan.h. Pure: no system calls. */
#include "linux/mount_plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "spec/names.h"
#include "util/arena.h"
#include "util/cleanup.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

struct flag_option {
    const char *name;
    bool clear; /* the option removes the flag ("rw", "suid") */
    unsigned long flag;
};

static const struct flag_option flag_options[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"iversion", false, MS_I_VERSION},
    {"noiversion", true, MS_I_VERSION},
    {"nosymfollow", false, MS_NOSYMFOLLOW},
};

/* Recursive attributes (mount_setattr with AT_RECURSIVE): the mount and
 * every mount below it. The atime ones choose one mode; the rest set or
 * clear one flag. */
struct attr_option {
    const char *name;
    bool clear;
    uint64_t attr;
    bool atime; /* attr is an atime mode (MOUNT_ATTR__ATIME) */
};

static const struct attr_option attr_options[] = {
    {"rro", false, MOUNT_ATTR_RDONLY, false},
    {"rrw", true, MOUNT_ATTR_RDONLY, false},
    {"rnosuid", false, MOUNT_ATTR_NOSUID, false},
    {"rsuid", true, MOUNT_ATTR_NOSUID, false},
    {"rnodev", false, MOUNT_ATTR_NODEV, false},
    {"rdev", true, MOUNT_ATTR_NODEV, false},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC, false},
    {"rexec", true, MOUNT_ATTR_NOEXEC, false},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME, false},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME, false},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW, false},
    {"rnoatime", false, MOUNT_ATTR_NOATIME, true},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME, true},
    /* Leaving noatime or strictatime is the kernel's default, relatime. */
    {"rrelatime", false, MOUNT_ATTR_RELATIME, true},
    {"ratime", false, MOUNT_ATTR_RELATIME, true},
    {"rnorelatime", false, MOUNT_ATTR_RELATIME, true},
    {"rnostrictatime", false, MOUNT_ATTR_RELATIME, true},
};

/* Options that are neither flags, attributes nor propagation. */
static const char *const keyword_options[] = {"bind", "rbind", "tmpcopyup", "idmap", "ridmap"};

const char *mount_option_name(size_t i)
{
    if (i < ARRAY_LEN(flag_options)) return flag_options[i].name;
    i -= ARRAY_LEN(flag_options);
    if (i < ARRAY_LEN(attr_options)) return attr_options[i].name;
    i -= ARRAY_LEN(attr_options);
    if (i < ARRAY_LEN(keyword_options)) return keyword_options[i];
    return propagation_name(i - ARRAY_LEN(keyword_options));
}

static bool parse_attr_option(const char *opt, struct mount_options *out)
{
    for (size_t k = 0; k < ARRAY_LEN(attr_options); k++) {
        const struct attr_option *a = &attr_options[k];
        if (strcmp(opt, a->name) != 0) continue;
        if (a->atime) {
            out->attr_clr |= MOUNT_ATTR__ATIME;
            out->attr_set = (out->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | a->attr;
        } else if (a->clear) {
            out->attr_clr |= a->attr;
            out->attr_set &= ~a->attr;
        } else {
            out->attr_set |= a->attr;
            out->attr_clr &= ~a->attr;
        }
        return true;
    }
    return false;
}

int mount_options_parse(const struct spec_strings *options, struct arena **arena,
                        struct mount_options *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    size_t data_len = 0;
    for (size_t i = 0; i < options->len; i++) data_len += strlen(options->items[i]) + 1;
    char *data = data_len ? arena_alloc(arena, data_len + 1) : NULL;
    if (data_len && !data) return error_set(err, ENOMEM, "mount options");

    for (size_t i = 0; i < options->len; i++) {
        const char *opt = options->items[i];
        bool known = false;
        for (size_t k = 0; k < ARRAY_LEN(flag_options) && !known; k++) {
            if (strcmp(opt, flag_options[k].name) != 0) continue;
            known = true;
            if (flag_options[k].clear)
                out->flags &= ~flag_options[k].flag;
            else
                out->flags |= flag_options[k].flag;
        }
        if (known) continue;
        if (strcmp(opt, "bind") == 0 || strcmp(opt, "rbind") == 0) {
            out->bind = true;
            out->recursive |= opt[0] == 'r';
            continue;
        }
        if (parse_attr_option(opt, out)) continue;
        if (strcmp(opt, "tmpcopyup") == 0) {
            out->copy_up = true;
            continue;
        }
        if (strcmp(opt, "idmap") == 0 || strcmp(opt, "ridmap") == 0) {
            out->idmap = true;
            out->idmap_recursive = opt[0] == 'r';
            continue;
        }
        unsigned long propagation = propagation_from_name(opt);
        if (propagation) {
            out->propagation = propagation;
            continue;
        }
        if (*data) strcat(data, ",");
        strcat(data, opt);
    }
    out->data = data && *data ? data : NULL;
    return 0;
}

static struct mount_step *add(struct mount_plan *plan, enum mount_step_kind kind, const char *dest,
                              struct error *err)
{
    if (plan->n == plan->cap) {
        size_t cap = plan->cap ? plan->cap * 2 : 32;
        struct mount_step *bigger = realloc(plan->steps, cap * sizeof *bigger);
        if (!bigger) {
            error_set(err, ENOMEM, "mount plan");
            return NULL;
        }
        plan->steps = bigger;
        plan->cap = cap;
    }
    struct mount_step *s = &plan->steps[plan->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->dest = dest;
    s->spec_index = -1;
    return s;
}

static const char *join(struct mount_plan *plan, const char *a, const char *b, struct error *err)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = arena_alloc(&plan->arena, la + lb + 2);
    if (!s) {
        error_set(err, ENOMEM, "mount plan");
        return NULL;
    }
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

static bool is_tmpfs(const struct spec_mount *m)
{
    return m->type && strcmp(m->type, "tmpfs") == 0;
}

/* /sys/fs/cgroup: the cgroup2 file system of the container's namespace on a
 * v2 host, else a tmpfs holding each hierarchy's directory of the container
 * (bound, so that the view is its own cgroup whether or not it has a cgroup
 * namespace), with the co-mounted controllers' symlinks. */
static int plan_cgroup(const struct mount_plan_input *in, struct mount_plan *plan,
                       const struct spec_mount *m, const struct mount_options *o, int index,
                       struct error *err)
{
    const struct cgroup *cg = in->cgroup;
    unsigned long flags = o->flags | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    struct mount_step *s;
    if (!cg || cg->n == 0) {
        /* No cgroup of its own (rootless without delegation): the host's
         * hierarchies, as the mount's flags allow (read-only by default). */
        if (!(s = add(plan, STEP_BIND, m->destination, err))) return -1;
        s->source = "/sys/fs/cgroup";
        s->recursive = true;
        s->flags = flags;
        s->spec_index = index;
        return 0;
    }

    if (cg->n == 1 && cg->dirs[0].v2) {
        if (in->cgroup_ns) {
            if (!(s = add(plan, STEP_MOUNT, m->destination, err))) return -1;
            s->fstype = "cgroup2";
            s->source = "cgroup2";
            s->flags = flags;
        } else {
            if (!(s = add(plan, STEP_BIND, m->destination, err))) return -1;
            s->source = cg->dirs[0].path;
            s->flags = flags;
        }
        s->spec_index = index;
        return 0;
    }

    if (!(s = add(plan, STEP_MOUNT, m->destination, err))) return -1;
    s->fstype = "tmpfs";
    s->source = "cgroup";
    s->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    s->data = "mode=755";
    s->spec_index = index;
    for (size_t i = 0; i < cg->n; i++) {
        const struct cgroup_dir *d = &cg->dirs[i];
        const char *dest = join(plan, m->destination, d->name, err);
        if (!dest || !(s = add(plan, STEP_BIND, dest, err))) return -1;
        s->source = d->path;
        s->flags = flags;
        s->spec_index = index;
        if (d->v2 || !strchr(d->name, ',')) continue;
        /* "cpu,cpuacct" is also reachable as "cpu" and "cpuacct". */
        for (const char *p = d->name; *p;) {
            size_t len = strcspn(p, ",");
            char *alias = arena_alloc(&plan->arena, len + 1);
            if (!alias) return error_set(err, ENOMEM, "mount plan");
            memcpy(alias, p, len);
            const char *link = join(plan, m->destination, alias, err);
            if (!link || !(s = add(plan, STEP_SYMLINK, link, err))) return -1;
            s->target = d->name;
            p += len + (p[len] == ',');
        }
    }
    if (o->flags & MS_RDONLY) {
        if (!(s = add(plan, STEP_REMOUNT, m->destination, err))) return -1;
        s->flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
        s->data = "mode=755";
        s->fstype = "tmpfs";
    }
    return 0;
}

/* linux.mountLabel: the SELinux context a new file system's files get, for
 * the types that take one (as runc labels them). */
static int labelled(const struct mount_plan_input *in, struct mount_plan *plan, const char *type,
                    const char **data, struct error *err)
{
    static const char *const types[] = {"tmpfs", "devpts", "mqueue"};
    bool takes = false;
    for (size_t i = 0; i < ARRAY_LEN(types); i++) takes |= strcmp(type, types[i]) == 0;
    if (!in->mount_label || !*in->mount_label || !takes) return 0;
    size_t len = (*data ? strlen(*data) + 1 : 0) + strlen(in->mount_label) + 16;
    char *out = arena_alloc(&plan->arena, len);
    if (!out) return error_set(err, ENOMEM, "mount plan");
    snprintf(out, len, "%s%scontext=\"%s\"", *data ? *data : "", *data ? "," : "", in->mount_label);
    *data = out;
    return 0;
}

/* An id-mapped bind mount: its own maps (both), or the container's user
 * namespace. */
static int check_idmap(const struct mount_plan_input *in, const struct spec_mount *m,
                       const struct mount_options *o, bool bind, int index, struct error *err)
{
    bool own = m->uid_mappings.len || m->gid_mappings.len;
    if (!o->idmap && !own) return 0;
    if (!bind) return error_set(err, 0, "mounts[%d]: id-mapped mounts are for bind mounts", index);
    if (own && (!m->uid_mappings.len || !m->gid_mappings.len))
        return error_set(err, 0, "mounts[%d]: uidMappings and gidMappings go together", index);
    if (!own && !in->user_ns)
        return error_set(err, 0,
                         "mounts[%d].options: idmap without uidMappings needs the container's "
                         "user namespace",
                         index);
    return 0;
}

static int plan_mount(const struct mount_plan_input *in, struct mount_plan *plan, int index,
                      struct error *err)
{
    const struct spec_mount *m = &in->spec->mounts[index];
    struct mount_options o;
    if (mount_options_parse(&m->options, &plan->arena, &o, err) < 0)
        return error_wrap(err, "mounts[%d].options", index);
    struct mount_step *s;
    bool bind = o.bind || (m->type && strcmp(m->type, "bind") == 0);
    if (check_idmap(in, m, &o, bind, index, err) < 0) return -1;

    if (!bind && m->type && strcmp(m->type, "cgroup") == 0) {
        if (plan_cgroup(in, plan, m, &o, index, err) < 0) return -1;
    } else if (bind) {
        if (!m->source || !*m->source)
            return error_set(err, 0, "mounts[%d].source: a bind mount needs a source", index);
        if (!(s = add(plan, STEP_BIND, m->destination, err))) return -1;
        s->source = m->source;
        s->flags = o.flags;
        s->recursive = o.recursive;
        s->data = o.data;
        s->spec_index = index;
        s->idmap = o.idmap || m->uid_mappings.len;
        s->idmap_recursive = o.idmap_recursive;
    } else {
        if (!m->type || !*m->type)
            return error_set(err, 0, "mounts[%d].type: needed for a mount that is not a bind mount",
                             index);
        if (o.copy_up && !is_tmpfs(m))
            return error_set(err, 0, "mounts[%d].options: tmpcopyup is for tmpfs mounts only",
                             index);
        bool late_readonly = is_tmpfs(m) && (o.flags & MS_RDONLY);
        const char *data = o.data;
        if (labelled(in, plan, m->type, &data, err) < 0) return -1;
        if (!(s = add(plan, STEP_MOUNT, m->destination, err))) return -1;
        s->fstype = m->type;
        s->source = m->source && *m->source ? m->source : m->type;
        s->flags = late_readonly ? o.flags & ~(unsigned long)MS_RDONLY : o.flags;
        s->data = data;
        s->spec_index = index;
        s->copy_up = o.copy_up;
        if (late_readonly) {
            /* A read-only tmpfs (/dev) is filled first and made read-only
             * last: see move_late_steps(). */
            if (!(s = add(plan, STEP_REMOUNT, m->destination, err))) return -1;
            s->flags = o.flags;
            s->fstype = "tmpfs";
            s->data = o.data;
            s->spec_index = index;
        }
    }
    if (o.propagation) {
        if (!(s = add(plan, STEP_PROPAGATE, m->destination, err))) return -1;
        s->propagation = o.propagation;
        s->spec_index = index;
    }
    if (o.attr_set || o.attr_clr) {
        /* Late (move_late_steps), so that mounts made below it later get
         * the attributes too. */
        if (!(s = add(plan, STEP_SETATTR, m->destination, err))) return -1;
        s->attr_set = o.attr_set;
        s->attr_clr = o.attr_clr;
        s->spec_index = index;
    }
    return 0;
}

struct default_device {
    const char *path;
    unsigned major, minor;
};

static const struct default_device default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static bool spec_has_device(const struct spec *spec, const char *path)
{
    for (size_t i = 0; i < spec->linux.n_devices; i++)
        if (strcmp(spec->linux.devices[i].path, path) == 0) return true;
    return false;
}

static int add_device(const struct mount_plan_input *in, struct mount_plan *plan, const char *path,
                      char type, unsigned major, unsigned minor, mode_t perm, uid_t uid, gid_t gid,
                      struct error *err)
{
    struct mount_step *s = add(plan, in->user_ns ? STEP_BIND_DEV : STEP_MKNOD, path, err);
    if (!s) return -1;
    mode_t kind = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
    s->mode = kind | (perm & 07777);
    s->dev = makedev(major, minor);
    s->uid = uid;
    s->gid = gid;
    s->source = path; /* the host's node of the same path, for STEP_BIND_DEV */
    return 0;
}

static int plan_devices(const struct mount_plan_input *in, struct mount_plan *plan,
                        struct error *err)
{
    const struct spec *spec = in->spec;
    for (size_t i = 0; i < ARRAY_LEN(default_devices); i++) {
        const struct default_device *d = &default_devices[i];
        if (spec_has_device(spec, d->path)) continue;
        if (add_device(in, plan, d->path, 'c', d->major, d->minor, 0666, 0, 0, err) < 0) return -1;
    }
    for (size_t i = 0; i < spec->linux.n_devices; i++) {
        const struct spec_device *d = &spec->linux.devices[i];
        if (add_device(in, plan, d->path, d->type, (unsigned)d->major, (unsigned)d->minor,
                       d->has_file_mode ? d->file_mode : 0666, d->has_uid ? d->uid : 0,
                       d->has_gid ? d->gid : 0, err) < 0)
            return -1;
    }
    static const struct {
        const char *link, *target;
    } links[] = {
        {"/dev/fd", "/proc/self/fd"},       {"/dev/stdin", "/proc/self/fd/0"},
        {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
        {"/dev/ptmx", "pts/ptmx"},          {"/dev/core", "/proc/kcore"},
    };
    for (size_t i = 0; i < ARRAY_LEN(links); i++) {
        if (strcmp(links[i].link, "/dev/core") == 0 && !in->host_has_kcore) continue;
        struct mount_step *s = add(plan, STEP_SYMLINK, links[i].link, err);
        if (!s) return -1;
        s->target = links[i].target;
        s->optional = true; /* an existing /dev/fd in the rootfs is kept */
    }
    return 0;
}

/* runc creates /dev's contents unless /dev is a bind mount. */
static bool dev_is_bound(const struct spec *spec)
{
    for (size_t i = 0; i < spec->n_mounts; i++) {
        const struct spec_mount *m = &spec->mounts[i];
        if (strcmp(m->destination, "/dev") != 0) continue;
        if (m->type && strcmp(m->type, "bind") == 0) return true;
        for (size_t j = 0; j < m->options.len; j++)
            if (strcmp(m->options.items[j], "bind") == 0 ||
                strcmp(m->options.items[j], "rbind") == 0)
                return true;
    }
    return false;
}

/* 0 for the steps that stay in place; late ones go to the end in rank
 * order: a tmpfs made read-only after the steps that fill it, then the
 * recursive attributes, which then reach every mount below theirs, and
 * last the masked and read-only paths, which a recursive attribute ("rrw"
 * on /proc) must not undo (runc, too, masks after every mount is done). */
static int late_rank(enum mount_step_kind kind)
{
    switch (kind) {
    case STEP_REMOUNT: return 1;
    case STEP_SETATTR: return 2;
    case STEP_MASK:
    case STEP_READONLY: return 3;
    default: return 0;
    }
}

/* A stable partition of the steps by late_rank(). */
static int move_late_steps(struct mount_plan *plan, struct error *err)
{
    _cleanup_free_ struct mount_step *copy = malloc(plan->n * sizeof *copy);
    if (!copy && plan->n) return error_set(err, ENOMEM, "mount plan");
    if (plan->n) memcpy(copy, plan->steps, plan->n * sizeof *copy);
    size_t w = 0;
    for (int rank = 0; rank <= 3; rank++)
        for (size_t i = 0; i < plan->n; i++)
            if (late_rank(copy[i].kind) == rank) plan->steps[w++] = copy[i];
    return 0;
}

/* Is `dir` the path `path` or one of its ancestors ("/proc" of "/proc/kcore")? */
static bool path_is_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--;
    if (strncmp(path, dir, n) != 0) return false;
    return path[n] == '\0' || path[n] == '/' || (n == 1 && dir[0] == '/');
}

/* The type of the last planned mount that `dest` is under (the last one is
 * the one on top), or NULL when that is a bind mount or there is none. */
static const char *enclosing_fstype(const struct mount_plan *plan, const char *dest)
{
    const char *fstype = NULL;
    for (size_t i = 0; i < plan->n; i++) {
        const struct mount_step *s = &plan->steps[i];
        if ((s->kind == STEP_MOUNT || s->kind == STEP_BIND) && path_is_under(dest, s->dest))
            fstype = s->kind == STEP_MOUNT ? s->fstype : NULL;
    }
    return fstype;
}

static int plan_hidden_paths(const struct spec *spec, struct mount_plan *plan, struct error *err)
{
    const struct spec_strings *lists[] = {&spec->linux.readonly_paths, &spec->linux.masked_paths};
    const enum mount_step_kind kinds[] = {STEP_READONLY, STEP_MASK};
    for (size_t l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->len; i++) {
            const char *dest = lists[l]->items[i];
            const char *within = enclosing_fstype(plan, dest);
            struct mount_step *s = add(plan, kinds[l], dest, err);
            if (!s) return -1;
            s->optional = true;
            s->within_fstype = within;
        }
    }
    return 0;
}

int mount_plan_build(const struct mount_plan_input *in, struct mount_plan *plan, struct error *err)
{
    const struct spec *spec = in->spec;
    memset(plan, 0, sizeof *plan);
    for (size_t i = 0; i < spec->n_mounts; i++)
        if (plan_mount(in, plan, (int)i, err) < 0) goto fail;
    if (!dev_is_bound(spec) && plan_devices(in, plan, err) < 0) goto fail;
    if (plan_hidden_paths(spec, plan, err) < 0) goto fail;
    if (move_late_steps(plan, err) < 0) goto fail;
    return 0;
fail:
    mount_plan_free(plan);
    return -1;
}

void mount_plan_free(struct mount_plan *plan)
{
    free(plan->steps);
    arena_free(plan->arena);
    memset(plan, 0, sizeof *plan);
}
