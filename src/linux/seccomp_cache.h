/* Compiled seccomp programs kept in the state root, so that the profile an
 * engine gives every container (podman's and docker's default profiles:
 * some 400 syscalls, about 17 ms of libseccomp work) is compiled once.
 *
 * An entry is found by a hash of its key and holds the whole key, which is
 * compared byte for byte: everything the program depends on (the profile,
 * nsrun's build id, libseccomp's version, the kernel and the machine). A
 * missing, foreign or damaged entry is a miss, never an error. */
#ifndef NSRUN_LINUX_SECCOMP_CACHE_H
#define NSRUN_LINUX_SECCOMP_CACHE_H

#include <linux/filter.h>
#include <stddef.h>

#include "spec/spec.h"

/* The directory in the state root; container ids cannot start with a dot. */
#define SECCOMP_CACHE_DIR ".seccomp-cache"

struct seccomp_cache_key {
    char *data;
    size_t len, cap;
};

/* 0, or -1 when no cache can be used (no build id, no memory). */
int seccomp_cache_key_make(const struct spec_seccomp *spec, struct seccomp_cache_key *key);
void seccomp_cache_key_free(struct seccomp_cache_key *key);

/* 1 and a malloc'd program on a hit, 0 on a miss. */
int seccomp_cache_lookup(int root_fd, const struct seccomp_cache_key *key,
                         struct sock_filter **filter, unsigned short *len);
/* Best effort: a failure is logged at debug level and otherwise ignored. */
void seccomp_cache_store(int root_fd, const struct seccomp_cache_key *key,
                         const struct sock_filter *filter, unsigned short len);

#endif
