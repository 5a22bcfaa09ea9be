/* RFC 3339 timestamps with nanoseconds, UTC, as runc writes them. */
#ifndef NSRUN_UTIL_TIMEFMT_H
#define NSRUN_UTIL_TIMEFMT_H

#include <stddef.h>

/* "2026-11-23T11:21:15.123456789Z" for now. */
void time_now_rfc3339(char *buf, size_t size);

#endif
