/* linux/process.c without root: which descriptors a container process
 * keeps once nsrun has closed what the container must not see. */
#include <fcntl.h>
#include <unistd.h>

#include "linux/process.h"
#include "tap.h"

static void place(int fd, int cloexec)
{
    int opened = open("/dev/null", O_RDONLY | (cloexec ? O_CLOEXEC : 0));
    if (opened != fd) {
        dup3(opened, fd, cloexec ? O_CLOEXEC : 0);
        close(opened);
    }
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

static void test_close_fds(void)
{
    /* 3-5 preserved: 3 the caller's, 4 nsrun's (close-on-exec), 5 nsrun's
     * but kept. Above them: 10 the caller's, 12 kept, 20 and 21 nsrun's. */
    place(3, 0);
    place(4, 1);
    place(5, 1);
    place(10, 0);
    place(12, 1);
    place(20, 1);
    place(21, 1);
    struct error err;
    const int keep[] = {12, -1, 5};
    is_int(process_close_fds(3, keep, 3, &err), 0, "closes");
    ok(is_open(0) && is_open(1) && is_open(2), "stdio stays");
    ok(is_open(3), "a preserved descriptor of the caller's stays");
    ok(!is_open(4), "nsrun's own among the preserved numbers goes");
    ok(is_open(5), "a kept one among them stays");
    ok(!is_open(10), "the caller's above the preserved go");
    ok(is_open(12), "a kept one above them stays");
    ok(!is_open(20) && !is_open(21), "and nsrun's own above them go");
    is_int(process_close_fds(0, NULL, 0, &err), 0, "closes with nothing kept");
    ok(!is_open(3) && !is_open(5) && !is_open(12), "every descriptor from 3 on is gone");
}

int main(void)
{
    test_close_fds();
    return done_testing();
}
