/* nsrun pause and nsrun resume: freeze and thaw a container. */
#include "cli/commands.h"

static int run_pause(const struct cli_global *g, int argc, char **argv);
static int run_resume(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_pause = {
    .name = "pause",
    .brief = "freeze every process of a container",
    .args = "ID",
    .summary = "Freeze every process of a running container (its cgroup's freezer).",
    .run = run_pause,
};
const struct cli_command cmd_resume = {
    .name = "resume",
    .brief = "thaw a paused container",
    .args = "ID",
    .summary = "Thaw a paused container.",
    .run = run_resume,
};

static int freeze(const struct cli_command *cmd, const struct cli_global *g, int argc, char **argv)
{
    int n;
    int rc = cli_parse(cmd, NULL, 0, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(cmd, n, 1) < 0) return 1;
    struct error err;
    rc = cmd == &cmd_pause ? container_pause(&g->rt, argv[0], &err)
                           : container_resume(&g->rt, argv[0], &err);
    return rc < 0 ? cli_fail(cmd, &err) : 0;
}

static int run_pause(const struct cli_global *g, int argc, char **argv)
{
    return freeze(&cmd_pause, g, argc, argv);
}

static int run_resume(const struct cli_global *g, int argc, char **argv)
{
    return freeze(&cmd_resume, g, argc, argv);
}
