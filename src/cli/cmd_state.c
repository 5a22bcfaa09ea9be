/* nsrun state: a container's state as JSON. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_state = {
    .name = "state",
    .brief = "print a container's state as JSON",
    .args = "ID",
    .summary = "Print a container's state as JSON.",
    .run = run,
};

static int run(const struct cli_global *g, int argc, char **argv)
{
    int n;
    int rc = cli_parse(&cmd_state, NULL, 0, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_state, n, 1) < 0) return 1;
    struct error err;
    struct container_state st;
    if (container_state(&g->rt, argv[0], &st, &err) < 0) return cli_fail(&cmd_state, &err);
    char *text = state_oci_text(&st, JSON_INDENT(2));
    if (text) printf("%s\n", text);
    free(text);
    state_free(&st);
    return text ? 0 : 1;
}
