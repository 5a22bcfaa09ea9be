/* Reading /etc/passwd directly: nsrun is static, and NSS lookups would need
 * the dynamic loader; inside a container only the file counts anyway. */
#ifndef NSRUN_UTIL_PASSWD_H
#define NSRUN_UTIL_PASSWD_H

#include <sys/types.h>

/* The entry of uid in the passwd file at path: 0 and the name and home
 * (malloc'd; either out-pointer may be NULL), or -1 when there is none, or
 * when path is not a regular file of at most PASSWD_MAX_SIZE bytes. */
enum { PASSWD_MAX_SIZE = 16 << 20 };
int passwd_lookup_uid(const char *path, uid_t uid, char **name, char **home);

#endif
