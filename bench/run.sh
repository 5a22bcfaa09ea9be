#!/bin/bash
# make bench: times nsrun against crun and runc on one busybox bundle.
#
#   scenario "run":  RUNTIME run --bundle B ID              (/bin/true)
#   scenario "csd":  RUNTIME create ...; start ID; delete ID (one shell command)
#   scenario "exec": RUNTIME exec ID /bin/true, into a container running sleep
#   scenario "rootless": RUNTIME run of /bin/true by an ordinary user (nobody)
#                    with a spec from `nsrun spec --rootless`; nsrun and crun
#   scenario "podman": podman --runtime RUNTIME run --rm busybox true
#                    (its default bridge network, through CNI)
#   scenario "ctr":  ctr run --rm --runc-binary RUNTIME busybox ID true, through
#                    a containerd the bench starts and stops
#   peak RSS of RUNTIME run (GNU time %M)
#   optionally the "floor" of ../shared/bench/floor.c, a measuring tool
#
# Settings (environment):
#   BENCH_ROUNDS=20      rounds; every round runs each runtime once per scenario
#   BENCH_RUNS=5         timed runs per runtime, scenario and round
#   BENCH_RSS_RUNS=5     `run`s per runtime measured for peak RSS
#   BENCH_GAP=0.05       seconds of sleep before every timed run
#   BENCH_FLOOR=1        0 leaves the floor row out
#   BENCH_ENGINES=1      0 leaves the podman and ctr scenarios out
#   BENCH_ENGINE_RUNS=2  timed runs per runtime, engine scenario and round
#
# Results: a table on stdout, every sample in build/bench/results.json.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=$repo/build/bench
self=$repo/bench/run.sh

if [ "$(id -u)" != 0 ]; then
    echo "bench/run.sh: must run as root: it creates containers, cgroups and a mount namespace" >&2
    exit 1
fi

# The whole benchmark runs in one private mount namespace: there the cgroup2
# mount at /sys/fs/cgroup/unified can be taken away (crun 1.8 refuses hybrid
# hosts) without touching the host, and every runtime sees the same layout
# without paying for a namespace of its own on every run. It runs in a network
# namespace of its own too, where podman's bridge and firewall rules go. Both
# namespaces, and the umount with them, vanish when this script exits,
# however it exits.
if [ "${NSRUN_BENCH_INNER:-}" != 1 ]; then
    tools=(unshare flock hyperfine crun runc setpriv /usr/bin/time /usr/bin/python3)
    [ "${BENCH_ENGINES:-1}" = 1 ] && tools+=(podman conmon containerd ctr)
    for tool in "${tools[@]}"; do
        command -v "$tool" >/dev/null || {
            echo "bench/run.sh: $tool not found (make bench installs it through scripts/deps.sh)" >&2
            exit 1
        }
    done
    mkdir -p "$bench_dir"
    # Two benches at once would time each other and remove each other's
    # cgroups. The lock is held here and not passed on (9>&-): a runtime
    # process that outlived the bench would otherwise keep it.
    exec 9>"$bench_dir/lock"
    flock -n 9 || { echo "bench/run.sh: another bench is running (lock $bench_dir/lock)" >&2; exit 1; }
    # Ctrl-C reaches the inner script as well, whose trap cleans up: this one
    # only waits for it. (A trap, not an ignored signal, which the inner
    # script would inherit and could not trap.)
    trap ':' INT TERM
    status=0
    NSRUN_BENCH_INNER=1 unshare --mount --net --propagation private "$self" "$@" 9>&- || status=$?
    exit "$status"
fi

rounds=${BENCH_ROUNDS:-20}
runs=${BENCH_RUNS:-5}
rss_runs=${BENCH_RSS_RUNS:-5}
gap=${BENCH_GAP:-0.05}
want_floor=${BENCH_FLOOR:-1}
want_engines=${BENCH_ENGINES:-1}
engine_runs=${BENCH_ENGINE_RUNS:-2}
for n in "$rounds" "$runs" "$rss_runs" "$engine_runs"; do
    case "$n" in '' | *[!0-9]* | 0) echo "bench/run.sh: BENCH_ROUNDS, BENCH_RUNS, BENCH_RSS_RUNS and BENCH_ENGINE_RUNS must be positive integers" >&2; exit 2 ;; esac
