/*
 * The guest's ELF notes: Solo5's ABI1 and MFT1 (the manifest) and runnc's
 * own. The ELF is untrusted input: notes_parse is a pure function from
 * bytes to a checked result or a one-line reason, and fuzz_solo5.c fuzzes
 * it. It checks the ELF header (elf_check_header) and the notes; elf_check
 * checks the rest of the file before anything is loaded.
 */
#ifndef TENDER_SOLO5_H
#define TENDER_SOLO5_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5_spt.h"

struct guest_notes {
    bool solo5;             /* the ABI1 note is there */
    uint32_t abi_target;
    uint32_t abi_version;
    bool runnc_config;      /* runnc's CFG1 note: the command line is a CONFIG */
    size_t mft_size;        /* bytes of mft, 0 without an MFT1 note */
    union {
        struct mft m;
        uint8_t bytes[MFT_SIZE(MFT_MAX_ENTRIES)];
    } mft;
};

/* Fills n from the notes in the ELF image buf; 0, or -1 with the reason
 * in err. A checked manifest has 1 to 64 entries, entry 0 reserved and
 * unnamed, NUL-terminated names, no entry attached, only known device
 * types, named devices and volume slots, and no two network devices, or
 * two block devices (BLOCK_BASIC or slot), with one name. */
int notes_parse(const uint8_t *buf, size_t size, struct guest_notes *n, char *err, size_t errlen);

const char *mft_type_name(uint32_t type);

#endif
