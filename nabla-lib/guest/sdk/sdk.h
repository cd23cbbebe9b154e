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

/* What the start code found in the manifest: the attached network device
 * the SDK drives (NULL if none), and nabla-run's vDSO clock_gettime (0 if
 * none). */
struct nb_devices {
    const struct mft_entry *net;
    uint64_t net_index;          /* its manifest index: its epoll data */
    uint64_t vdso_clock_gettime;
};

/* An ISO 9660 volume, as iso.c finds it on first use. */
struct nb_iso_volume {
    bool mounted;
    bool rock_ridge;
    unsigned susp_skip;          /* SP's skip: bytes before each record's SUSP area */
    uint64_t root_lba, root_size;
};

/* A disk (nabla.h): a block device at a path. */
struct nb_disk {
    const struct mft_entry *dev; /* attached; NULL only for an absent rootfs */
    const char *path;            /* clean and absolute; "/" for the rootfs */
    size_t path_len;
    bool iso;                    /* an ISO 9660 tree (else raw) */
    struct nb_iso_volume vol;
};

/* nb_disks[0] is the rootfs, then CONFIG's mounts in order. */
extern struct nb_disk nb_disks[1 + NB_VOLUME_MAX];
extern size_t nb_ndisks;

/* Set once by the start code before main runs. */
extern const struct spt_boot_info *nb_bi;
extern struct nb_config nb_cfg;
extern struct nb_devices nb_dev;

/* Fills nb_disks from the manifest and nb_cfg's mounts. NULL, or a one-line
 * reason naming the mount at *bad. */
const char *nb_disks_init(size_t *bad);

/* The heap is what is left after the start code parsed CONFIG into its
 * beginning. */
void nb_heap_init(uintptr_t start, uintptr_t end);

#endif
