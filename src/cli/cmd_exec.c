/* nsrun exec: a new process in a running container (runc's flags). */
#include <string.h>

#include "cli/commands.h"
#include "container/exec.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_exec = {
    .name = "exec",
    .brief = "run a new process in a running container",
    .args = "ID [COMMAND [ARG...]]",
    .summary = "Run a new process inside a running container: in all its namespaces and its\n"
               "cgroup, with its process' settings unless changed here. The exit status is\n"
               "the process'. With --process the whole process comes from a JSON file.",
    .run = run,
    .enters_container = true,
};

static void take(struct cli_list *list, const char ***items, size_t *n)
{
    *items = list->items;
    *n = list->len;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    struct exec_options o = {0};
    struct cli_list env = {0}, gids = {0}, caps = {0};
    const struct cli_opt opts[] = {
        {"process", 'p', OPT_STRING, &o.process_file, "FILE", "the process as JSON (runtime-spec)"},
        {"tty", 't', OPT_FLAG, &o.tty, NULL, "give the process a terminal"},
        {"detach", 'd', OPT_FLAG, &o.detach, NULL, "do not wait for the process"},
        {"cwd", 0, OPT_STRING, &o.cwd, "DIR", "working directory inside the container"},
        {"env", 'e', OPT_LIST, &env, "KEY=VALUE", "set an environment variable (repeatable)"},
        {"user", 'u', OPT_STRING, &o.user, "UID[:GID]", "run as this user"},
        {"additional-gids", 'g', OPT_LIST, &gids, "GID", "an additional group (repeatable)"},
        {"cap", 'c', OPT_LIST, &caps, "CAP_NAME", "add a capability (repeatable)"},
        {"no-new-privs", 0, OPT_FLAG, &o.no_new_privs, NULL, "set no_new_privs"},
        {"pid-file", 0, OPT_STRING, &o.pid_file, "FILE", "write the process' pid to FILE"},
        {"console-socket", 0, OPT_STRING, &o.console_socket, "PATH",
         "unix socket that receives the terminal's master"},
        {"preserve-fds", 0, OPT_INT, &o.preserve_fds, "N",
         "pass descriptors 3 to 3+N-1 on to the process"},
        {"process-label", 0, OPT_STRING, &o.process_label, "LABEL", "SELinux label"},
        {"apparmor", 0, OPT_STRING, &o.apparmor, "PROFILE", "AppArmor profile"},
        {"ignore-paused", 0, OPT_FLAG, &o.ignore_paused, NULL, "exec into a paused container"},
    };
    int n;
    int rc = cli_parse(&cmd_exec, opts, sizeof opts / sizeof *opts, argc, argv, 1, &n);
    if (rc) return rc < 0;
    struct error err;
    if (n < 1 || (n < 2 && !o.process_file)) {
        error_set(&err, 0, "expected a container id and a command (or --process FILE)");
        return cli_fail(&cmd_exec, &err);
    }
    o.id = argv[0];
    int first = n > 1 && strcmp(argv[1], "--") == 0 ? 2 : 1;
    argv[n] = NULL;
    o.args = (const char **)argv + first;
    o.n_args = (size_t)(n - first);
    take(&env, &o.env, &o.n_env);
    take(&gids, &o.additional_gids, &o.n_additional_gids);
    take(&caps, &o.caps, &o.n_caps);
    int status = 0;
    if (container_exec(&g->rt, &o, &status, &err) < 0) return cli_fail(&cmd_exec, &err);
    return status;
}
