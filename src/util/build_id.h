/* The GNU build id of the running executable: a hash the linker computes
 * over the program, so it changes with any change to the code. */
#ifndef NSRUN_UTIL_BUILD_ID_H
#define NSRUN_UTIL_BUILD_ID_H

#include <stddef.h>

/* Writes the id as lowercase hex into buf; 0, or -1 when the executable
 * carries none (linked with --build-id=none) or buf is too small. */
int build_id_hex(char *buf, size_t size);

#endif
