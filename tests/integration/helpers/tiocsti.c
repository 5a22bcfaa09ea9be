/* Pushes its argument into the input of the terminal on stdin (TIOCSTI), as
 * if typed there: what a container process would do to have the shell of
 * whoever ran nsrun execute a command. Prints what the kernel said. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    for (const char *p = argv[1]; *p; p++) {
        if (ioctl(0, TIOCSTI, p) < 0) {
            printf("TIOCSTI refused: %s\n", strerror(errno));
            return 1;
        }
    }
    printf("TIOCSTI pushed %zu bytes\n", strlen(argv[1]));
    return 0;
}
