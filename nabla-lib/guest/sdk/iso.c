/*
 * A read-only ISO 9660 reader for the root disk, with the Rock Ridge names
 * (NM) and symlinks (SL) that `genisoimage -r` writes; without Rock Ridge,
 * plain ISO names match case-insensitively without their ";1". The disk is
 * untrusted (it comes from an image): every length and offset is checked
 * against its block before use, and loops are bounded.
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

static struct {
    bool mounted;
    bool rock_ridge;
    unsigned susp_skip;       /* SP's skip: bytes before each record's SUSP area */
    uint64_t root_lba, root_size;
} vol;

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
static long disk_read(uint64_t at, void *buf, size_t len)
{
    static uint8_t bounce[NB_BLOCK_SIZE_MAX];
    uint32_t bs = nb_block_sector();
    char *p = buf;
    size_t done = 0;

    if (bs == 0 || bs > sizeof(bounce))
        return -EIO;
    while (done < len) {
        uint64_t pos = at + done;
        size_t skip = (size_t)(pos % bs), n;
        if (skip == 0 && len - done >= bs) {
            n = (len - done) - (len - done) % bs;
            if (nb_block_read(pos, p + done, n) < 0)
                break;
        } else {
            n = bs - skip < len - done ? bs - skip : len - done;
            if (nb_block_read(pos - skip, bounce, bs) < 0)
                break;
            memcpy(p + done, bounce + skip, n);
        }
        done += n;
    }
    return done ? (long)done : -EIO;
}

static int read_block(uint64_t lba, uint8_t *buf)
{
    if (lba > UINT64_MAX / BLOCK)
        return -EIO;
    return disk_read(lba * BLOCK, buf, BLOCK) == BLOCK ? 0 : -EIO;
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
static int parse_susp(struct entry *e, const uint8_t *area, size_t n)
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
        if (read_block(ce_lba, ce_buf) < 0)
            return -EIO;
        area = ce_buf + ce_off;
        n = ce_len;
    }
}

/* Fills e from the record at r (rlen bytes, already bounded by its block).
 * Returns 1 for a record to skip ("." and ".."), 0, or -errno. */
static int parse_record(const uint8_t *r, size_t rlen, struct entry *e)
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

    if (!vol.rock_ridge)
        return 0;
    size_t su = DR_NAME + nlen + (nlen % 2 == 0) + vol.susp_skip;
    return su >= rlen ? 0 : parse_susp(e, r + su, rlen - su);
}

