/* Prints CLOCK_MONOTONIC and CLOCK_BOOTTIME in seconds: what a time
 * namespace's offsets change (busybox has no way to read them). */
#include <stdio.h>
#include <time.h>

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    printf("%.3f %.3f\n", seconds(CLOCK_MONOTONIC), seconds(CLOCK_BOOTTIME));
    return 0;
}
