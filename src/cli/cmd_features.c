/* nsrun features: what this build, on this host, supports, as the
 * runtime-spec's features document (features.md), for engines to read. */
#include <errno.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cli/commands.h"
#include "linux/lsm.h"
#include "linux/mount_plan.h"
#include "linux/seccomp.h"
#include "spec/names.h"
#include "spec/spec.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_features = {
    .name = "features",
    .brief = "print what nsrun supports, as runtime-spec features JSON",
    .args = "",
    .summary = "Print what nsrun supports here, as the runtime-spec features JSON.",
    .run = run,
};

static json_t *names(const char *(*name)(size_t))
{
    json_t *list = json_array();
    for (size_t i = 0; name(i); i++) json_array_append_new(list, json_string(name(i)));
    return list;
}

static const char *capability_at(size_t i)
{
    return (int)i <= capability_last_known() ? capability_name((int)i) : NULL;
}

static const char *namespace_at(size_t i)
{
    return i < NS_COUNT ? ns_type_spec_name((enum ns_type)i) : NULL;
}

static const char *hook_at(size_t i)
{
    return i < HOOK_KIND_COUNT ? hook_kind_name((enum hook_kind)i) : NULL;
}

/* A flag the kernel takes: with it and no program, seccomp() fails with
 * EFAULT, not EINVAL (runc checks them the same way). WAIT_KILLABLE_RECV is
 * only valid with a listener, and nsrun only uses it with one. */
static json_t *supported_flags(void)
{
    json_t *list = json_array();
    static const unsigned long values[] = {
        SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW,
        (1UL << 5) /* WAIT_KILLABLE_RECV */ | SECCOMP_FILTER_FLAG_NEW_LISTENER};
    for (size_t i = 0; seccomp_flag_name(i) && i < sizeof values / sizeof *values; i++)
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, values[i], NULL) < 0 && errno == EFAULT)
            json_array_append_new(list, json_string(seccomp_flag_name(i)));
    return list;
}

static json_t *enabled(bool on)
{
    return json_pack("{s:b}", "enabled", on);
}

static json_t *features(void)
{
    const struct scmp_version *lib = seccomp_version();
    char libseccomp[32];
    snprintf(libseccomp, sizeof libseccomp, "%u.%u.%u", lib->major, lib->minor, lib->micro);
    json_t *seccomp = json_pack(
        "{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", true, "actions", names(seccomp_action_name),
        "operators", names(seccomp_operator_name), "archs", names(seccomp_arch_name), "knownFlags",
        names(seccomp_flag_name), "supportedFlags", supported_flags());
    json_t *cgroup = json_pack("{s:b, s:b, s:b, s:b, s:b}", "v1", true, "v2", true, "systemd",
                               false, "systemdUser", false, "rdma", true);
    json_t *linux_obj = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:o}, s:o}", "namespaces", names(namespace_at),
        "capabilities", names(capability_at), "cgroup", cgroup, "seccomp", seccomp, "apparmor",
        enabled(lsm_apparmor_enabled()), "selinux", enabled(lsm_selinux_enabled()), "intelRdt",
        enabled(false), "mountExtensions", "idmap", enabled(true), "netDevices", enabled(false));
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s, s:s}, s:[]}", "ociVersionMin", "1.0.0",
                     "ociVersionMax", SPEC_OCI_VERSION, "hooks", names(hook_at), "mountOptions",
                     names(mount_option_name), "linux", linux_obj, "annotations",
                     "io.github.nsrun.version", NSRUN_VERSION, "io.github.nsrun.commit",
                     NSRUN_COMMIT, "io.github.nsrun.libseccomp.version", libseccomp,
                     "potentiallyUnsafeConfigAnnotations");
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    (void)g;
    int n;
    int rc = cli_parse(&cmd_features, NULL, 0, argc, argv, 0, &n);
    if (rc) return rc < 0;
    if (cli_want_args(&cmd_features, n, 0) < 0) return 1;
    json_t *doc = features();
    char *text = doc ? json_dumps(doc, JSON_INDENT(4)) : NULL;
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "nsrun features: out of memory\n");
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}
