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
    const char *console_socket = NULL;
    const struct cli_opt opts[] = {
        {"bundle", 'b', OPT_STRING, &o.bundle, "DIR",
         "the bundle (default: the current directory)"},
        {"pid-file", 0, OPT_STRING, &o.pid_file, "FILE", "write the container's pid to FILE"},
        {"detach", 'd', OPT_FLAG, &o.detach, NULL, "do not wait for the container"},
        {"keep", 0, OPT_FLAG, &o.keep, NULL, "do not remove the container when it exits"},
        {"console-socket", 0, OPT_STRING, &console_socket, "PATH",
         "unix socket that receives the terminal's master"},
        {"no-pivot", 0, OPT_FLAG, &o.no_pivot, NULL,
         "move the rootfs and chroot instead of pivot_root (rootfs on an initramfs)"},
        {"no-new-keyring", 0, OPT_FLAG, &o.no_new_keyring, NULL,
         "keep the caller's session keyring"},
        {"preserve-fds", 0, OPT_INT, &o.preserve_fds, "N",
         "pass descriptors 3 to 3+N-1 on to the container"},
    };
    int n;
    int rc = cli_parse(&cmd_run, opts, sizeof opts / sizeof *opts, argc, argv, false, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_run, n, 1) < 0) return 1;
    o.id = argv[0];
    struct error err;
    if (console_socket && reject_console_socket(&err) < 0) return cli_fail(&cmd_run, &err);
    int status = 0;
    if (container_run(&g->rt, &o, &status, &err) < 0) return cli_fail(&cmd_run, &err);
    return status;
}
