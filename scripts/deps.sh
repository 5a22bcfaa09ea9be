#!/bin/sh
# Installs, with apt-get, the Debian packages a task needs, if any is missing.
# Usage: scripts/deps.sh TASK...   (build, test, demo, bench, engines, fuzz, vm)
set -eu

packages() {
    case "$1" in
    build) echo "gcc make libc6-dev libjansson-dev libseccomp-dev git" ;;
    test) echo "perl python3-pytest busybox-static iproute2 procps util-linux uidmap passwd bash-completion strace" ;;
    demo) echo "busybox-static" ;;
    bench) echo "busybox-static hyperfine runc crun util-linux time podman conmon containerd containernetworking-plugins iptables" ;;
    fuzz) echo "clang" ;;
    vm) echo "qemu-system-x86 mmdebstrap e2fsprogs" ;;
    engines) echo "podman conmon containerd docker.io runc containernetworking-plugins iptables iproute2" ;;
    *) echo "deps.sh: unknown task $1" >&2; exit 2 ;;
    esac
}

missing=""
for task in "$@"; do
    for p in $(packages "$task"); do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        case "$status" in
        *" installed") ;;
        *) missing="$missing $p" ;;
        esac
    done
done

[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "deps.sh: missing packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
