/*
 * disk: reads or writes the raw disk that CONFIG "mounts" puts at PATH
 * (a volume slot, NB_VOLUMES):
 *   disk PATH write OFFSET TEXT   writes TEXT, padded with zero bytes to
 *                                 whole blocks (one at least), at OFFSET, a
 *                                 multiple of the block size, and prints
 *                                 "wrote N bytes" (N: padded)
 *   disk PATH read OFFSET LEN     prints the LEN bytes at OFFSET as they
 *                                 are (any OFFSET and LEN inside the disk:
 *                                 it reads the whole blocks around them)
 * OFFSET and LEN are decimal. Any error is one line, "disk: PATH: what is
 * wrong", and exit status 1.
 */
#include <linux/errno.h>

#include "nabla.h"

NB_MANIFEST(NB_VOLUMES);

#define CHUNK (64u * 1024u) /* a multiple of every block size */

static bool decimal(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static int fail(const char *path, long err)
{
    if (err == -EROFS)
        nb_printf("disk: %s: read-only\n", path);
    else if (err == -ENOMEM)
        nb_printf("disk: %s: out of memory: give the unikernel more (--mem)\n", path);
    else
        nb_printf("disk: %s: I/O error %ld\n", path, -err);
    return 1;
}

/* [off, off + len) must lie inside the disk. */
static bool inside(const char *path, const struct nb_disk *d, uint64_t off, uint64_t len)
{
    uint64_t size = nb_disk_size(d);
    if (off <= size && len <= size - off)
        return true;
    nb_printf("disk: %s: %llu bytes at offset %llu run past the end of the disk (%llu bytes)\n",
              path, (unsigned long long)len, (unsigned long long)off, (unsigned long long)size);
    return false;
}

static int do_write(const char *path, const struct nb_disk *d, uint64_t off, const char *text)
{
    size_t bs = nb_disk_sector(d), len = strlen(text);
    size_t padded = len ? (len + bs - 1) / bs * bs : bs;

    if (off % bs) {
        nb_printf("disk: %s: offset %llu is not a multiple of the block size (%zu)\n", path,
                  (unsigned long long)off, bs);
        return 1;
    }
    if (!inside(path, d, off, padded))
        return 1;
    char *buf = nb_calloc(1, padded);
    if (!buf)
        return fail(path, -ENOMEM);
    memcpy(buf, text, len);
    long r = nb_disk_write(d, off, buf, padded);
    nb_free(buf);
    if (r < 0)
        return fail(path, r);
    nb_printf("wrote %zu bytes\n", padded);
    return 0;
}

/* Whole blocks from the one holding off, printing only [off, off + len).
 * The disk's size is a multiple of its block size, so the blocks around
 * a range inside it are inside it too. */
static int do_read(const char *path, const struct nb_disk *d, uint64_t off, uint64_t len)
{
    static char buf[CHUNK];
    uint64_t bs = nb_disk_sector(d);

    if (!inside(path, d, off, len))
        return 1;
    for (uint64_t pos = off - off % bs; len > 0;) {
        size_t skip = (size_t)(off - pos);
        uint64_t want = (skip + len + bs - 1) / bs * bs;
        size_t n = want < CHUNK ? (size_t)want : CHUNK;
        long r = nb_disk_read(d, pos, buf, n);
        if (r < 0)
            return fail(path, r);
        size_t take = n - skip < len ? n - skip : (size_t)len;
        if (nb_console_write(buf + skip, take) != (long)take)
            return 1;
        off += take;
        len -= take;
        pos += n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t off, len;

    if (argc != 5 || (strcmp(argv[2], "write") != 0 && strcmp(argv[2], "read") != 0) ||
        !decimal(argv[3], &off) || (argv[2][0] == 'r' && !decimal(argv[4], &len))) {
        nb_printf("usage: disk PATH write OFFSET TEXT | disk PATH read OFFSET LEN "
                  "(OFFSET and LEN decimal)\n");
        return 1;
    }
    const struct nb_disk *d = nb_disk(argv[1]);
    if (!d) {
        nb_printf("disk: %s: no raw disk is mounted there (CONFIG \"mounts\", type \"raw\")\n",
                  argv[1]);
        return 1;
    }
    if (argv[2][0] == 'w')
        return do_write(argv[1], d, off, argv[4]);
    return do_read(argv[1], d, off, len);
}
