/*
 * The one boot ABI: Solo5's spt ABI, versions 1 (Solo5 0.6-0.7) and 2
 * (Solo5 0.8-0.12), as nabla-run (the tender) and the runnc guest SDK both
 * speak it, plus the Nabla-era boot of Solo5 v0.4 that nabla-run runs only
 * on request (--nabla-legacy).
 *
 * Written for runnc from the layout Solo5's spt tender and bindings use; the
 * structures below are binary interfaces, so every size and offset is pinned
 * by a static assertion. x86-64 only.
 *
 * A Solo5 spt guest is a static ELF linked at or above SPT_GUEST_MIN_BASE
 * that carries two ELF notes owned by "Solo5": ABI1 (target spt, version)
 * and MFT1 (the manifest: the devices it wants). The tender loads it, writes
 * struct spt_boot_info at SPT_BOOT_INFO_BASE, the manifest right after it
 * (each entry filled in: attached, host fd, capacity, MAC, MTU) and the
 * command line after the manifest, then jumps to the entry point with
 * %rdi = SPT_BOOT_INFO_BASE and %rsp = mem_size - 8 (as if called).
 *
 * Guest memory, addresses absolute (the guest sees what the tender sees):
 *   [0, SPT_HOST_MEM_BASE)              unmapped: null-pointer trap
 *   [SPT_HOST_MEM_BASE, GUEST_MIN_BASE) boot info, manifest, command line
 *   [SPT_GUEST_MIN_BASE, kernel_end)    the loaded ELF segments
 *   [kernel_end, mem_size)              the guest's heap, stack at the top
 */
#ifndef NABLA_ABI_SOLO5_SPT_H
#define NABLA_ABI_SOLO5_SPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- ELF notes -------------------------------------------------------- */

#define SOLO5_NOTE_OWNER     "Solo5"     /* n_namesz 6, padded to 8 */
#define SOLO5_NOTE_ABI1      0x31494241u /* "ABI1" */
#define SOLO5_NOTE_MFT1      0x3154464du /* "MFT1" */
#define SOLO5_ABI_TARGET_SPT 2u          /* enum abi_target: hvt 1, spt 2, ... */
#define SOLO5_SPT_ABI_MIN    1u          /* Solo5 0.6.0 - 0.7.x */
#define SOLO5_SPT_ABI_MAX    2u          /* Solo5 0.8.0 - 0.12.x */

/* The common head of a Solo5-owned note: Elf64_Nhdr plus the padded name. */
struct solo5_note_head {
    uint32_t namesz;  /* sizeof(SOLO5_NOTE_OWNER) */
    uint32_t descsz;
    uint32_t type;
    char name[8];
};
_Static_assert(sizeof(struct solo5_note_head) == 20, "note head is 20 bytes");

/* The ABI1 note's descriptor, right after the head (4-byte aligned). */
struct solo5_abi1_desc {
    uint32_t target;   /* SOLO5_ABI_TARGET_SPT */
    uint32_t version;  /* 1 or 2 */
    uint32_t reserved[2];
};
_Static_assert(sizeof(struct solo5_abi1_desc) == 16, "ABI1 descriptor is 16 bytes");

/* runnc's own note, ignored by Solo5 tenders: a guest built with the runnc
 * SDK says that its command line is a rumprun-style CONFIG JSON document
 * (with runnc's "argv" and "files" keys), so runnc hands it one. */
#define RUNNC_NOTE_OWNER  "runnc"     /* n_namesz 6, padded to 8 */
#define RUNNC_NOTE_CONFIG 0x31474643u /* "CFG1"; descriptor: uint32_t 1 */

/* ---- The manifest (MFT1) ---------------------------------------------- */

#define MFT_VERSION         1u
#define MFT_MAX_ENTRIES     64u
#define MFT_NAME_SIZE       68u /* with the NUL */
#define MFT_NAME_MAX        67u
#define MFT_DEV_BLOCK_BASIC 1u
#define MFT_DEV_NET_BASIC   2u
#define MFT_RESERVED_FIRST  (1u << 30) /* entry 0, and anything not a device */

/* runnc's extension, ignored by Solo5 tenders (a reserved type is never
 * attached by them): nabla-run attaches it with b.data = the address of
 * the vDSO's __vdso_clock_gettime, a clock read without a syscall. */
#define MFT_RUNNC_CLOCK     (MFT_RESERVED_FIRST + 0x4e43u)

/* runnc's volume slot, also ignored (never attached) by Solo5 tenders: an
 * optional block device. nabla-run attaches a slot exactly as a
 * BLOCK_BASIC device (u.block_basic, b.hostfd, attached) when given
 * --block:NAME=FILE, and leaves it unattached, without complaint, when not.
 * The entry keeps this type in the guest's copy. A slot and a BLOCK_BASIC
 * device share one namespace: --block:NAME names either. */
