/* A bump allocator: many small allocations that die together (a parsed
 * spec's arrays), freed with one call. */
#ifndef NSRUN_UTIL_ARENA_H
#define NSRUN_UTIL_ARENA_H

#include <stddef.h>

struct arena;

/* Zeroed memory from *arena (created on first use); NULL when out of memory. */
void *arena_alloc(struct arena **arena, size_t size);
void arena_free(struct arena *arena);

#endif
