/* Specs built from nsrun's default one (as `nsrun spec` writes it): the
 * rootless variant (`nsrun spec --rootless`) and `nsrun run --rootfs`'s,
 * with a person's few choices applied. Pure: JSON in, JSON out. */
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "spec/spec.h"

static json_t *strings(const char *const *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, json_string(items[i]));
    return arr;
}

static void drop_namespace(json_t *linux_obj, const char *type)
{
    json_t *nss = json_object_get(linux_obj, "namespaces");
    for (size_t i = json_array_size(nss); i-- > 0;)
        if (strcmp(json_string_value(json_object_get(json_array_get(nss, i), "type")), type) == 0)
            json_array_remove(nss, i);
}

static bool has_namespace(json_t *linux_obj, const char *type)
{
    json_t *nss = json_object_get(linux_obj, "namespaces");
    for (size_t i = 0; i < json_array_size(nss); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(nss, i), "type")), type) == 0)
            return true;
    return false;
}

/* uid= and gid= options name host ids the user namespace does not map. */
static void drop_id_options(json_t *mounts)
{
    for (size_t i = 0; i < json_array_size(mounts); i++) {
        json_t *opts = json_object_get(json_array_get(mounts, i), "options");
        for (size_t j = json_array_size(opts); j-- > 0;) {
            const char *o = json_string_value(json_array_get(opts, j));
            if (o && (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0))
                json_array_remove(opts, j);
        }
    }
}

/* Without a network namespace of its own a user namespace cannot mount
 * sysfs: the host's /sys is bound instead, read-only. */
static void bind_sys(json_t *mounts)
{
    for (size_t i = 0; i < json_array_size(mounts); i++) {
        json_t *m = json_array_get(mounts, i);
        if (strcmp(json_string_value(json_object_get(m, "destination")), "/sys") != 0) continue;
        json_object_set_new(m, "type", json_string("bind"));
        json_object_set_new(m, "source", json_string("/sys"));
        json_object_set_new(
            m, "options", json_pack("[s, s, s, s, s]", "rbind", "nosuid", "noexec", "nodev", "ro"));
    }
}

/* A user namespace where root is the caller (one id each), no cgroup
 * limits (an unprivileged user has no cgroup to set them in unless one is
 * delegated), mount options fit for it. */
static void make_rootless(json_t *doc, unsigned uid, unsigned gid)
{
    json_t *linux_obj = json_object_get(doc, "linux"), *mounts = json_object_get(doc, "mounts");
    if (!has_namespace(linux_obj, "user"))
        json_array_append_new(json_object_get(linux_obj, "namespaces"),
                              json_pack("{s:s}", "type", "user"));
    json_object_set_new(
        linux_obj, "uidMappings",
        json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)uid, "size", 1));
    json_object_set_new(
        linux_obj, "gidMappings",
        json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)gid, "size", 1));
    json_object_del(linux_obj, "resources");
    drop_id_options(mounts);
    if (!has_namespace(linux_obj, "network")) bind_sys(mounts);
}

static char *dump(json_t *doc, struct error *err)
{
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    if (!text) error_set(err, ENOMEM, "spec");
    return text;
}

static json_t *load_default(struct error *err)
{
    json_error_t jerr;
    json_t *doc = json_loads(spec_default_json(), 0, &jerr);
    if (!doc) error_set(err, 0, "the default spec: %s", jerr.text);
    return doc;
}

char *spec_build_rootless(unsigned uid, unsigned gid, struct error *err)
{
    json_t *doc = load_default(err);
    if (!doc) return NULL;
    /* Like runc's: the host's network, which a rootless user can use. */
    drop_namespace(json_object_get(doc, "linux"), "network");
    make_rootless(doc, uid, gid);
    return dump(doc, err);
}

static void add_volumes(json_t *doc, const struct rootfs_run *r)
{
    json_t *mounts = json_object_get(doc, "mounts");
    for (size_t i = 0; i < r->n_volumes; i++) {
        const struct rootfs_volume *v = &r->volumes[i];
        json_t *opts = json_pack("[s]", "rbind");
        if (v->readonly) json_array_append_new(opts, json_string("ro"));
        json_array_append_new(mounts,
                              json_pack("{s:s, s:s, s:s, s:o}", "destination", v->destination,
                                        "type", "bind", "source", v->source, "options", opts));
    }
    /* A read-only root still needs a place to write. */
    if (!r->writable)
        json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:[s, s, s]}", "destination",
                                                "/tmp", "type", "tmpfs", "source", "tmpfs",
                                                "options", "nosuid", "nodev", "mode=1777"));
}

static void set_resources(json_t *linux_obj, const struct rootfs_run *r)
{
    json_t *res = json_object_get(linux_obj, "resources");
    if (r->memory > 0)
        json_object_set_new(res, "memory", json_pack("{s:I}", "limit", (json_int_t)r->memory));
    if (r->pids > 0)
        json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t)r->pids));
}

char *spec_build_rootfs_run(const struct rootfs_run *r, struct error *err)
{
    json_t *doc = load_default(err);
    if (!doc) return NULL;
    json_t *process = json_object_get(doc, "process"), *linux_obj = json_object_get(doc, "linux");
    json_object_set_new(json_object_get(doc, "root"), "path", json_string(r->rootfs));
    json_object_set_new(json_object_get(doc, "root"), "readonly", json_boolean(!r->writable));
    if (r->n_args) json_object_set_new(process, "args", strings(r->args, r->n_args));
    json_object_set_new(process, "terminal", json_boolean(r->terminal));
    json_array_extend(json_object_get(process, "env"), strings(r->env, r->n_env));
    if (r->hostname) json_object_set_new(doc, "hostname", json_string(r->hostname));
    if (r->host_network) drop_namespace(linux_obj, "network");
    add_volumes(doc, r);
    if (r->rootless) make_rootless(doc, r->uid, r->gid);
    set_resources(linux_obj, r);
    return dump(doc, err);
}
