/*
 * A read-only ISO 9660 reader for the disks (disk.c) that hold file trees:
 * the rootfs at "/" and CONFIG's "iso9660" mounts, with the Rock Ridge
 * names (NM) and symlinks (SL) that `genisoimage -r` writes; without Rock
 * Ridge, plain ISO names match case-insensitively without their ";1". A
 * disk is untrusted (it comes from an image or a volume): every length and
 * offset is checked against its block before use, and loops are bounded.
 *
 * Not supported: multi-extent files (> 4 GiB), relocated deep directories
 * (RE/CL: runnc builds its images with -D), Joliet.
 */
#include "sdk.h"

#define BLOCK       2048u
#define NAME_MAX_   255u
#define PATH_MAX_   1024u
#define MAX_LINKS   16    /* symlinks followed in one lookup */
#define MAX_CE      16    /* continuation areas per record */

/* Directory record fields (ECMA-119 9.1). */
#define DR_LEN      0
#define DR_EXTENT   2
#define DR_SIZE     10
#define DR_FLAGS    25
#define DR_NAMELEN  32
#define DR_NAME     33
#define DR_MIN      34
#define FLAG_DIR    0x02
#define FLAG_ASSOC  0x04

/* What one directory record says about its file. */
struct entry {
    uint64_t lba, size;
    bool dir, link;
    size_t nlen, tlen;
    char name[NAME_MAX_ + 1];
    char target[PATH_MAX_];   /* symlink target, when link */
};

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads len bytes at byte offset at through the disk's own blocks (512 to
 * NB_BLOCK_SIZE_MAX bytes, which need not divide or be divided by an ISO
 * block): whole blocks straight into buf, the ends through a bounce
 * buffer. Returns the bytes read before the first failure, or -EIO. */
static long disk_read(const struct nb_disk *d, uint64_t at, void *buf, size_t len)
{
    static uint8_t bounce[NB_BLOCK_SIZE_MAX];
    uint32_t bs = nb_disk_sector(d);
    char *p = buf;
    size_t done = 0;

    if (bs == 0 || bs > sizeof(bounce))
        return -EIO;
    while (done < len) {
        uint64_t pos = at + done;
        size_t skip = (size_t)(pos % bs), n;
        if (skip == 0 && len - done >= bs) {
            n = (len - done) - (len - done) % bs;
            if (nb_disk_read(d, pos, p + done, n) < 0)
                break;
        } else {
            n = bs - skip < len - done ? bs - skip : len - done;
            if (nb_disk_read(d, pos - skip, bounce, bs) < 0)
                break;
            memcpy(p + done, bounce + skip, n);
        }
        done += n;
    }
    return done ? (long)done : -EIO;
}

static int read_block(const struct nb_disk *d, uint64_t lba, uint8_t *buf)
{
    if (lba > UINT64_MAX / BLOCK)
        return -EIO;
    return disk_read(d, lba * BLOCK, buf, BLOCK) == BLOCK ? 0 : -EIO;
}

static bool append(char *dst, size_t *len, size_t cap, const void *src, size_t n)
{
    if (n >= cap - *len)
        return false;
    memcpy(dst + *len, src, n);
    *len += n;
    dst[*len] = '\0';
    return true;
}

/* SL components (RRIP 4.1.3) appended to e->target; *sep says whether the
 * next component starts a new path element (carried across SL entries). */
static int parse_sl(struct entry *e, const uint8_t *d, size_t n, bool *sep)
{
    for (size_t i = 1; i + 2 <= n;) { /* d[0]: SL flags */
        uint8_t flags = d[i], clen = d[i + 1];
        const uint8_t *c = d + i + 2;
        if (clen > n - i - 2)
            return -EIO;
        i += 2 + clen;
        if (flags & 0x08) { /* ROOT */
            if (!append(e->target, &e->tlen, sizeof(e->target), "/", 1))
                return -ENAMETOOLONG;
            *sep = false;
            continue;
        }
        if (*sep && !append(e->target, &e->tlen, sizeof(e->target), "/", 1))
            return -ENAMETOOLONG;
        const void *text = flags & 0x02 ? "." : flags & 0x04 ? ".." : (const void *)c;
        size_t tlen = flags & 0x02 ? 1 : flags & 0x04 ? 2 : clen;
        if (!append(e->target, &e->tlen, sizeof(e->target), text, tlen))
            return -ENAMETOOLONG;
        *sep = !(flags & 0x01); /* CONTINUE: the next component is the same name */
    }
    e->link = true;
    return 0;
}

