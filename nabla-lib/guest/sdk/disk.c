/*
 * Disks: the rootfs (the BLOCK_BASIC NB_BLOCK_NAME, the ISO at "/") and
 * the block devices CONFIG "mounts" puts at paths, each an attached
 * BLOCK_BASIC device or volume slot. The filter allows pread64 and
 * pwrite64 of exactly one block (block_size bytes, from the manifest) at a
 * block-aligned offset inside the disk, so a request is checked here and
 * split into blocks: a bad request is an error, never a call the filter
 * would kill the guest for. A read-only disk's pwrite64 fails with EROFS
 * in the filter, and that is what the caller gets.
 */
#include "sdk.h"

_Static_assert(NB_MOUNTS_MAX == NB_VOLUME_MAX, "a mount for each volume slot");

struct nb_disk nb_disks[1 + NB_VOLUME_MAX];
size_t nb_ndisks;

/* The block device or volume slot name declares, attached or not. */
static const struct mft_entry *declared(const char *name)
{
    const struct mft *mft = (const struct mft *)(uintptr_t)nb_bi->mft;
    for (uint32_t i = 1; i < mft->entries; i++) {
        const struct mft_entry *e = &mft->e[i];
        if (mft_is_block(e->type) && strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

const char *nb_disks_init(size_t *bad)
{
    static char why[256];

    nb_disks[0] = (struct nb_disk){ .dev = nb_device(NB_BLOCK_NAME, MFT_DEV_BLOCK_BASIC),
                                    .path = "/", .path_len = 1, .iso = true };
    nb_ndisks = 1;
    for (size_t i = 0; i < nb_cfg.nmounts; i++) {
        const struct nb_config_mount *m = &nb_cfg.mounts[i];
        const struct mft_entry *e = declared(m->device);
        if (!e || !e->attached) {
            int n = nb_snprintf(why, sizeof(why), "\"mounts\"[%zu] (%.*s): device %s ", i, 64,
                                m->path, m->device);
            /* Only a slot can be declared and not attached, and only
             * nabla-run attaches slots. */
            if (e)
                nb_snprintf(why + n, sizeof(why) - (size_t)n, "is not attached: a volume "
                            "slot needs nabla-run --block:%s=FILE", m->device);
            else
                nb_snprintf(why + n, sizeof(why) - (size_t)n, "is not a block device or "
                            "volume slot of this unikernel's manifest");
            *bad = i;
            return why;
        }
        nb_disks[nb_ndisks++] = (struct nb_disk){ .dev = e, .path = m->path,
                                                  .path_len = strlen(m->path),
                                                  .iso = m->type == NB_MOUNT_ISO9660 };
    }
    return NULL;
}

const struct nb_disk *nb_disk(const char *path)
{
    for (size_t i = 1; i < nb_ndisks; i++) {
        if (!nb_disks[i].iso && strcmp(nb_disks[i].path, path) == 0)
            return &nb_disks[i];
    }
    return NULL;
}

uint64_t nb_disk_size(const struct nb_disk *d)
{
    return d && d->dev ? d->dev->u.block_basic.capacity : 0;
}

uint32_t nb_disk_sector(const struct nb_disk *d)
{
    return d && d->dev ? d->dev->u.block_basic.block_size : 0;
}

/* pread64 or pwrite64 (nr), one block a call. */
static long blocks(const struct nb_disk *d, long nr, uint64_t offset, char *buf, size_t len)
{
    uint64_t sector = nb_disk_sector(d), size = nb_disk_size(d);

    if (!d || !d->dev)
        return -ENODEV;
    if (sector == 0 || offset % sector || len % sector || offset > size || len > size - offset)
        return -EINVAL;
    for (size_t done = 0; done < len;) {
        long r = nb_syscall6(nr, d->dev->b.hostfd, (long)(buf + done), (long)sector,
                             (long)(offset + done), 0, 0);
        if (r == -EINTR)
            continue;
        if (r < 0)
            return r;
        if ((uint64_t)r != sector)
            return -EIO; /* the disk shrank under us */
        done += sector;
    }
    return 0;
}

long nb_disk_read(const struct nb_disk *d, uint64_t offset, void *buf, size_t len)
{
    return blocks(d, __NR_pread64, offset, buf, len);
}

long nb_disk_write(const struct nb_disk *d, uint64_t offset, const void *buf, size_t len)
{
    /* pwrite64 only reads the buffer. */
    return blocks(d, __NR_pwrite64, offset, (char *)(uintptr_t)buf, len);
}

bool nb_block_present(void)
{
    return nb_disks[0].dev != NULL;
}

uint64_t nb_block_size(void)
{
    return nb_disk_size(&nb_disks[0]);
}

uint32_t nb_block_sector(void)
{
    return nb_disk_sector(&nb_disks[0]);
}

long nb_block_read(uint64_t offset, void *buf, size_t len)
{
    return nb_disk_read(&nb_disks[0], offset, buf, len);
}
