/*
 * What the SDK's own files share and apps do not see. Syscall numbers and
 * errno values come from the kernel's UAPI headers (not libc: there is none).
 */
#ifndef NABLA_SDK_H
#define NABLA_SDK_H

#include <asm/unistd.h>
#include <linux/errno.h>

#include "config.h"
#include "nabla.h"

/* What the start code found in the manifest: the attached devices the SDK
 * drives (NULL if none), and nabla-run's vDSO clock_gettime (0 if none). */
struct nb_devices {
    const struct mft_entry *net;
    uint64_t net_index;          /* its manifest index: its epoll data */
    const struct mft_entry *block;
    uint64_t vdso_clock_gettime;
};

/* Set once by the start code before main runs. */
extern const struct spt_boot_info *nb_bi;
extern struct nb_config nb_cfg;
extern struct nb_devices nb_dev;

/* The heap is what is left after the start code parsed CONFIG into its
 * beginning. */
void nb_heap_init(uintptr_t start, uintptr_t end);

#endif
