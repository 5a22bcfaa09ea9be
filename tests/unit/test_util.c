/* Utilities and small pure pieces: the error chain, safe paths inside a
 * root (no escape through symlinks or ".."), nsrun's walk against openat2,
 * cgroup path cleaning, id checks, passwd lookups, the option parser. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "container/state.h"
#include "linux/cgroup.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/passwd.h"
#include "util/path.h"
#include "util/resolve.h"

static struct error err;

static void test_error_chain(void)
{
    char buf[2048];
    errno = EPERM;
    error_sys(&err, "mount proc on %s", "/proc");
    error_wrap(&err, "create");
    is_str(error_text(&err, buf, sizeof buf),
           "create: mount proc on /proc: Operation not permitted",
           "context from the outside in, errno last");
    error_set(&err, 0, "plain");
    is_str(error_text(&err, buf, sizeof buf), "plain", "no errno, no suffix");
    for (int i = 0; i < 200; i++) error_wrap(&err, "layer%d", i);
    ok(strlen(err.msg) < sizeof err.msg, "deep wrapping stays in bounds");
    has_str(err.msg, "layer199: layer198", "and keeps the outermost context");
}

static char root[] = "/tmp/nsrun-unit-XXXXXX";

static int exists(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static void test_paths_stay_inside(void)
{
    if (!mkdtemp(root)) {
        ok(0, "mkdtemp");
        return;
    }
    char p[512], outside[] = "/tmp/nsrun-unit-out-XXXXXX";
    if (!mkdtemp(outside)) return;
    int rootfd = open(root, O_PATH | O_DIRECTORY);

    snprintf(p, sizeof p, "%s/escape", root);
    ok(symlink(outside, p) == 0, "a symlink to a host directory in the rootfs");
    snprintf(p, sizeof p, "%s/dotdot", root);
    symlink("../../../../..", p);

    int fd = path_mkdir_in_root(rootfd, "/escape/made", 0755, &err);
    ok(fd >= 0, "mkdir through it succeeds (%s)", err.msg);
    if (fd >= 0) close(fd);
    char made[600];
    snprintf(made, sizeof made, "%s/made", outside);
    ok(access(made, F_OK) != 0, "nothing is made on the host");
    ok(exists("tmp") && exists(outside + 1), "the link's target is made inside the root");

    fd = path_mkfile_in_root(rootfd, "dotdot/etc/file", 0644, &err);
    ok(fd >= 0 && exists("etc/file"), "'..' stops at the root (%s)", err.msg);
    if (fd >= 0) close(fd);

    snprintf(p, sizeof p, "%s/console", root);
    char host_file[600];
    snprintf(host_file, sizeof host_file, "%s/console", outside);
    symlink(host_file, p);
    fd = path_mkfile_in_root(rootfd, "/console", 0644, &err);
    ok(fd >= 0 && exists(host_file + 1), "a dangling file symlink: its target made inside (%s)",
       err.msg);
    ok(access(host_file, F_OK) != 0, "and not on the host");
    if (fd >= 0) close(fd);
    snprintf(p, sizeof p, "%s/loop", root);
    symlink("loop", p);
    fd = path_mkfile_in_root(rootfd, "/loop", 0644, &err);
    ok(fd < 0, "a symlink loop is an error, not a hang");
    if (fd >= 0) close(fd);

    fd = path_open_in_root(rootfd, "/proc/self/root", O_PATH, &err);
    ok(fd < 0, "absolute paths are read inside the root");
    if (fd >= 0) close(fd);

    snprintf(p, sizeof p, "%s/magic", root);
    symlink("/proc/self/root/etc", p);
    fd = path_open_in_root(rootfd, "magic", O_PATH, &err);
    ok(fd < 0, "a symlink into /proc resolves inside the root, where it does not exist");
    if (fd >= 0) close(fd);

    char name[PATH_NAME_SIZE];
    fd = path_mkparent_in_root(rootfd, "/a/b/c", name, &err);
    ok(fd >= 0 && exists("a/b") && strcmp(name, "c") == 0, "parent made, last name returned");
    if (fd >= 0) close(fd);
    ok(path_mkparent_in_root(rootfd, "/a/..", name, &err) < 0, "'..' is not a name to create");

    close(rootfd);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", root, outside);
    ok(system(cmd) == 0, "cleanup");
}

/* The outcome of one lookup: the inode reached, or the errno. */
struct outcome {
    int err;
    dev_t dev;
    ino_t ino;
};

