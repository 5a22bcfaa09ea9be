/* nsrun run: create and start; in the foreground, exit with the container.
 * With --rootfs, the people's form: no bundle, the spec built in memory
 * from nsrun's defaults and a few choices, the container removed after. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>

#include "cli/commands.h"
#include "spec/spec.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_run = {
    .name = "run",
    .brief = "create and start a container, and wait for it",
    .args = "ID | --rootfs DIR [--] [COMMAND [ARG...]]",
    .summary =
        "Create and start a container. In the foreground nsrun forwards signals to it, exits\n"
        "with its status and removes it (unless --keep).\n"
        "With --rootfs DIR it runs COMMAND (default: sh) in a container of that directory,\n"
        "from nsrun's default spec: no bundle to write. Its root is read-only (--rw to\n"
        "write) with a tmpfs on /tmp, its network is its own loopback (--net host to share\n"
        "the host's); -it for an interactive terminal.",
    .run = run,
    .enters_container = true,
};

/* What the --rootfs form takes on top of the bundle form's options. */
struct people {
    const char *rootfs, *net, *hostname, *mem, *name;
    int pids;
    bool interactive, tty, writable, print_spec;
    struct cli_list volumes, env;
};

/* SRC:DST[:ro|rw], SRC made absolute (it must exist). */
static int parse_volume(const char *spec, struct rootfs_volume *v, char **owned, struct error *err)
{
    char *copy = strdup(spec);
    if (!copy) return error_set(err, ENOMEM, "-v");
    char *dst = strchr(copy, ':');
    char *mode = dst ? strchr(dst + 1, ':') : NULL;
    if (dst) *dst++ = '\0';
    if (mode) *mode++ = '\0';
    int rc = 0;
    if (!dst || !*copy || *dst != '/' || (mode && strcmp(mode, "ro") && strcmp(mode, "rw")))
        rc = error_set(err, 0, "-v: expected SRC:DST[:ro] with an absolute DST, got \"%s\"", spec);
    char *src = rc ? NULL : realpath(copy, NULL);
    if (!rc && !src) rc = error_sys(err, "-v %s: %s", spec, copy);
    if (rc) {
        free(copy);
        return -1;
    }
    *v = (struct rootfs_volume){src, dst, mode && strcmp(mode, "ro") == 0};
    owned[0] = copy;
    owned[1] = src;
    return 0;
}

static void make_id(char *id, size_t size)
{
    unsigned char r[4] = {0};
    (void)!getrandom(r, sizeof r, 0);
    snprintf(id, size, "run-%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

static int run_rootfs(const struct cli_global *g, struct create_options *o, struct people *p,
                      char **cmd, int n_cmd)
{
    struct error err;
    struct rootfs_volume volumes[CLI_LIST_MAX];
    char *owned[2 * CLI_LIST_MAX] = {0};
    char id[32];
    int status = 1;
    char *rootfs = realpath(p->rootfs, NULL), *json = NULL;
    struct rootfs_run r = {
        .rootfs = rootfs,
        .args = (const char *const *)cmd,
        .n_args = (size_t)n_cmd,
        .env = p->env.items,
        .n_env = p->env.len,
        .terminal = p->tty,
        .writable = p->writable,
        .host_network = p->net && strcmp(p->net, "host") == 0,
        /* A person without privileges gets a user namespace where root is them. */
        .rootless = g->rt.rootless,
        .uid = (unsigned)geteuid(),
        .gid = (unsigned)getegid(),
        .hostname = p->hostname,
        .pids = p->pids,
        .volumes = volumes,
        .n_volumes = p->volumes.len,
    };
    if (!rootfs) {
        error_sys(&err, "--rootfs %s", p->rootfs);
        goto fail;
    }
    if (p->net && strcmp(p->net, "host") != 0 && strcmp(p->net, "none") != 0) {
        error_set(&err, 0, "--net: \"%s\" is not none or host", p->net);
        goto fail;
    }
    if (p->mem && (r.memory = cli_parse_size(p->mem)) < 0) {
        error_set(&err, 0, "--mem: \"%s\" is not a size such as 256M", p->mem);
        goto fail;
    }
    for (size_t i = 0; i < p->volumes.len; i++)
        if (parse_volume(p->volumes.items[i], &volumes[i], owned + 2 * i, &err) < 0) goto fail;
    if (!(json = spec_build_rootfs_run(&r, &err))) goto fail;
    if (p->print_spec) {
        printf("%s\n", json);
        status = 0;
        goto out;
    }
    make_id(id, sizeof id);
    o->id = p->name ? p->name : id;
    o->config_json = json;
    o->no_stdin = !p->interactive;
    if (container_run(&g->rt, o, &status, &err) == 0) goto out;
fail:
    status = cli_fail(&cmd_run, &err);
out:
    for (size_t i = 0; i < 2 * CLI_LIST_MAX; i++) free(owned[i]);
    free(rootfs);
    free(json);
    return status;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    struct create_options o = {.bundle = "."};
    struct people p = {0};
    struct cli_opt opts[CREATE_OPTS + 14] = {
        {"detach", 'd', OPT_FLAG, &o.detach, NULL, "do not wait for the container"},
        {"keep", 0, OPT_FLAG, &o.keep, NULL, "do not remove the container when it exits"},
        {"rootfs", 0, OPT_STRING, &p.rootfs, "DIR", "the --rootfs form: a container of DIR"},
        {"interactive", 'i', OPT_FLAG, &p.interactive, NULL, "--rootfs: pass stdin on"},
        {"tty", 't', OPT_FLAG, &p.tty, NULL, "--rootfs: a terminal"},
        {"net", 0, OPT_STRING, &p.net, "none|host", "--rootfs: its own loopback, or the host's"},
        {"hostname", 0, OPT_STRING, &p.hostname, "NAME", "--rootfs: the hostname"},
        {"mem", 0, OPT_STRING, &p.mem, "SIZE", "--rootfs: memory limit (256M, 1G)"},
        {"pids", 0, OPT_INT, &p.pids, "N", "--rootfs: at most N processes"},
        {"volume", 'v', OPT_LIST, &p.volumes, "SRC:DST[:ro]", "--rootfs: bind SRC on DST"},
        {"env", 'e', OPT_LIST, &p.env, "KEY=VALUE", "--rootfs: an environment variable"},
        {"name", 0, OPT_STRING, &p.name, "ID", "--rootfs: the container's id"},
        {"rw", 0, OPT_FLAG, &p.writable, NULL, "--rootfs: a writable root"},
        {"print-spec", 0, OPT_FLAG, &p.print_spec, NULL, "--rootfs: show the spec and stop"},
    };
    size_t n_opts = 14 + create_options(&o, opts + 14);
    int n;
    /* Options come first: in the --rootfs form the command follows them. */
    int rc = cli_parse(&cmd_run, opts, n_opts, argc, argv, 1, &n);
    if (rc) return rc < 0;
    if (p.rootfs) return run_rootfs(g, &o, &p, argv, n);
    if (cli_want_args(&cmd_run, n, 1) < 0) return 1;
    o.id = argv[0];
    struct error err;
    int status = 0;
    if (container_run(&g->rt, &o, &status, &err) < 0) return cli_fail(&cmd_run, &err);
    return status;
}
