/* nsrun's entry point: global options (runc's), then one sub-command. */
#include <limits.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "linux/exe_guard.h"
#include "linux/rootless.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/log.h"

static const struct cli_command *const commands[] = {
    &cmd_create, &cmd_start,  &cmd_run,   &cmd_exec,   &cmd_state,    &cmd_list,
    &cmd_kill,   &cmd_delete, &cmd_pause, &cmd_resume, &cmd_update,   &cmd_ps,
    &cmd_spec,   &cmd_enter,  &cmd_ns,    &cmd_events, &cmd_features,
};

static void print_usage(FILE *out)
{
    fprintf(out,
            "Usage: nsrun [global options] COMMAND [options] [arguments]\n\n"
            "nsrun runs OCI containers (runtime-spec %s) with runc's command line.\n\n"
            "Commands:\n",
            SPEC_OCI_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->brief);
    fprintf(out, "\nGlobal options:\n"
                 "  --root DIR             state directory (default /run/nsrun; rootless:\n"
                 "                         $XDG_RUNTIME_DIR/nsrun, else /tmp/nsrun-UID)\n"
                 "  --log FILE             write log records to FILE (default: stderr)\n"
                 "  --log-format FORMAT    text or json\n"
                 "  --debug                log debug records\n"
                 "  --systemd-cgroup       manage cgroups through systemd\n"
                 "  --rootless MODE        true, false or auto (the default: detected)\n"
                 "  -v, --version          print the version\n"
                 "  -h, --help             show this help\n\n"
                 "Run 'nsrun COMMAND --help' for a command's options.\n");
}

static void print_help(void)
{
    print_usage(stdout);
}

/* As runc prints it: engines log the first lines. */
static void print_version(void)
{
    const struct scmp_version *lib = seccomp_version();
    printf("nsrun version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", NSRUN_VERSION,
           NSRUN_COMMIT, SPEC_OCI_VERSION, lib->major, lib->minor, lib->micro);
}

int main(int argc, char **argv)
{
    /* Parsing reorders argv; a re-execution needs it as it came. */
    _cleanup_free_ char **original = calloc((size_t)argc + 1, sizeof *original);
    if (!original) return 1;
    memcpy(original, argv, (size_t)argc * sizeof *argv);
    struct cli_global g = {0};
    const char *log_path = NULL, *log_format = "text", *rootless = "auto", *criu = NULL;
    bool debug = false, version = false;
    const struct cli_opt opts[] = {
        {"root", 0, OPT_STRING, &g.rt.root, "DIR", ""},
        {"log", 0, OPT_STRING, &log_path, "FILE", ""},
        {"log-format", 0, OPT_STRING, &log_format, "FORMAT", ""},
        {"debug", 0, OPT_FLAG, &debug, NULL, ""},
        {"systemd-cgroup", 0, OPT_FLAG, &g.rt.systemd_cgroup, NULL, ""},
        {"rootless", 0, OPT_STRING, &rootless, "MODE", ""},
        {"criu", 0, OPT_STRING, &criu, "PATH", ""},
        {"version", 'v', OPT_FLAG, &version, NULL, ""},
    };
    const struct cli_command global = {.name = "", .args = "", .summary = "", .usage = print_help};
    /* Global options end at the first argument: the command. */
    int n_args;
    int rc = cli_parse(&global, opts, sizeof opts / sizeof *opts, argc, argv, 1, &n_args);
    if (rc) return rc < 0;
    if (version) {
        print_version();
        return 0;
    }
    if (n_args == 0) {
        print_usage(stderr);
        return 1;
    }

    struct error err;
    enum log_format format = LOG_FORMAT_TEXT;
    if (strcmp(log_format, "json") == 0)
        format = LOG_FORMAT_JSON;
    else if (strcmp(log_format, "text") != 0) {
        fprintf(stderr, "nsrun: --log-format: unknown format \"%s\" (text or json)\n", log_format);
        return 1;
    }
    if (log_setup(log_path, format, debug, &err) < 0) {
        fprintf(stderr, "nsrun: %s\n", error_text(&err, (char[1200]){0}, 1200));
        return 1;
    }
    if (strcmp(rootless, "auto") == 0)
        g.rt.rootless = rootless_detect();
    else if (strcmp(rootless, "true") == 0 || strcmp(rootless, "false") == 0)
        g.rt.rootless = rootless[0] == 't';
    else {
        fprintf(stderr, "nsrun: --rootless: \"%s\" is not true, false or auto\n", rootless);
        return 1;
    }
    char default_root[PATH_MAX];
    if (!g.rt.root) {
        if (rootless_default_root(g.rt.rootless, default_root, sizeof default_root, &err) < 0) {
            fprintf(stderr, "nsrun: %s\n", err.msg);
            return 1;
        }
        g.rt.root = default_root;
    }

    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(commands[i]->name, argv[0]) != 0) continue;
        if (commands[i]->enters_container && exe_guard(original, &err) < 0) {
            fprintf(stderr, "nsrun: %s\n", error_text(&err, (char[1200]){0}, 1200));
            return 1;
        }
        return commands[i]->run(&g, n_args, argv);
    }
    fprintf(stderr, "nsrun: unknown command \"%s\"\nRun 'nsrun --help' for the commands.\n",
            argv[0]);
    return 1;
}
