/* Rules that span fields, and refusal of what nsrun does not do yet: after
 * spec_validate() every field the spec sets is one nsrun acts on. */
#include <stdio.h>
#include <string.h>

#include "spec/spec.h"

#define FILE_NAME "config.json"

static int refuse(struct error *err, const char *field)
{
    return error_set(err, 0, FILE_NAME ": %s: not supported by this version of nsrun", field);
}

static int fail(struct error *err, const char *field, const char *why)
{
    return error_set(err, 0, FILE_NAME ": %s: %s", field, why);
}

const struct spec_namespace *spec_namespace(const struct spec *spec, enum ns_type type)
{
    for (size_t i = 0; i < spec->linux.n_namespaces; i++)
        if (spec->linux.namespaces[i].type == type) return &spec->linux.namespaces[i];
    return NULL;
}

const char *spec_getenv(const struct spec_process *p, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < p->env.len; i++) {
        const char *e = p->env.items[i];
        if (strncmp(e, name, len) == 0 && e[len] == '=') return e + len + 1;
    }
    return NULL;
}

/* Is there a namespace of this type that the container gets anew? */
static bool new_namespace(const struct spec *spec, enum ns_type type)
{
    const struct spec_namespace *ns = spec_namespace(spec, type);
    return ns && !ns->path;
}

int spec_validate_process(const struct spec_process *p, const char *where, struct error *err)
{
    if (p->args.len == 0) return error_set(err, 0, "%sargs: must not be empty", where);
    return 0;
}

static int validate_user_namespace(const struct spec *spec, struct error *err)
{
    const struct spec_linux *l = &spec->linux;
    const struct spec_namespace *user = spec_namespace(spec, NS_USER);
    bool maps = l->uid_mappings.len || l->gid_mappings.len;
    if (!user && maps)
        return fail(err, "linux.uidMappings", "mappings given without a user namespace");
    if (user && user->path && maps)
        return fail(err, "linux.uidMappings", "mappings given for a user namespace that is joined");
    if (user && !user->path && !l->uid_mappings.len)
        return fail(err, "linux.uidMappings", "a new user namespace needs uid mappings");
    if (user && !user->path && !l->gid_mappings.len)
        return fail(err, "linux.gidMappings", "a new user namespace needs gid mappings");
    return 0;
}

/* Only namespaced parameters, and only in a namespace of the container's own
 * (as runc allows them): what the host shares must not change. */
static int validate_sysctl(const struct spec *spec, const char *key, struct error *err)
{
    static const char *const ipc_keys[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
    char field[320];
    snprintf(field, sizeof field, "linux.sysctl.%s", key);
    if (!*key || strstr(key, "..") || strchr(key, '/') || key[0] == '.')
        return fail(err, field, "not a sysctl name");
    enum ns_type needs = NS_COUNT;
    if (strncmp(key, "net.", 4) == 0)
        needs = NS_NET;
    else if (strncmp(key, "fs.mqueue.", 10) == 0)
        needs = NS_IPC;
    else if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
        needs = NS_UTS;
    for (size_t i = 0; i < sizeof ipc_keys / sizeof *ipc_keys; i++)
        if (strcmp(key, ipc_keys[i]) == 0) needs = NS_IPC;
    if (needs == NS_COUNT) return fail(err, field, "not a namespaced parameter; refused");
    if (!spec_namespace(spec, needs)) {
        char why[96];
        snprintf(why, sizeof why, "needs a %s namespace of the container's own",
                 ns_type_spec_name(needs));
        return fail(err, field, why);
    }
    return 0;
}

static int validate_linux(const struct spec *spec, struct error *err)
{
    const struct spec_linux *l = &spec->linux;
    if (validate_user_namespace(spec, err) < 0) return -1;
    if ((l->time_monotonic.has || l->time_boottime.has) && !new_namespace(spec, NS_TIME))
        return fail(err, "linux.timeOffsets", "offsets given without a new time namespace");
    if (l->has_intel_rdt) return refuse(err, "linux.intelRdt");
    for (size_t i = 0; i < l->sysctl.len; i++)
        if (validate_sysctl(spec, l->sysctl.items[i].key, err) < 0) return -1;
    if (l->net_devices.len) return refuse(err, "linux.netDevices");
    return 0;
}

int spec_validate(const struct spec *spec, struct error *err)
{
    if (!spec->root_path || !*spec->root_path) return fail(err, "root.path", "missing (required)");
    /* process may wait for start (runtime-spec): create goes without it. */
    if (spec->has_process && spec_validate_process(&spec->process, FILE_NAME ": process.", err) < 0)
        return -1;
    /* A joined uts namespace counts, as runc has it: it is not the host's. */
    if (spec->hostname && *spec->hostname && !spec_namespace(spec, NS_UTS))
        return fail(err, "hostname", "needs a uts namespace");
    if (spec->domainname && *spec->domainname && !spec_namespace(spec, NS_UTS))
        return fail(err, "domainname", "needs a uts namespace");
    return validate_linux(spec, err);
}
