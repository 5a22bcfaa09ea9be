/* libFuzzer target: container ids, cgroup paths, and lookups inside a root.
 * The lookup is differential: nsrun's walk (used where the kernel has no
 * openat2) must reach the same inode, or fail with the same errno, as
 * openat2 does, in a fixed tree full of symlinks that try to escape. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/state.h"
#include "linux/cgroup.h"
#include "util/path.h"
#include "util/resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int rootfd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    char dir[] = "/tmp/nsrun-fuzz-root-XXXXXX";
    if (!mkdtemp(dir)) abort();
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p a/b/c d && echo x > a/f && ln -s /a abs && ln -s ../../.. up && "
             "ln -s a/b rel && ln -s /etc/passwd host && ln -s loop loop && ln -s x1 x2 && "
             "ln -s x2 x1 && ln -s /proc/self/fd/0 magic && ln -s a/f/.. weird && "
             "ln -s . dot && ln -s / slash && ln -s '' empty 2>/dev/null; true",
             dir);
    if (system(cmd) != 0) abort();
    rootfd = open(dir, O_PATH | O_DIRECTORY);
    return rootfd < 0;
}

struct outcome {
    int err;
    dev_t dev;
    ino_t ino;
};

static struct outcome lookup(int (*fn)(int, const char *, int, enum resolve_mode),
                             const char *path, int flags)
{
    struct outcome o = {0};
    int fd = fn(rootfd, path, flags, RESOLVE_MODE_IN_ROOT);
    if (fd < 0) {
        o.err = errno;
        return o;
    }
    struct stat st;
    fstat(fd, &st);
    o.dev = st.st_dev;
    o.ino = st.st_ino;
    close(fd);
    return o;
}

static int same(struct outcome a, struct outcome b)
{
    return a.err == b.err && a.dev == b.dev && a.ino == b.ino;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char text[4097];
    memcpy(text, data, size);
    text[size] = '\0';
    if (strlen(text) != size) return 0; /* no NULs: paths cannot hold them */

    struct error err;
    state_check_id(text, &err);
    path_is_plain_name(text);
    char cg[4097];
    memcpy(cg, text, size + 1);
    cgroup_clean_path(cg);
    /* Clean: absolute, no empty, "." or ".." segment, never longer. */
    if (cg[0] != '/' || strlen(cg) > size + 1) abort();
    for (const char *seg = cg + 1; *seg;) {
        size_t n = strcspn(seg, "/");
        if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
            abort();
        seg += n;
        if (*seg == '/') seg++;
    }

    static const int flags[] = {
        O_PATH,   O_PATH | O_NOFOLLOW,   O_PATH | O_DIRECTORY, O_PATH | O_NOFOLLOW | O_DIRECTORY,
        O_RDONLY, O_RDONLY | O_NOFOLLOW, O_RDONLY | O_DIRECTORY,
    };
    int f = flags[size % (sizeof flags / sizeof *flags)];
    struct outcome a = lookup(resolve_open, text, f), b = lookup(resolve_open_walk, text, f);
    /* The kernel is not always the same: when a lookup in RCU mode falls
     * back to the slower one, the symlinks it followed still count, and a
     * path with many of them can fail with ELOOP once and not again. */
    for (int again = 0; again < 5 && !same(a, b); again++)
        a = lookup(resolve_open, text, f);
    if (!same(a, b)) {
        fprintf(stderr, "walk and openat2 differ on \"%s\" (flags %#x): errno %d/%d\n", text, f,
                a.err, b.err);
        abort();
    }
    return 0;
}
