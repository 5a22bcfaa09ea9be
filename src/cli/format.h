/* Output formats shared by state and list. */
#ifndef NSRUN_CLI_FORMAT_H
#define NSRUN_CLI_FORMAT_H

#include <jansson.h>

#include "container/state.h"

/* The runtime-spec state plus runc's fields that clients read: bundle,
 * rootfs, created, owner, annotations. A stopped container's pid is 0. */
json_t *format_state_json(const struct container_state *st);

#endif
