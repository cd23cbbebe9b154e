/*
 * The guest SDK: what a Nabla unikernel may call. No libc: this header and
 * the runtime behind it are the whole environment. A guest defines
 *     int main(int argc, char **argv);
 * declares its devices once, at file scope (see "devices" below), e.g.
 *     NB_MANIFEST(NB_NET(NB_NET_NAME), NB_BLOCK(NB_BLOCK_NAME));
 * and is linked with the SDK's start file and linker script. It is a Solo5
 * spt guest (nabla-lib/abi/solo5_spt.h): the start code parses its command
 * line, a rumprun-style CONFIG JSON document, sets up argv/env/cwd and calls
 * main; main's return value is the exit status.
 *
 * Every call below ends in at most one raw syscall that the tender's seccomp
 * filter allows; anything else kills the guest with SIGSYS.
 */
#ifndef NABLA_H
#define NABLA_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdbool.h>

#include "solo5_spt.h"

/* --- devices: the Solo5 manifest (MFT1 note) ------------------------------ */
/* The devices the SDK drives: nb_net_* use the NET_BASIC device named
 * NB_NET_NAME, nb_block_* and the ISO reader's "/" the BLOCK_BASIC
 * NB_BLOCK_NAME. A tender must attach every declared device (nabla-run
 * --net:net0=TAP --block:rootfs=FILE), so declare only what the app uses.
 * NB_VOLUMES declares the volume slots vol0 .. vol7 (MFT_RUNNC_VOLUME):
 * optional block devices that nabla-run attaches when given
 * --block:volN=FILE and Solo5 tenders leave unattached. CONFIG "mounts"
 * puts attached ones at paths: ISO 9660 file trees (nb_iso_*) or raw disks
 * (nb_disk). */
#define NB_NET_NAME   "net0"
#define NB_BLOCK_NAME "rootfs"
#define NB_CLOCK_NAME "runnc.clock"
#define NB_VOLUME_MAX 8

#define NB_NET(dev)    { .name = dev, .type = MFT_DEV_NET_BASIC }
#define NB_BLOCK(dev)  { .name = dev, .type = MFT_DEV_BLOCK_BASIC }
#define NB_VOLUME(dev) { .name = dev, .type = MFT_RUNNC_VOLUME }
#define NB_VOLUMES                                                      \
    NB_VOLUME("vol0"), NB_VOLUME("vol1"), NB_VOLUME("vol2"), NB_VOLUME("vol3"), \
    NB_VOLUME("vol4"), NB_VOLUME("vol5"), NB_VOLUME("vol6"), NB_VOLUME("vol7")

/* The MFT1 note as Solo5 lays it out: the manifest 8-aligned after the
 * 20-byte head, entry 0 reserved. Every SDK guest also declares the
 * MFT_RUNNC_CLOCK entry: nabla-run attaches it with its vDSO clock, other
 * tenders ignore it (nb_clock_* then use the syscall). The linker script
 * refuses a guest without NB_MANIFEST; a second one is a duplicate symbol. */
#define NB_MANIFEST(...)                                                               \
    __attribute__((section(".note.solo5.manifest"), used, aligned(8)))                 \
    const struct {                                                                     \
        struct solo5_note_head h;                                                      \
        uint32_t pad;                                                                  \
        uint32_t version, entries; /* struct mft, whose e[] follows */                \
        struct mft_entry e[sizeof((struct mft_entry[]){ NB_MFT_FIXED, __VA_ARGS__ }) / \
                           sizeof(struct mft_entry)];                                  \
    } nb_manifest_note = {                                                             \
        .h = { .namesz = sizeof(SOLO5_NOTE_OWNER),                                     \
               .descsz = sizeof(nb_manifest_note) - sizeof(struct solo5_note_head),    \
               .type = SOLO5_NOTE_MFT1,                                                \
               .name = SOLO5_NOTE_OWNER },                                             \
        .version = MFT_VERSION,                                                        \
        .entries = sizeof(nb_manifest_note.e) / sizeof(struct mft_entry),             \
        .e = { NB_MFT_FIXED, __VA_ARGS__ },                                            \
    }
#define NB_MFT_FIXED                                 \
    { .name = "", .type = MFT_RESERVED_FIRST },      \
    { .name = NB_CLOCK_NAME, .type = MFT_RUNNC_CLOCK }

/* The manifest entry named name of that type, as the tender filled it in,
 * if the tender attached it; else NULL. */
const struct mft_entry *nb_device(const char *name, uint32_t type);

