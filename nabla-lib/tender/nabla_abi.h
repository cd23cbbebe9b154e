/*
 * The boot ABI between nabla-run (the tender) and a guest built with the
 * guest SDK. The tender maps guest memory at NABLA_MEM_BASE, loads the guest
 * ELF, writes one struct nabla_boot_info at NABLA_BOOT_INFO (then makes that
 * page read-only) and jumps to the ELF entry point with %rdi pointing at it
 * and %rsp at nabla_boot_info.stack_top (16-byte aligned).
 *
 * The guest runs in the tender's address space and talks to the host with
 * raw syscalls; the tender's seccomp filter decides which succeed. Every
 * address below is a plain pointer into guest memory.
 *
 * Guest memory layout (addresses are absolute):
 *   [0, NABLA_MEM_BASE)            unmapped: null-pointer trap
 *   NABLA_BOOT_INFO                this struct (read-only page)
 *   NABLA_CONFIG_BASE              CONFIG string, NUL-terminated (read-only)
 *   NABLA_IMAGE_MIN..image_end     the loaded ELF segments
 *   heap_start..heap_end           free for the guest (RW)
 *   heap_end..heap_end+4096        guard page (PROT_NONE)
 *   stack_top - stack size         stack (RW), grows down from stack_top
 *   stack_top == mem_end
 */
#ifndef NABLA_ABI_H
#define NABLA_ABI_H

#include <stdint.h>

#define NABLA_ABI_VERSION   1u
#define NABLA_BOOT_MAGIC    0x316c62616e6e7572ull /* "runnabl1" little-endian */

#define NABLA_PAGE_SIZE     0x1000ull
#define NABLA_MEM_BASE      0x10000ull   /* first mapped guest byte */
#define NABLA_BOOT_INFO     0x10000ull   /* one page */
#define NABLA_CONFIG_BASE   0x11000ull   /* up to NABLA_CONFIG_MAX bytes */
#define NABLA_CONFIG_MAX    (0x100000ull - 0x11000ull) /* must end below the image */
#define NABLA_IMAGE_MIN     0x100000ull  /* guests are linked at or above 1 MiB */
#define NABLA_STACK_SIZE    0x100000ull  /* 1 MiB stack at the top of memory */

/* Network and block devices are absent when their fd is -1. */
struct nabla_boot_info {
    uint64_t magic;          /* NABLA_BOOT_MAGIC */
    uint32_t abi_version;    /* NABLA_ABI_VERSION */
    uint32_t flags;          /* NABLA_F_* */
    uint64_t mem_end;        /* one past the last guest byte (== stack_top) */
    uint64_t heap_start;     /* first free byte after the image, page aligned */
    uint64_t heap_end;       /* one past the last heap byte (guard page follows) */
    uint64_t stack_top;
    uint64_t config;         /* address of the CONFIG string */
    uint64_t config_len;     /* its length without the NUL */
    int32_t  console_fd;     /* always 1 */
    int32_t  net_fd;         /* tap, or -1 */
    int32_t  disk_fd;        /* disk image, or -1 */
    uint32_t disk_sector;    /* pread64/pwrite64 length and alignment: 512 */
    uint64_t disk_size;      /* bytes, a multiple of disk_sector */
    uint8_t  net_mac[6];     /* MAC the guest should answer with */
    uint8_t  pad[2];
    uint32_t net_mtu;        /* 1500 */
    uint32_t poll_max_fds;   /* the filter refuses ppoll with more fds */
    /* Optional fast clock: address of the tender's vDSO __vdso_clock_gettime,
     * 0 if none. Its fallback is the real syscall, which the filter allows. */
    uint64_t vdso_clock_gettime;
};

#define NABLA_F_DISK_WRITABLE 0x1u /* pwrite64 on disk_fd is allowed */

#endif
