/* config.json → struct spec: the document, root, mounts, process, hooks and
 * annotations. The linux object is parse_linux.c's. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "spec/names.h"
#include "spec/parse_internal.h"
#include "spec/reader.h"
#include "util/arena.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int parse_id_mapping(struct reader *r, json_t *m, void *items, size_t i)
{
    struct spec_id_mapping *map = (struct spec_id_mapping *)items + i;
    if (rd_require(r, m, "containerID") < 0 || rd_require(r, m, "hostID") < 0 ||
        rd_require(r, m, "size") < 0 || rd_u32(r, m, "containerID", &map->container_id, NULL) < 0 ||
        rd_u32(r, m, "hostID", &map->host_id, NULL) < 0 ||
        rd_u32(r, m, "size", &map->size, NULL) < 0)
        return -1;
    if (map->size == 0) return rd_fail_key(r, "size", "must be greater than zero");
    return 0;
}

int parse_id_mappings(struct reader *r, json_t *obj, const char *key, struct spec_id_mappings *out)
{
    return rd_list(r, obj, key, sizeof *out->items, &out->items, &out->len, parse_id_mapping);
}

static int parse_root(struct reader *r, json_t *doc, struct spec *spec)
{
    json_t *root;
    if (rd_object(r, doc, "root", &root) < 0) return -1;
    if (!root) return 0;
    size_t mark = rd_push_key(r, "root");
    if (rd_require(r, root, "path") < 0 || rd_string(r, root, "path", &spec->root_path) < 0 ||
        rd_bool(r, root, "readonly", &spec->root_readonly) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_mount(struct reader *r, json_t *m, void *items, size_t i)
{
    struct spec_mount *mount = (struct spec_mount *)items + i;
    if (rd_require(r, m, "destination") < 0 ||
        rd_string(r, m, "destination", &mount->destination) < 0 ||
        rd_string(r, m, "type", &mount->type) < 0 ||
        rd_string(r, m, "source", &mount->source) < 0 ||
        rd_strings(r, m, "options", &mount->options) < 0 ||
        parse_id_mappings(r, m, "uidMappings", &mount->uid_mappings) < 0 ||
        parse_id_mappings(r, m, "gidMappings", &mount->gid_mappings) < 0)
        return -1;
    if (!mount->destination[0]) return rd_fail_key(r, "destination", "must not be empty");
    return 0;
}

static int parse_user(struct reader *r, json_t *process, struct spec_user *user)
{
    json_t *u;
    if (rd_object(r, process, "user", &u) < 0) return -1;
    if (!u) return 0;
    size_t mark = rd_push_key(r, "user");
    if (rd_require(r, u, "uid") < 0 || rd_require(r, u, "gid") < 0 ||
        rd_u32(r, u, "uid", &user->uid, NULL) < 0 || rd_u32(r, u, "gid", &user->gid, NULL) < 0 ||
        rd_u32(r, u, "umask", &user->umask, &user->has_umask) < 0)
        return -1;
    /* (uid_t)-1 means "unchanged" to setresuid and setresgid: the process
     * would stay root. */
    if (user->uid == UINT32_MAX)
        return rd_fail_key(r, "uid", "4294967295 is (uid_t)-1, which leaves the user unchanged");
    if (user->gid == UINT32_MAX)
        return rd_fail_key(r, "gid", "4294967295 is (gid_t)-1, which leaves the group unchanged");
    json_t *gids;
    if (rd_array(r, u, "additionalGids", &gids) < 0) return -1;
    if (gids) {
        size_t n = json_array_size(gids);
        user->additional_gids = rd_alloc(r, n, sizeof *user->additional_gids);
        if (n && !user->additional_gids) return -1;
        user->n_additional_gids = n;
        size_t list = rd_push_key(r, "additionalGids");
        for (size_t i = 0; i < n; i++) {
            json_int_t g = json_integer_value(json_array_get(gids, i));
            if (!json_is_integer(json_array_get(gids, i)) || g < 0 || g >= UINT32_MAX) {
                rd_push_index(r, i);
                return rd_fail(r, "expected a group id");
            }
            user->additional_gids[i] = (uint32_t)g;
        }
        rd_pop(r, list);
    }
    if (user->has_umask && user->umask > 07777) return rd_fail_key(r, "umask", "out of range");
    rd_pop(r, mark);
    return 0;
}

