/* Typed, path-aware reads from jansson values; see reader.h. */
#include "spec/reader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/arena.h"

size_t rd_push_key(struct reader *r, const char *key)
{
    size_t old = r->path_len;
    int n = snprintf(r->path + old, sizeof r->path - old, "%s%s", old ? "." : "", key);
    if (n > 0)
        r->path_len = old + (size_t)n < sizeof r->path ? old + (size_t)n : sizeof r->path - 1;
    return old;
}

size_t rd_push_index(struct reader *r, size_t index)
{
    size_t old = r->path_len;
    int n = snprintf(r->path + old, sizeof r->path - old, "[%zu]", index);
    if (n > 0)
        r->path_len = old + (size_t)n < sizeof r->path ? old + (size_t)n : sizeof r->path - 1;
    return old;
}

void rd_pop(struct reader *r, size_t len)
{
    r->path_len = len;
    r->path[len] = '\0';
}

static int fail_v(struct reader *r, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (r->path_len) return error_set(r->err, 0, "%s: %s: %s", r->file, r->path, msg);
    return error_set(r->err, 0, "%s: %s", r->file, msg);
}

int rd_fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fail_v(r, fmt, ap);
    va_end(ap);
    return -1;
}

int rd_fail_key(struct reader *r, const char *key, const char *fmt, ...)
{
    size_t mark = rd_push_key(r, key);
    va_list ap;
    va_start(ap, fmt);
    fail_v(r, fmt, ap);
    va_end(ap);
    rd_pop(r, mark);
    return -1;
}

void *rd_alloc(struct reader *r, size_t count, size_t size)
{
    if (count == 0) return NULL;
    void *p = count > SIZE_MAX / size ? NULL : arena_alloc(r->arena, count * size);
    if (!p) error_set(r->err, ENOMEM, "%s: %s", r->file, r->path);
    return p;
}

/* The field's value, or NULL when absent or null. */
static json_t *field(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

int rd_require(struct reader *r, json_t *obj, const char *key)
{
    if (field(obj, key)) return 0;
    return rd_fail_key(r, key, "missing (required)");
}

int rd_object(struct reader *r, json_t *obj, const char *key, json_t **out)
{
    json_t *v = field(obj, key);
    *out = NULL;
    if (!v) return 0;
    if (!json_is_object(v)) return rd_fail_key(r, key, "expected an object");
    *out = v;
    return 0;
}

int rd_array(struct reader *r, json_t *obj, const char *key, json_t **out)
{
    json_t *v = field(obj, key);
    *out = NULL;
    if (!v) return 0;
    if (!json_is_array(v)) return rd_fail_key(r, key, "expected an array");
    *out = v;
    return 0;
}

int rd_string(struct reader *r, json_t *obj, const char *key, const char **out)
{
    json_t *v = field(obj, key);
    if (!v) return 0;
    if (!json_is_string(v)) return rd_fail_key(r, key, "expected a string");
    *out = json_string_value(v);
    return 0;
}

int rd_bool(struct reader *r, json_t *obj, const char *key, bool *out)
{
    json_t *v = field(obj, key);
    if (!v) return 0;
    if (!json_is_boolean(v)) return rd_fail_key(r, key, "expected true or false");
    *out = json_is_true(v);
    return 0;
}

/* Integers that overflow jansson's int64 arrive as reals (see spec_parse):
 * accept any number whose value is whole. */
static int whole_number(json_t *v, double *real, json_int_t *integer, bool *is_integer)
{
    if (json_is_integer(v)) {
        *integer = json_integer_value(v);
        *is_integer = true;
        return 0;
    }
    if (!json_is_real(v)) return -1;
    *real = json_real_value(v);
    *is_integer = false;
    return *real == floor(*real) ? 0 : -1;
}

int rd_i64(struct reader *r, json_t *obj, const char *key, int64_t *out, bool *has)
{
    json_t *v = field(obj, key);
    if (has) *has = v != NULL;
    if (!v) return 0;
    double real;
    json_int_t integer;
    bool is_integer;
    if (whole_number(v, &real, &integer, &is_integer) < 0)
        return rd_fail_key(r, key, "expected an integer");
    if (is_integer) {
        *out = integer;
        return 0;
    }
    if (real < -9223372036854775808.0 || real >= 9223372036854775808.0)
        return rd_fail_key(r, key, "integer out of range");
    *out = (int64_t)real;
    return 0;
}

int rd_u64(struct reader *r, json_t *obj, const char *key, uint64_t *out, bool *has)
{
    json_t *v = field(obj, key);
    if (has) *has = v != NULL;
    if (!v) return 0;
    double real;
    json_int_t integer;
    bool is_integer;
    if (whole_number(v, &real, &integer, &is_integer) < 0)
        return rd_fail_key(r, key, "expected an integer");
    if (is_integer) {
        if (integer < 0) return rd_fail_key(r, key, "must not be negative");
        *out = (uint64_t)integer;
        return 0;
    }
    if (real < 0) return rd_fail_key(r, key, "must not be negative");
    /* 2^64 - 1 as a double rounds up to 2^64: that is "unlimited". */
    *out = real >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)real;
    return 0;
}