/* Walks the SUSP entries of one record (and its CE continuations). */
static int parse_susp(const struct nb_disk *d, struct entry *e, const uint8_t *area, size_t n)
{
    static uint8_t ce_buf[BLOCK];
    bool sl_sep = false, nm = false;
    int hops = 0;

    e->tlen = 0;
    e->target[0] = '\0';
    for (;;) {
        uint64_t ce_lba = 0;
        size_t ce_off = 0, ce_len = 0;
        for (size_t i = 0; i + 4 <= n;) {
            const uint8_t *s = area + i;
            size_t len = s[2];
            if (len < 4 || len > n - i)
                break; /* padding or garbage: the area ends here */
            i += len;
            if (s[0] == 'S' && s[1] == 'T')
                break;
            if (s[0] == 'C' && s[1] == 'E' && len >= 28) {
                ce_lba = le32(s + 4);
                ce_off = le32(s + 12);
                ce_len = le32(s + 20);
            } else if (s[0] == 'N' && s[1] == 'M' && len >= 5) {
                if (s[4] & 0x06) /* CURRENT or PARENT: "." and "..", not names */
                    continue;
                if (!nm)
                    e->nlen = 0;
                nm = true;
                if (!append(e->name, &e->nlen, sizeof(e->name), s + 5, len - 5))
                    return -ENAMETOOLONG;
            } else if (s[0] == 'S' && s[1] == 'L' && len >= 5) {
                int r = parse_sl(e, s + 4, len - 4, &sl_sep);
                if (r < 0)
                    return r;
            }
        }
        if (ce_len == 0)
            return 0;
        if (++hops > MAX_CE || ce_off >= BLOCK || ce_len > BLOCK - ce_off)
            return -EIO;
        if (read_block(d, ce_lba, ce_buf) < 0)
            return -EIO;
        area = ce_buf + ce_off;
        n = ce_len;
    }
}

/* Fills e from the record at r (rlen bytes, already bounded by its block).
 * Returns 1 for a record to skip ("." and ".."), 0, or -errno. */
static int parse_record(const struct nb_disk *d, const uint8_t *r, size_t rlen, struct entry *e)
{
    size_t nlen = r[DR_NAMELEN];
    if (rlen < DR_MIN || nlen == 0 || nlen > rlen - DR_NAME)
        return -EIO;
    const uint8_t *name = r + DR_NAME;
    if (nlen == 1 && (name[0] == 0 || name[0] == 1))
        return 1;
    if (r[DR_FLAGS] & FLAG_ASSOC)
        return 1;
    e->lba = le32(r + DR_EXTENT);
    e->size = le32(r + DR_SIZE);
    e->dir = r[DR_FLAGS] & FLAG_DIR;
    e->link = false;

    /* The ISO name, without its ";1" version and a trailing '.'. */
    e->nlen = 0;
    while (e->nlen < nlen && name[e->nlen] != ';')
        e->nlen++;
    if (e->nlen > 1 && name[e->nlen - 1] == '.')
        e->nlen--;
    memcpy(e->name, name, e->nlen);
    e->name[e->nlen] = '\0';

    if (!d->vol.rock_ridge)
        return 0;
    size_t su = DR_NAME + nlen + (nlen % 2 == 0) + d->vol.susp_skip;
    return su >= rlen ? 0 : parse_susp(d, e, r + su, rlen - su);
}

static bool name_matches(const struct nb_disk *d, const struct entry *e, const char *c, size_t n)
{
    if (e->nlen != n)
        return false;
    if (d->vol.rock_ridge)
        return memcmp(e->name, c, n) == 0;
    for (size_t i = 0; i < n; i++) {
        char a = e->name[i], b = c[i];
        if (a >= 'a' && a <= 'z')
            a = (char)(a - 32);
        if (b >= 'a' && b <= 'z')
            b = (char)(b - 32);
        if (a != b)
            return false;
    }
    return true;
}

