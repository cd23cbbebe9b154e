/*
 * The block device: the manifest's NB_BLOCK_NAME entry. The filter allows
 * pread64 of exactly one block (block_size bytes, from the manifest) at a
 * block-aligned offset inside the disk, so a request is checked here and
 * split into blocks: a bad request is an error, never a call the filter
 * would kill the guest for.
 */
#include "sdk.h"

bool nb_block_present(void)
{
    return nb_dev.block != NULL;
}

uint64_t nb_block_size(void)
{
    return nb_dev.block ? nb_dev.block->u.block_basic.capacity : 0;
}

uint32_t nb_block_sector(void)
{
    return nb_dev.block ? nb_dev.block->u.block_basic.block_size : 0;
}

long nb_block_read(uint64_t offset, void *buf, size_t len)
{
    uint64_t sector = nb_block_sector(), size = nb_block_size();
    char *p = buf;

    if (!nb_dev.block)
        return -ENODEV;
    if (sector == 0 || offset % sector || len % sector || offset > size || len > size - offset)
        return -EINVAL;
    for (size_t done = 0; done < len;) {
        long r = nb_syscall6(__NR_pread64, nb_dev.block->b.hostfd, (long)(p + done),
                             (long)sector, (long)(offset + done), 0, 0);
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
