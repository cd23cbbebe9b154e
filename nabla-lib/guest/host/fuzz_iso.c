/*
 * libFuzzer target for the guest's ISO 9660 reader (sdk/iso.c, built for
 * the host). The disk comes from a container image: any bytes. The input
 * is the disk from block 16 (the volume descriptors) on, so seeds skip the
 * 32 KiB system area; the disk is that plus zeros to a block boundary. The
 * disk's block size, 512 to 4096 bytes, follows the input's length, so
 * every seed is read through every block size over a run.
 * The same bytes are also mounted at /a (as CONFIG "mounts" would put a
 * volume there), so lookups cross from one disk to the other through
 * symlinks. Lookups of the seed tree's paths and reads of what they find
 * must never touch memory outside the disk and the caller's buffer.
 *
 * iso.c is included, not linked, so it sees the disk table this harness
 * fills for each input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../sdk/iso.c"

#define SYSTEM_AREA (16u * 2048u)

static uint8_t *disk;
static size_t disk_size;
static uint32_t block_size;
static const struct mft_entry device; /* only its presence matters here */
struct nb_config nb_cfg;
struct nb_disk nb_disks[1 + NB_VOLUME_MAX];
size_t nb_ndisks;

uint32_t nb_disk_sector(const struct nb_disk *d)
{
    return d ? block_size : 0;
}

/* Checked as the tender's filter and disk.c check it. */
long nb_disk_read(const struct nb_disk *d, uint64_t offset, void *buf, size_t len)
{
    if (!d || offset % block_size || len % block_size || offset > disk_size ||
        len > disk_size - offset)
        return -EINVAL;
    memcpy(buf, disk + offset, len);
    return 0;
}

const char *nb_cwd(void)
{
    return "/a";
}

static const char *const paths[] = {
    "/", "/hello.txt", "/a", "/a/b/nested.txt", "/a/up", "/abs", "b/nested.txt", "../../hello.txt",
    "/a/b/../../abs", "/missing", "/hello.txt/x", "/a/hello.txt", "/a/a/up", "/a/abs", "/a/a/b/nested.txt",
    "/nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"
    "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnn",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char buf[4096];

    block_size = 512u << (size % 4);
    disk_size = (SYSTEM_AREA + size + block_size - 1) / block_size * block_size;
    disk = calloc(1, disk_size);
    memcpy(disk + SYSTEM_AREA, data, size);
    nb_disks[0] = (struct nb_disk){ .dev = &device, .path = "/", .path_len = 1, .iso = true };
    nb_disks[1] = (struct nb_disk){ .dev = &device, .path = "/a", .path_len = 2, .iso = true };
    nb_ndisks = 2;

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct nb_file f;
        if (nb_iso_lookup(paths[i], &f) < 0 || f.is_dir)
            continue;
        /* Odd offsets and a short buffer exercise the unaligned paths;
         * the size is bounded so a huge claimed file stays quick. */
        for (uint64_t off = 0; off < f.size && off < (1u << 20);) {
            long n = nb_iso_read(&f, off, buf, off % 2 ? sizeof(buf) - 1 : sizeof(buf));
            if (n <= 0)
                break;
            off += (uint64_t)n + (off % 3 == 1);
        }
    }
    free(disk);
    return 0;
}
