/* nsrun ps: the processes of a container, as a table or as the JSON list
 * of pids that containerd's shim reads. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/fs.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_ps = {
    .name = "ps",
    .brief = "list a container's processes",
    .args = "ID",
    .summary = "List the processes in a container's cgroup (host pids).",
    .run = run,
};

/* A container process names itself: no control byte of its goes to the
 * terminal (an escape sequence could rewrite what the person sees). */
static void make_printable(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) *s = '?';
}

/* "PID PPID STAT COMMAND" from /proc, for the processes still there. */
static void print_row(pid_t pid)
{
    char path[64];
    char *stat = NULL, *cmdline = NULL;
    size_t len = 0;
    struct error ignored;
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (fs_read_file_at(AT_FDCWD, path, &stat, NULL, &ignored) < 0) return;
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    if (fs_read_file_at(AT_FDCWD, path, &cmdline, &len, &ignored) < 0) len = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (!cmdline[i]) cmdline[i] = ' ';
    char *close = strrchr(stat, ')'), state = '?';
    int ppid = 0;
    if (close) sscanf(close + 1, " %c %d", &state, &ppid);
    char *comm = strchr(stat, '(');
    if (close) *close = '\0';
    char *shown = len ? cmdline : comm ? comm + 1 : "?";
    make_printable(shown);
    printf("%-8d %-8d %-5c %s\n", pid, ppid, state, shown);
    free(stat);
    free(cmdline);
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    const char *format = "table";
    const struct cli_opt opts[] = {
        {"format", 'f', OPT_STRING, &format, "table|json", "output format"},
    };
    int n;
    int rc = cli_parse(&cmd_ps, opts, sizeof opts / sizeof *opts, argc, argv, 1, &n);
    if (rc) return rc < 0;
    struct error err;
    if (n > 1) {
        error_set(&err, 0, "ps options (%s) are not supported: nsrun prints its own table",
                  argv[1]);
        return cli_fail(&cmd_ps, &err);
    }
    if (cli_want_args(&cmd_ps, n, 1) < 0) return 1;
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        error_set(&err, 0, "--format: unknown format \"%s\" (table or json)", format);
        return cli_fail(&cmd_ps, &err);
    }
    pid_t *pids;
    size_t count;
    if (container_pids(&g->rt, argv[0], &pids, &count, &err) < 0) return cli_fail(&cmd_ps, &err);
    if (strcmp(format, "json") == 0) {
        printf("[");
        for (size_t i = 0; i < count; i++) printf("%s%d", i ? "," : "", pids[i]);
        printf("]\n");
    } else {
        printf("%-8s %-8s %-5s %s\n", "PID", "PPID", "STAT", "COMMAND");
        for (size_t i = 0; i < count; i++) print_row(pids[i]);
    }
    free(pids);
    return 0;
}
