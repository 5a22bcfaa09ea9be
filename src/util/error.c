/* Building and wrapping struct error; see error.h. */
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void format_into(char *buf, size_t size, const char *fmt, va_list ap)
{
    vsnprintf(buf, size, fmt, ap);
}

int error_set(struct error *err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    format_into(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->errnum = errnum;
    return -1;
}

int error_sys(struct error *err, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    format_into(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->errnum = saved;
    return -1;
}

int error_wrap(struct error *err, const char *fmt, ...)
{
    char context[sizeof err->msg];
    char joined[2 * sizeof err->msg + 2];
    va_list ap;
    va_start(ap, fmt);
    format_into(context, sizeof context, fmt, ap);
    va_end(ap);
    snprintf(joined, sizeof joined, "%s: %s", context, err->msg);
    memcpy(err->msg, joined, sizeof err->msg - 1); /* keeps the outermost context */
    err->msg[sizeof err->msg - 1] = '\0';
    return -1;
}

const char *error_text(const struct error *err, char *buf, size_t size)
{
    if (err->errnum)
        snprintf(buf, size, "%s: %s", err->msg, strerror(err->errnum));
    else
        snprintf(buf, size, "%s", err->msg);
    return buf;
}
