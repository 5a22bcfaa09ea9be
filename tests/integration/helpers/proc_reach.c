/* What a process in a container can reach of another one through /proc:
 * its environment, its descriptors, its memory, its root and cwd. Run
 * inside a container by tests/integration/test_escapes.py.
 *
 *   proc_reach once PID            tries PID once
 *   proc_reach watch COMM EXE MILLIS
 *                                  for MILLIS ms, tries every process whose
 *                                  comm is COMM, as soon as it appears and
 *                                  again and again while it keeps that comm
 *                                  and has not become EXE (which the exec
 *                                  it waits for makes it: a try that finds
 *                                  exe -> EXE came after that exec and
 *                                  does not count)
 *
 * Prints "seen PID" for each process tried, "reached PID WHAT DETAIL" for
 * every access the kernel allowed and "denied PID WHAT ERRNO" for the
 * others (watch: the denials of a first try only, and nothing more of a
 * process once something was reached or it exec'd). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One try's report, printed once the try is known to count. */
static struct {
    char text[65536];
    size_t used;
    int reached;
    int quiet; /* watch, after a process' first try: no denials */
    char exe[256];
} try;

static void report(int pid, const char *what, int ok, const char *detail)
{
    size_t room = sizeof try.text - try.used;
    int n = 0;
    if (ok) {
        n = snprintf(try.text + try.used, room, "reached %d %s %s\n", pid, what, detail);
        try.reached++;
        if (strcmp(what, "exe") == 0) snprintf(try.exe, sizeof try.exe, "%s", detail);
    } else if (!try.quiet) {
        n = snprintf(try.text + try.used, room, "denied %d %s %s\n", pid, what, strerror(errno));
    }
    if (n > 0 && (size_t)n < room) try.used += (size_t)n;
}

static void try_file(int pid, const char *what)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, what);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report(pid, what, 0, NULL);
        return;
    }
    /* mem: the first mapped page is not at 0; opening it is the attack. */
    ssize_t n = strcmp(what, "mem") == 0 ? 0 : read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n < 0) {
        report(pid, what, 0, NULL);
        return;
    }
    buf[n] = '\0';
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == '\0' || buf[i] == '\n') buf[i] = ' ';
    report(pid, what, 1, n ? buf : "(opened)");
}

static void try_link(int pid, const char *what)
{
    char path[300], target[256];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, what);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        report(pid, what, 0, NULL);
        return;
    }
    target[n] = '\0';
    report(pid, what, 1, target);
}

static void try_fds(int pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    DIR *d = opendir(path);
    if (!d) {
        report(pid, "fd", 0, NULL);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char what[300];
        snprintf(what, sizeof what, "fd/%s", e->d_name);
        try_link(pid, what);
    }
    closedir(d);
}

static void try_all(int pid, int quiet)
{
    try.used = 0;
    try.reached = 0;
    try.quiet = quiet;
    try.exe[0] = '\0';
    try_file(pid, "environ");
    try_file(pid, "mem");
    try_fds(pid);
    try_link(pid, "root");
    try_link(pid, "cwd");
    try_link(pid, "exe");
}

static void print_try(void)
{
    fwrite(try.text, 1, try.used, stdout);
    fflush(stdout);
}

static int comm_is(int pid, const char *want)
{
    char path[64], comm[64];
    snprintf(path, sizeof path, "/proc/%d/comm", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, comm, sizeof comm - 1);
    close(fd);
    if (n <= 0) return 0;
    comm[n] = '\0';
    comm[strcspn(comm, "\n")] = '\0';
    return strcmp(comm, want) == 0;
}

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum { MAX_SEEN = 4096 };

struct seen {
    int pid;
    int done; /* something was reached: enough said */
};

static struct seen *find_or_add(struct seen *seen, int *n_seen, int pid)
{
    for (int i = 0; i < *n_seen; i++)
        if (seen[i].pid == pid) return &seen[i];
    if (*n_seen == MAX_SEEN) return NULL;
    seen[*n_seen] = (struct seen){pid, 0};
    printf("seen %d\n", pid);
    return &seen[(*n_seen)++];
}

static void watch(const char *comm, const char *exe, long millis)
{
    static struct seen seen[MAX_SEEN];
    int n_seen = 0;
    long end = now_ms() + millis;
    while (now_ms() < end) {
        DIR *d = opendir("/proc");
        if (!d) return;
        struct dirent *e;
        while ((e = readdir(d))) {
            int pid = atoi(e->d_name);
            if (pid <= 0 || pid == getpid() || !comm_is(pid, comm)) continue;
            int before = n_seen;
            struct seen *s = find_or_add(seen, &n_seen, pid);
            if (!s || s->done) continue;
            try_all(pid, n_seen == before);
            if (strcmp(try.exe, exe) == 0) {
                printf("execd %d\n", pid);
                s->done = 1;
                continue;
            }
            print_try();
            s->done = try.reached > 0;
        }
        closedir(d);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "once") == 0) {
        printf("seen %s\n", argv[2]);
        try_all(atoi(argv[2]), 0);
        print_try();
        return 0;
    }
    if (argc == 5 && strcmp(argv[1], "watch") == 0) {
        watch(argv[2], argv[3], atol(argv[4]));
        return 0;
    }
    fprintf(stderr, "usage: proc_reach once PID | watch COMM EXE MILLIS\n");
    return 2;
}
