/* sysnr NR [ARG...]: makes system call NR with up to six arguments (numbers,
 * any base) and prints "ok RESULT" or "errno N": seccomp rules compare the
 * argument registers whatever the call does with them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 8) {
        fprintf(stderr, "usage: sysnr NR [ARG...]\n");
        return 2;
    }
    long nr = strtol(argv[1], NULL, 0);
    unsigned long a[6] = {0};
    for (int i = 2; i < argc; i++)
        a[i - 2] = strtoul(argv[i], NULL, 0);
    errno = 0;
    long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    if (r == -1 && errno)
        printf("errno %d\n", errno);
    else
        printf("ok %ld\n", r);
    return 0;
}
