/*
 * The guest ELF is untrusted input (it comes from a container image).
 * elf_check is a pure function from (bytes, limits) to a load plan or a
 * one-line reason; it is what fuzz_elf.c fuzzes. elf_load only applies a
 * plan that elf_check produced from a snapshot of the same file.
 */
#ifndef ELF_LOADER_H
#define ELF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <elf.h>

#define ELF_MAX_PHDRS   64  /* linkers emit fewer than 16 */
#define ELF_MAX_LOADS   8   /* PT_LOAD segments we accept */
#define ELF_MAX_ALIGN   0x200000ull /* 2 MiB: the largest page size */

struct elf_limits {
    uint64_t min_vaddr;  /* lowest address a segment may use */
    uint64_t max_vaddr;  /* one past the highest (the heap end) */
    bool allow_wx;       /* --x-exec-heap: accept W+X segments */
    /* A Solo5 guest: its PT_INTERP is Solo5's fake one (so the host kernel
     * will not exec it) and its PT_TLS describes TLS it sets up itself with
     * arch_prctl; neither is loaded. */
    bool solo5;
};

struct elf_segment {
    uint64_t vaddr, memsz;   /* where, in guest memory */
    uint64_t offset, filesz; /* what, in the file */
    int prot;                /* PROT_* from p_flags */
};

struct elf_plan {
    uint64_t entry;
    uint64_t image_end;      /* page-rounded end of the highest segment */
    unsigned nseg;
    struct elf_segment seg[ELF_MAX_LOADS];
    int wx_segment;          /* index of a W+X segment (allowed), or -1 */
};

/* Checks the ELF header and that the program headers lie inside the file:
 * 0, or -1 with the reason in err. */
int elf_check_header(const uint8_t *buf, size_t size, char *err, size_t errlen);

/* Program header i of an image elf_check_header accepted (buf need not be
 * aligned). */
static inline Elf64_Phdr elf_phdr(const uint8_t *buf, unsigned i)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph;
    memcpy(&eh, buf, sizeof(eh));
    memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
    return ph;
}

/* Returns 0 and fills plan, or -1 with the reason in err. */
int elf_check(const uint8_t *buf, size_t size, const struct elf_limits *lim,
              struct elf_plan *plan, char *err, size_t errlen);

/* Maps the segments from fd, the file elf_check read, into guest memory
 * (mapped RW, zero-filled), and gives each its ELF protection. Returns 0,
 * or -1 with errno set by mmap or mprotect. */
int elf_load(int fd, const struct elf_plan *plan);

#endif