done

# hyperfine -N splits a command line on blanks, without quoting.
case "$repo" in *[[:space:]]*) echo "bench/run.sh: the repository path must not contain blanks: $repo" >&2; exit 2 ;; esac

# Every id and cgroup the bench makes starts with this, so that leftovers,
# also from an earlier run killed with SIGKILL, can be found and removed.
prefix=nsrunbench
bundle=$bench_dir/bundle
raw=$bench_dir/raw
forced=$bench_dir/forced
leftovers=$bench_dir/leftovers.txt
rss_file=$bench_dir/rss.txt

# nsrun is timed from a copy: a rebuild of build/nsrun in the middle of the
# bench (another make in the same tree) would otherwise make runs fail.
declare -A bin=([nsrun]=$bench_dir/nsrun [crun]=$(command -v crun) [runc]=$(command -v runc))
runtimes=(nsrun crun runc)
root_of() { echo "$bench_dir/state/$1"; }

# Rootless runs are made by nobody, with state roots of nobody's own.
rootless_runtimes=(nsrun crun)
rl_uid=$(id -u nobody)
rl_gid=$(id -g nobody)
rl_dir=$bench_dir/rootless
rl_root_of() { echo "$rl_dir/state-$1"; }
as_user() { setpriv --reuid="$rl_uid" --regid="$rl_gid" --clear-groups env HOME=/ PATH="$PATH" "$@"; }

[ -x "$repo/build/nsrun" ] || { echo "bench/run.sh: $repo/build/nsrun missing: run make first" >&2; exit 1; }

cgroup_layout="cgroup v1"
if mountpoint -q /sys/fs/cgroup/unified; then
    umount /sys/fs/cgroup/unified
    cgroup_layout="cgroup v1 (hybrid host; its cgroup2 mount hidden in the bench's mount namespace)"
