/* nsrun run: create and start; in the foreground, exit with the container. */
#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_run = {
    .name = "run",
    .args = "ID",
    .summary =
        "Create and start a container. In the foreground nsrun forwards signals to it, exits with\n"
        "its status and removes it (unless --keep).",
    .run = run,
};

static int run(const struct cli_global *g, int argc, char **argv)
{
    struct create_options o = {.bundle = "."};
    struct cli_opt opts[CREATE_OPTS + 2] = {
        {"detach", 'd', OPT_FLAG, &o.detach, NULL, "do not wait for the container"},
        {"keep", 0, OPT_FLAG, &o.keep, NULL, "do not remove the container when it exits"},
    };
    size_t n_opts = 2 + create_options(&o, opts + 2);
    int n;
    int rc = cli_parse(&cmd_run, opts, n_opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_run, n, 1) < 0) return 1;
    o.id = argv[0];
    struct error err;
    int status = 0;
    if (container_run(&g->rt, &o, &status, &err) < 0) return cli_fail(&cmd_run, &err);
    return status;
}
