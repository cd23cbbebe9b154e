/*
 * escape: tries one thing the tender's seccomp filter must forbid, with a
 * raw syscall; the test harness expects death by SIGSYS every time.
 *     escape ACTION [ARG]     escape list    prints the actions
 * ARG is the path open/openat/execve try to create (default
 * /tmp/nabla-escape) or the pid kill sends SIGKILL to (default: signal 0
 * to pid 0).
 * Surviving an action prints "escape: ACTION was allowed" and exits 1; an
 * unknown action, or one missing what it needs (a disk), exits 2.
 *
 * Probes (escape probes: their names) are hostile acts whose expected end
 * is not SIGSYS; tests/hostile runs them:
 *     nr N            raw syscall N, every argument -1: SIGSYS unless allowed
 *     read-ADDR       read a byte outside guest memory: SIGSEGV
 *     write-RO        write to the read-only boot info, CONFIG or code: SIGSEGV
 *     exec-heap/-stack  jump to non-executable memory: SIGSEGV
 *     exhaust-heap    touch every heap page, then the guard page: SIGSEGV
 *     stack-overflow  recurse into the stack guard page: SIGSEGV
 *     efault-*        allowed syscalls with bad pointers or lengths: prints
 *                     "escape: NAME returned -E" and exits 0
 *     spin            loop forever without a syscall (pause, kill)
 */
#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/ptrace.h>
#include <linux/time.h>

#include "nabla.h"
#include "nabla_abi.h"

/* Not in the kernel's UAPI headers (libc defines them). */
#define AF_INET_     2
#define SOCK_STREAM_ 1
#define SIGCHLD_     17
#define SIGKILL_     9

static const char *arg;      /* ARG, or NULL */
static char buf[512];

static long sys(long nr, long a1, long a2, long a3, long a4, long a5)
{
    return nb_syscall6(nr, a1, a2, a3, a4, a5, 0);
}

static const char *path(void)
{
    return arg ? arg : "/tmp/nabla-escape";
}

static int disk_fd(void)
{
    int fd = nb_boot_info()->disk_fd;
    if (fd < 0) {
        nb_printf("escape: this action needs a disk (--disk)\n");
        nb_exit(2);
    }
    return fd;
}

static long do_open(void)
{
    return sys(__NR_open, (long)path(), O_CREAT | O_WRONLY, 0644, 0, 0);
}

static long do_openat(void)
{
    return sys(__NR_openat, AT_FDCWD, (long)path(), O_CREAT | O_WRONLY, 0644, 0);
}

static long do_execve(void)
{
    static char cmd[1024];
    nb_snprintf(cmd, sizeof(cmd), "echo escaped > '%s'", path());
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    char *envp[] = { NULL };
    return sys(__NR_execve, (long)argv[0], (long)argv, (long)envp, 0, 0);
}

static long do_socket(void)
{
    return sys(__NR_socket, AF_INET_, SOCK_STREAM_, 0, 0, 0);
}

static long do_fork(void)
{
    return sys(__NR_fork, 0, 0, 0, 0, 0);
}

static long do_clone(void)
{
    return sys(__NR_clone, SIGCHLD_, 0, 0, 0, 0);
}

static long do_ptrace(void)
{
    return sys(__NR_ptrace, PTRACE_TRACEME, 0, 0, 0, 0);
}

/* Only a real pid gets SIGKILL: anything else probes pid 0 with signal 0,
 * harmless even if the filter were broken. */
static long do_kill(void)
{
    long pid = arg ? nb_atol(arg) : 0;
    return pid > 0 ? sys(__NR_kill, pid, SIGKILL_, 0, 0, 0) : sys(__NR_kill, 0, 0, 0, 0, 0);
}

static long do_mmap_exec(void)
{
    return sys(__NR_mmap, 0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1);
}

static long do_mprotect(void)
{
    static char page[4096] __attribute__((aligned(4096)));
    return sys(__NR_mprotect, (long)page, sizeof(page), PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0);
}

static long do_write_fd2(void)
{
    return sys(__NR_write, 2, (long)"fd 2\n", 5, 0, 0);
}

static long do_write_fd0(void)
{
    return sys(__NR_write, 0, (long)"fd 0\n", 5, 0, 0);
}

static long do_read_console(void)
{
    long r = sys(__NR_read, 1, (long)buf, 1, 0, 0);
    return r < 0 ? sys(__NR_read, 0, (long)buf, 1, 0, 0) : r;
}

static long do_write_disk(void)
{
    return sys(__NR_write, disk_fd(), (long)buf, sizeof(buf), 0, 0);
}

