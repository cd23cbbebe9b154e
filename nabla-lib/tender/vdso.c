/*
 * The guest's fast clock: the address of the vDSO's __vdso_clock_gettime
 * (a clock read without a syscall). The vDSO is the kernel's own, trusted
 * ELF image, mapped in every process; this walks its dynamic symbol table
 * through DT_HASH (x86-64 vDSOs are linked with both hash styles). Not
 * finding it is fine: the guest then makes the clock_gettime syscall.
 */
#include <elf.h>
#include <string.h>
#include <sys/auxv.h>

#include "tender.h"

uint64_t vdso_clock_gettime(void)
{
    uintptr_t base = getauxval(AT_SYSINFO_EHDR);
    if (!base)
        return 0;
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
    const Elf64_Dyn *dyn = NULL;
    uintptr_t bias = 0;
    int have_load = 0;

    for (unsigned i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !have_load) {
            bias = base + ph[i].p_offset - ph[i].p_vaddr;
            have_load = 1;
        } else if (ph[i].p_type == PT_DYNAMIC) {
            dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
        }
    }
    if (!have_load || !dyn)
        return 0;

    const Elf64_Sym *sym = NULL;
    const char *str = NULL;
    const Elf64_Word *hash = NULL;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        if (dyn->d_tag == DT_SYMTAB)
            sym = (const Elf64_Sym *)(bias + dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_STRTAB)
            str = (const char *)(bias + dyn->d_un.d_ptr);
        else if (dyn->d_tag == DT_HASH)
            hash = (const Elf64_Word *)(bias + dyn->d_un.d_ptr);
    }
    if (!sym || !str || !hash)
        return 0;
    for (Elf64_Word i = 0; i < hash[1]; i++) { /* hash[1]: number of symbols */
        if (ELF64_ST_TYPE(sym[i].st_info) == STT_FUNC && sym[i].st_shndx != SHN_UNDEF &&
            strcmp(str + sym[i].st_name, "__vdso_clock_gettime") == 0)
            return bias + sym[i].st_value;
    }
    return 0;
}