static bool name_matches(const struct entry *e, const char *c, size_t n)
{
    if (e->nlen != n)
        return false;
    if (vol.rock_ridge)
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

/* Finds the name c (n bytes) in the directory at lba/size. */
static int find(uint64_t lba, uint64_t size, const char *c, size_t n, struct entry *e)
{
    static uint8_t buf[BLOCK];

    for (uint64_t b = 0; b * BLOCK < size; b++) {
        if (read_block(lba + b, buf) < 0)
            return -EIO;
        /* Records never cross a block; a zero length ends the block. */
        for (size_t off = 0; off + DR_MIN <= BLOCK && buf[off + DR_LEN];) {
            size_t rlen = buf[off + DR_LEN];
            if (rlen > BLOCK - off)
                return -EIO;
            int r = parse_record(buf + off, rlen, e);
            if (r == -ENAMETOOLONG) /* no path can name it: look further */
                r = 1;
            if (r < 0)
                return r;
            if (r == 0 && name_matches(e, c, n))
                return 0;
            off += rlen;
        }
    }
    return -ENOENT;
}

/* Reads the primary volume descriptor and, through the root's "." record,
 * whether Rock Ridge is there (its SP entry). */
static int mount(void)
{
    static uint8_t buf[BLOCK];

    if (vol.mounted)
        return 0;
    if (!nb_block_present())
        return -ENOENT;
    if (read_block(16, buf) < 0)
        return -EIO;
    if (buf[0] != 1 || memcmp(buf + 1, "CD001", 5) != 0 || buf[128] != 0x00 || buf[129] != 0x08)
        return -EIO; /* not ISO 9660 with 2048-byte blocks */
    const uint8_t *root = buf + 156;
    vol.root_lba = le32(root + DR_EXTENT);
    vol.root_size = le32(root + DR_SIZE);

    if (read_block(vol.root_lba, buf) < 0)
        return -EIO;
    size_t rlen = buf[DR_LEN], nlen = buf[DR_NAMELEN];
    size_t su = DR_NAME + nlen + (nlen % 2 == 0);
    if (rlen >= DR_MIN && su + 7 <= rlen && buf[su] == 'S' && buf[su + 1] == 'P' &&
        buf[su + 2] >= 7 && buf[su + 4] == 0xbe && buf[su + 5] == 0xef) {
        vol.rock_ridge = true;
        vol.susp_skip = buf[su + 6];
    }
    vol.mounted = true;
    return 0;
}

/* Makes path absolute (from the cwd) and lexical: no "", "." or "..". */
static int normalize(const char *path, char *out)
{
    char tmp[PATH_MAX_];
    size_t tl = 0, ol = 0;

    tmp[0] = '\0';
    if (path[0] != '/' && !append(tmp, &tl, sizeof(tmp), nb_cwd(), strlen(nb_cwd())))
        return -ENAMETOOLONG;
    if (!append(tmp, &tl, sizeof(tmp), "/", 1) ||
        !append(tmp, &tl, sizeof(tmp), path, strlen(path)))
        return -ENAMETOOLONG;

    for (size_t i = 0; i < tl;) {
        while (i < tl && tmp[i] == '/')
            i++;
        size_t s = i;
        while (i < tl && tmp[i] != '/')
            i++;
        size_t n = i - s;
        if (n == 0 || (n == 1 && tmp[s] == '.'))
            continue;
        if (n == 2 && tmp[s] == '.' && tmp[s + 1] == '.') {
            while (ol > 0 && out[ol - 1] != '/')
                ol--;
            if (ol > 0)
                ol--;
            continue;
        }
        out[ol++] = '/';
        memcpy(out + ol, tmp + s, n);
        ol += n;
    }
    if (ol == 0)
        out[ol++] = '/';
    out[ol] = '\0';
    return 0;
}

static void from_entry(struct nb_file *f, uint64_t lba, uint64_t size, bool dir)
{
    f->extent_offset = lba * BLOCK;
    f->size = size;
    f->is_dir = dir;
    f->mem = NULL;
}

int nb_iso_lookup(const char *path, struct nb_file *out)
{
    static struct entry e;
    char cur[PATH_MAX_], next[PATH_MAX_];
    int links = 0, r;

    if (!path || !*path)
        return -EINVAL;
    if ((r = normalize(path, cur)) < 0)
        return r;
restart:;
    const struct nb_config_file *cf = nb_config_file(&nb_cfg, cur);
    if (cf) {
        out->extent_offset = 0;
        out->size = cf->len;
        out->is_dir = false;
        out->mem = cf->data;
        return 0;
    }
    if ((r = mount()) < 0)
        return r;

    uint64_t lba = vol.root_lba, size = vol.root_size;
    bool dir = true;
    for (size_t i = 1; cur[i];) {
        size_t s = i;
        while (cur[i] && cur[i] != '/')
            i++;
        if (!dir)
            return -ENOTDIR;
        if ((r = find(lba, size, cur + s, i - s, &e)) < 0)
            return r;
        if (e.link) {
            /* Resolve against the directories walked so far (all real:
             * a symlink restarts the walk), then the rest of the path. */
            size_t nl = 0;
            if (++links > MAX_LINKS)
                return -ELOOP;
            next[0] = '\0';
            if (e.target[0] != '/' && !append(next, &nl, sizeof(next), cur, s))
                return -ENAMETOOLONG;
            if (!append(next, &nl, sizeof(next), e.target, e.tlen) ||
                !append(next, &nl, sizeof(next), cur + i, strlen(cur + i)))
                return -ENAMETOOLONG;
            if ((r = normalize(next, cur)) < 0)
                return r;
            goto restart;
        }
        lba = e.lba;
        size = e.size;
        dir = e.dir;
        if (cur[i] == '/')
            i++;
    }
    from_entry(out, lba, size, dir);
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
    return disk_read(f->extent_offset + off, buf, len);
}
