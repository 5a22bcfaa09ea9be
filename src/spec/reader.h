/* Typed reads from a jansson tree that know the JSON path of what they read,
 * so that every error names it: "config.json: process.args[1]: expected a
 * string". Used by the spec parser only. */
#ifndef NSRUN_SPEC_READER_H
#define NSRUN_SPEC_READER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "spec/spec.h"

struct reader {
    const char *file; /* "config.json" */
    char path[512];   /* path of the value being read, "linux.namespaces[2]" */
    size_t path_len;
    struct arena **arena; /* where arrays are allocated */
    struct error *err;
};

/* Path bookkeeping: push returns the length to pop back to. */
size_t rd_push_key(struct reader *r, const char *key);
size_t rd_push_index(struct reader *r, size_t index);
void rd_pop(struct reader *r, size_t len);

/* Fails with "file: path: message"; returns -1. */
int rd_fail(struct reader *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Fails naming obj.key. */
int rd_fail_key(struct reader *r, const char *key, const char *fmt, ...) PRINTF_LIKE(3, 4);

void *rd_alloc(struct reader *r, size_t count, size_t size);

/* Optional fields of obj: absent (or null) leaves *out untouched and, where
 * there is a `has`, sets it false. A present field of the wrong type fails. */
int rd_object(struct reader *r, json_t *obj, const char *key, json_t **out);
int rd_array(struct reader *r, json_t *obj, const char *key, json_t **out);
int rd_string(struct reader *r, json_t *obj, const char *key, const char **out);
int rd_bool(struct reader *r, json_t *obj, const char *key, bool *out);
int rd_i64(struct reader *r, json_t *obj, const char *key, int64_t *out, bool *has);
int rd_u64(struct reader *r, json_t *obj, const char *key, uint64_t *out, bool *has);
int rd_u32(struct reader *r, json_t *obj, const char *key, uint32_t *out, bool *has);
int rd_i32(struct reader *r, json_t *obj, const char *key, int32_t *out, bool *has);
int rd_strings(struct reader *r, json_t *obj, const char *key, struct spec_strings *out);
/* An object whose values are all strings. */
int rd_key_values(struct reader *r, json_t *obj, const char *key, struct spec_key_values *out);
/* Parses each element of obj[key], which must be an object, with
 * parse(r, element, items, index); items is an array of `count` elements of
 * elem_size bytes allocated here. Absent leaves *items NULL and *count 0. */
typedef int (*rd_item_parser)(struct reader *r, json_t *element, void *items, size_t index);
int rd_list(struct reader *r, json_t *obj, const char *key, size_t elem_size, void *items,
            size_t *count, rd_item_parser parse);
/* A required field: fails with "missing" when absent. */
int rd_require(struct reader *r, json_t *obj, const char *key);

#endif