int rd_u32(struct reader *r, json_t *obj, const char *key, uint32_t *out, bool *has)
{
    uint64_t v = 0;
    bool present = false;
    if (rd_u64(r, obj, key, &v, &present) < 0) return -1;
    if (has) *has = present;
    if (!present) return 0;
    if (v > UINT32_MAX) return rd_fail_key(r, key, "integer out of range");
    *out = (uint32_t)v;
    return 0;
}

int rd_i32(struct reader *r, json_t *obj, const char *key, int32_t *out, bool *has)
{
    int64_t v = 0;
    bool present = false;
    if (rd_i64(r, obj, key, &v, &present) < 0) return -1;
    if (has) *has = present;
    if (!present) return 0;
    if (v < INT32_MIN || v > INT32_MAX) return rd_fail_key(r, key, "integer out of range");
    *out = (int32_t)v;
    return 0;
}

int rd_strings(struct reader *r, json_t *obj, const char *key, struct spec_strings *out)
{
    json_t *arr;
    if (rd_array(r, obj, key, &arr) < 0) return -1;
    out->items = NULL;
    out->len = 0;
    if (!arr) return 0;
    size_t n = json_array_size(arr);
    const char **items = rd_alloc(r, n + 1, sizeof *items);
    if (!items && n) return -1;
    size_t mark = rd_push_key(r, key);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v)) {
            rd_push_index(r, i);
            rd_fail(r, "expected a string");
            rd_pop(r, mark);
            return -1;
        }
        items[i] = json_string_value(v);
    }
    rd_pop(r, mark);
    out->items = items;
    out->len = n;
    return 0;
}

int rd_key_values(struct reader *r, json_t *obj, const char *key, struct spec_key_values *out)
{
    json_t *map;
    if (rd_object(r, obj, key, &map) < 0) return -1;
    out->items = NULL;
    out->len = 0;
    if (!map) return 0;
    size_t n = json_object_size(map);
    struct spec_key_value *items = rd_alloc(r, n, sizeof *items);
    if (!items && n) return -1;
    size_t mark = rd_push_key(r, key);
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(map, k, v)
    {
        if (!json_is_string(v)) {
            rd_fail_key(r, k, "expected a string");
            rd_pop(r, mark);
            return -1;
        }
        items[i].key = k;
        items[i].value = json_string_value(v);
        i++;
    }
    rd_pop(r, mark);
    out->items = items;
    out->len = n;
    return 0;
}

int rd_list(struct reader *r, json_t *obj, const char *key, size_t elem_size, void *items,
            size_t *count, rd_item_parser parse)
{
    json_t *arr;
    *(void **)items = NULL;
    *count = 0;
    if (rd_array(r, obj, key, &arr) < 0) return -1;
    if (!arr) return 0;
    size_t n = json_array_size(arr);
    void *mem = rd_alloc(r, n, elem_size);
    if (n && !mem) return -1;
    size_t mark = rd_push_key(r, key);
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(arr, i);
        size_t item = rd_push_index(r, i);
        if (!json_is_object(v)) return rd_fail(r, "expected an object");
        if (parse(r, v, mem, i) < 0) return -1;
        rd_pop(r, item);
    }
    rd_pop(r, mark);
    *(void **)items = mem;
    *count = n;
    return 0;
}