elif [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
    cgroup_layout="cgroup v2"
fi

# Removes the cgroup directories named with the bench prefix and appends one
# line "RUNTIME HIERARCHY" per directory to $leftovers. With the cgroup2 mount
# gone, /sys/fs/cgroup/unified is a plain directory of the host's tmpfs (hidden
# under the host's cgroup2 mount): runtimes that still see a "0::" line in
# /proc/self/cgroup make directories there, with a regular cgroup.procs file,
# which rmdir alone cannot remove. Deepest first, since runtimes may nest.
remove_cgroup() {
    local dir=$1
    if [ "$(stat -f -c %T "$dir")" = tmpfs ]; then
        rm -rf -- "$dir"
    elif ! rmdir -- "$dir" 2>/dev/null; then
        # Only a process of the bench can be in a cgroup with its prefix.
        kill -KILL $(cat "$dir/cgroup.procs" 2>/dev/null) 2>/dev/null || true
        sleep 0.2
        rmdir -- "$dir" 2>/dev/null || echo "bench/run.sh: cannot remove $dir" >&2
    fi
}

hierarchy_of() {
    local hier=${1#/sys/fs/cgroup/}
    echo "${hier%%/*}"
}

# The engines' cgroup parent stays between runs, as it does under an engine
# (runtimes remove a container's own cgroup, never its parent).
engine_parent=$prefix-parent

sweep_cgroups() {
    local dir name rt
    while IFS= read -r dir; do
        name=${dir##*/}
        is_kept "$name" && continue
        [ "$name" = "$engine_parent" ] && continue
        rt=${name#"$prefix"-}
        rt=${rt%%-*}
        remove_cgroup "$dir"
        echo "$rt $(hierarchy_of "$dir")" >>"$leftovers"
    done < <(find /sys/fs/cgroup -mindepth 2 -maxdepth 8 -depth -type d -name "$prefix-*" 2>/dev/null)
}

# At the end: the engines' parent, with podman's conmon cgroup in it;
# anything else in it is a container's cgroup left behind.
sweep_engine_parent() {
    local dir
    while IFS= read -r dir; do
        case ${dir##*/} in
        "$engine_parent" | conmon) ;;
        *) echo "engines $(hierarchy_of "$dir")" >>"$leftovers" ;;
        esac
        remove_cgroup "$dir"
    done < <(find /sys/fs/cgroup/*/"$engine_parent" -depth -type d 2>/dev/null)
}

# Deletes (with --force) whatever containers are still listed in the bench's
# state roots, then removes what a runtime killed halfway through create left
# there without listing it; records both as leftovers. The state roots hold
# nothing but the bench's containers.
# The containers exec runs in live through the timing; the sweeps after each
# step leave them alone until keep_targets is 0.
keep_targets=1
target_of() { echo "$prefix-$1-exectarget"; }
is_kept() { [ "$keep_targets" = 1 ] && case "$1" in *-exectarget) true ;; *) false ;; esac; }

sweep_containers() {
    local rt id r entry
    for rt in "${runtimes[@]}"; do
        r=$(root_of "$rt")
        [ -d "$r" ] || continue
        for id in $("${bin[$rt]}" --root "$r" list -q 2>/dev/null); do
            is_kept "$id" && continue
            "${bin[$rt]}" --root "$r" delete --force "$id" >/dev/null ||
                echo "bench/run.sh: $rt delete --force $id failed" >&2
            echo "$rt container" >>"$leftovers"
        done
        for entry in "$r/$prefix"-*; do
            [ -e "$entry" ] || continue
            is_kept "${entry##*/}" && continue
            rm -rf -- "$entry"
            echo "$rt state" >>"$leftovers"
        done
    done
    for rt in "${rootless_runtimes[@]}"; do
        r=$(rl_root_of "$rt")
        [ -d "$r" ] || continue
        for id in $(as_user "${bin[$rt]}" --root "$r" list -q 2>/dev/null); do
            as_user "${bin[$rt]}" --root "$r" delete --force "$id" >/dev/null ||
                echo "bench/run.sh: rootless $rt delete --force $id failed" >&2
            echo "$rt rootless container" >>"$leftovers"
        done
    done
}

# The engines: podman, and a containerd the bench starts, with private
# directories under $eng and a busybox image built from the bundle's rootfs
# (scripts/image.py: no registry is needed). Engines also write to places
# whatever directories they are given (shared_paths; podman gives the runtime
# no --root, so its containers live in each runtime's default root): what the
# bench added there is removed at the end.
eng=$bench_dir/engines
shared_before=$bench_dir/shared-paths.before
shared_paths=(/run/containerd /run/libpod /var/lib/containers /var/lib/cni /etc/cni/net.d
              /run/netns /run/nsrun /run/crun /run/runc)
podman_cmd=(podman --root "$eng/podman/root" --runroot "$eng/podman/run" --tmpdir "$eng/podman/tmp")
ctr_cmd=(ctr -a "$eng/containerd.sock" -n "$prefix")
image=localhost/busybox:latest
containerd_pid=""
# Every podman call of the bench reads this configuration (engines_start
# writes it): a podman of the default one would use the host's networks.
export CONTAINERS_CONF=$eng/containers.conf XDG_CONFIG_HOME=$eng/config
snapshot_shared() { { find "${shared_paths[@]}" 2>/dev/null || true; } | LC_ALL=C sort; }

engines_start() {
    rm -rf "$eng"
    mkdir -p "$eng/net"
    snapshot_shared >"$shared_before"
    "$repo/scripts/image.py" "$bundle/rootfs" "$image" "$eng/busybox.tar" sh
    # Low rlimits: without CAP_SYS_RESOURCE (some hosts, this VM) podman's
    # defaults fail for every runtime. runtime_supports_json: podman passes
    # --log-format json only to the runtimes named there.
    cat >"$eng/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
[network]
cni_plugin_dirs = ["/usr/lib/cni"]
network_config_dir = "$eng/net"
default_subnet = "192.0.2.128/25"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime_supports_json = ["crun", "runc", "nsrun"]
EOF
    "${podman_cmd[@]}" load -q -i "$eng/busybox.tar" >/dev/null
    # No CRI plugin: nothing of Kubernetes' is timed, and no CNI set-up.
    cat >"$eng/config.toml" <<EOF
version = 2
root = "$eng/containerd/root"
state = "$eng/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$eng/containerd.sock"
[ttrpc]
  address = "$eng/containerd.sock.ttrpc"
EOF
    containerd --config "$eng/config.toml" >"$eng/containerd.log" 2>&1 &
    containerd_pid=$!
    local i
    for ((i = 0; i < 300; i++)); do
        [ -S "$eng/containerd.sock" ] && break
        kill -0 "$containerd_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -S "$eng/containerd.sock" ] || {
        echo "bench/run.sh: containerd did not start:" >&2
        tail -n 20 "$eng/containerd.log" >&2
        exit 1
    }
    "${ctr_cmd[@]}" images import "$eng/busybox.tar" >/dev/null
}

# Containers an engine still lists after a timed run: removed and counted.
sweep_engines() {
    local c
    [ -f "$CONTAINERS_CONF" ] || return 0
    for c in $("${podman_cmd[@]}" ps -aq 2>/dev/null); do
        "${podman_cmd[@]}" rm -f -t 0 "$c" >/dev/null 2>&1
        echo "podman container" >>"$leftovers"
    done
    [ -n "$containerd_pid" ] || return 0
    for c in $("${ctr_cmd[@]}" containers ls -q 2>/dev/null); do
        "${ctr_cmd[@]}" task kill -s KILL "$c" >/dev/null 2>&1
        "${ctr_cmd[@]}" task rm -f "$c" >/dev/null 2>&1
        "${ctr_cmd[@]}" containers rm "$c" >/dev/null 2>&1
        echo "ctr container" >>"$leftovers"
    done
}

engines_stop() {
    [ -d "$eng" ] || return 0
    sweep_engines
    if [ -n "$containerd_pid" ]; then
        kill "$containerd_pid" 2>/dev/null
        local i
        for ((i = 0; i < 100; i++)); do
            kill -0 "$containerd_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$containerd_pid" 2>/dev/null || true
        containerd_pid=""
    fi
    # Also those of an earlier bench that was killed.
    pkill -KILL -f -- "containerd --config $eng/config.toml" 2>/dev/null || true
    pkill -KILL -f -- "containerd-shim.*$eng/containerd.sock" 2>/dev/null || true
    awk -v top="$eng/" 'index($5, top) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
        while IFS= read -r m; do umount -l "$m"; done
    rm -rf "$eng"
    # What the engines added to the shared paths, deepest first.
    if [ -f "$shared_before" ]; then
        snapshot_shared | LC_ALL=C comm -13 "$shared_before" - | sort -r |
            while IFS= read -r p; do
                if [ -d "$p" ] && [ ! -L "$p" ]; then rmdir -- "$p"; else rm -f -- "$p"; fi ||
                    echo "bench/run.sh: cannot remove $p" >&2
            done
        rm -f "$shared_before"
    fi
}

# The command line of an engine scenario, one word per blank (hyperfine -N
# splits on blanks, and the warm-up on IFS).
engine_command() {
    local rt=$1 scenario=$2 id=$3
    case "$scenario" in
    podman)
        echo "${podman_cmd[*]} --runtime ${bin[$rt]} run --rm --cgroup-parent=/$engine_parent" \
            "$image true" ;;
    ctr)
        echo "${ctr_cmd[*]} run --rm --runc-binary ${bin[$rt]} --runc-root $eng/root-$rt" \
            "--fifo-dir $eng/fifo --cgroup /$engine_parent/$id $image $id true" ;;
    esac
}