static long do_pwrite_readonly_disk(void)
{
    int fd = disk_fd();
    if (nb_boot_info()->flags & NABLA_F_DISK_WRITABLE) {
        nb_printf("escape: the disk is writable: run with --disk-readonly\n");
        nb_exit(2);
    }
    return sys(__NR_pwrite64, fd, (long)buf, sizeof(buf), 0, 0);
}

static long do_pread_unaligned(void)
{
    return sys(__NR_pread64, disk_fd(), (long)buf, sizeof(buf), 1, 0);
}

static long do_pread_past_end(void)
{
    int fd = disk_fd();
    return sys(__NR_pread64, fd, (long)buf, sizeof(buf), (long)nb_block_size(), 0);
}

static long do_clock_bad(void)
{
    struct __kernel_timespec ts;
    return sys(__NR_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, (long)&ts, 0, 0, 0);
}

static long do_ppoll_sigmask(void)
{
    struct __kernel_timespec ts = { 0, 0 };
    uint64_t mask = 0;
    return sys(__NR_ppoll, 0, 0, (long)&ts, (long)&mask, sizeof(mask));
}

static long do_x32(void)
{
    static const char msg[] = "escape: x32 write reached the console\n";
    return sys(__X32_SYSCALL_BIT | __NR_write, 1, (long)msg, sizeof(msg) - 1, 0, 0);
}

/* i386 numbering through the 32-bit gate: 4 is write(ebx, ecx, edx). The
 * message lives below 4 GiB, as a 32-bit pointer must. */
static long do_int80(void)
{
    static const char msg[] = "escape: int 0x80 write reached the console\n";
    long ret;
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(4), "b"(1), "c"(msg), "d"(sizeof(msg) - 1)
                     : "memory");
    return ret;
}

static long do_high_fd(void)
{
    static const char msg[] = "escape: write to fd 1|1<<32 reached the console\n";
    return sys(__NR_write, 1L | 1L << 32, (long)msg, sizeof(msg) - 1, 0, 0);
}

static const struct {
    const char *name;
    long (*run)(void);
} actions[] = {
    { "open", do_open },
    { "openat", do_openat },
    { "execve", do_execve },
    { "socket", do_socket },
    { "fork", do_fork },
    { "clone", do_clone },
    { "ptrace", do_ptrace },
    { "kill", do_kill },
    { "mmap-exec", do_mmap_exec },
    { "mprotect", do_mprotect },
    { "write-fd2", do_write_fd2 },
    { "write-fd0", do_write_fd0 },
    { "read-console", do_read_console },
    { "write-disk", do_write_disk },
    { "pwrite-readonly-disk", do_pwrite_readonly_disk },
    { "pread-unaligned", do_pread_unaligned },
    { "pread-past-end", do_pread_past_end },
    { "clock-bad", do_clock_bad },
    { "ppoll-sigmask", do_ppoll_sigmask },
    { "x32", do_x32 },
    { "int80", do_int80 },
    { "high-fd", do_high_fd },
};

#define NACTIONS (sizeof(actions) / sizeof(actions[0]))

/* --- probes ---------------------------------------------------------------- */

static long probe_nr(void)
{
    long nr = arg ? nb_atol(arg) : -1;
    return nb_syscall6(nr, -1, -1, -1, -1, -1, -1);
}

/* A read that must fault; surviving it is an escape from guest memory. */
static long read_at(uintptr_t addr)
{
    volatile const char *p = (volatile const char *)addr;
    nb_printf("escape: read %p was allowed (got %d)\n", (void *)addr, *p);
    nb_exit(1);
}

static long write_at(uintptr_t addr)
{
    *(volatile char *)addr = 0;
    nb_printf("escape: write to %p was allowed\n", (void *)addr);
    nb_exit(1);
}

static long probe_read_null(void) { return read_at(0); }
static long probe_read_below(void) { return read_at(NABLA_MEM_BASE - NABLA_PAGE_SIZE); }
static long probe_read_past_end(void) { return read_at(nb_boot_info()->mem_end); }
static long probe_read_guard(void) { return read_at(nb_boot_info()->heap_end); }
static long probe_read_kernel(void) { return read_at(0xffffffff81000000ul); }
static long probe_read_noncanonical(void) { return read_at(0x8000000000000000ul); }
static long probe_write_bootinfo(void) { return write_at(NABLA_BOOT_INFO + 8); }
static long probe_write_config(void) { return write_at(nb_boot_info()->config); }
static long probe_write_text(void) { return write_at((uintptr_t)do_open); }

static long jump_to(uint8_t *code)
{
    code[0] = 0xc3; /* ret */
    ((void (*)(void))code)();
    nb_printf("escape: executing writable memory at %p was allowed\n", (void *)code);
    nb_exit(1);
}

static long probe_exec_heap(void)
{
    return jump_to(nb_malloc(64));
}

static long probe_exec_stack(void)
{
    uint8_t code[16];
    return jump_to(code);
}

