/* nsrun spec: write the default config.json into a bundle. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_spec = {
    .name = "spec",
    .brief = "write a default config.json",
    .args = "",
    .summary = "Write a default config.json (a busybox-style shell in rootfs/) into the bundle.",
    .run = run,
};

static int write_spec(const char *bundle, const char *json, struct error *err)
{
    int dir = open(bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return error_sys(err, "bundle %s", bundle);
    int fd = openat(dir, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    close(dir);
    if (fd < 0 && errno == EEXIST)
        return error_set(err, 0, "%s/config.json exists; remove it first", bundle);
    if (fd < 0) return error_sys(err, "create %s/config.json", bundle);
    int rc = fs_write_all(fd, json, strlen(json));
    close(fd);
    return rc < 0 ? error_sys(err, "write %s/config.json", bundle) : 0;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    (void)g;
    const char *bundle = ".";
    bool rootless = false;
    const struct cli_opt opts[] = {
        {"bundle", 'b', OPT_STRING, &bundle, "DIR", "where to write config.json"},
        {"rootless", 0, OPT_FLAG, &rootless, NULL,
         "a spec for the calling user: a user namespace where root is them"},
    };
    int n;
    int rc = cli_parse(&cmd_spec, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_spec, n, 0) < 0) return 1;
    struct error err;
    _cleanup_free_ char *built = NULL;
    if (rootless && !(built = spec_build_rootless((unsigned)geteuid(), (unsigned)getegid(), &err)))
        return cli_fail(&cmd_spec, &err);
    if (write_spec(bundle, built ? built : spec_default_json(), &err) < 0)
        return cli_fail(&cmd_spec, &err);
    return 0;
}
