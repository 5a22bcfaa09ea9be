/* nsrun start: run the process of a created container. */
#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_start = {
    .name = "start",
    .brief = "run the process of a created container",
    .args = "ID",
    .summary = "Run the process of a created container.",
    .run = run,
};

static int run(const struct cli_global *g, int argc, char **argv)
{
    int n;
    int rc = cli_parse(&cmd_start, NULL, 0, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_start, n, 1) < 0) return 1;
    struct error err;
    if (container_start(&g->rt, argv[0], &err) < 0) return cli_fail(&cmd_start, &err);
    return 0;
}
