#!/bin/sh
# make demo: a busybox container, entered the way people enter containers,
# showing its hostname, that its first process is PID 1, and its namespaces
# next to the host's and ours.
set -eu
cd "$(dirname "$0")/.."
nsrun="$PWD/build/nsrun --root $PWD/build/demo-state"
bundle=$PWD/build/demo
id=demo-$$
scripts/rootfs.sh "$bundle/rootfs"
rm -f "$bundle/config.json"
$nsrun spec --bundle "$bundle"
# The default spec runs "sh"; the demo's container waits instead.
sed -i 's|^      "sh"$|      "sleep", "600"|; s/"hostname": "nsrun"/"hostname": "nsrun-demo"/' \
    "$bundle/config.json"
trap '$nsrun delete --force $id 2>/dev/null || true' EXIT

show() {
    echo "\$ nsrun $*"
    # shellcheck disable=SC2086
    $nsrun "$@"
    echo
}
show run --detach --bundle build/demo "$id"
show exec "$id" hostname
show exec "$id" ps -o pid,comm
show ns "$id"
show delete --force "$id"
trap - EXIT
