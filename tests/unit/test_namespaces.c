/* Namespace planning: which come from the clone, which are joined in which
 * order, and when the init must be a forked child. */
#include <sched.h>

#include "linux/namespaces.h"
#include "tap.h"

static struct error err;

static void plan_of(const char *json, struct ns_plan *plan)
{
    struct spec s;
    if (spec_parse(&s, json, strlen(json), "config.json", &err) < 0) {
        ok(0, "parse: %s", err.msg);
        memset(plan, 0, sizeof *plan);
        return;
    }
    ns_plan_make(&s, plan);
    spec_free(&s);
}

#define DOC(ns) "{\"ociVersion\": \"1.2.0\", \"linux\": {\"namespaces\": [" ns "]}}"

int main(void)
{
    struct ns_plan p;
    plan_of(DOC("{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"mount\"}, "
                "{\"type\": \"cgroup\"}"),
            &p);
    is_int(p.clone_flags, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS,
           "nothing to join: new namespaces from the clone");
    ok(p.late_cgroup && !(p.clone_flags & CLONE_NEWCGROUP),
       "the cgroup namespace comes after joining the cgroups");
    ok(!p.fork_after && p.n_joins == 0 && p.unshare_flags == 0, "no fork, no joins");
    ok(p.has_mount && !p.new_user, "has a mount namespace, no user namespace");

    plan_of(DOC("{\"type\": \"mount\", \"path\": \"/m\"}, {\"type\": \"network\", \"path\": "
                "\"/n\"}, {\"type\": \"uts\"}, {\"type\": \"user\", \"path\": \"/u\"}, {\"type\": "
                "\"ipc\", \"path\": \"/i\"}"),
            &p);
    is_int(p.n_joins, 4, "four joins");
    ok(p.n_joins == 4 && p.joins[0].type == NS_USER && p.joins[3].type == NS_MOUNT,
       "setns order: user first, mount last");
    ok(p.n_joins == 4 && p.joins[1].type == NS_IPC && p.joins[2].type == NS_NET,
       "then ipc, net in between");
    is_int(p.clone_flags, 0, "with joins the clone makes nothing new");
    is_int(p.unshare_flags, CLONE_NEWUTS, "new ones are unshared after the joins");
    ok(!p.fork_after, "no fork without a pid or time namespace");

    plan_of(DOC("{\"type\": \"pid\", \"path\": \"/p\"}, {\"type\": \"mount\"}"), &p);
    ok(p.fork_after, "joining a pid namespace needs a fork");
    is_int(p.unshare_flags, CLONE_NEWNS, "the mount namespace is unshared");

    plan_of(DOC("{\"type\": \"network\", \"path\": \"/n\"}, {\"type\": \"pid\"}, {\"type\": "
                "\"user\"}"),
            &p);
    ok(p.fork_after && p.new_user, "a new pid namespace after a join: fork; maps written");
    is_int(p.unshare_flags, CLONE_NEWPID | CLONE_NEWUSER, "user and pid unshared together");

    plan_of(DOC("{\"type\": \"user\"}, {\"type\": \"mount\"}"), &p);
    ok(p.new_user && (p.clone_flags & CLONE_NEWUSER), "a new user namespace from the clone");

    plan_of("{\"ociVersion\": \"1.2.0\", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, "
            "{\"type\": \"time\"}, {\"type\": \"mount\"}], "
            "\"timeOffsets\": {\"boottime\": {\"secs\": 9}}}}",
            &p);
    ok(p.time_offsets && p.fork_after, "time offsets: written before a fork into the namespace");
    is_int(p.clone_flags, CLONE_NEWNS, "time and pid namespaces not from the clone");
    is_int(p.unshare_flags, CLONE_NEWTIME | CLONE_NEWPID,
           "but unshared, so that the forked init is pid 1");

    plan_of(DOC("{\"type\": \"time\"}, {\"type\": \"mount\"}"), &p);
    ok(!p.time_offsets && !p.fork_after, "a time namespace without offsets comes from the clone");
    is_int(p.clone_flags, CLONE_NEWTIME | CLONE_NEWNS, "with the mount namespace");
    return done_testing();
}