/* Finds the name c (n bytes) in the directory at lba/size of disk d. */
static int find(const struct nb_disk *d, uint64_t lba, uint64_t size, const char *c, size_t n,
                struct entry *e)
{
    static uint8_t buf[BLOCK];

    for (uint64_t b = 0; b * BLOCK < size; b++) {
        if (read_block(d, lba + b, buf) < 0)
            return -EIO;
        /* Records never cross a block; a zero length ends the block. */
        for (size_t off = 0; off + DR_MIN <= BLOCK && buf[off + DR_LEN];) {
            size_t rlen = buf[off + DR_LEN];
            if (rlen > BLOCK - off)
                return -EIO;
            int r = parse_record(d, buf + off, rlen, e);
            if (r == -ENAMETOOLONG) /* no path can name it: look further */
                r = 1;
            if (r < 0)
                return r;
            if (r == 0 && name_matches(d, e, c, n))
                return 0;
            off += rlen;
        }
    }
    return -ENOENT;
}

/* Reads d's primary volume descriptor and, through the root's "." record,
 * whether Rock Ridge is there (its SP entry). */
static int mount(struct nb_disk *d)
{
    static uint8_t buf[BLOCK];
    struct nb_iso_volume *vol = &d->vol;

    if (vol->mounted)
        return 0;
    if (!d->dev)
        return -ENOENT;
    if (read_block(d, 16, buf) < 0)
        return -EIO;
    if (buf[0] != 1 || memcmp(buf + 1, "CD001", 5) != 0 || buf[128] != 0x00 || buf[129] != 0x08)
        return -EIO; /* not ISO 9660 with 2048-byte blocks */
    const uint8_t *root = buf + 156;
    vol->root_lba = le32(root + DR_EXTENT);
    vol->root_size = le32(root + DR_SIZE);

    if (read_block(d, vol->root_lba, buf) < 0)
        return -EIO;
    size_t rlen = buf[DR_LEN], nlen = buf[DR_NAMELEN];
    size_t su = DR_NAME + nlen + (nlen % 2 == 0);
    if (rlen >= DR_MIN && su + 7 <= rlen && buf[su] == 'S' && buf[su + 1] == 'P' &&
        buf[su + 2] >= 7 && buf[su + 4] == 0xbe && buf[su + 5] == 0xef) {
        vol->rock_ridge = true;
        vol->susp_skip = buf[su + 6];
    }
    vol->mounted = true;
    return 0;
}

/* Makes the absolute path p[0, len) lexical in place: no "", "." or "..",
 * and ".." at the root stays there. The result is never longer (but "/"
 * for nothing), so it fits where p was. */
static void clean(char *p, size_t len)
{
    size_t ol = 0;

    for (size_t i = 0; i < len;) {
        while (i < len && p[i] == '/')
            i++;
        size_t s = i;
        while (i < len && p[i] != '/')
            i++;
        size_t n = i - s;
        if (n == 0 || (n == 1 && p[s] == '.'))
            continue;
        if (n == 2 && p[s] == '.' && p[s + 1] == '.') {
            while (ol > 0 && p[ol - 1] != '/')
                ol--;
            if (ol > 0)
                ol--;
            continue;
        }
        p[ol++] = '/';
        memmove(p + ol, p + s, n);
        ol += n;
    }
    if (ol == 0)
        p[ol++] = '/';
    p[ol] = '\0';
}

/* Makes path absolute (from the cwd) and lexical, into out. */
static int normalize(const char *path, char *out)
{
    size_t len = 0;

    out[0] = '\0';
    if (path[0] != '/' && !append(out, &len, PATH_MAX_, nb_cwd(), strlen(nb_cwd())))
        return -ENAMETOOLONG;
    if (!append(out, &len, PATH_MAX_, "/", 1) || !append(out, &len, PATH_MAX_, path, strlen(path)))
        return -ENAMETOOLONG;
    clean(out, len);
    return 0;
}

