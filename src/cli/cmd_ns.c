/* nsrun ns: which namespaces a process (or a container's init) is in, and
 * which of them it shares with the host and with the caller. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "container/enter.h"
#include "linux/namespaces.h"

static int run(const struct cli_global *g, int argc, char **argv);
const struct cli_command cmd_ns = {
    .name = "ns",
    .brief = "show which namespaces a process shares with the host",
    .args = "[ID|PID|pid:PID]...",
    .summary = "Show a process' namespaces (default: nsrun's own): each one's inode, whether\n"
               "the host (PID 1) and the caller share it, the user namespace owning it, and\n"
               "the pid inside. Two processes are shown side by side. An all-digit name is\n"
               "a container's when one has it; pid:N always names process N.",
    .run = run,
};

/* One process' view: its namespaces, and the host's and ours to compare. */
struct view {
    const char *name;
    struct target t;
    pid_t inside;
    struct ns_identity ns[NS_COUNT];
};

/* "yes", "no", or "?" when the other side is unknown (an unreadable PID 1). */
static const char *same(unsigned long a, unsigned long b)
{
    return !a || !b ? "?" : a == b ? "yes" : "no";
}

static int identify_all(int proc_fd, struct ns_identity *ns, struct error *err)
{
    for (int t = 0; t < NS_COUNT; t++)
        if (ns_identify(proc_fd, (enum ns_type)t, &ns[t], err) < 0) return -1;
    return 0;
}

/* PID 1's namespaces; in a sandbox /proc/1/ns may be closed to us. */
static void identify_host(struct ns_identity *host)
{
    struct error ignored;
    int fd = open("/proc/1", O_PATH | O_DIRECTORY | O_CLOEXEC);
    memset(host, 0, sizeof *host * NS_COUNT);
    if (fd >= 0 && identify_all(fd, host, &ignored) < 0) memset(host, 0, sizeof *host * NS_COUNT);
    if (fd >= 0) close(fd);
}

static void print_table(const struct view *v, const struct ns_identity *host,
                        const struct ns_identity *self)
{
    bool host_known = false;
    for (int t = 0; t < NS_COUNT; t++) host_known |= host[t].inode != 0;
    printf("%s: pid %d", v->name, v->t.pid);
    if (v->t.container[0]) printf(", container %s", v->t.container);
    if (v->inside) printf(", pid %d inside", v->inside);
    printf("\n%-8s %-12s %-5s %-7s %s\n", "TYPE", "INODE", "HOST", "CALLER", "OWNER");
    for (int t = 0; t < NS_COUNT; t++) {
        const struct ns_identity *id = &v->ns[t];
        if (!id->inode) continue;
        printf("%-8s %-12lu %-5s %-7s %lu\n", ns_type_proc_name((enum ns_type)t), id->inode,
               same(id->inode, host[t].inode), same(id->inode, self[t].inode), id->owner);
    }
    if (!host_known) printf("(HOST ?: PID 1's namespaces cannot be read from here)\n");
}

static void print_pair(const struct view *a, const struct view *b)
{
    char ha[64], hb[64];
    snprintf(ha, sizeof ha, "%s (pid %d)", a->name, a->t.pid);
    snprintf(hb, sizeof hb, "%s (pid %d)", b->name, b->t.pid);
    printf("%-8s %-24s %-24s %s\n", "TYPE", ha, hb, "");
    for (int t = 0; t < NS_COUNT; t++) {
        unsigned long x = a->ns[t].inode, y = b->ns[t].inode;
        if (!x && !y) continue;
        printf("%-8s %-24lu %-24lu %s\n", ns_type_proc_name((enum ns_type)t), x, y,
               x == y ? "shared" : "differs");
    }
}

static json_t *view_json(const struct view *v, const struct ns_identity *host,
                         const struct ns_identity *self)
{
    json_t *nss = json_object();
    for (int t = 0; t < NS_COUNT; t++) {
        const struct ns_identity *id = &v->ns[t];
        if (!id->inode) continue;
        json_t *host_same = host[t].inode ? json_boolean(host[t].inode == id->inode) : json_null();
        json_object_set_new(nss, ns_type_proc_name((enum ns_type)t),
                            json_pack("{s:I, s:I, s:o, s:b}", "inode", (json_int_t)id->inode,
                                      "owner", (json_int_t)id->owner, "host", host_same, "caller",
                                      self[t].inode == id->inode));
    }
    json_t *o = json_pack("{s:s, s:i, s:i, s:o}", "target", v->name, "pid", (int)v->t.pid,
                          "pidInside", (int)v->inside, "namespaces", nss);
    if (v->t.container[0]) json_object_set_new(o, "container", json_string(v->t.container));
    return o;
}

static int show(const struct cli_global *g, char **names, int n, bool json, struct error *err)
{
    struct view views[2] = {0};
    struct ns_identity host[NS_COUNT], self[NS_COUNT];
    identify_host(host);
    int self_fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
    int rc = self_fd < 0 ? error_sys(err, "open /proc/self") : identify_all(self_fd, self, err);
    if (self_fd >= 0) close(self_fd);
    for (int i = 0; i < n && rc == 0; i++) {
        views[i].name = names[i];
        rc = target_resolve(&g->rt, names[i], &views[i].t, err);
        if (rc == 0) rc = identify_all(views[i].t.proc_fd, views[i].ns, err);
        if (rc == 0) views[i].inside = ns_pid_inside(views[i].t.proc_fd);
    }
    if (rc == 0 && json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++) json_array_append_new(arr, view_json(&views[i], host, self));
        char *text = json_dumps(arr, JSON_INDENT(2));
        json_decref(arr);
        if (text) printf("%s\n", text);
        free(text);
    } else if (rc == 0 && n == 2) {
        print_pair(&views[0], &views[1]);
    } else if (rc == 0) {
        print_table(&views[0], host, self);
    }
    for (int i = 0; i < n; i++)
        if (views[i].name) target_close(&views[i].t);
    return rc;
}

static int run(const struct cli_global *g, int argc, char **argv)
{
    const char *format = "table";
    const struct cli_opt opts[] = {
        {"format", 'f', OPT_STRING, &format, "table|json", "output format"},
    };
    int n;
    int rc = cli_parse(&cmd_ns, opts, sizeof opts / sizeof *opts, argc, argv, 0, &n);
    if (rc) return rc < 0;
    struct error err;
    if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
        error_set(&err, 0, "--format: unknown format \"%s\" (table or json)", format);
        return cli_fail(&cmd_ns, &err);
    }
    if (n > 2) {
        error_set(&err, 0, "at most two processes to compare");
        return cli_fail(&cmd_ns, &err);
    }
    char self[16];
    char *names[2] = {argv[0], n > 1 ? argv[1] : NULL};
    if (n == 0) {
        snprintf(self, sizeof self, "%d", getpid());
        names[0] = self;
        n = 1;
    }
    if (show(g, names, n, strcmp(format, "json") == 0, &err) < 0) return cli_fail(&cmd_ns, &err);
    return 0;
}
