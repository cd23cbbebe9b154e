/*
 * A probe guest for the tender's tests (not an SDK guest: no libc, no
 * runtime; only the SDK's raw syscall, nabla_syscall.h),
 * on the Solo5 spt ABI: its notes declare the devices named by -DPROBE_NET
 * (network "net0"), -DPROBE_BLOCK (block "disk") and -DPROBE_VOLUMES
 * (runnc's volume slots "vol0" and "vol1"), and a runnc clock, and ask
 * for ABI -DPROBE_ABI. With -DPROBE_LEGACY=1 it has no notes and
 * reads the Nabla era's v0.4 boot info instead (both keep kernel_end and
 * the command line at the same offsets).
 * The command line is one command:
 *   bootinfo               write the raw boot info, the manifest, then the
 *                          command line
 *   exit N                 exit_group(N)
 *   sys NR A0 .. A5        make that raw syscall, print "ret=R", exit 0
 *   int80 NR A0 A1 A2      the same through the i386 entry (int $0x80)
 *   poke ADDR / peek ADDR  write / read one byte at ADDR
 *   jump ADDR              call ADDR
 *   retat ADDR             write a ret instruction at ADDR, then call it
 *   recurse                overflow the stack
 *   vdso                   call the manifest's runnc clock, print "vdso=R"
 *   fs                     print the %fs base it starts with
 * Numbers are decimal or 0x-hex; "$heap" is the boot info's kernel_end.
 */
#include <stddef.h>
#include <stdint.h>

#include "nabla_syscall.h"
#include "solo5_spt.h"

/* Entered as if called (%rsp 8 below a 16-byte boundary): realign for the
 * call, or SSE code in probe_main faults. */
__asm__(".globl _start\n_start:\n\tand $-16, %rsp\n\tcall probe_main\n\tud2\n");

#if PROBE_LEGACY
typedef struct spt_v04_boot_info boot_info;
#else
typedef struct spt_boot_info boot_info;
#define NOTE __attribute__((section(".note.solo5"), aligned(4), used))

static const struct {
    struct solo5_note_head h;
    struct solo5_abi1_desc d;
} abi1 NOTE = {
    { sizeof(SOLO5_NOTE_OWNER), sizeof(struct solo5_abi1_desc), SOLO5_NOTE_ABI1, SOLO5_NOTE_OWNER },
    { SOLO5_ABI_TARGET_SPT, PROBE_ABI, { 0, 0 } },
};

#define PROBE_ENTRIES (2 + PROBE_NET + PROBE_BLOCK + 2 * PROBE_VOLUMES)
static const struct {
    struct solo5_note_head h;
    uint32_t pad;
    struct mft m;
    struct mft_entry e[PROBE_ENTRIES];
} mft1 NOTE = {
    { sizeof(SOLO5_NOTE_OWNER), MFT1_DESC_PAD + MFT_SIZE(PROBE_ENTRIES), SOLO5_NOTE_MFT1,
      SOLO5_NOTE_OWNER },
    0,
    { MFT_VERSION, PROBE_ENTRIES },
    {
        { .name = "", .type = MFT_RESERVED_FIRST },
        { .name = "runnc.clock", .type = MFT_RUNNC_CLOCK },
#if PROBE_NET
        { .name = "net0", .type = MFT_DEV_NET_BASIC },
#endif
#if PROBE_BLOCK
        { .name = "disk", .type = MFT_DEV_BLOCK_BASIC },
#endif
#if PROBE_VOLUMES
        { .name = "vol0", .type = MFT_RUNNC_VOLUME },
        { .name = "vol1", .type = MFT_RUNNC_VOLUME },
#endif
    },
};
#endif