static int parse_cap_list(struct reader *r, json_t *caps, const char *key, uint64_t *bits,
                          bool *has)
{
    struct spec_strings names;
    if (rd_strings(r, caps, key, &names) < 0) return -1;
    *has = json_object_get(caps, key) && !json_is_null(json_object_get(caps, key));
    *bits = 0;
    for (size_t i = 0; i < names.len; i++) {
        int cap = capability_from_name(names.items[i]);
        if (cap < 0) {
            size_t mark = rd_push_key(r, key);
            rd_push_index(r, i);
            rd_fail(r, "unknown capability \"%s\"", names.items[i]);
            rd_pop(r, mark);
            return -1;
        }
        *bits |= UINT64_C(1) << cap;
    }
    return 0;
}

static int parse_capabilities(struct reader *r, json_t *process, struct spec_process *p)
{
    json_t *caps;
    if (rd_object(r, process, "capabilities", &caps) < 0) return -1;
    if (!caps) return 0;
    p->has_capabilities = true;
    struct spec_capabilities *c = &p->capabilities;
    size_t mark = rd_push_key(r, "capabilities");
    if (parse_cap_list(r, caps, "bounding", &c->bounding, &c->has_bounding) < 0 ||
        parse_cap_list(r, caps, "effective", &c->effective, &c->has_effective) < 0 ||
        parse_cap_list(r, caps, "inheritable", &c->inheritable, &c->has_inheritable) < 0 ||
        parse_cap_list(r, caps, "permitted", &c->permitted, &c->has_permitted) < 0 ||
        parse_cap_list(r, caps, "ambient", &c->ambient, &c->has_ambient) < 0)
        return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_rlimit(struct reader *r, json_t *o, void *items, size_t i)
{
    struct spec_rlimit *all = items, *rl = all + i;
    if (rd_require(r, o, "type") < 0 || rd_require(r, o, "soft") < 0 ||
        rd_require(r, o, "hard") < 0 || rd_string(r, o, "type", &rl->type) < 0 ||
        rd_u64(r, o, "soft", &rl->soft, NULL) < 0 || rd_u64(r, o, "hard", &rl->hard, NULL) < 0)
        return -1;
    rl->resource = rlimit_from_name(rl->type);
    if (rl->resource < 0) return rd_fail_key(r, "type", "unknown rlimit \"%s\"", rl->type);
    for (size_t j = 0; j < i; j++)
        if (all[j].resource == rl->resource)
            return rd_fail_key(r, "type", "%s given twice", rl->type);
    if (rl->soft > rl->hard)
        return rd_fail(r, "soft limit %llu is above the hard limit %llu",
                       (unsigned long long)rl->soft, (unsigned long long)rl->hard);
    return 0;
}

static int parse_scheduler(struct reader *r, json_t *process, struct spec_process *p)
{
    json_t *s;
    if (rd_object(r, process, "scheduler", &s) < 0) return -1;
    if (!s) return 0;
    p->has_scheduler = true;
    struct spec_scheduler *sch = &p->scheduler;
    size_t mark = rd_push_key(r, "scheduler");
    if (rd_require(r, s, "policy") < 0 || rd_string(r, s, "policy", &sch->policy) < 0 ||
        rd_i32(r, s, "nice", &sch->nice, NULL) < 0 ||
        rd_i32(r, s, "priority", &sch->priority, NULL) < 0 ||
        rd_strings(r, s, "flags", &sch->flags) < 0 ||
        rd_u64(r, s, "runtime", &sch->runtime, NULL) < 0 ||
        rd_u64(r, s, "deadline", &sch->deadline, NULL) < 0 ||
        rd_u64(r, s, "period", &sch->period, NULL) < 0)
        return -1;
    sch->policy_value = sched_policy_from_name(sch->policy);
    if (sch->policy_value < 0)
        return rd_fail_key(r, "policy", "unknown scheduler policy \"%s\"", sch->policy);
    rd_pop(r, mark);
    return 0;
}

static int parse_io_priority(struct reader *r, json_t *process, struct spec_process *p)
{
    json_t *io;
    if (rd_object(r, process, "ioPriority", &io) < 0) return -1;
    if (!io) return 0;
    p->has_io_priority = true;
    size_t mark = rd_push_key(r, "ioPriority");
    if (rd_require(r, io, "class") < 0 ||
        rd_string(r, io, "class", &p->io_priority.class_name) < 0 ||
        rd_i32(r, io, "priority", &p->io_priority.priority, NULL) < 0)
        return -1;
    p->io_priority.class_value = ioprio_class_from_name(p->io_priority.class_name);
    if (p->io_priority.class_value < 0)
        return rd_fail_key(r, "class", "unknown class \"%s\"", p->io_priority.class_name);
    if (p->io_priority.priority < 0 || p->io_priority.priority > 7)
        return rd_fail_key(r, "priority", "must be between 0 and 7");
    rd_pop(r, mark);
    return 0;
}

static int parse_env(struct reader *r, json_t *process, struct spec_process *p)
{
    if (rd_strings(r, process, "env", &p->env) < 0) return -1;
    for (size_t i = 0; i < p->env.len; i++) {
        const char *eq = strchr(p->env.items[i], '=');
        if (!eq || eq == p->env.items[i]) {
            size_t mark = rd_push_key(r, "env");
            rd_push_index(r, i);
            rd_fail(r, "expected KEY=VALUE, got \"%s\"", p->env.items[i]);
            rd_pop(r, mark);
            return -1;
        }
    }
    return 0;
}

static int parse_process_object(struct reader *r, json_t *proc, struct spec_process *p)
{
    json_t *console, *affinity;
    if (rd_bool(r, proc, "terminal", &p->terminal) < 0 ||
        rd_object(r, proc, "consoleSize", &console) < 0 || parse_user(r, proc, &p->user) < 0 ||
        rd_strings(r, proc, "args", &p->args) < 0 || parse_env(r, proc, p) < 0 ||
        rd_require(r, proc, "cwd") < 0 || rd_string(r, proc, "cwd", &p->cwd) < 0 ||
        parse_capabilities(r, proc, p) < 0 ||
        rd_list(r, proc, "rlimits", sizeof *p->rlimits, &p->rlimits, &p->n_rlimits, parse_rlimit) <
            0 ||
        rd_bool(r, proc, "noNewPrivileges", &p->no_new_privileges) < 0 ||
        rd_string(r, proc, "apparmorProfile", &p->apparmor_profile) < 0 ||
        rd_i32(r, proc, "oomScoreAdj", &p->oom_score_adj, &p->has_oom_score_adj) < 0 ||
        rd_string(r, proc, "selinuxLabel", &p->selinux_label) < 0 ||
        parse_scheduler(r, proc, p) < 0 || parse_io_priority(r, proc, p) < 0 ||
        rd_object(r, proc, "execCPUAffinity", &affinity) < 0)
        return -1;
    if (console) {
        size_t c = rd_push_key(r, "consoleSize");
        p->has_console_size = true;
        if (rd_require(r, console, "height") < 0 || rd_require(r, console, "width") < 0 ||
            rd_u32(r, console, "height", &p->console_height, NULL) < 0 ||
            rd_u32(r, console, "width", &p->console_width, NULL) < 0)
            return -1;
        rd_pop(r, c);
    }
    if (affinity) {
        size_t a = rd_push_key(r, "execCPUAffinity");
        if (rd_string(r, affinity, "initial", &p->exec_cpu_affinity_initial) < 0 ||
            rd_string(r, affinity, "final", &p->exec_cpu_affinity_final) < 0)
            return -1;
        rd_pop(r, a);
    }
    if (p->cwd[0] != '/')
        return rd_fail_key(r, "cwd", "must be an absolute path, got \"%s\"", p->cwd);
    if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
        return rd_fail_key(r, "oomScoreAdj", "must be between -1000 and 1000");
    return 0;
}

static int parse_process(struct reader *r, json_t *doc, struct spec *spec)
{
    json_t *proc;
    if (rd_object(r, doc, "process", &proc) < 0) return -1;
    if (!proc) return 0;
    spec->has_process = true;
    size_t mark = rd_push_key(r, "process");
    if (parse_process_object(r, proc, &spec->process) < 0) return -1;
    rd_pop(r, mark);
    return 0;
}

static int parse_hook(struct reader *r, json_t *h, void *items, size_t i)
{
    struct spec_hook *hook = (struct spec_hook *)items + i;
    if (rd_require(r, h, "path") < 0 || rd_string(r, h, "path", &hook->path) < 0 ||
        rd_strings(r, h, "args", &hook->args) < 0 || rd_strings(r, h, "env", &hook->env) < 0 ||
        rd_i32(r, h, "timeout", &hook->timeout, &hook->has_timeout) < 0)
        return -1;
    if (hook->path[0] != '/') return rd_fail_key(r, "path", "must be an absolute path");
    if (hook->has_timeout && hook->timeout <= 0)
        return rd_fail_key(r, "timeout", "must be greater than zero");
    return 0;
}

static int parse_hooks(struct reader *r, json_t *doc, struct spec *spec)
{
    json_t *hooks;
    if (rd_object(r, doc, "hooks", &hooks) < 0) return -1;
    if (!hooks) return 0;
    size_t mark = rd_push_key(r, "hooks");
    for (int k = 0; k < HOOK_KIND_COUNT; k++) {
        struct spec_hook_list *list = &spec->hooks[k];
        if (rd_list(r, hooks, hook_kind_name((enum hook_kind)k), sizeof *list->items, &list->items,
                    &list->len, parse_hook) < 0)
            return -1;
    }
    rd_pop(r, mark);
    return 0;
}

static int parse_document(struct reader *r, json_t *doc, struct spec *spec)
{
    if (!json_is_object(doc)) return rd_fail(r, "expected a JSON object at the top level");
    if (rd_require(r, doc, "ociVersion") < 0 ||
        rd_string(r, doc, "ociVersion", &spec->oci_version) < 0)
        return -1;
    if (strncmp(spec->oci_version, "1.", 2) != 0)
        return rd_fail_key(r, "ociVersion", "unsupported version \"%s\" (nsrun implements %s)",
                           spec->oci_version, SPEC_OCI_VERSION);
    if (parse_root(r, doc, spec) < 0 ||
        rd_list(r, doc, "mounts", sizeof *spec->mounts, &spec->mounts, &spec->n_mounts,
                parse_mount) < 0 ||
        parse_process(r, doc, spec) < 0 || rd_string(r, doc, "hostname", &spec->hostname) < 0 ||
        rd_string(r, doc, "domainname", &spec->domainname) < 0 || parse_hooks(r, doc, spec) < 0 ||
        rd_key_values(r, doc, "annotations", &spec->annotations) < 0)
        return -1;
    json_t *linux;
    if (rd_object(r, doc, "linux", &linux) < 0) return -1;
    if (!linux) return 0;
    spec->has_linux = true;
    size_t mark = rd_push_key(r, "linux");
    if (parse_linux(r, linux, &spec->linux) < 0) return -1;
    rd_pop(r, mark);
    return 0;
}

static json_t *load_json(const char *json, size_t len, const char *name, struct error *err)
{
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, 0, &jerr);
    if (!doc && strstr(jerr.text, "too big integer")) {
        /* Values such as 18446744073709551615 (RLIM_INFINITY) overflow
         * jansson's int64; read numbers as doubles instead, which keeps the
         * magnitudes that matter (reader.c accepts whole reals). */
        doc = json_loadb(json, len, JSON_DECODE_INT_AS_REAL, &jerr);
    }
    if (!doc)
        error_set(err, 0, "%s: malformed JSON at line %d, column %d: %s", name, jerr.line,
                  jerr.column, jerr.text);
    return doc;
}

