/* Option parsing, help and error output for the sub-commands; see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

static const struct cli_opt *find_long(const struct cli_opt *opts, size_t n, const char *name,
                                       size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0) return &opts[i];
    return NULL;
}

static const struct cli_opt *find_short(const struct cli_opt *opts, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name && opts[i].short_name == c) return &opts[i];
    return NULL;
}

static int usage_error(const struct cli_command *cmd, const char *fmt, const char *what)
{
    fprintf(stderr, "nsrun %s: ", cmd->name);
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\nRun 'nsrun %s --help' for usage.\n", cmd->name);
    return -1;
}

static int set_value(const struct cli_command *cmd, const struct cli_opt *o, const char *value)
{
    switch (o->kind) {
    case OPT_FLAG:
        if (!value || strcmp(value, "true") == 0)
            *(bool *)o->out = true;
        else if (strcmp(value, "false") == 0)
            *(bool *)o->out = false;
        else
            return usage_error(cmd, "--%s takes true or false", o->name);
        return 0;
    case OPT_STRING: *(const char **)o->out = value; return 0;
    case OPT_LIST: {
        struct cli_list *list = o->out;
        if (list->len == CLI_LIST_MAX)
            return usage_error(cmd, "--%s given too many times", o->name);
        list->items[list->len++] = value;
        return 0;
    }
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(value, &end, 10);
        if (errno || *end || end == value || v < 0 || v > 1000000)
            return usage_error(cmd, "--%s takes a number", o->name);
        *(int *)o->out = (int)v;
        return 0;
    }
    }
    return -1;
}

/* -it: a cluster of one-letter flags. */
static int set_short_flags(const struct cli_command *cmd, const struct cli_opt *opts, size_t n,
                           const char *arg)
{
    for (const char *c = arg + 1; *c; c++) {
        const struct cli_opt *o = find_short(opts, n, *c);
        if (!o || o->kind != OPT_FLAG) return usage_error(cmd, "unknown option %s", arg);
        set_value(cmd, o, NULL);
    }
    return 0;
}

/* One option at argv[*i]; consumes its value from argv[*i + 1] if needed. */
static int parse_one(const struct cli_command *cmd, const struct cli_opt *opts, size_t n, int argc,
                     char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *name = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct cli_opt *o = find_long(opts, n, name, len);
    const char *inline_value = eq ? eq + 1 : NULL;
    if (!o && arg[1] != '-' && (o = find_short(opts, n, name[0]))) {
        if (o->kind == OPT_FLAG && name[1]) return set_short_flags(cmd, opts, n, arg);
        inline_value = name[1] ? name + 1 : NULL; /* -bVALUE */
    }
    if (!o) return usage_error(cmd, "unknown option %s", arg);
    if (o->kind == OPT_FLAG || inline_value) return set_value(cmd, o, inline_value);
    if (*i + 1 >= argc) return usage_error(cmd, "%s needs a value", arg);
    return set_value(cmd, o, argv[++*i]);
}

static bool wants_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "-help") == 0;
}

int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, size_t n_opts, int argc,
              char **argv, int stop_after, int *n_args)
{
    int kept = 0;
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (only_args || arg[0] != '-' || arg[1] == '\0') {
            argv[kept++] = argv[i];
            only_args |= stop_after > 0 && kept >= stop_after;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_args = true;
            continue;
        }
        if (wants_help(arg)) {
            if (cmd->usage)
                cmd->usage();
            else
                cli_help(cmd, opts, n_opts);
            return 1;
        }
        if (parse_one(cmd, opts, n_opts, argc, argv, &i) < 0) return -1;
    }
    *n_args = kept;
    return 0;
}

int cli_want_args(const struct cli_command *cmd, int n_args, int want)
{
    if (want < 0 || n_args == want) return 0;
    fprintf(stderr, "nsrun %s: expected %d argument%s (%s), got %d\n", cmd->name, want,
            want == 1 ? "" : "s", cmd->args, n_args);
    fprintf(stderr, "Run 'nsrun %s --help' for usage.\n", cmd->name);
    return -1;
}

void cli_help(const struct cli_command *cmd, const struct cli_opt *opts, size_t n_opts)
{
    printf("Usage: nsrun %s [options] %s\n\n%s\n", cmd->name, cmd->args, cmd->summary);
    if (n_opts) printf("\nOptions:\n");
    for (size_t i = 0; i < n_opts; i++) {
        const struct cli_opt *o = &opts[i];
        char left[64];
        int w = o->short_name ? snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name)
                              : snprintf(left, sizeof left, "    --%s", o->name);
        if (o->kind != OPT_FLAG && w > 0 && (size_t)w < sizeof left)
            snprintf(left + w, sizeof left - (size_t)w, " %s", o->arg ? o->arg : "VALUE");
        printf("  %-30s %s\n", left, o->help);
    }
    printf("  %-30s %s\n", "-h, --help", "show this help");
}

int cli_fail(const struct cli_command *cmd, const struct error *err)
{
    char text[sizeof err->msg + 128];
    error_text(err, text, sizeof text);
    fprintf(stderr, "nsrun: %s: %s\n", cmd->name, text);
    if (log_to_file()) log_error("%s: %s", cmd->name, text);
    return 1;
}

/* "256M", "1g", "512k", "1048576": bytes, or -1. */
int64_t cli_parse_size(const char *text)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || v <= 0) return -1;
    const char *units = "kmgt";
    double mult = 1;
    if (*end) {
        const char *u = strchr(units, *end | 0x20);
        if (!u) return -1;
        for (const char *p = units; p <= u; p++) mult *= 1024;
        end++;
        if ((*end | 0x20) == 'i') end++;
        if ((*end | 0x20) == 'b') end++;
    }
    return *end ? -1 : (int64_t)(v * mult);
}