#define MFT_RUNNC_VOLUME    (MFT_RESERVED_FIRST + 0x4e56u)

/* A device --block:NAME attaches (a BLOCK_BASIC device or a volume slot),
 * and any device a tender attaches by name (those and NET_BASIC); every
 * other type from MFT_RESERVED_FIRST up is not a device. */
static inline bool mft_is_block(uint32_t type)
{
    return type == MFT_DEV_BLOCK_BASIC || type == MFT_RUNNC_VOLUME;
}
static inline bool mft_is_device(uint32_t type)
{
    return type == MFT_DEV_NET_BASIC || mft_is_block(type);
}

struct mft_block_basic {
    uint64_t capacity;    /* bytes, a multiple of block_size */
    uint16_t block_size;  /* the only read/write size, and their alignment */
};

struct mft_net_basic {
    uint8_t mac[6];
    uint16_t mtu;
};

struct mft_entry {
    char name[MFT_NAME_SIZE];
    uint32_t type;             /* MFT_DEV_* or >= MFT_RESERVED_FIRST */
    union {
        struct mft_block_basic block_basic;
        struct mft_net_basic net_basic;
    } u;                       /* filled by the tender */
    union {
        int32_t hostfd;        /* the device's fd in the tender */
        uint64_t data;         /* or a value (MFT_RUNNC_CLOCK) */
    } b;
    bool attached;             /* false in the ELF; true once the tender attached it */
};
_Static_assert(offsetof(struct mft_entry, type) == 68, "mft_entry.type");
_Static_assert(offsetof(struct mft_entry, u) == 72, "mft_entry.u");
_Static_assert(offsetof(struct mft_entry, b) == 88, "mft_entry.b");
_Static_assert(offsetof(struct mft_entry, attached) == 96, "mft_entry.attached");
_Static_assert(sizeof(struct mft_entry) == 104, "mft_entry is 104 bytes");

struct mft {
    uint32_t version;   /* MFT_VERSION */
    uint32_t entries;   /* 1 to MFT_MAX_ENTRIES, entry 0 is MFT_RESERVED_FIRST */
    struct mft_entry e[];
};
_Static_assert(sizeof(struct mft) == 8, "mft head is 8 bytes");

/* In the MFT1 note the manifest starts 8-aligned: 4 bytes of padding
 * follow the 20-byte head, and count in descsz. */
#define MFT1_DESC_PAD 4u
#define MFT_SIZE(n)   (sizeof(struct mft) + (size_t)(n) * sizeof(struct mft_entry))

/* ---- Boot info (ABI 1 and 2 are the same here) ------------------------ */

#define SPT_HOST_MEM_BASE  0x10000ull   /* first mapped byte */
#define SPT_BOOT_INFO_BASE 0x11000ull
#define SPT_GUEST_MIN_BASE 0x100000ull  /* lowest address a segment may use */
#define SPT_CMDLINE_SIZE   8192u        /* what solo5-spt allows, with the NUL */
#define SPT_INTERNAL_TIMERFD (~1u)      /* epoll data of the tender's timerfd */

struct spt_boot_info {
    uint64_t mem_size;     /* guest memory, from address 0 */
    uint64_t kernel_end;   /* first byte after the loaded image */
    uint64_t cmdline;      /* address of the NUL-terminated command line */
    uint64_t mft;          /* address of struct mft */
    int32_t epollfd;       /* the guest waits here (epoll_pwait) */
    int32_t timerfd;       /* and arms its deadline here (timerfd_settime) */
};
_Static_assert(sizeof(struct spt_boot_info) == 40, "spt_boot_info is 40 bytes");

/* ---- The Nabla era: Solo5 v0.4 spt (no notes; --nabla-legacy) ---------- */

#define SPT_V04_CMDLINE_BASE 0x12000ull /* SPT_CMDLINE_SIZE bytes */

struct spt_v04_block_info {
    int32_t present;
    uint64_t capacity;
    uint64_t block_size;
    int32_t hostfd;
};

struct spt_v04_net_info {
    int32_t present;
    uint8_t mac[6];
    int32_t hostfd;
};

struct spt_v04_boot_info {
    uint64_t mem_size;
    uint64_t kernel_end;
    uint64_t cmdline;
    struct spt_v04_block_info blocki;
    struct spt_v04_net_info neti;
};
_Static_assert(offsetof(struct spt_v04_boot_info, blocki) == 24, "v04 blocki");
_Static_assert(offsetof(struct spt_v04_boot_info, neti) == 56, "v04 neti");
_Static_assert(sizeof(struct spt_v04_boot_info) == 72, "v04 boot info is 72 bytes");

#endif
