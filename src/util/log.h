/* Log records for --log/--log-format/--debug, in runc's shapes (logrus text
 * or JSON lines), since engines parse them to find a runtime's error. */
#ifndef NSRUN_UTIL_LOG_H
#define NSRUN_UTIL_LOG_H

#include <stdbool.h>

#include "util/error.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };

/* Chooses where records go: path NULL means stderr. Called once, by the
 * command line layer, before anything logs. */
int log_setup(const char *path, enum log_format format, bool debug, struct error *err);
/* For a process entering a container: the log file is closed and records
 * are dropped from then on (stderr, when there is no file, stays). */
void log_forget_file(void);
/* True when records go to a file rather than stderr. */
bool log_to_file(void);

void log_msg(enum log_level level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
