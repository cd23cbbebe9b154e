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
#include "nabla_abi.h"

/* Set once by the start code before main runs. */
extern const struct nabla_boot_info *nb_bi;
extern struct nb_config nb_cfg;

/* The heap is what is left after the start code parsed CONFIG into its
 * beginning. */
void nb_heap_init(uintptr_t start, uintptr_t end);

#endif
