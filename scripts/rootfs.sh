#!/bin/sh
# Makes a busybox root file system from Debian's busybox-static.
# Usage: scripts/rootfs.sh DIR
set -eu
dir=$1
[ -x "$dir/bin/busybox" ] && exit 0
mkdir -p "$dir/bin" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/root"
cp /bin/busybox "$dir/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
chmod 1777 "$dir/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' >"$dir/etc/passwd"
echo 'root:x:0:' >"$dir/etc/group"