/* --- process ------------------------------------------------------------ */
_Noreturn void nb_exit(int status);
const struct spt_boot_info *nb_boot_info(void);
extern char **nb_environ;             /* NULL-terminated "K=V" list */
const char *nb_getenv(const char *name);
const char *nb_cwd(void);             /* CONFIG "cwd", default "/" */
uint64_t nb_mem_size(void);           /* guest memory in bytes (from address 0) */
/* The heap nb_malloc serves: from the end of the image to the stack's
 * reserve at the top of memory (CONFIG's arrays take its first bytes). */
void nb_heap_range(uintptr_t *start, uintptr_t *end);

/* --- console -------------------------------------------------------------- */
long nb_console_write(const void *buf, size_t len);  /* fd 1 */
int nb_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int nb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int nb_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Supported: %d %i %u %ld %lu %lld %llu %zu %zd %x %lx %llx %p %s %.*s %c %%,
 * with width, '0' and '-' flags. */

/* --- clocks (nanoseconds) ------------------------------------------------- */
uint64_t nb_clock_monotonic(void);
uint64_t nb_clock_wall(void);         /* since the Unix epoch */

/* --- poll ------------------------------------------------------------------ */
/* Wait until the network device is readable or the monotonic clock reaches
 * deadline_ns (absolute). Returns true if the network is readable. With no
 * network device it just sleeps until the deadline. */
bool nb_yield(uint64_t deadline_ns);

/* --- network (raw Ethernet frames on the tap) ----------------------------- */
bool nb_net_present(void);
const uint8_t *nb_net_mac(void);      /* 6 bytes */
uint32_t nb_net_mtu(void);
long nb_net_write(const void *frame, size_t len);    /* <0: -errno */
long nb_net_read(void *frame, size_t len);           /* -EAGAIN if none */
/* Network settings from CONFIG "net"; false if CONFIG has none. */
struct nb_net_config {
    uint32_t addr;      /* host byte order */
    uint32_t prefix;    /* 0..32 */
    uint32_t gw;        /* 0 if none */
};
bool nb_net_config(struct nb_net_config *out);

/* --- disks: block devices ------------------------------------------------ */
/* A disk is an attached block device: the rootfs (NB_BLOCK_NAME, the ISO
 * at "/") or a CONFIG "mounts" entry. Reads and writes go in whole blocks:
 * offset and length multiples of the block size, inside the disk. */
struct nb_disk;
/* The "raw" mount at exactly path, or NULL. */
const struct nb_disk *nb_disk(const char *path);
uint64_t nb_disk_size(const struct nb_disk *d);    /* bytes; 0 for NULL */
uint32_t nb_disk_sector(const struct nb_disk *d);  /* block size, a power of two from 512 */
/* 0, or -errno: -EINVAL for a request not in whole blocks inside the disk,
 * -ENODEV for NULL, -EROFS when the tender opened the disk read-only. */
long nb_disk_read(const struct nb_disk *d, uint64_t offset, void *buf, size_t len);
long nb_disk_write(const struct nb_disk *d, uint64_t offset, const void *buf, size_t len);
/* The largest block size: a BLOCK_BASIC device's field is a uint16_t.
 * Reads through any block size need a buffer this big. */
#define NB_BLOCK_SIZE_MAX 32768u

/* The rootfs disk (NB_BLOCK_NAME) through the calls above. */
bool nb_block_present(void);
uint64_t nb_block_size(void);
uint32_t nb_block_sector(void);
long nb_block_read(uint64_t offset, void *buf, size_t len);

/* --- ISO 9660 (with Rock Ridge names) on the disks ------------------------- */
struct nb_file {
    const struct nb_disk *disk;  /* the disk it is on; NULL for CONFIG "files" */
    uint64_t extent_offset;      /* byte offset on the disk */
    uint64_t size;
    bool is_dir;
    const char *mem;             /* non-NULL: a CONFIG "files" entry, size bytes here */
};
/* Look up a path (relative ones start at nb_cwd()). CONFIG "files" entries
 * shadow everything; else the "iso9660" mount whose path is the longest
 * (whole components) prefix of it serves it, or the rootfs at "/". Rock
 * Ridge symlinks: a relative one resolves inside its disk (".." stops at
 * the disk's root), an absolute one from "/" again, across mounts. 0, or
 * -ENOENT / -ENOTDIR / -ELOOP / -ENAMETOOLONG / -EIO / -EINVAL. */
int nb_iso_lookup(const char *path, struct nb_file *out);
/* Read up to len bytes at off inside the file; returns bytes read or -errno. */
long nb_iso_read(const struct nb_file *f, uint64_t off, void *buf, size_t len);

/* --- memory and strings ---------------------------------------------------- */
void *nb_malloc(size_t n);
void *nb_calloc(size_t n, size_t size);
void nb_free(void *p);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
long nb_atol(const char *s);          /* decimal, optional sign */

/* --- raw syscalls (escape tests and the runtime itself) --------------------- */
#include "nabla_syscall.h"

#endif
