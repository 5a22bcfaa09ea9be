/* nsrun kill: send a signal (by name or number, TERM by default). */
#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/commands.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_kill = {
    .name = "kill",
    .brief = "send a signal to a container",
    .args = "ID [SIGNAL]",
    .summary =
        "Send a signal to a container's init (SIGNAL is a name such as TERM or SIGKILL, or a\n"
        "number; TERM by default).",
    .run = run,
};

/* "KILL", "SIGKILL", "sigkill", "9" and "RTMIN+2" alike; -1 if unknown. */
static int parse_signal(const char *text)
{
    char *end;
    long n = strtol(text, &end, 10);
    if (*text && !*end) return n > 0 && n < NSIG ? (int)n : -1;
    if (strncasecmp(text, "SIG", 3) == 0) text += 3;
    if (strncasecmp(text, "RTMIN", 5) == 0 || strncasecmp(text, "RTMAX", 5) == 0) {
        bool min = toupper((unsigned char)text[3]) == 'I';
        long off = text[5] ? strtol(text + 5, &end, 10) : 0;
        if (text[5] && *end) return -1;
        long sig = min ? SIGRTMIN + off : SIGRTMAX + off;
        return sig >= SIGRTMIN && sig <= SIGRTMAX ? (int)sig : -1;
    }
    for (int sig = 1; sig < SIGRTMIN; sig++) {
        const char *name = sigabbrev_np(sig);
        if (name && strcasecmp(name, text) == 0) return sig;
    }
    return -1;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    bool all = false;
    const struct cli_opt opts[] = {
        {"all", 'a', OPT_FLAG, &all, NULL, "signal every process in the container's cgroup"},
    };
    int n;
    int rc = cli_parse(&cmd_kill, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (n != 1 && cli_want_args(&cmd_kill, n, 2) < 0) return 1;
    struct error err;
    int sig = parse_signal(n == 2 ? argv[1] : "TERM");
    if (sig < 0) {
        error_set(&err, 0, "unknown signal \"%s\"", argv[1]);
        return cli_fail(&cmd_kill, &err);
    }
    if (container_kill(&g->rt, argv[0], sig, all, &err) < 0) return cli_fail(&cmd_kill, &err);
    return 0;
}
