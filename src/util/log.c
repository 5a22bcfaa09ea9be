/* Writes log records; see log.h.
 * The sink is process-wide state, set once at start-up by the command line
 * layer: threading a logger through every call for debug lines would cost
 * more clarity than it buys. Nothing changes it afterwards, but a process
 * entering a container letting go of the file (log_forget_file). */
#include "util/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/timefmt.h"

static struct {
    int fd;
    enum log_format format;
    bool debug;
} sink = {.fd = STDERR_FILENO, .format = LOG_FORMAT_TEXT};

int log_setup(const char *path, enum log_format format, bool debug, struct error *err)
{
    sink.format = format;
    sink.debug = debug;
    if (!path || !*path) return 0;
    /* Not through a symlink: in a directory others can write (/tmp), one
     * planted under the name would have root append to any file. */
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return error_sys(err, "open log file %s", path);
    sink.fd = fd;
    return 0;
}

void log_forget_file(void)
{
    if (sink.fd == STDERR_FILENO || sink.fd < 0) return;
    close(sink.fd);
    sink.fd = -1;
}

bool log_to_file(void)
{
    return sink.fd != STDERR_FILENO;
}

static const char *level_name(enum log_level level)
{
    switch (level) {
    case LOG_ERROR: return "error";
    case LOG_WARN: return "warning";
    case LOG_INFO: return "info";
    case LOG_DEBUG: return "debug";
    }
    return "info";
}

/* Escapes a message for a JSON string or a quoted logfmt value alike. */
static size_t escape(char *out, size_t size, const char *in)
{
    size_t o = 0;
    for (; *in && o + 7 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, size - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return o;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level == LOG_DEBUG && !sink.debug) return;

    char msg[2048], quoted[4096], stamp[64], line[4608];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    escape(quoted, sizeof quoted, msg);

    time_now_rfc3339(stamp, sizeof stamp);

    int len;
    if (sink.format == LOG_FORMAT_JSON)
        len = snprintf(line, sizeof line, "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s\"}\n",
                       level_name(level), quoted, stamp);
    else
        len = snprintf(line, sizeof line, "time=\"%s\" level=%s msg=\"%s\"\n", stamp,
                       level_name(level), quoted);
    if (len > (int)sizeof line - 1) len = (int)sizeof line - 1;
    (void)fs_write_all(sink.fd, line, (size_t)len);
}
