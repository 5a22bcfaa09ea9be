#!/bin/bash
# make check-vm: the tests that need a host as people run them (systemd as
# PID 1, pure cgroup v2 with every controller) in a QEMU guest of Debian 12.
#
#   tests/vm/run.sh [PYTEST ARGS...]   (default: the selection in tests/vm/selection)
#
# The image comes from tests/vm/image.sh (cached). A second disk, made here
# with mkfs.ext4 -d, brings build/nsrun, the tests and the guest's runner;
# the guest runs them from a systemd unit, writes the results back on that
# disk and powers off; they are read with debugfs. The root disk is used
# as a snapshot: the cached image never changes. A guest that does not end
# within NSRUN_VM_TIMEOUT seconds (default 900) is killed, and its console's
# last lines shown. The pytest output and the console stay in build/vm/.
#
# Settings: NSRUN_VM_ACCEL (tcg; "kvm" where a guest boots with it),
# NSRUN_VM_MEMORY (3G), NSRUN_VM_CPUS (2), NSRUN_VM_CACHE (see image.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$repo/build/vm
binary=${NSRUN_BINARY:-$repo/build/nsrun}
timeout_s=${NSRUN_VM_TIMEOUT:-900}
accel=${NSRUN_VM_ACCEL:-tcg}

[ -x "$binary" ] || { echo "tests/vm/run.sh: $binary is not built (run make)" >&2; exit 1; }
if ldd "$binary" >/dev/null 2>&1; then
    echo "tests/vm/run.sh: $binary is linked dynamically; the guest needs a static build" >&2
    exit 1
fi

image=$("$repo/tests/vm/image.sh")
rm -rf "$out"
mkdir -p "$out"
disk=$(mktemp -d /tmp/nsrun-vm-disk.XXXXXX)
trap 'rm -rf "$disk"' EXIT
mkdir -p "$disk/tests" "$disk/guest" "$disk/results"
cp "$binary" "$disk/nsrun"
cp -r "$repo/tests/integration" "$disk/tests/"
find "$disk/tests" -name __pycache__ -prune -exec rm -rf {} +
cp "$repo/tests/vm/guest/run.sh" "$disk/guest/"
if [ $# -gt 0 ]; then
    printf '%s\n' "$@" >"$disk/guest/args"
else
    grep -v '^#' "$repo/tests/vm/selection" | grep . >"$disk/guest/args"
fi
mkfs.ext4 -q -L nsrun-work -d "$disk" "$out/work.img" 2G >/dev/null
rm -rf "$disk"

case $accel in
tcg) accel_args=(-accel tcg,thread=multi -cpu max) ;;
kvm) accel_args=(-accel kvm -cpu host) ;;
*) echo "tests/vm/run.sh: NSRUN_VM_ACCEL is tcg or kvm, not $accel" >&2; exit 2 ;;
esac
echo "tests/vm/run.sh: booting the guest ($accel, console in $out/console.log)"
started=$(date +%s)
status=0
timeout --signal=KILL "$timeout_s" qemu-system-x86_64 "${accel_args[@]}" \
    -smp "${NSRUN_VM_CPUS:-2}" -m "${NSRUN_VM_MEMORY:-3G}" \
    -display none -monitor none -serial "file:$out/console.log" -no-reboot -nic none \
    -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 quiet systemd.show_status=false" \
    -drive "file=$image/root.img,format=raw,if=virtio,snapshot=on" \
    -drive "file=$out/work.img,format=raw,if=virtio" || status=$?
elapsed=$(($(date +%s) - started))
if [ "$status" = 137 ] || [ "$status" = 124 ]; then
    echo "tests/vm/run.sh: the guest did not end within ${timeout_s}s; its console's last lines:" >&2
    tail -n 40 "$out/console.log" >&2
    exit 1
fi

result() { debugfs -R "cat /results/$1" "$out/work.img" 2>/dev/null; }
result pytest.log | tee "$out/pytest.log"
tests_status=$(result status | tr -d '[:space:]')
rm -f "$out/work.img"
echo "tests/vm/run.sh: the guest ran ${elapsed}s (boot included); pytest status ${tests_status:-none}"
if [ -z "$tests_status" ]; then
    echo "tests/vm/run.sh: the guest wrote no result; its console's last lines:" >&2
    tail -n 40 "$out/console.log" >&2
    exit 1
fi
exit "$tests_status"
