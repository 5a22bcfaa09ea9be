/* Writes linux.sysctl; see sysctl.h. Which keys a container may set is
 * decided by the spec layer (spec_validate), from its namespaces. */
#include "linux/sysctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "linux/procfs.h"

static int write_one(int proc_fd, const char *key, const char *value, struct error *err)
{
    char path[PATH_MAX], field[PATH_MAX + 16];
    if (snprintf(path, sizeof path, "sys/%s", key) >= (int)sizeof path)
        return error_set(err, ENAMETOOLONG, "linux.sysctl.%s", key);
    for (char *p = path; *p; p++)
        if (*p == '.') *p = '/';
    snprintf(field, sizeof field, "linux.sysctl.%s", key);
    return procfs_write(proc_fd, path, value, field, err);
}

int sysctl_apply(int proc_fd, const struct spec_key_values *sysctl, struct error *err)
{
    for (size_t i = 0; i < sysctl->len; i++)
        if (write_one(proc_fd, sysctl->items[i].key, sysctl->items[i].value, err) < 0) return -1;
    return 0;
}
