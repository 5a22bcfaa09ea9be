/* nsrun delete: remove a container (a running one with --force). */
#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_delete = {
    .name = "delete",
    .brief = "remove a container",
    .args = "ID",
    .summary = "Remove a container: its state and cgroup. A created container's init is killed; a\n"
               "running container needs --force.",
    .run = run,
};

static int run(const struct cli_global *g, int argc, char **argv)
{
    bool force = false;
    const struct cli_opt opts[] = {
        {"force", 'f', OPT_FLAG, &force, NULL, "kill a running container first (SIGKILL)"},
    };
    int n;
    int rc = cli_parse(&cmd_delete, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_delete, n, 1) < 0) return 1;
    struct error err;
    if (container_delete(&g->rt, argv[0], force, &err) < 0) return cli_fail(&cmd_delete, &err);
    return 0;
}
