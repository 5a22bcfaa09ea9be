/* Id-mapped bind mounts (mounts[].uidMappings/gidMappings, the idmap and
 * ridmap options): the parent, which has privilege over the source's
 * mount, makes a detached copy of the source, id-mapped through a user
 * namespace, and hands its descriptor to the init, which attaches it at
 * the destination (move_mount). */
#ifndef NSRUN_LINUX_IDMAP_H
#define NSRUN_LINUX_IDMAP_H

#include <stdbool.h>

#include "spec/spec.h"

/* A user namespace with these maps (held by a helper process only long
 * enough to open it): its descriptor. prefix names the spec field. */
int idmap_userns(const struct spec_id_mappings *uids, const struct spec_id_mappings *gids,
                 bool rootless, const char *prefix, struct error *err);
/* A detached copy of source (relative to dirfd; with its submounts when
 * `tree`), id-mapped through userns_fd (every submount too when
 * `recursive`): its descriptor, for move_mount. */
int idmap_open_mount(int dirfd, const char *source, bool tree, bool recursive, int userns_fd,
                     const char *prefix, struct error *err);

#endif