static struct outcome lookup(int (*open_fn)(int, const char *, int, enum resolve_mode), int dirfd,
                             const char *path, int flags, enum resolve_mode mode)
{
    struct outcome o = {0};
    int fd = open_fn(dirfd, path, flags, mode);
    struct stat st;
    if (fd < 0) {
        o.err = errno;
        return o;
    }
    fstat(fd, &st);
    o.dev = st.st_dev;
    o.ino = st.st_ino;
    close(fd);
    return o;
}

static void test_walk_matches_openat2(void)
{
    char top[] = "/tmp/nsrun-unit-walk-XXXXXX", outside[] = "/tmp/nsrun-unit-out-XXXXXX";
    if (!mkdtemp(top) || !mkdtemp(outside)) {
        ok(0, "mkdtemp");
        return;
    }
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p dir/sub && echo x > dir/file && ln -s /dir abs && "
             "ln -s dir/sub rel && ln -s ../../../../dir up && ln -s %s escape && "
             "ln -s loop loop && ln -s chain2 chain1 && ln -s dir chain2 && "
             "ln -s dir/file filelink && ln -s /proc/self/fd/0 magic",
             top, outside);
    ok(system(cmd) == 0, "a tree with symlinks of every kind");
    int rootfd = open(top, O_PATH | O_DIRECTORY);
    static const struct {
        const char *path;
        int flags;
    } cases[] = {
        {"", O_PATH},
        {".", O_PATH},
        {"dir", O_PATH | O_DIRECTORY},
        {"dir/file", O_RDONLY},
        {"/dir/file", O_PATH},
        {"abs/file", O_RDONLY},
        {"abs/", O_PATH},
        {"rel", O_PATH},
        {"up/file", O_PATH},
        {"escape", O_PATH},
        {"loop", O_PATH},
        {"chain1/file", O_RDONLY},
        {"filelink", O_RDONLY},
        {"filelink", O_PATH | O_NOFOLLOW},
        {"filelink", O_RDONLY | O_NOFOLLOW},
        {"dir/file/x", O_PATH},
        {"dir/file", O_PATH | O_DIRECTORY},
        {"dir/../dir/sub/../file", O_RDONLY},
        {"../../dir/file", O_RDONLY},
        {"dir", O_RDONLY | O_DIRECTORY},
        {"magic", O_PATH},
        {"nonexistent", O_PATH},
        /* found by fuzz_paths: a trailing slash follows a last symlink */
        {"rel//", O_PATH | O_NOFOLLOW},
        {"filelink/", O_PATH},
        {"abs", O_PATH | O_NOFOLLOW | O_DIRECTORY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct outcome a =
            lookup(resolve_open, rootfd, cases[i].path, cases[i].flags, RESOLVE_MODE_IN_ROOT);
        struct outcome b =
            lookup(resolve_open_walk, rootfd, cases[i].path, cases[i].flags, RESOLVE_MODE_IN_ROOT);
        ok(a.err == b.err && a.dev == b.dev && a.ino == b.ino,
           "in root: \"%s\" (flags %#x): the walk does as openat2 (errno %d / %d)", cases[i].path,
           (unsigned)cases[i].flags, a.err, b.err);
    }

    int proc = open("/proc", O_PATH | O_DIRECTORY);
    static const char *const proc_paths[] = {
        "self/status", "self/fd/0",         "self/root",   "self/exe", "../etc",
        "/etc",        "sys/kernel/ostype", "self/ns/net", "net/dev",
    };
    for (size_t i = 0; i < sizeof proc_paths / sizeof *proc_paths; i++) {
        struct outcome a = lookup(resolve_open, proc, proc_paths[i], O_PATH, RESOLVE_MODE_BENEATH);
        struct outcome b =
            lookup(resolve_open_walk, proc, proc_paths[i], O_PATH, RESOLVE_MODE_BENEATH);
        ok(a.err == b.err && a.dev == b.dev && a.ino == b.ino,
           "beneath /proc: \"%s\": the walk does as openat2 (errno %d / %d)", proc_paths[i], a.err,
           b.err);
    }
    struct outcome magic =
        lookup(resolve_open_walk, proc, "self/fd/0", O_PATH, RESOLVE_MODE_BENEATH);
    is_int(magic.err, ELOOP, "a magic link is refused with ELOOP");
    close(proc);
    close(rootfd);
    snprintf(cmd, sizeof cmd, "rm -rf %s %s", top, outside);
    ok(system(cmd) == 0, "cleanup");
}

