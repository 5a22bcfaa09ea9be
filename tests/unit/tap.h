/* A minimal TAP producer for the unit tests (run under `prove`). */
#ifndef NSRUN_TESTS_TAP_H
#define NSRUN_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failures;

__attribute__((format(printf, 4, 5))) static int tap_ok(int pass, const char *file, int line,
                                                        const char *fmt, ...)
{
    va_list ap;
    printf("%s %d - ", pass ? "ok" : "not ok", ++tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    if (!pass) {
        printf("#   failed at %s:%d\n", file, line);
        tap_failures++;
    }
    return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Strings equal (NULL-safe); shows both on failure. */
#define is_str(got, want, name)                                                                    \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, "%s", name))                            \
            printf("#   got:  %s\n#   want: %s\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
    } while (0)

#define is_int(got, want, name)                                                                    \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (!ok(g_ == w_, "%s", name)) printf("#   got:  %lld\n#   want: %lld\n", g_, w_);         \
    } while (0)

/* Haystack contains needle; shows the haystack on failure. */
#define has_str(hay, needle, name)                                                                 \
    do {                                                                                           \
        const char *h_ = (hay), *n_ = (needle);                                                    \
        if (!ok(h_ && strstr(h_, n_), "%s", name))                                                 \
            printf("#   in:   %s\n#   want: ...%s...\n", h_ ? h_ : "(null)", n_);                  \
    } while (0)

static int done_testing(void)
{
    printf("1..%d\n", tap_count);
    return tap_failures ? 1 : 0;
}

#endif
