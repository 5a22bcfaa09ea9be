/* OCI hooks: each runs with the container's state on stdin, its own args
 * and env, and a timeout; what it prints goes into the error when it fails. */
#ifndef NSRUN_CONTAINER_HOOKS_H
#define NSRUN_CONTAINER_HOOKS_H

#include "spec/spec.h"

/* Runs the hooks of one kind in order; the first failure stops them and is
 * the error ("hooks.createRuntime[1]: /bin/x: exited with status 2: ..."). */
int hooks_run(const struct spec *spec, enum hook_kind kind, const char *state_json,
              struct error *err);
/* For poststart and poststop, whose failures the spec makes warnings: runs
 * them all and logs what fails. */
void hooks_run_warn(const struct spec *spec, enum hook_kind kind, const char *state_json);

#endif
