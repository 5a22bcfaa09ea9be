/* A chain of chunks, each filled front to back; see arena.h. */
#include "util/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>

struct arena {
    struct arena *next;
    size_t used, size;
    alignas(max_align_t) unsigned char data[];
};

enum { CHUNK_SIZE = 16384 };

void *arena_alloc(struct arena **arena, size_t size)
{
    size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
    struct arena *head = *arena;
    if (!head || head->size - head->used < size) {
        size_t chunk = size > CHUNK_SIZE ? size : CHUNK_SIZE;
        struct arena *fresh = calloc(1, sizeof *fresh + chunk);
        if (!fresh) return NULL;
        fresh->size = chunk;
        fresh->next = head;
        *arena = head = fresh;
    }
    void *p = head->data + head->used;
    head->used += size;
    return p;
}

void arena_free(struct arena *arena)
{
    while (arena) {
        struct arena *next = arena->next;
        free(arena);
        arena = next;
    }
}