static long int80(long n, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static void out(const void *p, size_t n) { nb_syscall6(1, 1, (long)p, (long)n, 0, 0, 0); }
static _Noreturn void quit(long status)
{
    nb_syscall6(231, status, 0, 0, 0, 0, 0);
    __builtin_unreachable();
}

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static void say(const char *s) { out(s, slen(s)); }

static void say_num(const char *label, long v)
{
    char buf[32];
    int i = sizeof(buf);
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    buf[--i] = '\n';
    do
        buf[--i] = (char)('0' + u % 10);
    while ((u /= 10) && i > 1);
    if (v < 0)
        buf[--i] = '-';
    say(label);
    out(buf + i, sizeof(buf) - (size_t)i);
}

static int word(const char **s, const char *w)
{
    size_t n = slen(w);
    for (size_t i = 0; i < n; i++)
        if ((*s)[i] != w[i])
            return 0;
    if ((*s)[n] != ' ' && (*s)[n] != '\0')
        return 0;
    *s += n;
    return 1;
}

static unsigned long number(const char **s, const boot_info *bi)
{
    unsigned long v = 0, base = 10;
    while (**s == ' ')
        (*s)++;
    if (word(s, "$heap"))
        return bi->kernel_end;
    if ((*s)[0] == '0' && (*s)[1] == 'x') {
        base = 16;
        *s += 2;
    }
    for (;; (*s)++) {
        char c = **s;
        unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                   : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 99;
        if (d >= base)
            return v;
        v = v * base + d;
    }
}

static int recurse(volatile char *p)
{
    volatile char buf[1024];
    buf[0] = *p;
    if (buf[0] == 42) /* never: the stack runs out first */
        return 0;
    return recurse(buf) + buf[1];
}

_Noreturn void probe_main(const boot_info *bi);

_Noreturn void probe_main(const boot_info *bi)
{
    const char *cmd = (const char *)bi->cmdline;

    if (word(&cmd, "bootinfo")) {
        const char *c = (const char *)bi->cmdline;
        out(bi, sizeof(*bi));
#if !PROBE_LEGACY
        const struct mft *m = (const struct mft *)bi->mft;
        out(m, MFT_SIZE(m->entries));
#endif
        out(c, slen(c));
        quit(0);
    }
    if (word(&cmd, "fs")) {
        unsigned long fs = 0;
        __asm__ volatile("rdfsbase %0" : "=r"(fs)); /* SIGILL where FSGSBASE is off */
        say_num("fs=", (long)fs);
        quit(0);
    }
    if (word(&cmd, "exit"))
        quit((long)number(&cmd, bi));
    if (word(&cmd, "sys")) {
        long a[7];
        for (int i = 0; i < 7; i++)
            a[i] = (long)number(&cmd, bi);
        say_num("ret=", nb_syscall6(a[0], a[1], a[2], a[3], a[4], a[5], a[6]));
        quit(0);
    }
    if (word(&cmd, "int80")) {
        long a[4];
        for (int i = 0; i < 4; i++)
            a[i] = (long)number(&cmd, bi);
        say_num("ret=", int80(a[0], a[1], a[2], a[3]));
        quit(0);
    }
    if (word(&cmd, "poke")) {
        *(volatile char *)number(&cmd, bi) = 1;
        say("poked\n");
        quit(0);
    }
    if (word(&cmd, "peek")) {
        say_num("peek=", *(volatile char *)number(&cmd, bi));
        quit(0);
    }
    if (word(&cmd, "retat")) {
        unsigned long addr = number(&cmd, bi);
        *(volatile unsigned char *)addr = 0xc3;
        ((void (*)(void))addr)();
        say("returned\n");
        quit(0);
    }
    if (word(&cmd, "jump")) {
        ((void (*)(void))number(&cmd, bi))();
        say("returned\n");
        quit(0);
    }
    if (word(&cmd, "recurse"))
        quit(recurse((volatile char *)bi));
#if !PROBE_LEGACY
    if (word(&cmd, "vdso")) {
        long ts[2] = { 0, 0 };
        const struct mft_entry *clock = &((const struct mft *)bi->mft)->e[1];
        if (!clock->attached || !clock->b.data)
            quit(2);
        long r = ((long (*)(long, long *))clock->b.data)(1, ts);
        say_num("vdso=", r);
        say_num("sec=", ts[0]);
        quit(0);
    }
#endif
    say("probe: unknown command\n");
    quit(99);
}
