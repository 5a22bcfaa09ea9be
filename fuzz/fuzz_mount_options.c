/* libFuzzer target: a mount's options (one per line of the input) parsed
 * into flags, propagation, recursive attributes and data. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "linux/mount_plan.h"
#include "util/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char **items = calloc(size + 1, sizeof *items);
    if (!text || !items) goto out;
    memcpy(text, data, size);
    text[size] = '\0';
    struct spec_strings options = {.items = items, .len = 0};
    for (char *line = text, *next; line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        items[options.len++] = line;
    }
    struct arena *arena = NULL;
    struct mount_options out;
    struct error err;
    mount_options_parse(&options, &arena, &out, &err);
    arena_free(arena);
out:
    free(items);
    free(text);
    return 0;
}
