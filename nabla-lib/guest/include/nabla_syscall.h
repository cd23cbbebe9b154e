/*
 * The one way out of a guest: a raw x86-64 syscall. Header-only and
 * self-contained, so that guests built without the SDK (the tender's test
 * probe, tests/tender/testdata/probe.c) make their syscalls exactly as SDK
 * guests do.
 */
#ifndef NABLA_SYSCALL_H
#define NABLA_SYSCALL_H

/* The kernel's calling convention: the number in %rax, the arguments in
 * %rdi, %rsi, %rdx, %r10, %r8, %r9; the syscall instruction clobbers %rcx
 * and %r11. Returns the result, or -errno. */
static inline long nb_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    register long r9 __asm__("r9") = a6;
    long ret;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

#endif