cleanup() {
    trap '' INT TERM
    keep_targets=0
    sweep_containers
    engines_stop
    sweep_cgroups
    sweep_engine_parent
}
trap cleanup EXIT
trap 'printf "\nbench/run.sh: interrupted\n" >&2; exit 130' INT TERM

# Leftovers of an earlier, killed run are not this run's: remove them first,
# with the nsrun that made them, and start the count afresh.
: >"$leftovers"
[ -x "${bin[nsrun]}" ] || bin[nsrun]=$repo/build/nsrun
sweep_containers
engines_stop
sweep_cgroups
sweep_engine_parent
if [ -s "$leftovers" ]; then
    echo "removed $(wc -l <"$leftovers") leftovers of an earlier, interrupted bench"
fi
: >"$leftovers"
rm -rf "$raw" "$forced" "$rss_file" "$bench_dir/results.json"
mkdir -p "$raw" "$forced"
cp "$repo/build/nsrun" "$bench_dir/nsrun.new"
mv -f "$bench_dir/nsrun.new" "$bench_dir/nsrun"
bin[nsrun]=$bench_dir/nsrun
for rt in "${runtimes[@]}"; do mkdir -p "$(root_of "$rt")"; done

# The bundle: nsrun's default spec, running /bin/true. ociVersion 1.0.2-dev
# because crun 1.8.1 refuses "1.2.0"; nsrun and runc take it.
"$repo/scripts/rootfs.sh" "$bundle/rootfs"
rm -f "$bundle/config.json"
"${bin[nsrun]}" spec --bundle "$bundle"
/usr/bin/python3 - "$bundle/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["ociVersion"] = "1.0.2-dev"
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
with open(path, "w") as f:
    json.dump(config, f, indent=2)