static void test_cgroup_paths(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"/a/b", "/a/b"}, {"a//b/", "/a/b"}, {"/a/../../../b", "/b"}, {"/./a/./b", "/a/b"},
        {"/..", "/"},     {"//t1", "/t1"},   {"/a/b/../c/", "/a/c"},  {"/", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", cases[i].in);
        cgroup_clean_path(buf);
        is_str(buf, cases[i].out, cases[i].in);
    }
}

/* The temporary file of an atomic write is always a new one of ours: a
 * file or link planted under a guessable name is left alone. */
static void test_atomic_write(void)
{
    char dir[] = "/tmp/nsrun-unit-atomic-XXXXXX";
    if (!mkdtemp(dir)) {
        ok(0, "mkdtemp");
        return;
    }
    int dirfd = open(dir, O_PATH | O_DIRECTORY);
    int planted = openat(dirfd, ".pid.tmp", O_WRONLY | O_CREAT, 0666);
    symlinkat("/etc/passwd", dirfd, ".pid.link.tmp");
    ok(fs_write_atomic_at(dirfd, "pid", "42", 2, 0600, &err) == 0, "written beside them");
    char *text = NULL;
    ok(fs_read_file_at(dirfd, "pid", &text, NULL, &err) == 0 && strcmp(text, "42") == 0,
       "with its content");
    free(text);
    struct stat st;
    ok(fstat(planted, &st) == 0 && st.st_size == 0 && st.st_nlink == 1,
       "the planted file is not the one renamed, nor written");
    char a[FS_TEMP_NAME_SIZE], b[FS_TEMP_NAME_SIZE];
    int fa = fs_create_temp_at(dirfd, "x", 0600, a, &err);
    int fb = fs_create_temp_at(dirfd, "x", 0600, b, &err);
    ok(fa >= 0 && fb >= 0 && strcmp(a, b) != 0, "two temporary names differ (%s, %s)", a, b);
    ok(strncmp(a, ".x.", 3) == 0 && strlen(a) == strlen(".x..tmp") + 16, "and look alike");
    const char *made[] = {"pid", ".pid.tmp", ".pid.link.tmp", a, b};
    for (size_t i = 0; i < ARRAY_LEN(made); i++) unlinkat(dirfd, made[i], 0);
    close(fa);
    close(fb);
    close(planted);
    close(dirfd);
    rmdir(dir);
}

/* A file someone else controls is read without waiting or growing. */
static void test_read_regular(void)
{
    char *text = NULL;
    ok(fs_read_regular_at(AT_FDCWD, "/dev/zero", 1024, &text, NULL, &err) < 0 &&
           strstr(err.msg, "not a regular file"),
       "a device is not read (%s)", err.msg);
    char fifo[] = "/tmp/nsrun-unit-fifo-XXXXXX";
    int fd = mkstemp(fifo);
    close(fd);
    unlink(fifo);
    ok(mkfifo(fifo, 0600) == 0 && fs_read_regular_at(AT_FDCWD, fifo, 1024, &text, NULL, &err) < 0,
       "nor a FIFO, and nothing waits for a writer");
    unlink(fifo);
    ok(fs_read_regular_at(AT_FDCWD, "/etc/passwd", 4, &text, NULL, &err) < 0 && err.errnum == EFBIG,
       "more than the bound is an error");
    ok(fs_read_regular_at(AT_FDCWD, "/etc/passwd", 0, &text, NULL, &err) == 0 && text,
       "a regular file is read");
    free(text);
}

static void test_ids(void)
{
    ok(state_check_id("abc-123_x.y+z", &err) == 0, "letters, digits and _+-. pass");
    ok(state_check_id("", &err) < 0, "empty refused");
    ok(state_check_id("..", &err) < 0, "'..' refused");
    ok(state_check_id(".", &err) < 0, "'.' refused");
    ok(state_check_id("a/b", &err) < 0, "'/' refused");
    has_str(err.msg, "invalid container id", "with a reason");
    ok(state_check_id("a\nb", &err) < 0, "control characters refused");
    ok(state_check_id("a b", &err) < 0, "spaces refused");
    char longid[300];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    ok(state_check_id(longid, &err) < 0, "over 255 characters refused");
    has_str(err.msg, "longer than 255", "with a reason");
}

