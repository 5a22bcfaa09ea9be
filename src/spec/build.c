/* The spec of `nsrun run --rootfs`: nsrun's default spec (as `nsrun spec`
 * writes it) with a person's few choices applied. Pure: JSON in, JSON out. */
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
    json_error_t jerr;
    json_t *doc = json_loads(spec_default_json(), 0, &jerr);
    if (!doc) {
        error_set(err, 0, "the default spec: %s", jerr.text);
        return NULL;
    }
    json_t *process = json_object_get(doc, "process"), *linux_obj = json_object_get(doc, "linux");
    json_object_set_new(json_object_get(doc, "root"), "path", json_string(r->rootfs));
    json_object_set_new(json_object_get(doc, "root"), "readonly", json_boolean(!r->writable));
    if (r->n_args) json_object_set_new(process, "args", strings(r->args, r->n_args));
    json_object_set_new(process, "terminal", json_boolean(r->terminal));
    json_array_extend(json_object_get(process, "env"), strings(r->env, r->n_env));
    if (r->hostname) json_object_set_new(doc, "hostname", json_string(r->hostname));
    if (r->host_network) drop_namespace(linux_obj, "network");
    add_volumes(doc, r);
    set_resources(linux_obj, r);
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    if (!text) error_set(err, ENOMEM, "spec");
    return text;
}
