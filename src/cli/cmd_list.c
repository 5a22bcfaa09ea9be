/* nsrun list: the containers under --root, as a table, JSON or ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_list = {
    .name = "list",
    .brief = "list the containers",
    .args = "",
    .summary = "List the containers.",
    .run = run,
};

static int print_json(const struct container_state *states, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, state_oci_json(&states[i]));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text) return 1;
    printf("%s\n", text);
    free(text);
    return 0;
}

/* runc's tabwriter layout: columns at least 12 wide, 3 spaces of padding. */
static int print_table(const struct container_state *states, size_t n)
{
    const char *head[6] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
    size_t width[6];
    char(*pid)[16] = calloc(n + 1, sizeof *pid);
    if (!pid) return 1;
    for (int c = 0; c < 6; c++) width[c] = strlen(head[c]);
    for (size_t i = 0; i < n; i++) {
        const struct container_state *s = &states[i];
        snprintf(pid[i], sizeof pid[i], "%d", s->status == STATUS_STOPPED ? 0 : (int)s->pid);
        const char *cell[6] = {s->id,     pid[i],     status_name(s->status),
                               s->bundle, s->created, s->owner};
        for (int c = 0; c < 6; c++)
            if (strlen(cell[c]) > width[c]) width[c] = strlen(cell[c]);
    }
    for (int c = 0; c < 6; c++) width[c] = width[c] + 3 < 12 ? 12 : width[c] + 3;
    for (size_t i = 0; i <= n; i++) {
        const struct container_state *s = i ? &states[i - 1] : NULL;
        const char *row[6] = {head[0], head[1], head[2], head[3], head[4], head[5]};
        if (s) {
            const char *cell[6] = {s->id,     pid[i - 1], status_name(s->status),
                                   s->bundle, s->created, s->owner};
            memcpy(row, cell, sizeof row);
        }
        for (int c = 0; c < 5; c++) printf("%-*s", (int)width[c], row[c]);
        printf("%s\n", row[5]);
    }
    free(pid);
    return 0;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    const char *format = "table";
    bool quiet = false;
    const struct cli_opt opts[] = {
        {"format", 'f', OPT_STRING, &format, "table|json", "output format"},
        {"quiet", 'q', OPT_FLAG, &quiet, NULL, "print only the ids"},
    };
    int n;
    int rc = cli_parse(&cmd_list, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_list, n, 0) < 0) return 1;
    struct error err;
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        error_set(&err, 0, "--format: unknown format \"%s\" (table or json)", format);
        return cli_fail(&cmd_list, &err);
    }
    struct container_state *states;
    size_t count;
    if (container_list(&g->rt, &states, &count, &err) < 0) return cli_fail(&cmd_list, &err);
    rc = 0;
    if (quiet) {
        for (size_t i = 0; i < count; i++) printf("%s\n", states[i].id);
    } else if (strcmp(format, "json") == 0) {
        rc = print_json(states, count);
    } else {
        rc = print_table(states, count);
    }
    for (size_t i = 0; i < count; i++) state_free(&states[i]);
    free(states);
    return rc;
}
