/* A passwd file parser; see passwd.h. */
#include "util/passwd.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "util/cleanup.h"
#include "util/fs.h"

int passwd_lookup_uid(const char *path, uid_t uid, char **name, char **home)
{
    _cleanup_free_ char *text = NULL;
    struct error ignored;
    /* A container's: a FIFO must not hang nsrun, /dev/zero not fill memory. */
    if (fs_read_regular_at(AT_FDCWD, path, PASSWD_MAX_SIZE, &text, NULL, &ignored) < 0) return -1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        /* name:password:uid:gid:gecos:home:shell */
        char *field[7] = {0};
        char *p = line;
        for (int n = 0; n < 7 && p; n++) {
            field[n] = p;
            p = strchr(p, ':');
            if (p) *p++ = '\0';
        }
        if (!field[2] || !*field[2]) continue;
        char *end;
        unsigned long v = strtoul(field[2], &end, 10);
        if (*end || v != uid) continue;
        if (name) *name = strdup(field[0]);
        if (home) *home = strdup(field[5] && *field[5] ? field[5] : "/");
        return 0;
    }
    return -1;
}
