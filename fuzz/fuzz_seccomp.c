/* libFuzzer target: linux.seccomp as nsrun translates it to a BPF program
 * with libseccomp (checked, then compiled; never loaded). The input is the
 * seccomp object; the rest of the config is fixed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linux/seccomp.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char head[] = "{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"rootfs\"}, "
                           "\"linux\": {\"seccomp\": ";
static const char tail[] = "}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = sizeof head - 1 + size + sizeof tail - 1;
    char *doc = malloc(len);
    if (!doc) return 0;
    memcpy(doc, head, sizeof head - 1);
    memcpy(doc + sizeof head - 1, data, size);
    memcpy(doc + sizeof head - 1 + size, tail, sizeof tail - 1);
    struct error err;
    struct spec spec = {0};
    if (spec_parse(&spec, doc, len, "config.json", &err) == 0 && spec.linux.has_seccomp) {
        struct seccomp_program prog;
        if (seccomp_compile(&spec.linux.seccomp, -1, &prog, &err) == 0)
            seccomp_program_free(&prog);
    }
    spec_free(&spec);
    free(doc);
    return 0;
}
