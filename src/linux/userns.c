/* Id maps of a new user namespace; see userns.h. */
#include "linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "util/cleanup.h"

static int write_map(pid_t pid, const char *file, const struct spec_id_mappings *maps,
                     const char *field, struct error *err)
{
    char text[4096], path[64];
    size_t used = 0;
    for (size_t i = 0; i < maps->len; i++) {
        int n = snprintf(text + used, sizeof text - used, "%u %u %u\n", maps->items[i].container_id,
                         maps->items[i].host_id, maps->items[i].size);
        if (n < 0 || (size_t)n >= sizeof text - used)
            return error_set(err, E2BIG, "linux.%s: too many mappings", field);
        used += (size_t)n;
    }
    snprintf(path, sizeof path, "/proc/%d/%s", pid, file);
    _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return error_sys(err, "linux.%s: open %s", field, path);
    if (write(fd, text, used) != (ssize_t)used)
        return error_sys(err, "linux.%s: the kernel refused the mapping", field);
    return 0;
}

int userns_write_maps(pid_t pid, const struct spec_linux *linux_spec, struct error *err)
{
    if (write_map(pid, "uid_map", &linux_spec->uid_mappings, "uidMappings", err) < 0) return -1;
    return write_map(pid, "gid_map", &linux_spec->gid_mappings, "gidMappings", err);
}

int userns_become_root(struct error *err)
{
    if (setresgid(0, 0, 0) < 0) return error_sys(err, "setresgid to root of the user namespace");
    if (setresuid(0, 0, 0) < 0) return error_sys(err, "setresuid to root of the user namespace");
    return 0;
}
