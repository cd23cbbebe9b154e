/*
 * The block device. The filter allows pread64 of exactly one sector at a
 * sector-aligned offset inside the disk, so a request is checked here and
 * split into sectors: a bad request is an error, never a call the filter
 * would kill the guest for.
 */
#include "sdk.h"

bool nb_block_present(void)
{
    return nb_bi->disk_fd >= 0;
}

uint64_t nb_block_size(void)
{
    return nb_bi->disk_fd >= 0 ? nb_bi->disk_size : 0;
}

uint32_t nb_block_sector(void)
{
    return nb_bi->disk_sector;
}

long nb_block_read(uint64_t offset, void *buf, size_t len)
{
    uint64_t sector = nb_bi->disk_sector;
    char *p = buf;

    if (nb_bi->disk_fd < 0)
        return -ENODEV;
    if (sector == 0 || offset % sector || len % sector || offset > nb_bi->disk_size ||
        len > nb_bi->disk_size - offset)
        return -EINVAL;
    for (size_t done = 0; done < len;) {
        long r = nb_syscall6(__NR_pread64, nb_bi->disk_fd, (long)(p + done), (long)sector,
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
