/* The error type of every fallible function: the errno of the failing call and
 * a message, made where the call fails and wrapped with context as it rises. */
#ifndef NSRUN_UTIL_ERROR_H
#define NSRUN_UTIL_ERROR_H

#include <stddef.h>

struct error {
    int errnum;     /* errno of the failing system call; 0 for a plain error */
    char msg[1024]; /* context, outermost first: "mount proc on /proc" */
};

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

/* Each returns -1 so that a caller can write `return error_set(err, ...)`. */
int error_set(struct error *err, int errnum, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* error_set() with the current errno. */
int error_sys(struct error *err, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Puts "context: " in front of the message already there. */
int error_wrap(struct error *err, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The whole chain as a user reads it: "msg: strerror(errnum)". */
const char *error_text(const struct error *err, char *buf, size_t size);

#endif