/* The disk that serves the clean path p: the "iso9660" mount with the
 * longest path that is p or one of its parents, else the rootfs. */
static struct nb_disk *serving(const char *p)
{
    struct nb_disk *best = &nb_disks[0];
    for (size_t i = 1; i < nb_ndisks; i++) {
        struct nb_disk *d = &nb_disks[i];
        if (d->iso && d->path_len > best->path_len && strncmp(p, d->path, d->path_len) == 0 &&
            (p[d->path_len] == '\0' || p[d->path_len] == '/'))
            best = d;
    }
    return best;
}

/* The symlink e met at rel[s, i) on disk d (rel: the path on d) becomes
 * the path to look up, in cur. An absolute target starts again at the
 * guest's "/"; a relative one resolves against the directories walked so
 * far (all real: a symlink restarts the walk) inside d, whose root ".."
 * cannot leave. Either way the rest of the path follows. */
static int follow(const struct nb_disk *d, const struct entry *e, const char *rel, size_t s,
                  size_t i, char *cur)
{
    char next[PATH_MAX_];
    size_t nl = 0;

    next[0] = '\0';
    if (e->target[0] != '/' && !append(next, &nl, sizeof(next), rel, s))
        return -ENAMETOOLONG;
    if (!append(next, &nl, sizeof(next), e->target, e->tlen) ||
        !append(next, &nl, sizeof(next), rel + i, strlen(rel + i)))
        return -ENAMETOOLONG;
    clean(next, nl);
    nl = 0;
    cur[0] = '\0';
    if (e->target[0] != '/' && d->path_len > 1) {
        if (!append(cur, &nl, PATH_MAX_, d->path, d->path_len))
            return -ENAMETOOLONG;
        if (next[1] == '\0')
            return 0; /* the mount's own root */
    }
    return append(cur, &nl, PATH_MAX_, next, strlen(next)) ? 0 : -ENAMETOOLONG;
}

int nb_iso_lookup(const char *path, struct nb_file *out)
{
    static struct entry e;
    char cur[PATH_MAX_];
    int links = 0, r;

    if (!path || !*path)
        return -EINVAL;
    if ((r = normalize(path, cur)) < 0)
        return r;
restart:;
    const struct nb_config_file *cf = nb_config_file(&nb_cfg, cur);
    if (cf) {
        *out = (struct nb_file){ .size = cf->len, .mem = cf->data };
        return 0;
    }
    struct nb_disk *d = serving(cur);
    if ((r = mount(d)) < 0)
        return r;

    /* The path on the disk: what follows the mount's path ("": its root). */
    const char *rel = d->path_len > 1 ? cur + d->path_len : cur;
    uint64_t lba = d->vol.root_lba, size = d->vol.root_size;
    bool dir = true;
    for (size_t i = rel[0] ? 1 : 0; rel[i];) {
        size_t s = i;
        while (rel[i] && rel[i] != '/')
            i++;
        if (!dir)
            return -ENOTDIR;
        if ((r = find(d, lba, size, rel + s, i - s, &e)) < 0)
            return r;
        if (e.link) {
            if (++links > MAX_LINKS)
                return -ELOOP;
            if ((r = follow(d, &e, rel, s, i, cur)) < 0)
                return r;
            goto restart;
        }
        lba = e.lba;
        size = e.size;
        dir = e.dir;
        if (rel[i] == '/')
            i++;
    }
    *out = (struct nb_file){ .disk = d, .extent_offset = lba * BLOCK, .size = size, .is_dir = dir };
    return 0;
}

long nb_iso_read(const struct nb_file *f, uint64_t off, void *buf, size_t len)
{
    if (f->is_dir)
        return -EISDIR;
    if (off >= f->size)
        return 0;
    if (len > f->size - off)
        len = (size_t)(f->size - off);
    if (f->mem) {
        memcpy(buf, f->mem + off, len);
        return (long)len;
    }
    return disk_read(f->disk, f->extent_offset + off, buf, len);
}
