/* nsrun events: statistics and OOM events, in runc's JSON. */
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_events = {
    .name = "events",
    .brief = "print a container's statistics and OOM kills",
    .args = "ID",
    .summary = "Print a container's statistics every --interval, and its OOM kills as they\n"
               "happen, as JSON lines, until it stops; --stats prints them once.",
    .run = run,
};

/* Go's durations as runc takes them: "5s", "500ms", "1m", "1h30m". */
static int parse_duration_ms(const char *text)
{
    long long total = 0;
    for (const char *p = text; *p;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || v < 0) return -1;
        long long unit = strncmp(end, "ms", 2) == 0 ? 1
                         : *end == 's'              ? 1000
                         : *end == 'm'              ? 60000
                         : *end == 'h'              ? 3600000
                                                    : -1;
        if (unit < 0) return -1;
        total += (long long)(v * (double)unit);
        p = end + (unit == 1 ? 2 : 1);
    }
    return total > 0 && total < 86400000LL ? (int)total : -1;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    bool stats = false;
    const char *interval = "5s";
    const struct cli_opt opts[] = {
        {"stats", 0, OPT_FLAG, &stats, NULL, "print the statistics once and stop"},
        {"interval", 0, OPT_STRING, &interval, "DURATION", "between statistics (default 5s)"},
    };
    int n;
    int rc = cli_parse(&cmd_events, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_events, n, 1) < 0) return 1;
    struct error err;
    int ms = parse_duration_ms(interval);
    if (ms < 0) {
        error_set(&err, 0, "--interval: \"%s\" is not a duration such as 5s or 500ms", interval);
        return cli_fail(&cmd_events, &err);
    }
    if (container_events(&g->rt, argv[0], stats, ms, &err) < 0) return cli_fail(&cmd_events, &err);
    return 0;
}
