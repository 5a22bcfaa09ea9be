/* User namespaces: the id maps the parent writes for a waiting child. */
#ifndef NSRUN_LINUX_USERNS_H
#define NSRUN_LINUX_USERNS_H

#include <sys/types.h>

#include "spec/spec.h"

/* Writes /proc/PID/uid_map and gid_map; errors name prefix + the field
 * ("linux.uidMappings", "mounts[2].gidMappings"). Rootless,
 * a mapping of one's own id alone is written directly (with setgroups
 * denied for gids, as the kernel requires), anything more through
 * newuidmap/newgidmap (Debian's uidmap), which check /etc/subuid and
 * /etc/subgid; a refusal names the mapping and says why. */
int userns_write_maps(pid_t pid, const struct spec_id_mappings *uids,
                      const struct spec_id_mappings *gids, bool rootless, const char *prefix,
                      struct error *err);
/* Child: become root of the new namespace once mapped, so that files it
 * creates while setting up belong to a mapped id. */
int userns_become_root(struct error *err);

#endif
