/* nsrun create: a container from a bundle, its init waiting for `start`. */
#include <string.h>

#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_create = {
    .name = "create",
    .brief = "create a container from a bundle; it runs on start",
    .args = "ID",
    .summary = "Create a container from a bundle. Its process runs on 'nsrun start'.",
    .run = run,
    .enters_container = true,
};

size_t create_options(struct create_options *o, struct cli_opt *opts)
{
    const struct cli_opt shared[CREATE_OPTS] = {
        {"bundle", 'b', OPT_STRING, &o->bundle, "DIR",
         "the bundle (default: the current directory)"},
        {"pid-file", 0, OPT_STRING, &o->pid_file, "FILE", "write the container's pid to FILE"},
        {"console-socket", 0, OPT_STRING, &o->console_socket, "PATH",
         "unix socket that receives the terminal's master"},
        {"no-pivot", 0, OPT_FLAG, &o->no_pivot, NULL,
         "move the rootfs and chroot instead of pivot_root (rootfs on an initramfs)"},
        {"no-new-keyring", 0, OPT_FLAG, &o->no_new_keyring, NULL,
         "keep the caller's session keyring"},
        {"preserve-fds", 0, OPT_INT, &o->preserve_fds, "N",
         "pass descriptors 3 to 3+N-1 on to the container"},
    };
    memcpy(opts, shared, sizeof shared);
    return CREATE_OPTS;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    struct create_options o = {.bundle = "."};
    struct cli_opt opts[CREATE_OPTS];
    size_t n_opts = create_options(&o, opts);
    int n;
    int rc = cli_parse(&cmd_create, opts, n_opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_create, n, 1) < 0) return 1;
    o.id = argv[0];
    struct error err;
    if (container_create(&g->rt, &o, &err) < 0) return cli_fail(&cmd_create, &err);
    return 0;
}
