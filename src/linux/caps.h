/* Capabilities: the bounding set, then effective/permitted/inheritable and
 * the ambient set once the process runs as its final user. */
#ifndef NSRUN_LINUX_CAPS_H
#define NSRUN_LINUX_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "spec/spec.h"

/* Drops from the bounding set every capability not listed (needs
 * CAP_SETPCAP, so before the user changes). */
int caps_drop_bounding(const struct spec_capabilities *caps, struct error *err);
/* capset() and the ambient set, after setresuid() with keep-caps. */
int caps_set(const struct spec_capabilities *caps, struct error *err);

/* A process' bounding and effective sets and its no_new_privs, from
 * status in proc_fd (its /proc/PID). */
struct caps_of_process {
    uint64_t bounding, effective;
    bool no_new_privs;
};
int caps_read_process(int proc_fd, struct caps_of_process *out, struct error *err);
/* Keeps only the capabilities in `allowed` in every set of the caller
 * (bounding, permitted, effective, inheritable; the ambient set is
 * cleared): neither it nor any program it runs can hold more. */
int caps_limit(uint64_t allowed, struct error *err);

#endif
