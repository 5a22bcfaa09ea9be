/* Prints the description of the caller's session keyring, as the kernel
 * gives it: "keyring;UID;GID;PERM;NAME". */
#include <errno.h>
#include <linux/keyctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    char buf[512];
    long n = syscall(SYS_keyctl, KEYCTL_DESCRIBE, KEY_SPEC_SESSION_KEYRING, buf, sizeof buf);
    if (n < 0) {
        printf("describe: %s\n", strerror(errno));
        return 1;
    }
    printf("%s\n", buf);
    return 0;
}
