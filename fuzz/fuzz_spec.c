/* libFuzzer target: config.json parsing and validation, then the mount
 * plan built from what validated (every string of a hostile config goes
 * through these). Also exec's process.json and update's resources. */
#include <stddef.h>
#include <stdint.h>

#include "linux/mount_plan.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct error err;
    struct spec spec = {0};
    if (spec_parse(&spec, (const char *)data, size, "config.json", &err) == 0 &&
        spec_validate(&spec, &err) == 0) {
        struct mount_plan plan = {0};
        struct mount_plan_input in = {.spec = &spec, .cgroup_ns = true};
        if (mount_plan_build(&in, &plan, &err) == 0) mount_plan_free(&plan);
    }
    spec_free(&spec);

    struct spec process = {0};
    if (spec_parse_process(&process, (const char *)data, size, "process.json", &err) == 0)
        spec_validate_process(&process.process, "process.json: ", &err);
    spec_free(&process);

    struct spec resources = {0};
    spec_parse_resources(&resources, (const char *)data, size, "resources", &err);
    spec_free(&resources);
    return 0;
}
