/*
 * The guest ELF loader. Every header field is checked against the file size
 * and the guest memory limits before it is used; arithmetic on file values
 * is done so that it cannot wrap. See elf_loader.h.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "elf_loader.h"
#include "fail.h"
#define PAGE 0x1000ull

static uint64_t page_down(uint64_t a) { return a & ~(PAGE - 1); }
static uint64_t page_up(uint64_t a) { return (a + PAGE - 1) & ~(PAGE - 1); }


static int check_ehdr(const Elf64_Ehdr *eh, size_t size, char *err, size_t errlen)
{
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, "not an ELF file (bad magic)");
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail(err, errlen, "not a 64-bit ELF (class %u)", eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "not a little-endian ELF (data encoding %u)",
                    eh->e_ident[EI_DATA]);
    if (eh->e_ident[EI_VERSION] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return fail(err, errlen, "unknown ELF version");
    if (eh->e_ident[EI_OSABI] != ELFOSABI_SYSV && eh->e_ident[EI_OSABI] != ELFOSABI_GNU)
        return fail(err, errlen, "unsupported ELF OS ABI %u", eh->e_ident[EI_OSABI]);
    if (eh->e_machine != EM_X86_64)
        return fail(err, errlen, "not an x86-64 ELF (machine %u)", eh->e_machine);
    if (eh->e_type == ET_DYN)
        return fail(err, errlen, "ET_DYN (position-independent) ELF is not supported: "
                                 "link the guest with -no-pie");
    if (eh->e_type != ET_EXEC)
        return fail(err, errlen, "not an executable ELF (type %u)", eh->e_type);
    if (eh->e_ehsize != sizeof(Elf64_Ehdr))
        return fail(err, errlen, "bad ELF header size %u", eh->e_ehsize);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return fail(err, errlen, "bad program header size %u", eh->e_phentsize);
    if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
        return fail(err, errlen, "bad program header count %u (1 to %u accepted)",
                    eh->e_phnum, ELF_MAX_PHDRS);
    /* phnum * phentsize <= 64 * 56: no overflow on the right-hand side */
    if (eh->e_phoff > size || size - eh->e_phoff < (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr))
        return fail(err, errlen, "program headers lie outside the file");
    return 0;
}

static int prot_of(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
           ((flags & PF_X) ? PROT_EXEC : 0);
}

/* Checks one PT_LOAD against the file and the limits (not against others). */
static int check_load(const Elf64_Phdr *ph, unsigned i, size_t size,
                      const struct elf_limits *lim, char *err, size_t errlen)
{
    if (ph->p_filesz > ph->p_memsz)
        return fail(err, errlen, "segment %u has a file size larger than its memory size", i);
    if (ph->p_offset > size || size - ph->p_offset < ph->p_filesz)
        return fail(err, errlen, "segment %u lies outside the file", i);
    if (ph->p_align > 1 &&
        ((ph->p_align & (ph->p_align - 1)) != 0 || ph->p_align > ELF_MAX_ALIGN))
        return fail(err, errlen, "segment %u has a bad alignment %#llx", i,
                    (unsigned long long)ph->p_align);
    if (ph->p_vaddr % PAGE != ph->p_offset % PAGE ||
        (ph->p_align > 1 && ph->p_vaddr % ph->p_align != ph->p_offset % ph->p_align))
        return fail(err, errlen, "segment %u has an address not congruent to its file offset", i);
    if (ph->p_vaddr < lim->min_vaddr)
        return fail(err, errlen, "segment %u starts at %#llx, below the guest image minimum %#llx",
                    i, (unsigned long long)ph->p_vaddr, (unsigned long long)lim->min_vaddr);
    if (ph->p_vaddr > lim->max_vaddr || lim->max_vaddr - ph->p_vaddr < ph->p_memsz)
        return fail(err, errlen, "segment %u does not fit in guest memory (heap ends at %#llx; "
                                 "raise --mem)", i, (unsigned long long)lim->max_vaddr);
    if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X) && !lim->allow_wx)
        return fail(err, errlen, "segment %u is writable and executable (W+X); "
                                 "refused unless --x-exec-heap", i);
    return 0;
}

/* Refuses overlap and page sharing: mprotect works on whole pages, so one
 * segment's protection would change another's. */
static int check_disjoint(const struct elf_plan *plan, const unsigned *index,
                          char *err, size_t errlen)
{
    const struct elf_segment *n = &plan->seg[plan->nseg - 1];
    for (unsigned j = 0; j + 1 < plan->nseg; j++) {
        const struct elf_segment *o = &plan->seg[j];
        if (n->vaddr < o->vaddr + o->memsz && o->vaddr < n->vaddr + n->memsz)
            return fail(err, errlen, "segments %u and %u overlap", index[j],
                        index[plan->nseg - 1]);
        if (page_down(n->vaddr) < page_up(o->vaddr + o->memsz) &&
            page_down(o->vaddr) < page_up(n->vaddr + n->memsz))
            return fail(err, errlen, "segments %u and %u share a page", index[j],
                        index[plan->nseg - 1]);
    }
    return 0;
}

