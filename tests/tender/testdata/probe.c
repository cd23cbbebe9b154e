/*
 * A probe guest for the tender's tests (not an SDK: no libc, no runtime).
 * CONFIG is one command:
 *   bootinfo               write the raw boot info, then the CONFIG bytes
 *   exit N                 exit_group(N)
 *   sys NR A0 .. A5        make that raw syscall, print "ret=R", exit 0
 *   int80 NR A0 A1 A2      the same through the i386 entry (int $0x80)
 *   pollfd FD              ppoll FD with no wait, print "revents=R"
 *   poke ADDR / peek ADDR  write / read one byte at ADDR
 *   jump ADDR              call ADDR
 *   retat ADDR             write a ret instruction at ADDR, then call it
 *   recurse                overflow the stack
 *   vdso                   call the boot info's vDSO clock, print "vdso=R"
 * Numbers are decimal or 0x-hex; "$heap" is the boot info's heap_start.
 */
#include <stddef.h>
#include <stdint.h>

#include "nabla_abi.h"

__asm__(".globl _start\n_start:\n\tcall probe_main\n\tud2\n");

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static long int80(long n, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(n), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

static void out(const void *p, size_t n) { sys6(1, 1, (long)p, (long)n, 0, 0, 0); }
static _Noreturn void quit(long status)
{
    sys6(231, status, 0, 0, 0, 0, 0);
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

static unsigned long number(const char **s, const struct nabla_boot_info *bi)
{
    unsigned long v = 0, base = 10;
    while (**s == ' ')
        (*s)++;
    if (word(s, "$heap"))
        return bi->heap_start;
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

_Noreturn void probe_main(const struct nabla_boot_info *bi);

_Noreturn void probe_main(const struct nabla_boot_info *bi)
{
    const char *cmd = (const char *)bi->config;

    if (word(&cmd, "bootinfo")) {
        out(bi, sizeof(*bi));
        out((const void *)bi->config, bi->config_len);
        quit(0);
    }
    if (word(&cmd, "exit"))
        quit((long)number(&cmd, bi));
    if (word(&cmd, "sys")) {
        long a[7];
        for (int i = 0; i < 7; i++)
            a[i] = (long)number(&cmd, bi);
        say_num("ret=", sys6(a[0], a[1], a[2], a[3], a[4], a[5], a[6]));
        quit(0);
    }
    if (word(&cmd, "int80")) {
        long a[4];
        for (int i = 0; i < 4; i++)
            a[i] = (long)number(&cmd, bi);
        say_num("ret=", int80(a[0], a[1], a[2], a[3]));
        quit(0);
    }
    if (word(&cmd, "pollfd")) {
        struct { int fd; short events, revents; } pfd = { (int)number(&cmd, bi), 0, 0 };
        long ts[2] = { 0, 0 };
        sys6(271, (long)&pfd, 1, (long)ts, 0, 0, 0);
        say_num("revents=", pfd.revents);
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
    if (word(&cmd, "vdso")) {
        long ts[2] = { 0, 0 };
        if (!bi->vdso_clock_gettime)
            quit(2);
        long r = ((long (*)(long, long *))bi->vdso_clock_gettime)(1, ts);
        say_num("vdso=", r);
        say_num("sec=", ts[0]);
        quit(0);
    }
    say("probe: unknown command\n");
    quit(99);
}
