/* Running without the host's privileges ("rootless"): as an ordinary user,
 * or as root of a user namespace that does not map every id (inside a
 * rootless engine). Then the id maps beyond one's own ids need the setuid
 * helpers newuidmap/newgidmap, cgroups are used only where delegated, and
 * the state lives in the user's runtime directory. */
#ifndef NSRUN_LINUX_ROOTLESS_H
#define NSRUN_LINUX_ROOTLESS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* True when nsrun lacks the host's privileges (see above). */
bool rootless_detect(void);
/* The default state root: /run/nsrun, or for a rootless caller
 * $XDG_RUNTIME_DIR/nsrun, else /tmp/nsrun-UID. */
int rootless_default_root(bool rootless, char *out, size_t size, struct error *err);

#endif