static void test_passwd(void)
{
    char path[] = "/tmp/nsrun-passwd-XXXXXX";
    int fd = mkstemp(path);
    const char *text = "root:x:0:0:root:/root:/bin/sh\n# comment\nbad\nnobody:x:65534:65534::"
                       "/nonexistent:/bin/false\nnohome:x:7:7:::/bin/sh\n";
    fs_write_all(fd, text, strlen(text));
    close(fd);
    char *name = NULL, *home = NULL;
    ok(passwd_lookup_uid(path, 65534, &name, &home) == 0, "uid found");
    is_str(name, "nobody", "name");
    is_str(home, "/nonexistent", "home");
    free(name);
    free(home);
    ok(passwd_lookup_uid(path, 7, NULL, &home) == 0, "an empty home field");
    is_str(home, "/", "reads as /");
    free(home);
    ok(passwd_lookup_uid(path, 1234, NULL, NULL) < 0, "unknown uid");
    unlink(path);
}

static void test_cli_parse(void)
{
    const char *bundle = NULL, *pid = NULL;
    bool force = false;
    int fds = 0;
    const struct cli_opt opts[] = {
        {"bundle", 'b', OPT_STRING, &bundle, "DIR", ""},
        {"pid-file", 0, OPT_STRING, &pid, "F", ""},
        {"force", 'f', OPT_FLAG, &force, NULL, ""},
        {"preserve-fds", 0, OPT_INT, &fds, "N", ""},
    };
    const struct cli_command cmd = {.name = "t", .args = "ID"};
    char *argv1[] = {"t",  "--bundle",       "/b", "ID", "--pid-file=/p",
                     "-f", "--preserve-fds", "2",  NULL};
    int n;
    ok(cli_parse(&cmd, opts, 4, 8, argv1, 0, &n) == 0, "runc's spellings parse");
    is_str(bundle, "/b", "--bundle X");
    is_str(pid, "/p", "--pid-file=X");
    ok(force, "-f");
    is_int(fds, 2, "--preserve-fds 2");
    ok(n == 1 && strcmp(argv1[0], "ID") == 0, "options after the argument, argument kept");

    char *argv2[] = {"t", "-b/c", "-bundle", "/d", "--force=false", "x", "--", "-y", NULL};
    ok(cli_parse(&cmd, opts, 4, 8, argv2, 0, &n) == 0, "Go-style and glued forms");
    is_str(bundle, "/d", "-bundle X (last wins)");
    ok(!force, "--force=false");
    ok(n == 2 && strcmp(argv2[1], "-y") == 0, "after --, arguments only");

    char *argv3[] = {"t", "ID", "sh", "-c", "x", NULL};
    ok(cli_parse(&cmd, opts, 4, 5, argv3, 1, &n) == 0 && n == 4, "stop at the first argument");

    bool i_flag = false, t_flag = false;
    const struct cli_opt flags[] = {{"interactive", 'i', OPT_FLAG, &i_flag, NULL, ""},
                                    {"tty", 't', OPT_FLAG, &t_flag, NULL, ""}};
    char *argv7[] = {"t", "-it", "x", NULL};
    ok(cli_parse(&cmd, flags, 2, 3, argv7, 0, &n) == 0 && i_flag && t_flag && n == 1,
       "-it is -i -t");
    char *argv8[] = {"t", "-ix", NULL};
    ok(cli_parse(&cmd, flags, 2, 2, argv8, 0, &n) < 0, "-ix: x is not a flag");

    char *argv4[] = {"t", "--nope", NULL};
    fflush(stdout);
    ok(cli_parse(&cmd, opts, 4, 2, argv4, 0, &n) < 0, "unknown option refused");
    char *argv5[] = {"t", "--preserve-fds", "x", NULL};
    ok(cli_parse(&cmd, opts, 4, 3, argv5, 0, &n) < 0, "a number is checked");
    char *argv6[] = {"t", "--bundle", NULL};
    ok(cli_parse(&cmd, opts, 4, 2, argv6, 0, &n) < 0, "a missing value is refused");
}

int main(void)
{
    test_error_chain();
    test_paths_stay_inside();
    test_walk_matches_openat2();
    test_cgroup_paths();
    test_atomic_write();
    test_read_regular();
    test_ids();
    test_passwd();
    test_cli_parse();
    return done_testing();
}
