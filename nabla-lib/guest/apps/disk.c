/*
 * disk: reads or writes the raw disk that CONFIG "mounts" puts at PATH
 * (a volume slot, NB_VOLUMES), in whole blocks:
 *   disk PATH write OFFSET TEXT   writes TEXT, padded with zero bytes to
 *                                 whole blocks (one at least), at OFFSET,
 *                                 and prints "wrote N bytes" (N: padded)
 *   disk PATH read OFFSET LEN     prints the LEN bytes at OFFSET as they are
 * OFFSET and LEN are decimal multiples of the disk's block size. Any error
 * is one line, "disk: PATH: what is wrong", and exit status 1.
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

static int fail(const char *path, const struct nb_disk *d, long err)
{
    switch (err) {
    case -EROFS:
        nb_printf("disk: %s: read-only\n", path);
        break;
    case -EINVAL:
        nb_printf("disk: %s: offset and length must be multiples of the block size (%u) inside "
                  "the disk (%llu bytes)\n", path, nb_disk_sector(d),
                  (unsigned long long)nb_disk_size(d));
        break;
    case -ENOMEM:
        nb_printf("disk: %s: out of memory: give the unikernel more (--mem)\n", path);
        break;
    default:
        nb_printf("disk: %s: I/O error %ld\n", path, -err);
    }
    return 1;
}

static int do_write(const char *path, const struct nb_disk *d, uint64_t off, const char *text)
{
    size_t bs = nb_disk_sector(d), len = strlen(text);
    size_t padded = len ? (len + bs - 1) / bs * bs : bs;
    char *buf = nb_calloc(1, padded);

    if (!buf)
        return fail(path, d, -ENOMEM);
    memcpy(buf, text, len);
    long r = nb_disk_write(d, off, buf, padded);
    nb_free(buf);
    if (r < 0)
        return fail(path, d, r);
    nb_printf("wrote %zu bytes\n", padded);
    return 0;
}

static int do_read(const char *path, const struct nb_disk *d, uint64_t off, uint64_t len)
{
    static char buf[CHUNK];
    uint64_t bs = nb_disk_sector(d), size = nb_disk_size(d);

    /* The whole range first: a refusal must not follow part of the data. */
    if (off % bs || len % bs || off > size || len > size - off)
        return fail(path, d, -EINVAL);
    for (uint64_t done = 0; done < len;) {
        size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
        long r = nb_disk_read(d, off + done, buf, n);
        if (r < 0)
            return fail(path, d, r);
        if (nb_console_write(buf, n) != (long)n)
            return 1;
        done += n;
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