EOF

# exec's target: the same rootfs, running sleep.
sleeper=$bench_dir/bundle-sleep
mkdir -p "$sleeper"
/usr/bin/python3 - "$bundle/config.json" "$sleeper/config.json" "$bundle/rootfs" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    config = json.load(f)
config["process"]["args"] = ["sleep", "3600"]
config["root"]["path"] = sys.argv[3]
with open(sys.argv[2], "w") as f:
    json.dump(config, f, indent=2)
EOF

# The rootless bundle: the same rootfs (readable by all), the spec nsrun
# writes for nobody, running /bin/true. The directories are nobody's.
rm -rf "$rl_dir"
mkdir -p "$rl_dir/bundle" "$rl_dir/raw"
for rt in "${rootless_runtimes[@]}"; do mkdir -p "$(rl_root_of "$rt")"; done
chown -R "$rl_uid:$rl_gid" "$rl_dir"
chmod 700 "$rl_dir"/state-*
as_user "${bin[nsrun]}" spec --rootless --bundle "$rl_dir/bundle"
as_user /usr/bin/python3 - "$rl_dir/bundle/config.json" "$bundle/rootfs" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    config = json.load(f)
config["ociVersion"] = "1.0.2-dev"
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
config["root"]["path"] = sys.argv[2]
with open(sys.argv[1], "w") as f:
    json.dump(config, f, indent=2)
EOF

if [ "$want_engines" = 1 ]; then
    echo "starting the engines"
    engines_start
    engine_scenarios=(podman ctr)
else
    engine_scenarios=()
fi

# The floor is a measuring tool kept outside the project; it is compiled from
# where it lies, never copied in.
floor_src=$repo/../shared/bench/floor.c
floor=$bench_dir/floor
floor_note=""
if [ "$want_floor" != 1 ]; then
    floor_note="floor: left out (BENCH_FLOOR=$want_floor)"
elif [ ! -f "$floor_src" ]; then
    floor_note="floor: left out ($floor_src not found)"
elif ! { [ "$floor" -nt "$floor_src" ] || cc -O2 -static -o "$floor" "$floor_src"; }; then
    floor_note="floor: left out (could not compile $floor_src)"
fi
[ -z "$floor_note" ] && timed=(nsrun crun runc floor) || timed=(nsrun crun runc)

