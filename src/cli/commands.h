/* The sub-commands, one file each. */
#ifndef NSRUN_CLI_COMMANDS_H
#define NSRUN_CLI_COMMANDS_H

#include "cli/cli.h"

extern const struct cli_command cmd_create, cmd_start, cmd_run, cmd_exec, cmd_state, cmd_list,
    cmd_kill, cmd_delete, cmd_spec, cmd_enter, cmd_ns, cmd_pause, cmd_resume, cmd_update, cmd_ps,
    cmd_events, cmd_features;

/* The options create and run share; fills opts (room for CREATE_OPTS) and
 * returns how many. */
enum { CREATE_OPTS = 6 };
size_t create_options(struct create_options *o, struct cli_opt *opts);

#endif
