/* See seccomp_cache.h. An entry file: a header (magic, key length, program
 * length), the key, the program. Files are written under a unique
 * temporary name and renamed into place, so a reader sees whole entries. */
#include "linux/seccomp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/build_id.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define MAGIC       "nsrunsc1"
#define MAX_KEY     (4u << 20) /* larger profiles are compiled every time */
#define MAX_ENTRIES 32         /* more, and the cache is emptied first */

struct header {
    char magic[8];
    uint32_t key_len, prog_len; /* bytes, instructions */
};

static int put(struct seccomp_cache_key *k, const void *data, size_t len)
{
    if (k->len + len > MAX_KEY) return -1;
    if (k->len + len > k->cap) {
        size_t cap = k->cap ? k->cap : 4096;
        while (cap < k->len + len) cap *= 2;
        char *bigger = realloc(k->data, cap);
        if (!bigger) return -1;
        k->data = bigger;
        k->cap = cap;
    }
    memcpy(k->data + k->len, data, len);
    k->len += len;
    return 0;
}

/* Strings with their length, so no two different profiles encode alike. */
static int put_str(struct seccomp_cache_key *k, const char *s)
{
    uint32_t len = s ? (uint32_t)strlen(s) : UINT32_MAX;
    return put(k, &len, sizeof len) < 0 || (s && put(k, s, len) < 0) ? -1 : 0;
}

static int put_u64(struct seccomp_cache_key *k, uint64_t v)
{
    return put(k, &v, sizeof v);
}

static int put_strings(struct seccomp_cache_key *k, const struct spec_strings *list)
{
    if (put_u64(k, list->len) < 0) return -1;
    for (size_t i = 0; i < list->len; i++)
        if (put_str(k, list->items[i]) < 0) return -1;
    return 0;
}

static int put_environment(struct seccomp_cache_key *k)
{
    char id[129];
    if (build_id_hex(id, sizeof id) < 0) return -1;
    const struct scmp_version *lib = seccomp_version();
    struct utsname u;
    if (uname(&u) < 0) return -1;
    char line[512];
    snprintf(line, sizeof line, "%s build %s libseccomp %u.%u.%u kernel %s %s", MAGIC, id,
             lib->major, lib->minor, lib->micro, u.release, u.machine);
    return put_str(k, line);
}

/* Everything of the profile the program is made from (flags and the
 * listener are applied when it is loaded, not compiled in). */
static int put_profile(struct seccomp_cache_key *k, const struct spec_seccomp *spec)
{
    if (put_str(k, spec->default_action) < 0 || put_u64(k, spec->has_default_errno_ret) < 0 ||
        put_u64(k, spec->default_errno_ret) < 0 || put_strings(k, &spec->architectures) < 0 ||
        put_u64(k, spec->n_syscalls) < 0)
        return -1;
    for (size_t i = 0; i < spec->n_syscalls; i++) {
        const struct spec_seccomp_syscall *sc = &spec->syscalls[i];
        if (put_strings(k, &sc->names) < 0 || put_str(k, sc->action) < 0 ||
            put_u64(k, sc->has_errno_ret) < 0 || put_u64(k, sc->errno_ret) < 0 ||
            put_u64(k, sc->n_args) < 0)
            return -1;
        for (size_t a = 0; a < sc->n_args; a++) {
            const struct spec_seccomp_arg *arg = &sc->args[a];
            if (put_u64(k, arg->index) < 0 || put_str(k, arg->op) < 0 ||
                put_u64(k, arg->value) < 0 || put_u64(k, arg->value_two) < 0)
                return -1;
        }
    }
    return 0;
}

int seccomp_cache_key_make(const struct spec_seccomp *spec, struct seccomp_cache_key *key)
{
    memset(key, 0, sizeof *key);
    if (put_environment(key) < 0 || put_profile(key, spec) < 0) {
        seccomp_cache_key_free(key);
        return -1;
    }
    return 0;
}

void seccomp_cache_key_free(struct seccomp_cache_key *key)
{
    free(key->data);
    memset(key, 0, sizeof *key);
}

