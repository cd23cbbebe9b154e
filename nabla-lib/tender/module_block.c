/*
 * --block:NAME=FILE (and the Nabla era's --disk=FILE): a block device, a
 * BLOCK_BASIC device or one of runnc's volume slots, is a file (or a host
 * block device) moved to its fixed fd. The filter allows
 * whole blocks inside the device and nothing else: count == block size,
 * offset a multiple of it, offset <= capacity - block size (BPF cannot add
 * two arguments, so one block per call keeps the bound a constant).
 *
 * A read-only device (--block-readonly:NAME, --disk-readonly, or a file
 * with no write permission at all) is opened O_RDONLY, and pwrite64 on it
 * fails with EROFS in the filter: the guest learns its write failed, and
 * the file never sees it. solo5-spt opens every block device read-write,
 * even a mode 0444 file when run as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <asm/unistd.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "filter.h"
#include "tender.h"

static uint64_t capacity_of(int fd, const char *path, uint32_t sector)
{
    struct stat st;
    uint64_t size;

    if (fstat(fd, &st) < 0)
        die("stat disk %s: %m", path);
    if (S_ISREG(st.st_mode))
        size = (uint64_t)st.st_size;
    else if (S_ISBLK(st.st_mode)) {
        if (ioctl(fd, BLKGETSIZE64, &size) < 0)
            die("size of disk %s: %m", path);
    } else
        die("disk %s is not a regular file or a block device", path);
    if (size % sector)
        die("disk %s: Backing storage size must be block aligned (%llu bytes is not a "
            "whole number of %u-byte blocks)", path, (unsigned long long)size, sector);
    if (size == 0)
        die("disk %s is smaller than one %u-byte block", path, sector);
    return size;
}

/* No write bit for anyone means read-only, whoever we run as. */
static bool mode_readonly(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && !(st.st_mode & 0222);
}

void block_attach(struct dev *d, bool print_only)
{
    int fd = -1;

    if (!d->sector)
        d->sector = DEFAULT_SECTOR;
    d->writable = !d->readonly && !mode_readonly(d->target);
    if (d->writable) {
        fd = open(d->target, O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 && (errno == EROFS || errno == EACCES || errno == EPERM))
            d->writable = false;
    }
    if (!d->writable)
        fd = open(d->target, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        die("open disk %s: %m", d->target);
    d->capacity = capacity_of(fd, d->target, d->sector);
    if (print_only)
        close(fd);
    else
        core_move_fd(fd, d->fd);
}

/* nr(fd, count=block, offset%block=0, offset<=capacity-block) */
void block_rules(const struct dev *d, struct filter *f)
{
    filter_add(f, __NR_pread64, "pread64", COND(ARG_EQ, 0, "fd", (uint64_t)d->fd),
               COND(ARG_EQ, 2, "count", d->sector), COND(ARG_ALIGNED, 3, "offset", d->sector),
               COND(ARG_LE, 3, "offset", d->capacity - d->sector));
    if (d->writable)
        filter_add(f, __NR_pwrite64, "pwrite64", COND(ARG_EQ, 0, "fd", (uint64_t)d->fd),
                   COND(ARG_EQ, 2, "count", d->sector),
                   COND(ARG_ALIGNED, 3, "offset", d->sector),
                   COND(ARG_LE, 3, "offset", d->capacity - d->sector));
    else
        filter_fail(f, __NR_pwrite64, "pwrite64", EROFS, COND(ARG_EQ, 0, "fd", (uint64_t)d->fd));
}