int elf_check_header(const uint8_t *buf, size_t size, char *err, size_t errlen)
{
    Elf64_Ehdr eh;

    if (size < sizeof(eh))
        return fail(err, errlen, "file too small to be an ELF (%zu bytes)", size);
    memcpy(&eh, buf, sizeof(eh)); /* buf need not be aligned */
    return check_ehdr(&eh, size, err, errlen);
}

int elf_check(const uint8_t *buf, size_t size, const struct elf_limits *lim,
              struct elf_plan *plan, char *err, size_t errlen)
{
    Elf64_Ehdr eh;
    unsigned index[ELF_MAX_LOADS]; /* program header index of each plan segment */

    memset(plan, 0, sizeof(*plan));
    plan->wx_segment = -1;
    if (elf_check_header(buf, size, err, errlen) < 0)
        return -1;
    memcpy(&eh, buf, sizeof(eh));

    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = elf_phdr(buf, i);
        switch (ph.p_type) {
        case PT_INTERP:
        case PT_TLS:
            if (lim->solo5)
                continue;
            if (ph.p_type == PT_TLS)
                return fail(err, errlen, "ELF has thread-local storage (PT_TLS) but no Solo5 "
                                         "ABI note");
            /* fall through */
        case PT_DYNAMIC:
            return fail(err, errlen, "dynamically linked ELF (%s): link the guest statically",
                        ph.p_type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
        case PT_GNU_STACK:
            if (ph.p_flags & PF_X)
                return fail(err, errlen, "ELF asks for an executable stack");
            continue;
        case PT_LOAD:
            if (ph.p_memsz == 0)
                continue; /* Solo5's linker script leaves an empty .tdata segment */
            break;
        default:
            continue; /* notes, PT_PHDR, PT_GNU_RELRO...: nothing to load */
        }
        if (plan->nseg == ELF_MAX_LOADS)
            return fail(err, errlen, "too many loadable segments (at most %u)", ELF_MAX_LOADS);
        if (check_load(&ph, i, size, lim, err, errlen) < 0)
            return -1;
        index[plan->nseg] = i;
        plan->seg[plan->nseg++] = (struct elf_segment){
            .vaddr = ph.p_vaddr, .memsz = ph.p_memsz,
            .offset = ph.p_offset, .filesz = ph.p_filesz,
            .prot = prot_of(ph.p_flags),
        };
        if (check_disjoint(plan, index, err, errlen) < 0)
            return -1;
        if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X))
            plan->wx_segment = (int)i;
        if (page_up(ph.p_vaddr + ph.p_memsz) > plan->image_end)
            plan->image_end = page_up(ph.p_vaddr + ph.p_memsz);
    }
    if (plan->nseg == 0)
        return fail(err, errlen, "ELF has no loadable segment");
    if (plan->image_end > lim->max_vaddr)
        return fail(err, errlen, "image does not fit in guest memory (raise --mem)");

    for (unsigned j = 0; j < plan->nseg; j++) {
        const struct elf_segment *s = &plan->seg[j];
        if ((s->prot & PROT_EXEC) && eh.e_entry >= s->vaddr &&
            eh.e_entry - s->vaddr < s->filesz) {
            plan->entry = eh.e_entry;
            return 0;
        }
    }
    return fail(err, errlen, "entry point %#llx is not inside an executable segment",
                (unsigned long long)eh.e_entry);
}

int elf_load(int fd, const struct elf_plan *plan)
{
    uint64_t lowest = plan->image_end;

    /* Each segment's file pages are mapped from the file, as the kernel
     * maps a program's, so that every container of one image shares them
     * in the page cache: MAP_PRIVATE, writable until the protection below,
     * so that the guest's writes stay its own. elf_check kept every page
     * inside guest memory, which is already mapped, so MAP_FIXED replaces
     * only guest memory. */
    for (unsigned j = 0; j < plan->nseg; j++) {
        const struct elf_segment *s = &plan->seg[j];
        uint64_t start = page_down(s->vaddr), file_end = s->vaddr + s->filesz;
        if (start < lowest)
            lowest = start;
        if (s->filesz == 0)
            continue;
        if (mmap((void *)(uintptr_t)start, page_up(file_end) - start, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_FIXED, fd, (off_t)page_down(s->offset)) == MAP_FAILED)
            return -1;
        /* The rest of the last file page holds whatever follows in the
         * file; where the segment goes on (its .bss), it must read zero. */
        if (s->memsz > s->filesz)
            memset((void *)(uintptr_t)file_end, 0, page_up(file_end) - file_end);
    }
    /* Gaps between segments become unreachable; then each segment gets its
     * own protection (no two share a page, elf_check made sure). */
    if (mprotect((void *)(uintptr_t)lowest, plan->image_end - lowest, PROT_NONE) < 0)
        return -1;
    for (unsigned j = 0; j < plan->nseg; j++) {
        const struct elf_segment *s = &plan->seg[j];
        uint64_t start = page_down(s->vaddr);
        if (mprotect((void *)(uintptr_t)start, page_up(s->vaddr + s->memsz) - start,
                     s->prot) < 0)
            return -1;
    }
    return 0;
}
