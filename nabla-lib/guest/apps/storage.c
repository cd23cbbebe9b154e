/*
 * storage: a stand-in for a plain Solo5 guest with a block device, for
 * runnc's tests of volumes given to such guests by name. It declares the
 * BLOCK_BASIC device "storage" and no volume slots, and drives it as
 * Solo5's bindings do (solo5_block_write/read: one pwrite64/pread64 of one
 * block on the manifest's fd), not through CONFIG "mounts": it writes the
 * line "runnc was here" at offset 0, reads the block back and prints it up
 * to its first zero byte. A failure is one line and exit status 1.
 */
#include <asm/unistd.h>
#include <linux/errno.h>

#include "nabla.h"

NB_MANIFEST(NB_BLOCK("storage"));

static const char line[] = "runnc was here\n";

/* One block: pread64 or pwrite64 (nr). */
static long one_block(const struct mft_entry *e, long nr, char *buf)
{
    long r;
    do
        r = nb_syscall6(nr, e->b.hostfd, (long)buf, e->u.block_basic.block_size, 0, 0, 0);
    while (r == -EINTR);
    return r;
}

int main(void)
{
    static char block[NB_BLOCK_SIZE_MAX];
    const struct mft_entry *e = nb_device("storage", MFT_DEV_BLOCK_BASIC);

    if (!e || e->u.block_basic.block_size < sizeof(line) ||
        e->u.block_basic.block_size > sizeof(block)) {
        nb_printf("storage: the block device \"storage\" is missing or has an odd block size\n");
        return 1;
    }
    memcpy(block, line, sizeof(line) - 1);
    long r = one_block(e, __NR_pwrite64, block);
    if (r != e->u.block_basic.block_size) {
        nb_printf("storage: write: %s\n", r == -EROFS ? "read-only" : "failed");
        return 1;
    }
    memset(block, 0, sizeof(block));
    r = one_block(e, __NR_pread64, block);
    if (r != e->u.block_basic.block_size) {
        nb_printf("storage: read back: failed\n");
        return 1;
    }
    block[e->u.block_basic.block_size - 1] = '\0';
    nb_printf("%s", block);
    return 0;
}
