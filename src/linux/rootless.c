/* Rootless detection and defaults; see rootless.h. */
#include "linux/rootless.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"

/* The initial user namespace maps every id: "0 0 4294967295". */
static bool in_full_user_namespace(void)
{
    char *text = NULL;
    struct error err;
    if (fs_read_file_at(AT_FDCWD, "/proc/self/uid_map", &text, NULL, &err) < 0)
        return true; /* no user namespaces in this kernel */
    unsigned long inside, outside, count;
    bool full = sscanf(text, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
                outside == 0 && count == 4294967295UL;
    free(text);
    return full;
}

bool rootless_detect(void)
{
    return geteuid() != 0 || !in_full_user_namespace();
}

int rootless_default_root(bool rootless, char *out, size_t size, struct error *err)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (!rootless)
        n = snprintf(out, size, "/run/nsrun");
    else if (xdg && xdg[0] == '/')
        n = snprintf(out, size, "%s/nsrun", xdg);
    else
        n = snprintf(out, size, "/tmp/nsrun-%u", (unsigned)geteuid());
    if (n < 0 || (size_t)n >= size) return error_set(err, 0, "the state root path is too long");
    return 0;
}