int spec_parse_process(struct spec *spec, const char *json, size_t len, const char *name,
                       struct error *err)
{
    memset(spec, 0, sizeof *spec);
    json_t *doc = load_json(json, len, name, err);
    if (!doc) return -1;
    spec->doc = doc;
    struct reader r = {.file = name, .arena = (struct arena **)&spec->arena, .err = err};
    if (!json_is_object(doc)) {
        rd_fail(&r, "expected a JSON object at the top level");
    } else if (parse_process_object(&r, doc, &spec->process) == 0) {
        spec->has_process = true;
        return 0;
    }
    spec_free(spec);
    return -1;
}

int spec_parse(struct spec *spec, const char *json, size_t len, const char *name, struct error *err)
{
    memset(spec, 0, sizeof *spec);
    json_t *doc = load_json(json, len, name, err);
    if (!doc) return -1;
    spec->doc = doc;
    struct reader r = {.file = name, .arena = (struct arena **)&spec->arena, .err = err};
    if (parse_document(&r, doc, spec) < 0) {
        spec_free(spec);
        return -1;
    }
    return 0;
}

int spec_parse_resources(struct spec *spec, const char *json, size_t len, const char *name,
                         struct error *err)
{
    memset(spec, 0, sizeof *spec);
    json_t *doc = load_json(json, len, name, err);
    if (!doc) return -1;
    spec->doc = doc;
    struct reader r = {.file = name, .arena = (struct arena **)&spec->arena, .err = err};
    if (!json_is_object(doc)) {
        rd_fail(&r, "expected a JSON object at the top level");
    } else if (parse_resources(&r, doc, &spec->linux.resources) == 0) {
        spec->has_linux = spec->linux.has_resources = true;
        return 0;
    }
    spec_free(spec);
    return -1;
}

int spec_load(struct spec *spec, int bundle_dirfd, struct error *err)
{
    _cleanup_free_ char *text = NULL;
    size_t len;
    if (fs_read_file_at(bundle_dirfd, "config.json", &text, &len, err) < 0) return -1;
    return spec_parse(spec, text, len, "config.json", err);
}

void spec_free(struct spec *spec)
{
    json_decref(spec->doc);
    arena_free(spec->arena);
    memset(spec, 0, sizeof *spec);
}
