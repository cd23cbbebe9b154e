/*
 * nabla-run, the tender: what its files share.
 *
 *   main.c          order of the steps, from argv to the jump
 *   args.c          the command line (a pure function: fuzzed by fuzz_args.c)
 *   core.c          guest memory, boot info, base filter rules, confinement, jump
 *   module_net.c    --net: the tap fd and its filter rules
 *   module_block.c  --disk: the disk fd and its filter rules
 *   filter.c        the seccomp allowlist: rules -> BPF, and --print-filter
 *   elf.c           the guest ELF: a pure checker (fuzzed) and a loader
 *   vdso.c          finds __vdso_clock_gettime for the guest's fast clock
 *
 * The tender is single-threaded on purpose: the guest runs in this address
 * space, and the seccomp filter installed just before the jump is the only
 * boundary between it and the host.
 */
#ifndef TENDER_H
#define TENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nabla_abi.h"

#define TENDER_NAME "nabla-run"

/* Guest memory bounds for --mem, in MiB. The minimum leaves room for the
 * image at 1 MiB, a heap, the guard page and the 1 MiB stack. */
#define MEM_DEFAULT_MIB 512u
#define MEM_MIN_MIB     4u
#define MEM_MAX_MIB     (64u * 1024u)

/* Devices always live at these fds, so the filter (and --print-filter) does
 * not depend on which fds the tender happened to inherit. */
#define CONSOLE_FD 1
#define NET_FD     3
#define DISK_FD    4

#define DISK_SECTOR 512u
#define NET_MTU     1500u

/* What the command line asked for; filled by args_parse, nothing opened. */
struct args {
    uint64_t mem_mib;
    const char *net;          /* tap name, or NULL */
    bool net_mac_set;
    uint8_t net_mac[6];
    const char *disk;         /* disk image path, or NULL */
    bool disk_readonly;
    bool x_exec_heap;
    bool print_filter;
    bool help;
    const char *unikernel;    /* NULL only with --print-filter or --help */
    const char *config;
};

/* Parses argv (argv[0] is skipped). Returns 0, or -1 with a one-line reason
 * in err. Touches nothing outside its arguments. */
int args_parse(int argc, char *const argv[], struct args *out, char *err, size_t errlen);
void args_usage(void);

/* Prints "nabla-run: <message>" on stderr and exits 1. */
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct filter;

/* Devices: open the fd at its fixed number (unless only printing the filter),
 * fill the boot info and add this device's filter rules. */
void net_setup(const struct args *a, struct nabla_boot_info *bi, struct filter *f);
void block_setup(const struct args *a, struct nabla_boot_info *bi, struct filter *f);

/* Core: see core.c. */
void core_check_process(void);
/* dup2 fd to target and close fd (devices live at fixed fds). */
void core_move_fd(int fd, int target);
void core_setup(struct nabla_boot_info *bi, struct filter *f);
void core_reserve_memory(uint64_t mem_end);
void core_load_guest(const struct args *a, struct nabla_boot_info *bi, uint64_t *entry);
void core_write_config(const char *config, struct nabla_boot_info *bi);
/* verdict.c */
void verdict_install(void);

_Noreturn void core_launch(const struct args *a, struct nabla_boot_info *bi,
                           const struct filter *f, uint64_t entry);

/* Address of the vDSO's __vdso_clock_gettime, or 0. */
uint64_t vdso_clock_gettime(void);

#endif
