/* tmpcopyup: a tmpfs mounted on a directory of the rootfs starts with a
 * copy of what the directory held. The tree is the image's, so hostile:
 * nothing is followed (a symlink is copied as a symlink), every entry is
 * opened without following and checked to be what it was listed as, and
 * the depth is bounded. Hard links become separate files; extended
 * attributes are not copied. */
#ifndef NSRUN_LINUX_COPYUP_H
#define NSRUN_LINUX_COPYUP_H

#include "util/error.h"

/* Copies the contents of directory `from` into directory `to`, keeping
 * types, modes, owners and times. */
int copyup_tree(int from, int to, struct error *err);

#endif
