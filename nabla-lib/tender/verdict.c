/*
 * The verdict on a forbidden syscall. The filter's default action is
 * SECCOMP_RET_TRAP: the kernel sends SIGSYS, and this handler writes one
 * line naming the syscall to the guest's console (what `docker logs`
 * shows), then makes a forbidden syscall itself. SIGSYS is blocked while
 * its handler runs, so the kernel then resets it to the default action and
 * the process dies by SIGSYS, exactly as with SECCOMP_RET_KILL_PROCESS.
 *
 * The handler never returns (the filter allows no rt_sigreturn), runs on
 * its own stack (the guest's stack pointer may be anything), and uses only
 * its arguments, its stack and constants: the guest can have written over
 * any of the tender's data. It must not touch %fs either, which a Solo5
 * guest owns (the tender cleared it; the guest set its own): no stack
 * protector canary and no errno: raw syscalls, and of the C library only
 * memcpy, which keeps no state.
 * With a canary read through the guest's %fs, a forbidden syscall would end
 * in SIGSEGV instead of this line and SIGSYS.
 */
#include <signal.h>
#include <string.h>
#include <asm/unistd.h>

#include "tender.h"

__attribute__((no_stack_protector, always_inline)) static inline long
raw_syscall3(long nr, long a0, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

__attribute__((no_stack_protector)) static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    static const char head[] = TENDER_NAME ": the unikernel made syscall ";
    static const char tail[] = ", which the seccomp allowlist forbids: stopped "
                               "(nabla-run --print-filter lists what it may do)\n";
    char line[sizeof(head) + 12 + sizeof(tail)];
    char digits[12];
    int n = si->si_syscall, len = 0, d = 0;

    (void)sig;
    (void)uc;
    if (n < 0)
        n = -1; /* never negative from the kernel; keep the formatting simple */
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0 && d < (int)sizeof(digits));
    memcpy(line, head, sizeof(head) - 1);
    len = sizeof(head) - 1;
    while (d > 0)
        line[len++] = digits[--d];
    memcpy(line + len, tail, sizeof(tail) - 1);
    len += sizeof(tail) - 1;
    raw_syscall3(__NR_write, 1, (long)line, len);
    raw_syscall3(__NR_getpid, 0, 0, 0); /* forbidden: with SIGSYS blocked, this kills us */
    for (;;)
        ;
}

void verdict_install(void)
{
    static char altstack[64 * 1024];
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO | SA_ONSTACK };

    if (sigaltstack(&ss, NULL) < 0)
        die("set the stack for the seccomp verdict: %m");
    sigfillset(&sa.sa_mask);
    if (sigaction(SIGSYS, &sa, NULL) < 0)
        die("install the seccomp verdict: %m");
}
