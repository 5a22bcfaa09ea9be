/* The sub-commands, one file each. */
#ifndef NSRUN_CLI_COMMANDS_H
#define NSRUN_CLI_COMMANDS_H

#include "cli/cli.h"

extern const struct cli_command cmd_create, cmd_start, cmd_run, cmd_state, cmd_list, cmd_kill,
    cmd_delete, cmd_spec;

/* --console-socket goes with process.terminal, which this version refuses. */
int reject_console_socket(struct error *err);

#endif
