/* Reads the build id note from the executable's own program headers
 * (dl_iterate_phdr also reports static executables), not from the file:
 * the file may have been replaced since it was started. */
#include "util/build_id.h"

#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <string.h>

struct found {
    const unsigned char *id;
    size_t len;
};

static size_t align4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

static void scan_notes(const unsigned char *p, size_t size, struct found *f)
{
    while (size >= sizeof(ElfW(Nhdr))) {
        const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
        size_t total = sizeof *n + align4(n->n_namesz) + align4(n->n_descsz);
        if (total > size) return;
        const char *name = (const char *)(n + 1);
        if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
            f->id = (const unsigned char *)name + align4(n->n_namesz);
            f->len = n->n_descsz;
            return;
        }
        p += total;
        size -= total;
    }
}

/* The first object reported is the executable itself. */
static int first_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct found *f = data;
    for (int i = 0; i < info->dlpi_phnum && !f->id; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_NOTE)
            scan_notes((const unsigned char *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz, f);
    }
    return 1;
}

int build_id_hex(char *buf, size_t size)
{
    struct found f = {0};
    dl_iterate_phdr(first_object, &f);
    if (!f.id || f.len == 0 || size < 2 * f.len + 1) return -1;
    for (size_t i = 0; i < f.len; i++) snprintf(buf + 2 * i, 3, "%02x", f.id[i]);
    return 0;
}
