/*
 * cat: prints the files its arguments name, from the root disk and the
 * ISO 9660 volumes CONFIG "mounts" puts at paths, or CONFIG "files", byte
 * for byte. A missing file: a message and exit 1.
 */
#include <linux/errno.h>

#include "nabla.h"

NB_MANIFEST(NB_BLOCK(NB_BLOCK_NAME), NB_VOLUMES);

static const char *why(int err)
{
    switch (err) {
    case -ENOENT:
        return "no such file";
    case -ENOTDIR:
        return "not a directory";
    case -ELOOP:
        return "too many symbolic links";
    case -ENAMETOOLONG:
        return "name too long";
    default:
        return "cannot read the disk";
    }
}

static int cat(const char *path)
{
    static char buf[64 * 1024];
    struct nb_file f;
    int r = nb_iso_lookup(path, &f);

    if (r < 0) {
        nb_printf("cat: %s: %s\n", path, why(r));
        return 1;
    }
    if (f.is_dir) {
        nb_printf("cat: %s: is a directory\n", path);
        return 1;
    }
    for (uint64_t off = 0; off < f.size;) {
        long n = nb_iso_read(&f, off, buf, sizeof(buf));
        if (n <= 0) {
            nb_printf("cat: %s: read error at byte %llu\n", path, (unsigned long long)off);
            return 1;
        }
        if (nb_console_write(buf, (size_t)n) != n)
            return 1;
        off += (uint64_t)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (cat(argv[i]) != 0)
            return 1;
    }
    return 0;
}
