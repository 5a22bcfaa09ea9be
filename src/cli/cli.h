/* What the sub-commands share: the global options, a small option parser
 * that takes runc's spellings (--bundle X, --bundle=X, -b X, -bX, -bundle X,
 * --force=false), generated --help, and error reporting. */
#ifndef NSRUN_CLI_CLI_H
#define NSRUN_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container/container.h"
#include "util/error.h"

struct cli_global {
    struct runtime rt;
};

enum cli_opt_kind { OPT_FLAG, OPT_STRING, OPT_INT, OPT_LIST };

/* The values of an option given several times (--env A=1 --env B=2). */
enum { CLI_LIST_MAX = 128 };
struct cli_list {
    const char *items[CLI_LIST_MAX];
    size_t len;
};

struct cli_opt {
    const char *name; /* long name, without dashes */
    char short_name;  /* 0 for none */
    enum cli_opt_kind kind;
    void *out;       /* bool *, const char **, int * */
    const char *arg; /* the value's name in --help */
    const char *help;
};

struct cli_command {
    const char *name;
    const char *args;    /* "ID", "[ID]", ... for the usage line */
    const char *brief;   /* one line for the command list (and the man page's NAME) */
    const char *summary; /* the paragraph --help opens with */
    int (*run)(const struct cli_global *g, int argc, char **argv);
    bool enters_container; /* puts nsrun processes into a container: see linux/exe_guard.h */
    void (*usage)(void);   /* replaces the generated --help (the global one) */
};

/* Parses argv[1..] against opts. Options and arguments may mix until
 * `stop_after` arguments were seen (0: never), after which everything is an
 * argument (a command line to run); "--" ends options too. The arguments
 * are left in argv[0..*n_args). Returns 0, 1 when --help was shown, or -1
 * (error printed). */
int cli_parse(const struct cli_command *cmd, const struct cli_opt *opts, size_t n_opts, int argc,
              char **argv, int stop_after, int *n_args);
/* Checks the argument count: exactly `want` (-1 for any), printing why not. */
int cli_want_args(const struct cli_command *cmd, int n_args, int want);
void cli_help(const struct cli_command *cmd, const struct cli_opt *opts, size_t n_opts);
/* "256M", "1g", "512k", "1048576": bytes, or -1. */
int64_t cli_parse_size(const char *text);
/* Prints "nsrun: CMD: error" (and logs it); returns the exit status 1. */
int cli_fail(const struct cli_command *cmd, const struct error *err);

#define CLI_OPTS(...) ((const struct cli_opt[]){__VA_ARGS__})

#endif