static long probe_exhaust_heap(void)
{
    const struct nabla_boot_info *bi = nb_boot_info();
    volatile uint8_t *p = (volatile uint8_t *)bi->heap_start;
    for (; (uintptr_t)p < bi->heap_end; p += NABLA_PAGE_SIZE)
        *p = 1;
    nb_printf("escape: touched %lu MiB of heap, now the guard page\n",
              (unsigned long)((bi->heap_end - bi->heap_start) >> 20));
    *p = 1;
    nb_printf("escape: the heap guard page was writable\n");
    nb_exit(1);
}

/* Deeper than any stack: only the guard page ends the recursion. */
static volatile long max_depth = 1l << 40;

static long recurse(long depth)
{
    volatile char frame[4096];
    frame[0] = (char)depth;
    if (depth >= max_depth)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static long probe_stack_overflow(void) { return recurse(0); }

static long probe_spin(void)
{
    nb_printf("escape: spinning\n");
    for (;;)
        __asm__ volatile("" ::: "memory");
    return 0;
}

/* Allowed syscalls with hostile arguments: the kernel refuses them with an
 * error; neither the tender nor the host may crash. */
static long probe_efault_write(void) { return sys(__NR_write, 1, 8, 16, 0, 0); }
static long probe_efault_write_kernel(void) { return sys(__NR_write, 1, 0xffffffff81000000l, 16, 0, 0); }
static long probe_efault_write_neglen(void) { return sys(__NR_write, 1, (long)buf, -1, 0, 0); }
static long probe_efault_write_past_end(void)
{
    /* Starts in guest memory, runs off its end: a short write or EFAULT. */
    long r = sys(__NR_write, 1, (long)(nb_boot_info()->mem_end - 8), 1l << 40, 0, 0);
    return r > 0 ? -r : r;
}
static long probe_efault_clock(void) { return sys(__NR_clock_gettime, CLOCK_MONOTONIC, 8, 0, 0, 0); }
static long probe_efault_ppoll(void) { return sys(__NR_ppoll, 8, 1, 0, 0, 0); }
static long probe_efault_ppoll_timeout(void) { return sys(__NR_ppoll, 0, 0, 8, 0, 0); }
static long probe_efault_pread(void) { return sys(__NR_pread64, disk_fd(), 8, 512, 0, 0); }

static const struct {
    const char *name;
    long (*run)(void);
} probes[] = {
    { "nr", probe_nr },
    { "read-null", probe_read_null },
    { "read-below", probe_read_below },
    { "read-past-end", probe_read_past_end },
    { "read-guard", probe_read_guard },
    { "read-kernel", probe_read_kernel },
    { "read-noncanonical", probe_read_noncanonical },
    { "write-bootinfo", probe_write_bootinfo },
    { "write-config", probe_write_config },
    { "write-text", probe_write_text },
    { "exec-heap", probe_exec_heap },
    { "exec-stack", probe_exec_stack },
    { "exhaust-heap", probe_exhaust_heap },
    { "stack-overflow", probe_stack_overflow },
    { "spin", probe_spin },
    { "efault-write", probe_efault_write },
    { "efault-write-kernel", probe_efault_write_kernel },
    { "efault-write-neglen", probe_efault_write_neglen },
    { "efault-write-past-end", probe_efault_write_past_end },
    { "efault-clock", probe_efault_clock },
    { "efault-ppoll", probe_efault_ppoll },
    { "efault-ppoll-timeout", probe_efault_ppoll_timeout },
    { "efault-pread", probe_efault_pread },
};

#define NPROBES (sizeof(probes) / sizeof(probes[0]))

int main(int argc, char **argv)
{
    if (argc < 2) {
        nb_printf("usage: escape ACTION [ARG] (escape list: the actions)\n");
        return 2;
    }
    if (strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < NACTIONS; i++)
            nb_printf("%s\n", actions[i].name);
        return 0;
    }
    if (strcmp(argv[1], "probes") == 0) {
        for (size_t i = 0; i < NPROBES; i++)
            nb_printf("%s\n", probes[i].name);
        return 0;
    }
    arg = argc > 2 ? argv[2] : NULL;
    for (size_t i = 0; i < NPROBES; i++) {
        if (strcmp(argv[1], probes[i].name) == 0) {
            long r = probes[i].run();
            nb_printf("escape: %s returned %ld\n", argv[1], r);
            return 0;
        }
    }
    for (size_t i = 0; i < NACTIONS; i++) {
        if (strcmp(argv[1], actions[i].name) == 0) {
            long r = actions[i].run();
            nb_printf("escape: %s was allowed (returned %ld)\n", argv[1], r);
            return 1;
        }
    }
    nb_printf("escape: unknown action %s (escape list: the actions)\n", argv[1]);
    return 2;
}
