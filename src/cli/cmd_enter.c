/* nsrun enter: a command in another process' namespaces (nsenter-like). */
#include "cli/commands.h"
#include "container/enter.h"
#include "spec/spec.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_enter = {
    .name = "enter",
    .brief = "run a command in the namespaces of a container or process",
    .args = "ID|PID|pid:PID [--] [COMMAND [ARG...]]",
    .summary = "Run a command (default: $SHELL) in the namespaces of a process, or of a\n"
               "container's init: the ones named, or else all that differ from nsrun's own,\n"
               "joined user first and mount last, the pid namespace by forking into it.\n"
               "Into a container the command runs as its own processes do: with its\n"
               "capabilities, seccomp filter, no_new_privs, labels, rlimits, user,\n"
               "environment and cgroup (its user namespace too, when it has one). Into a\n"
               "bare process it keeps your identity and environment, but no capability\n"
               "the process lacks. An all-digit name is a container's when one has it;\n"
               "pid:N always names process N. --unconfined gives the command all of your\n"
               "privileges, environment and cgroup instead: a program the container has\n"
               "replaced then runs as you do.",
    .run = run,
    .enters_container = true,
};

static int run(const struct cli_global *g, int argc, char **argv)
{
    bool want[NS_COUNT] = {0}, all = false, unconfined = false;
    const struct cli_opt opts[] = {
        {"mount", 'm', OPT_FLAG, &want[NS_MOUNT], NULL, "the mount namespace"},
        {"uts", 'u', OPT_FLAG, &want[NS_UTS], NULL, "the uts namespace"},
        {"ipc", 'i', OPT_FLAG, &want[NS_IPC], NULL, "the ipc namespace"},
        {"net", 'n', OPT_FLAG, &want[NS_NET], NULL, "the network namespace"},
        {"pid", 'p', OPT_FLAG, &want[NS_PID], NULL, "the pid namespace"},
        {"user", 'U', OPT_FLAG, &want[NS_USER], NULL, "the user namespace"},
        {"cgroup", 'C', OPT_FLAG, &want[NS_CGROUP], NULL, "the cgroup namespace"},
        {"time", 'T', OPT_FLAG, &want[NS_TIME], NULL, "the time namespace"},
        {"all", 'a', OPT_FLAG, &all, NULL, "every namespace (those that differ)"},
        {"unconfined", 0, OPT_FLAG, &unconfined, NULL,
         "run with all of your privileges, not the target's (unsafe: see above)"},
    };
    int n;
    /* Options may follow the target; the command starts at the second argument. */
    int rc = cli_parse(&cmd_enter, opts, sizeof opts / sizeof *opts, argc, argv, 2, &n);
    if (rc) return rc < 0;
    struct error err;
    if (n < 1) {
        error_set(&err, 0, "expected a pid or a container id");
        return cli_fail(&cmd_enter, &err);
    }
    struct enter_options o = {.target = argv[0], .argv = argv + 1, .unconfined = unconfined};
    argv[n] = NULL;
    for (int t = 0; t < NS_COUNT && !all; t++)
        if (want[t]) o.types |= 1u << t;
    int status = 0;
    if (container_enter(&g->rt, &o, &status, &err) < 0) return cli_fail(&cmd_enter, &err);
    return status;
}
