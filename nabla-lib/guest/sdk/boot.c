/*
 * The C start, called by start.S: takes the Solo5 spt boot info, finds the
 * devices the SDK drives in the manifest, parses CONFIG (the command line)
 * into the start of the heap, puts the disks at their paths (disk.c), runs
 * main and exits with its status. Also the ELF notes that make this a
 * Solo5 spt guest, and the process-wide getters (environment, cwd, memory
 * size).
 */
#include "sdk.h"

int main(int argc, char **argv);

const struct spt_boot_info *nb_bi;
struct nb_config nb_cfg;
struct nb_devices nb_dev;
char **nb_environ;
static uintptr_t heap_start, heap_end;

/* Solo5 tenders read the first note of each PT_NOTE (nabla.ld gives each
 * its own). ABI 2 is Solo5 0.8-0.12's spt: 0.6-0.7 tenders refuse it. */
__attribute__((section(".note.solo5.abi"), used, aligned(4)))
static const struct {
    struct solo5_note_head h;
    struct solo5_abi1_desc d;
} abi1_note = {
    .h = { .namesz = sizeof(SOLO5_NOTE_OWNER), .descsz = sizeof(struct solo5_abi1_desc),
           .type = SOLO5_NOTE_ABI1, .name = SOLO5_NOTE_OWNER },
    .d = { .target = SOLO5_ABI_TARGET_SPT, .version = 2 },
};

/* runnc's note: the command line is a CONFIG document, so runnc builds one. */
__attribute__((section(".note.runnc.config"), used, aligned(4)))
static const struct {
    struct solo5_note_head h;
    uint32_t version;
} runnc_note = {
    .h = { .namesz = sizeof(RUNNC_NOTE_OWNER), .descsz = sizeof(uint32_t),
           .type = RUNNC_NOTE_CONFIG, .name = RUNNC_NOTE_OWNER },
    .version = 1,
};

/* As every Solo5 guest: the host kernel refuses to exec the image. */
__attribute__((section(".interp"), used))
static const char interp[] = "/nonexistent/solo5/";

/* The stack lives at the top of memory (the tender starts it at mem_size
 * - 8) and the heap below it must not grow into it: no guard page can be
 * made, the filter forbids mprotect. A quarter of what the image leaves,
 * within these bounds, keeps room for both even with --mem=2. */
#define STACK_MIN (64u << 10)
#define STACK_MAX (1u << 20)
#define PAGE      4096u

extern char _end[]; /* nabla.ld: the image's end, .bss included */

/* Before CONFIG is parsed there is no printf worth trusting the state of:
 * write the pieces as they are. */
static _Noreturn void boot_fail(const char *what, const char *detail, size_t at)
{
    char num[24];
    size_t n = sizeof(num);

    nb_console_write("nabla: ", 7);
    nb_console_write(what, strlen(what));
    if (detail) {
        nb_console_write(": ", 2);
        nb_console_write(detail, strlen(detail));
        nb_console_write(" (at byte ", 10);
        do {
            num[--n] = (char)('0' + at % 10);
            at /= 10;
        } while (at);
        nb_console_write(num + n, sizeof(num) - n);
        nb_console_write(")", 1);
    }
    nb_console_write("\n", 1);
    nb_exit(1);
}

/* Called by start.S only. */
_Noreturn void nb_start(const struct spt_boot_info *bi);

_Noreturn void nb_start(const struct spt_boot_info *bi)
{
    nb_bi = bi;
    const struct mft *mft = (const struct mft *)(uintptr_t)bi->mft;
    if (mft->version != MFT_VERSION || mft->entries == 0 || mft->entries > MFT_MAX_ENTRIES)
        boot_fail("this guest needs a Solo5 spt tender (ABI 2) and its manifest", NULL, 0);
    nb_dev.net = nb_device(NB_NET_NAME, MFT_DEV_NET_BASIC);
    nb_dev.net_index = nb_dev.net ? (uint64_t)(nb_dev.net - mft->e) : 0;
    const struct mft_entry *clock = nb_device(NB_CLOCK_NAME, MFT_RUNNC_CLOCK);
    nb_dev.vdso_clock_gettime = clock ? clock->b.data : 0;

    /* kernel_end comes from the tender, which may skip a segment with no
     * file bytes (solo5-spt does): _end covers .bss whatever it did. */
    uintptr_t image_end = bi->kernel_end > (uintptr_t)_end ? bi->kernel_end : (uintptr_t)_end;
    heap_start = (image_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
    uint64_t left = bi->mem_size > heap_start ? bi->mem_size - heap_start : 0;
    uint64_t stack = left / 4 < STACK_MIN ? STACK_MIN : left / 4 > STACK_MAX ? STACK_MAX : left / 4;
    if (left < 2 * stack)
        boot_fail("guest memory is too small for this unikernel: give it more (--mem)", NULL, 0);
    heap_end = (bi->mem_size - stack) & ~(uintptr_t)(PAGE - 1);

    /* CONFIG's arrays and strings are parsed into the bottom of the heap;
     * malloc gets what is left. An empty command line (a Solo5 tender given
     * no arguments) is an empty CONFIG. */
    const char *config = (const char *)(uintptr_t)bi->cmdline;
    if (*config == '\0')
        config = "{}";
    struct nb_arena a = { .base = (char *)heap_start, .cap = heap_end - heap_start };
    struct json j;
    if (!nb_config_parse(config, strlen(config), &a, &nb_cfg, &j))
        boot_fail("CONFIG", j.err, j.err_pos);
    size_t bad;
    const char *why = nb_disks_init(&bad);
    if (why)
        boot_fail("CONFIG", why, nb_cfg.mounts[bad].pos);
    nb_environ = nb_cfg.env;
    nb_heap_init(heap_start + a.used, heap_end);

    nb_exit(main(nb_cfg.argc, nb_cfg.argv));
}

const struct mft_entry *nb_device(const char *name, uint32_t type)
{
    const struct mft *mft = (const struct mft *)(uintptr_t)nb_bi->mft;
    for (uint32_t i = 1; i < mft->entries; i++) {
        const struct mft_entry *e = &mft->e[i];
        if (e->type == type && e->attached && strcmp(e->name, name) == 0)
            return e;
    }
    return NULL;
}

_Noreturn void nb_exit(int status)
{
    for (;;)
        nb_syscall6(__NR_exit_group, status, 0, 0, 0, 0, 0);
}

const struct spt_boot_info *nb_boot_info(void)
{
    return nb_bi;
}

const char *nb_getenv(const char *name)
{
    size_t n = strlen(name);
    for (char **e = nb_environ; e && *e; e++) {
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

const char *nb_cwd(void)
{
    return nb_cfg.cwd;
}

/* The tender's --mem: the whole range from address 0, including the
 * unmapped first 64 KiB. */
uint64_t nb_mem_size(void)
{
    return nb_bi->mem_size;
}

void nb_heap_range(uintptr_t *start, uintptr_t *end)
{
    *start = heap_start;
    *end = heap_end;
}
