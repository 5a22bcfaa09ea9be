/* State as JSON; see format.h. */
#include "cli/format.h"

#include "spec/spec.h"

json_t *format_state_json(const struct container_state *st)
{
    bool live = st->status == STATUS_CREATED || st->status == STATUS_RUNNING;
    return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:O}", "ociVersion", SPEC_OCI_VERSION,
                     "id", st->id, "pid", live ? (int)st->pid : 0, "status",
                     status_name(st->status), "bundle", st->bundle, "rootfs", st->rootfs,
                     "created", st->created, "owner", st->owner, "annotations",
                     st->annotations ? (json_t *)st->annotations : json_object());
}
