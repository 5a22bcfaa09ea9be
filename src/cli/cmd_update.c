/* nsrun update: new resource limits for a live container, from runc's flags
 * and/or --resources FILE|- (a linux.resources object). */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/fs.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_update = {
    .name = "update",
    .brief = "change a running container's resource limits",
    .args = "ID",
    .summary = "Change a running container's resource limits. Flags take sizes such as 256M\n"
               "where runc's do; --resources reads a linux.resources JSON object (- for stdin),\n"
               "and the flags apply on top of it.",
    .run = run,
};

enum { NUMBER, SIZE };

/* One flag: where its value goes in linux.resources and how it is read. */
struct update_flag {
    const char *name, *object, *key;
    int kind;
    const char *value;
};

static struct update_flag flags[] = {
    {"blkio-weight", "blockIO", "weight", NUMBER, NULL},
    {"cpu-period", "cpu", "period", NUMBER, NULL},
    {"cpu-quota", "cpu", "quota", NUMBER, NULL},
    {"cpu-share", "cpu", "shares", NUMBER, NULL},
    {"cpu-rt-period", "cpu", "realtimePeriod", NUMBER, NULL},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", NUMBER, NULL},
    {"cpu-idle", "cpu", "idle", NUMBER, NULL},
    {"cpuset-cpus", "cpu", "cpus", -1, NULL},
    {"cpuset-mems", "cpu", "mems", -1, NULL},
    {"kernel-memory", "memory", "kernel", SIZE, NULL},
    {"kernel-memory-tcp", "memory", "kernelTCP", SIZE, NULL},
    {"memory", "memory", "limit", SIZE, NULL},
    {"memory-reservation", "memory", "reservation", SIZE, NULL},
    {"memory-swap", "memory", "swap", SIZE, NULL},
    {"pids-limit", "pids", "limit", NUMBER, NULL},
};

static json_t *read_resources(const char *path, struct error *err)
{
    char *text = NULL;
    size_t len;
    if (fs_read_file_at(AT_FDCWD, strcmp(path, "-") == 0 ? "/dev/stdin" : path, &text, &len, err) <
        0) {
        error_wrap(err, "--resources");
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr);
    free(text);
    if (!doc || !json_is_object(doc))
        error_set(err, 0, "--resources: not a JSON object (line %d: %s)", jerr.line, jerr.text);
    return doc;
}

/* A flag's value as JSON: a string, a number, or a size ("-1": none). */
static json_t *flag_value(const struct update_flag *f)
{
    if (f->kind < 0) return json_string(f->value);
    if (f->kind == SIZE && strcmp(f->value, "-1") != 0) {
        int64_t v = cli_parse_size(f->value);
        return v < 0 ? NULL : json_integer(v);
    }
    char *end;
    long long v = strtoll(f->value, &end, 10);
    return *end || end == f->value ? NULL : json_integer(v);
}

static int set_flag(json_t *res, const struct update_flag *f, struct error *err)
{
    json_t *value = flag_value(f);
    if (!value)
        return error_set(err, 0, "--%s: \"%s\" is not a %s", f->name, f->value,
                         f->kind == SIZE ? "size" : "number");
    json_t *obj = json_object_get(res, f->object);
    if (!obj) json_object_set_new(res, f->object, obj = json_object());
    json_object_set_new(obj, f->key, value);
    return 0;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    const char *resources = NULL, *l3 = NULL, *mem_bw = NULL;
    struct cli_opt opts[sizeof flags / sizeof *flags + 3] = {
        {"resources", 'r', OPT_STRING, &resources, "FILE|-", "a linux.resources JSON object"},
        {"l3-cache-schema", 0, OPT_STRING, &l3, "SCHEMA", "Intel RDT L3 cache schema"},
        {"mem-bw-schema", 0, OPT_STRING, &mem_bw, "SCHEMA", "Intel RDT memory bandwidth"},
    };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        opts[i + 3] = (struct cli_opt){flags[i].name,   0,       OPT_STRING,
                                       &flags[i].value, "VALUE", flags[i].object};
    int n;
    int rc = cli_parse(&cmd_update, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_update, n, 1) < 0) return 1;
    struct error err;
    if (l3 || mem_bw) {
        error_set(&err, 0, "--%s: Intel RDT is not supported by this version of nsrun",
                  l3 ? "l3-cache-schema" : "mem-bw-schema");
        return cli_fail(&cmd_update, &err);
    }
    json_t *res = resources ? read_resources(resources, &err) : json_object();
    if (!res) return cli_fail(&cmd_update, &err);
    for (size_t i = 0; i < sizeof flags / sizeof *flags && rc == 0; i++)
        if (flags[i].value) rc = set_flag(res, &flags[i], &err);
    char *text = rc == 0 ? json_dumps(res, JSON_COMPACT) : NULL;
    json_decref(res);
    if (rc == 0) rc = container_update(&g->rt, argv[0], text, &err);
    free(text);
    return rc < 0 ? cli_fail(&cmd_update, &err) : 0;
}
