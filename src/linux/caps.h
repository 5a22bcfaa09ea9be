/* Capabilities: the bounding set, then effective/permitted/inheritable and
 * the ambient set once the process runs as its final user. */
#ifndef NSRUN_LINUX_CAPS_H
#define NSRUN_LINUX_CAPS_H

#include "spec/spec.h"

/* Drops from the bounding set every capability not listed (needs
 * CAP_SETPCAP, so before the user changes). */
int caps_drop_bounding(const struct spec_capabilities *caps, struct error *err);
/* capset() and the ambient set, after setresuid() with keep-caps. */
int caps_set(const struct spec_capabilities *caps, struct error *err);

#endif
