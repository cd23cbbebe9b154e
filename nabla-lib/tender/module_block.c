/*
 * --disk=FILE: the guest's block device is a file (or a block device),
 * moved to DISK_FD. The filter allows whole 512-byte sectors inside the disk
 * and nothing else: count == 512, offset a multiple of 512, offset <= size -
 * 512. One sector per call keeps the bound check a constant comparison in
 * BPF (which cannot add two arguments), at the price of more syscalls.
 * --disk-readonly (a disk image shared by containers) opens it read-only
 * and leaves pwrite64 out of the filter entirely.
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

static uint64_t disk_size(int fd, const char *path)
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
    size -= size % DISK_SECTOR;
    if (size == 0)
        die("disk %s is smaller than one %u-byte sector", path, DISK_SECTOR);
    return size;
}

/* nr(fd=DISK_FD, count=512, offset%512=0, offset<=size-512) */
static void add_sector_rule(struct filter *f, long nr, const char *name, uint64_t size)
{
    filter_add(f, nr, name, COND(ARG_EQ, 0, "fd", DISK_FD),
               COND(ARG_EQ, 2, "count", DISK_SECTOR),
               COND(ARG_ALIGNED, 3, "offset", DISK_SECTOR),
               COND(ARG_LE, 3, "offset", size - DISK_SECTOR));
}

void block_setup(const struct args *a, struct nabla_boot_info *bi, struct filter *f)
{
    bool writable = !a->disk_readonly;
    int fd = -1;

    if (!a->disk)
        return;
    if (writable) {
        fd = open(a->disk, O_RDWR | O_CLOEXEC);
        if (fd < 0 && (errno == EROFS || errno == EACCES || errno == EPERM))
            writable = false;
    }
    if (!writable)
        fd = open(a->disk, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open disk %s: %m", a->disk);
    bi->disk_size = disk_size(fd, a->disk);
    if (a->print_filter)
        close(fd);
    else
        core_move_fd(fd, DISK_FD);
    bi->disk_fd = DISK_FD;
    bi->disk_sector = DISK_SECTOR;
    if (writable)
        bi->flags |= NABLA_F_DISK_WRITABLE;

    add_sector_rule(f, __NR_pread64, "pread64", bi->disk_size);
    if (writable)
        add_sector_rule(f, __NR_pwrite64, "pwrite64", bi->disk_size);
}