# One untimed pass of everything first: page cache, the dynamic loader's
# caches and the kernel's first-use costs are then warm for all alike.
# (Not hyperfine's --warmup: with a fresh id per run, each id would be a
# benchmark of its own and be warmed up on its own.)
echo "warming up"
for rt in "${runtimes[@]}"; do
    r=$(root_of "$rt")
    "${bin[$rt]}" --root "$r" run --bundle "$bundle" "$prefix-$rt-warm-1" >/dev/null
    "${bin[$rt]}" --root "$r" create --bundle "$bundle" "$prefix-$rt-warm-2" >/dev/null
    "${bin[$rt]}" --root "$r" start "$prefix-$rt-warm-2"
    "${bin[$rt]}" --root "$r" delete "$prefix-$rt-warm-2" 2>/dev/null ||
        "${bin[$rt]}" --root "$r" delete --force "$prefix-$rt-warm-2"
done
for rt in "${rootless_runtimes[@]}"; do
    as_user "${bin[$rt]}" --root "$(rl_root_of "$rt")" run --bundle "$rl_dir/bundle" \
        "$prefix-$rt-warm-rootless" >/dev/null
done
[ -z "$floor_note" ] && FLOOR_SKIP=t "$floor" "$bundle/rootfs" "$prefix-floor-warm-1" /bin/true
for rt in "${runtimes[@]}"; do
    for scenario in "${engine_scenarios[@]}"; do
        $(engine_command "$rt" "$scenario" "$prefix-$rt-$scenario-warm") >/dev/null
    done
done
# Whatever the warm-up left is counted like any later leftover.
sweep_containers
sweep_cgroups
for rt in "${runtimes[@]}"; do
    "${bin[$rt]}" --root "$(root_of "$rt")" run --detach --bundle "$sleeper" "$(target_of "$rt")" \
        >/dev/null </dev/null
    "${bin[$rt]}" --root "$(root_of "$rt")" exec "$(target_of "$rt")" /bin/true
done

# hyperfine RUNTIME SCENARIO ROUND: BENCH_RUNS timed runs, each with its own
# id (-P gives each run a number), each after a BENCH_GAP sleep: on cgroup v1 a
# cgroup migration right after another one is faster, so without the gap the
# order of the runtimes would change their times.
bench_one() {
    local rt=$1 scenario=$2 round=$3 id cmd r n_runs=$runs
    id="$prefix-$rt-$scenario-$round-{n}"
    case "$scenario" in podman | ctr) n_runs=$engine_runs ;; esac
    local common=(--runs 1 --parameter-scan n 1 "$n_runs" --prepare "sleep $gap" --style none
                  --export-json "$raw/$scenario-$rt-$round.json")
    case "$rt/$scenario" in
    floor/run)
        FLOOR_SKIP=t hyperfine "${common[@]}" -N "$floor $bundle/rootfs $id /bin/true" ;;
    */run)
        r=$(root_of "$rt")
        hyperfine "${common[@]}" -N "${bin[$rt]} --root $r run --bundle $bundle $id" ;;
    */exec)
        r=$(root_of "$rt")
        hyperfine "${common[@]}" -N "${bin[$rt]} --root $r exec $(target_of "$rt") /bin/true" ;;
    */rootless)
        # hyperfine runs as nobody too: nothing but the runtime is timed.
        r=$(rl_root_of "$rt")
        common[-1]=$rl_dir/raw/$scenario-$rt-$round.json
        as_user hyperfine "${common[@]}" -N "${bin[$rt]} --root $r run --bundle $rl_dir/bundle $id"
        mv "${common[-1]}" "$raw/" ;;
    */podman | */ctr)
        hyperfine "${common[@]}" -N "$(engine_command "$rt" "$scenario" "$id")" ;;
    */csd)
        # A shell is needed to chain the three; the same one for all runtimes,
        # and hyperfine subtracts its startup. /bin/true may not have exited
        # when delete comes: then delete --force, and the marker counts it.
        r=$(root_of "$rt")
        cmd="${bin[$rt]} --root $r"
        hyperfine "${common[@]}" --shell=sh \
            "$cmd create --bundle $bundle $id && $cmd start $id && { $cmd delete $id 2>/dev/null || { : >$forced/$rt-$id && $cmd delete --force $id; }; }" ;;
    esac
    # Nothing may stay behind: run removes its container, delete the other.
    sweep_containers
    case "$scenario" in podman | ctr) sweep_engines ;; esac
    sweep_cgroups
}

