/*
 * nabla-run, the tender: what its files share.
 *
 *   main.c          order of the steps, from argv to the jump
 *   args.c          the command line (a pure function: fuzzed by fuzz_args.c)
 *   solo5.c         the guest's Solo5 notes and manifest (pure: fuzz_solo5.c)
 *   core.c          guest memory, boot info, base filter rules, confinement, jump
 *   module_net.c    --net: tap fds, their MTU and MAC, their filter rules
 *   module_block.c  --block: disk fds, their size, their filter rules
 *   filter.c        the seccomp allowlist: rules -> BPF, and --print-filter
 *   verdict.c       the SIGSYS handler that names a forbidden syscall
 *   elf.c           the guest ELF: a pure checker (fuzzed) and a loader
 *   vdso.c          finds __vdso_clock_gettime for the guest's fast clock
 *
 * The boot ABI is Solo5's spt ABI (nabla-lib/abi/solo5_spt.h); nabla-run
 * takes solo5-spt's command line. The tender is single-threaded on purpose:
 * the guest runs in this address space, and the seccomp filter installed
 * just before the jump is the only boundary between it and the host.
 */
#ifndef TENDER_H
#define TENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "solo5_spt.h"

#define TENDER_NAME "nabla-run"

/* Guest memory bounds for --mem, in MiB: the image starts at 1 MiB and a
 * Solo5 guest wants 512 KiB of heap at least, so 2 MiB is the floor
 * (Solo5's own tests run with --mem=2). */
#define MEM_DEFAULT_MIB 512u
#define MEM_MIN_MIB     2u
#define MEM_MAX_MIB     (64u * 1024u)

/* Fds are fixed, so the filter (and --print-filter) does not depend on
 * which fds the tender happened to inherit: the console, then the wait
 * set and its timer, then the devices in command-line order. */
#define CONSOLE_FD    1
#define EPOLL_FD      3
#define TIMER_FD      4
#define FIRST_DEV_FD  5
/* The Nabla era (--nabla-legacy): one tap and one disk at fixed fds. */
#define LEGACY_NET_FD  3
#define LEGACY_DISK_FD 4

/* --user: the supplementary groups it may name (Docker sends about a
 * dozen for root; the kernel's own limit is 65536). */
#define USER_MAX_GROUPS 256u

#define DEFAULT_SECTOR 512u
#define MAX_SECTOR     32768u /* the largest power of two in block_size's 16 bits */

/* The guest command line lives in the low megabyte after the boot info
 * and manifest: far more room than solo5-spt's 8 KiB, so a runnc CONFIG
 * with per-container files fits. */
#define CMDLINE_MAX (SPT_GUEST_MIN_BASE - SPT_BOOT_INFO_BASE - 0x4000u)

enum dev_kind { DEV_NET = MFT_DEV_NET_BASIC, DEV_BLOCK = MFT_DEV_BLOCK_BASIC };

/* One device from the command line; the fields after target are filled
 * when it is attached. */
struct dev {
    enum dev_kind kind;
    char name[MFT_NAME_SIZE];   /* the manifest's name ("" in legacy mode) */
    const char *target;         /* tap name, "@FD", or file; NULL if only modifiers */
    bool mac_set;
    uint8_t mac[6];
    uint32_t sector;            /* block size; 0 until set */
    bool readonly;              /* --block-readonly:NAME or --disk-readonly */

    int fd;                     /* its fixed fd in this process */
    uint64_t capacity;          /* block: bytes, a multiple of sector */
    uint16_t mtu;               /* net: the tap's MTU */
    bool writable;              /* block: opened read-write */
    int index;                  /* its manifest entry, -1 before matching */
};

/* What the command line asked for; filled by args_parse, nothing opened. */
struct args {
    uint64_t mem_mib;
    unsigned ndev;
    struct dev dev[MFT_MAX_ENTRIES];
    bool x_exec_heap;
    bool print_filter;
    bool legacy;                /* --nabla-legacy */
    bool all_readonly;          /* --disk-readonly */
    bool help, version;
    bool user_set;              /* --user=UID:GID[:G1,G2...] */
    uint32_t uid, gid;
    unsigned ngroups;
    uint32_t groups[USER_MAX_GROUPS];
    const char *kernel;         /* NULL only with --print-filter, --help, --version */
    int nargs;                  /* the guest's arguments, after KERNEL */
    char *const *guest_args;
};

/* Parses argv (argv[0] is skipped). Returns 0, or -1 with a one-line reason
 * in err. Touches nothing outside its arguments. */
int args_parse(int argc, char *const argv[], struct args *out, char *err, size_t errlen);
/* Joins the guest's arguments with single spaces into buf, as solo5-spt
 * does. Returns the length, or -1 when it does not fit in size bytes. */
long args_cmdline(const struct args *a, char *buf, size_t size);
void args_usage(void);

/* Prints "nabla-run: <message>" on stderr and exits 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct filter;
struct guest_notes;

/* Devices: open each at its fixed fd (reading only its size or MTU with
 * --print-filter) and add its filter rules. */
void net_attach(struct dev *d, bool print_only);
void net_rules(const struct dev *d, struct filter *f);
void block_attach(struct dev *d, bool print_only);
void block_rules(const struct dev *d, struct filter *f);

/* Core: see core.c. */
void core_check_process(void);
/* dup2 fd to target and close fd (devices live at fixed fds). */
void core_move_fd(int fd, int target);
/* The guest's file: open, and the snapshot the checks read (core.c). */
struct guest_file {
    const char *path;
    int fd;
    uint8_t *bytes;             /* as large as the file; see core_open_kernel */
    size_t size;
};
void core_open_kernel(const char *path, uint64_t max, struct guest_file *g);
void core_rules(struct filter *f, const struct args *a);
void core_wait_set(void);
void core_match_manifest(struct args *a, const struct guest_notes *n);
void core_watch_nets(const struct args *a);
void core_reserve_memory(uint64_t mem_size);
uint64_t core_load_guest(const struct args *a, struct guest_file *g, bool solo5,
                         uint64_t *kernel_end);
void core_boot_info(const struct args *a, const struct guest_notes *n, uint64_t kernel_end);
void core_legacy_boot_info(const struct args *a, uint64_t kernel_end);
/* setup: the whole pages that hold a and f, and all else the tender needs
 * only until the jump; handed back to the kernel just before it. */
_Noreturn void core_launch(const struct args *a, const struct filter *f, uint64_t entry,
                           uint64_t kernel_end, void *setup, size_t setup_size);

/* verdict.c */
void verdict_install(void);

/* Address of the vDSO's __vdso_clock_gettime, or 0. */
uint64_t vdso_clock_gettime(void);

#endif
