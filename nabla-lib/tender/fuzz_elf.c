/*
 * libFuzzer target for elf_check: any bytes must give either an error or a
 * plan whose every segment lies inside the file and inside the limits, with
 * no two segments sharing a page and the entry in an executable segment.
 */
#include <assert.h>
#include <sys/mman.h>

#include "elf_loader.h"
#include "solo5_spt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct elf_limits lim = {
        .min_vaddr = SPT_GUEST_MIN_BASE,
        .max_vaddr = 512ull << 20,
        .allow_wx = size > 0 && (data[size - 1] & 1), /* exercise every mode */
        .solo5 = size > 0 && (data[size - 1] & 2),
    };
    struct elf_plan plan;
    char err[256];

    if (elf_check(data, size, &lim, &plan, err, sizeof(err)) < 0) {
        assert(err[0] != '\0');
        return 0;
    }
    int entry_ok = 0;
    assert(plan.nseg > 0 && plan.nseg <= ELF_MAX_LOADS);
    for (unsigned i = 0; i < plan.nseg; i++) {
        const struct elf_segment *s = &plan.seg[i];
        assert(s->filesz <= s->memsz && s->offset <= size && size - s->offset >= s->filesz);
        assert(s->vaddr >= lim.min_vaddr && s->vaddr + s->memsz <= lim.max_vaddr);
        assert(s->vaddr + s->memsz <= plan.image_end && plan.image_end <= lim.max_vaddr);
        assert(lim.allow_wx || !((s->prot & PROT_WRITE) && (s->prot & PROT_EXEC)));
        for (unsigned j = 0; j < i; j++) {
            const struct elf_segment *o = &plan.seg[j];
            uint64_t pg = 0x1000;
            assert((s->vaddr + s->memsz + pg - 1) / pg <= o->vaddr / pg ||
                   (o->vaddr + o->memsz + pg - 1) / pg <= s->vaddr / pg);
        }
        if ((s->prot & PROT_EXEC) && plan.entry >= s->vaddr && plan.entry < s->vaddr + s->filesz)
            entry_ok = 1;
    }
    assert(entry_ok);
    return 0;
}