# Round by round, each round cycling through the runtimes and starting one
# further along each time, so that drift over the minutes and whichever
# runtime runs first after a pause hit all of them alike.
started=$(date +%s)
printf 'timing %d rounds:' "$rounds"
for ((round = 1; round <= rounds; round++)); do
    printf ' %d' "$round"
    for ((k = 0; k < ${#timed[@]}; k++)); do
        rt=${timed[(round + k) % ${#timed[@]}]}
        bench_one "$rt" run "$round"
    done
    for ((k = 0; k < ${#runtimes[@]}; k++)); do
        rt=${runtimes[(round + k) % ${#runtimes[@]}]}
        bench_one "$rt" csd "$round"
    done
    for ((k = 0; k < ${#runtimes[@]}; k++)); do
        rt=${runtimes[(round + k) % ${#runtimes[@]}]}
        bench_one "$rt" exec "$round"
    done
    for ((k = 0; k < ${#rootless_runtimes[@]}; k++)); do
        rt=${rootless_runtimes[(round + k) % ${#rootless_runtimes[@]}]}
        bench_one "$rt" rootless "$round"
    done
    for scenario in "${engine_scenarios[@]}"; do
        for ((k = 0; k < ${#runtimes[@]}; k++)); do
            rt=${runtimes[(round + k) % ${#runtimes[@]}]}
            bench_one "$rt" "$scenario" "$round"
        done
    done
done
echo " ($(($(date +%s) - started)) s)"
echo "peak RSS: $rss_runs runs per runtime"

# Peak RSS of the runtime's process: GNU time's %M is the ru_maxrss that
# wait4 reports, the largest of the process and the children it reaped; the
# container's own /bin/true (busybox, static) is far smaller than any runtime.
for ((i = 1; i <= rss_runs; i++)); do
    for rt in "${runtimes[@]}"; do
        sleep "$gap"
        /usr/bin/time -f %M -o "$bench_dir/rss.one" \
            "${bin[$rt]}" --root "$(root_of "$rt")" run --bundle "$bundle" "$prefix-$rt-rss-$i" >/dev/null
        echo "$rt $(tail -n 1 "$bench_dir/rss.one")" >>"$rss_file"
    done
done
rm -f "$bench_dir/rss.one"
sweep_containers
sweep_cgroups

version() { "$@" --version 2>&1 | head -n 1; }
export BENCH_DATE="$(date '+%Y-%m-%d %H:%M:%S %Z')"
export BENCH_HOST="$(uname -sr), $(nproc) CPUs, $cgroup_layout"
export BENCH_V_NSRUN="$(version "${bin[nsrun]}")"
# The binary is built from the working tree, which may hold uncommitted work.
export BENCH_TREE="$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)"
export BENCH_V_CRUN="$(version "${bin[crun]}")"
export BENCH_V_RUNC="$(version "${bin[runc]}")"
export BENCH_FLOOR_NOTE="$floor_note"
export BENCH_ROUNDS=$rounds BENCH_RUNS=$runs BENCH_RSS_RUNS=$rss_runs BENCH_GAP=$gap
export BENCH_ENGINE_RUNS=$engine_runs
if [ "$want_engines" = 1 ]; then
    export BENCH_V_ENGINES="$(podman --version), $(containerd --version | cut -d' ' -f1,3)"
else
    export BENCH_V_ENGINES="left out (BENCH_ENGINES=$want_engines)"
fi
/usr/bin/python3 "$repo/bench/report.py" "$bench_dir"
