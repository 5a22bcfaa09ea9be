#!/bin/sh
# make demo: a busybox container that shows its hostname, that it is PID 1,
# and its namespaces next to the host's.
set -eu
cd "$(dirname "$0")/.."
nsrun=$PWD/build/nsrun
bundle=$PWD/build/demo
scripts/rootfs.sh "$bundle/rootfs"
rm -f "$bundle/config.json"
"$nsrun" spec --bundle "$bundle"

# The container's command, in place of the default "sh".
script='echo "hostname: $(hostname)"; echo "pid:      $$"; for t in cgroup ipc mnt net pid time user uts; do echo "ns $t $(readlink /proc/self/ns/$t)"; done'
sed -i "s|^      \"sh\"\$|      \"sh\", \"-c\", \"$(printf '%s' "$script" | sed 's/"/\\\\"/g')\"|" "$bundle/config.json"
sed -i 's/"hostname": "nsrun"/"hostname": "nsrun-demo"/' "$bundle/config.json"

echo "\$ nsrun run --bundle build/demo demo"
out=$("$nsrun" --root "$PWD/build/demo-state" run --bundle "$bundle" "demo-$$")
printf '%s\n' "$out" | grep -v '^ns '
echo
printf '%-8s %-22s %-22s %s\n' namespace host container ""
printf '%s\n' "$out" | grep '^ns ' | while read -r _ type inside; do
    host=$(readlink "/proc/self/ns/$type")
    verdict=isolated
    [ "$host" = "$inside" ] && verdict="shared with the host"
    printf '%-8s %-22s %-22s %s\n' "$type" "$host" "$inside" "$verdict"
done
