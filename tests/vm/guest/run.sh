#!/bin/sh
# In the guest (nsrun-vm-tests.service): the work disk's tests, as root,
# against the static nsrun it brings; results on the same disk.
cd /mnt/work/tests || exit 1
export NSRUN_BINARY=/mnt/work/nsrun
{
    echo "guest: $(uname -r), $(systemctl --version | head -1), cgroup $(stat -fc %T /sys/fs/cgroup)"
    echo "guest: controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
} >/mnt/work/results/pytest.log
# Every controller the kernel has, enabled at the root, as on a host where
# systemd delegates them all (runc enables them there itself; nsrun never
# writes the root's cgroup.subtree_control, and the tests check that).
sed 's/[^ ]*/+&/g' /sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control
# shellcheck disable=SC2046 # one argument per line
/usr/bin/python3 -m pytest -q -p no:cacheprovider -rs $(cat /mnt/work/guest/args) \
    >>/mnt/work/results/pytest.log 2>&1
echo $? >/mnt/work/results/status
sync
