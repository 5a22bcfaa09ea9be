#!/bin/sh
# The VM test bed's Debian 12 image: systemd as PID 1, pure cgroup v2,
# Debian's stock (cloud) kernel, and what the tests use (tests/vm/packages),
# made with mmdebstrap from the machine's own apt sources. Cached under
# $NSRUN_VM_CACHE (default /var/cache/nsrun-vm), keyed by the package list
# and this script, so a second run downloads nothing.
#
# Prints the directory holding root.img, vmlinuz and initrd.img.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${NSRUN_VM_CACHE:-/var/cache/nsrun-vm}
packages=$(grep -v '^#' "$here/packages" | grep . | paste -sd, -)
key=$(cat "$here/packages" "$here/image.sh" "$here/guest/nsrun-vm-tests.service" |
    sha256sum | cut -c1-16)
out=$cache/$key
if [ -s "$out/root.img" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ]; then
    echo "$out"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
echo "tests/vm/image.sh: building the image $key (mmdebstrap, about a minute)" >&2
mmdebstrap --quiet --variant=apt --include="$packages" bookworm "$root" >&2

# What the guest needs besides packages: its root by device name, a name,
# the unit that runs the work disk's tests, no network wait, the tests'
# sudo-free user for rootless runs made by the tests themselves.
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo nsrun-vm >"$root/etc/hostname"
cp "$here/guest/nsrun-vm-tests.service" "$root/etc/systemd/system/"
ln -sf /etc/systemd/system/nsrun-vm-tests.service \
    "$root/etc/systemd/system/multi-user.target.wants/nsrun-vm-tests.service"
# The engines' daemons start when a test asks for them, not at boot.
for unit in docker.service docker.socket containerd.service; do
    ln -sf /dev/null "$root/etc/systemd/system/$unit"
done

cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd.img"
mkfs.ext4 -q -L nsrun-vm -d "$root" "$work/root.img" 6G >&2
rm -rf "$root"
mkdir -p "$out"
mv "$work/root.img" "$work/vmlinuz" "$work/initrd.img" "$out/"
echo "$out"
