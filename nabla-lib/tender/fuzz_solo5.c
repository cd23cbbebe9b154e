/*
 * libFuzzer target for notes_parse: any bytes must give either an error or
 * notes whose manifest passed every check: a size that matches its entry
 * count, the reserved entry first, terminated names, known device types,
 * no entry attached, every device named and no name given twice to one
 * kind (block devices and runnc's volume slots are one kind: --block:NAME
 * attaches either).
 */
#include <assert.h>
#include <string.h>

#include "solo5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct guest_notes n;
    char err[256];

    if (notes_parse(data, size, &n, err, sizeof(err)) < 0) {
        assert(err[0] != '\0');
        return 0;
    }
    assert(n.solo5 == (n.mft_size != 0));
    if (!n.mft_size)
        return 0;
    const struct mft *m = &n.mft.m;
    assert(m->entries >= 1 && m->entries <= MFT_MAX_ENTRIES);
    assert(n.mft_size == MFT_SIZE(m->entries));
    assert(m->e[0].type == MFT_RESERVED_FIRST && m->e[0].name[0] == '\0');
    for (uint32_t i = 0; i < m->entries; i++) {
        const struct mft_entry *e = &m->e[i];
        assert(memchr(e->name, '\0', MFT_NAME_SIZE) != NULL);
        assert(!e->attached);
        assert(e->type == MFT_DEV_NET_BASIC || e->type == MFT_DEV_BLOCK_BASIC ||
               e->type >= MFT_RESERVED_FIRST);
        if (!mft_is_device(e->type))
            continue;
        assert(e->name[0] != '\0');
        for (uint32_t j = 1; j < i; j++) {
            const struct mft_entry *o = &m->e[j];
            assert(!(mft_is_block(o->type) && mft_is_block(e->type) && strcmp(o->name, e->name) == 0));
            assert(!(o->type == e->type && strcmp(o->name, e->name) == 0));
        }
    }
    return 0;
}