/* FNV-1a: only to name the file; the key inside is what is compared. */
static void entry_name(const struct seccomp_cache_key *key, char name[17])
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < key->len; i++) h = (h ^ (unsigned char)key->data[i]) * 0x100000001b3ull;
    snprintf(name, 17, "%016llx", (unsigned long long)h);
}

/* The cache directory: ours, not a link, not writable by others. */
static int open_dir(int root_fd, bool create)
{
    if (create && mkdirat(root_fd, SECCOMP_CACHE_DIR, 0700) < 0 && errno != EEXIST) return -1;
    _cleanup_close_ int fd =
        openat(root_fd, SECCOMP_CACHE_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) return -1;
    return TAKE_FD(fd);
}

int seccomp_cache_lookup(int root_fd, const struct seccomp_cache_key *key,
                         struct sock_filter **filter, unsigned short *len)
{
    char name[17];
    entry_name(key, name);
    _cleanup_close_ int dir = open_dir(root_fd, false);
    if (dir < 0) return 0;
    _cleanup_close_ int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) return 0;
    struct header h;
    if (fs_read_all(fd, &h, sizeof h) != (ssize_t)sizeof h || memcmp(h.magic, MAGIC, 8) != 0 ||
        h.key_len != key->len || h.prog_len == 0 || h.prog_len > BPF_MAXINSNS ||
        (uint64_t)st.st_size != sizeof h + h.key_len + (uint64_t)h.prog_len * sizeof **filter)
        return 0;
    _cleanup_free_ char *stored = malloc(h.key_len);
    _cleanup_free_ struct sock_filter *prog = malloc(h.prog_len * sizeof *prog);
    size_t prog_bytes = h.prog_len * sizeof *prog;
    if (!stored || !prog || fs_read_all(fd, stored, h.key_len) != (ssize_t)h.key_len ||
        memcmp(stored, key->data, key->len) != 0 ||
        fs_read_all(fd, prog, prog_bytes) != (ssize_t)prog_bytes)
        return 0;
    *filter = TAKE_PTR(prog);
    *len = (unsigned short)h.prog_len;
    return 1;
}

/* Keeps the cache bounded: past MAX_ENTRIES files, start again. The
 * temporary files of writers that were killed count, and go too. */
static bool is_entry(const char *name)
{
    return strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static void trim(int dir)
{
    _cleanup_closedir_ DIR *d = fs_list_dir(dir);
    if (!d) return;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) n += is_entry(e->d_name);
    if (n < MAX_ENTRIES) return;
    rewinddir(d);
    for (struct dirent *e; (e = readdir(d));)
        if (is_entry(e->d_name)) unlinkat(dir, e->d_name, 0);
}

static int write_entry(int dir, const char *name, const struct seccomp_cache_key *key,
                       const struct sock_filter *filter, unsigned short len)
{
    char tmp[FS_TEMP_NAME_SIZE];
    struct error ignored;
    _cleanup_close_ int fd = fs_create_temp_at(dir, name, 0600, tmp, &ignored);
    if (fd < 0) return -1;
    struct header h = {.key_len = (uint32_t)key->len, .prog_len = len};
    memcpy(h.magic, MAGIC, 8);
    if (fs_write_all(fd, &h, sizeof h) < 0 || fs_write_all(fd, key->data, key->len) < 0 ||
        fs_write_all(fd, filter, len * sizeof *filter) < 0 || renameat(dir, tmp, dir, name) < 0) {
        unlinkat(dir, tmp, 0);
        return -1;
    }
    return 0;
}

void seccomp_cache_store(int root_fd, const struct seccomp_cache_key *key,
                         const struct sock_filter *filter, unsigned short len)
{
    char name[17];
    entry_name(key, name);
    _cleanup_close_ int dir = open_dir(root_fd, true);
    if (dir >= 0) trim(dir);
    if (dir < 0 || write_entry(dir, name, key, filter, len) < 0)
        log_debug("seccomp: the compiled filter is not cached: %s", strerror(errno));
}
