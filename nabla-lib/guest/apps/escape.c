/*
 * escape: tries one thing the tender's seccomp filter must forbid, with a
 * raw syscall; the test harness expects death by SIGSYS every time.
 *     escape ACTION [ARG]     escape list    prints the actions
 * ARG is the path open/openat/execve try to create (default
 * /tmp/nabla-escape) or the pid kill sends SIGKILL to (default: signal 0
 * to pid 0).
 * Surviving an action prints "escape: ACTION was allowed" and exits 1; an
 * unknown action, or one missing what it needs (a disk), exits 2. The disk
 * actions use the manifest's "rootfs" device, declared below; escape has no
 * network device (none of its acts needs one).
 *
 * Probes (escape probes: their names) are hostile acts whose expected end
 * is not SIGSYS; tests/hostile runs them:
 *     nr N            raw syscall N, every argument -1: SIGSYS unless allowed
 *     read-ADDR       read a byte outside guest memory: SIGSEGV
 *     write-RO        write to the read-only boot info, command line, code
 *                     or read-only data: SIGSEGV
 *     exec-heap/-stack  jump to non-executable memory: SIGSEGV
 *     exhaust-heap    touch every heap page, then read past the end of
 *                     guest memory: SIGSEGV (or the memory cgroup's kill)
 *     stack-overflow  recurse until the stack runs into read-only memory:
 *                     SIGSEGV (the Solo5 ABI has no stack guard page)
 *     efault-*        allowed syscalls with bad pointers or lengths: prints
 *                     "escape: NAME returned -E" and exits 0
 *     pwrite-readonly-disk  write a block back to a read-only disk: the
 *                     same, -EROFS
 *     spin            loop forever without a syscall (pause, kill)
 */
#include <asm/prctl.h>
#include <asm/unistd.h>
#include <linux/eventpoll.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/ptrace.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/timerfd.h>

#include "nabla.h"

NB_MANIFEST(NB_BLOCK(NB_BLOCK_NAME));

/* Not in the kernel's UAPI headers (libc defines them). */
#define AF_INET_     2
#define SOCK_STREAM_ 1
#define SIGCHLD_     17
#define SIGKILL_     9

static const char *arg;      /* ARG, or NULL */
static char buf[NB_BLOCK_SIZE_MAX];

static long sys(long nr, long a1, long a2, long a3, long a4, long a5)
{
    return nb_syscall6(nr, a1, a2, a3, a4, a5, 0);
}

static const char *path(void)
{
    return arg ? arg : "/tmp/nabla-escape";
}

/* The disk's fd, and its block size: the one length the filter lets
 * pread64 use. */
static int disk_fd(long *block_size)
{
    const struct mft_entry *d = nb_device(NB_BLOCK_NAME, MFT_DEV_BLOCK_BASIC);
    if (!d || d->u.block_basic.block_size > sizeof(buf)) {
        nb_printf("escape: this action needs a disk (--block:" NB_BLOCK_NAME "=FILE)\n");
        nb_exit(2);
    }
    *block_size = d->u.block_basic.block_size;
    return d->b.hostfd;
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
    long bs;
    int fd = disk_fd(&bs);
    return sys(__NR_write, fd, (long)buf, bs, 0, 0);
}

static long do_pread_unaligned(void)
{
    long bs;
    int fd = disk_fd(&bs);
    return sys(__NR_pread64, fd, (long)buf, bs, 1, 0);
}

static long do_pread_past_end(void)
{
    long bs;
    int fd = disk_fd(&bs);
    return sys(__NR_pread64, fd, (long)buf, bs, (long)nb_block_size(), 0);
}

static long do_clock_bad(void)
{
    struct __kernel_timespec ts;
    return sys(__NR_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, (long)&ts, 0, 0, 0);
}

/* With a sigmask, epoll_pwait could unblock signals; only NULL passes. */
static long do_epoll_sigmask(void)
{
    struct epoll_event ev;
    uint64_t mask = 0;
    return nb_syscall6(__NR_epoll_pwait, nb_boot_info()->epollfd, (long)&ev, 1, 0, (long)&mask,
                       sizeof(mask));
}

/* The guest may set %fs (Solo5 guests' TLS), nothing else. */
static long do_arch_prctl_get(void)
{
    static unsigned long fs;
    return sys(__NR_arch_prctl, ARCH_GET_FS, (long)&fs, 0, 0, 0);
}

static long do_arch_prctl_gs(void)
{
    return sys(__NR_arch_prctl, ARCH_SET_GS, 0, 0, 0, 0);
}

/* Only the tender's own timerfd and epoll set, as it made them. */
static long do_timerfd_create(void)
{
    return sys(__NR_timerfd_create, CLOCK_MONOTONIC, 0, 0, 0, 0);
}

static long do_epoll_ctl(void)
{
    struct epoll_event ev = { .events = EPOLLIN };
    return sys(__NR_epoll_ctl, nb_boot_info()->epollfd, EPOLL_CTL_ADD, 1, (long)&ev, 0);
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

/* An action or a probe: what escape's argument names and what it does. */
struct act {
    const char *name;
    long (*run)(void);
};

static const struct act actions[] = {
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
    { "pread-unaligned", do_pread_unaligned },
    { "pread-past-end", do_pread_past_end },
    { "clock-bad", do_clock_bad },
    { "epoll-sigmask", do_epoll_sigmask },
    { "arch_prctl-get", do_arch_prctl_get },
    { "arch_prctl-gs", do_arch_prctl_gs },
    { "timerfd-create", do_timerfd_create },
    { "epoll-ctl", do_epoll_ctl },
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
static long probe_read_below(void) { return read_at(SPT_HOST_MEM_BASE - 4096); }
static long probe_read_past_end(void) { return read_at(nb_boot_info()->mem_size); }
static long probe_read_kernel(void) { return read_at(0xffffffff81000000ul); }
static long probe_read_noncanonical(void) { return read_at(0x8000000000000000ul); }
static long probe_write_bootinfo(void) { return write_at(SPT_BOOT_INFO_BASE + 8); }
static long probe_write_config(void) { return write_at(nb_boot_info()->cmdline); }
static long probe_write_text(void) { return write_at((uintptr_t)do_open); }
static const char rodata[] = "read-only";
static long probe_write_rodata(void) { return write_at((uintptr_t)rodata); }

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
    uintptr_t start, end;
    nb_heap_range(&start, &end);
    for (volatile uint8_t *p = (volatile uint8_t *)start; (uintptr_t)p < end; p += 4096)
        *p = 1;
    nb_printf("escape: touched %lu MiB of heap, now past the end of memory\n",
              (unsigned long)((end - start) >> 20));
    return read_at(nb_boot_info()->mem_size);
}

/* Deeper than any memory: only the read-only image below the heap and
 * .bss ends the recursion. On the way down the stack overwrites all
 * writable memory, so the bound is an argument (kept in registers), not a
 * global the descent could overwrite. */
static volatile long max_depth = 1l << 40;

static long recurse(long depth, long limit)
{
    volatile char frame[4096];
    frame[0] = (char)depth;
    if (depth >= limit)
        return 0;
    return recurse(depth + 1, limit) + frame[0];
}

static long probe_stack_overflow(void) { return recurse(0, max_depth); }

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
    long r = sys(__NR_write, 1, (long)(nb_boot_info()->mem_size - 8), 1l << 40, 0, 0);
    return r > 0 ? -r : r;
}
static long probe_efault_clock(void) { return sys(__NR_clock_gettime, CLOCK_MONOTONIC, 8, 0, 0, 0); }
static long probe_efault_timerfd(void)
{
    return sys(__NR_timerfd_settime, nb_boot_info()->timerfd, TFD_TIMER_ABSTIME, 8, 0, 0);
}
/* The timer armed for 1 ns of CLOCK_MONOTONIC, long past, so the kernel
 * has an event to copy to the bad address. */
static long probe_efault_epoll(void)
{
    const struct spt_boot_info *bi = nb_boot_info();
    struct __kernel_itimerspec now = { .it_value = { .tv_nsec = 1 } };
    sys(__NR_timerfd_settime, bi->timerfd, TFD_TIMER_ABSTIME, (long)&now, 0, 0);
    return nb_syscall6(__NR_epoll_pwait, bi->epollfd, 8, 1, -1, 0, 0);
}
static long probe_efault_pread(void)
{
    long bs;
    int fd = disk_fd(&bs);
    return sys(__NR_pread64, fd, 8, bs, 0, 0);
}

/* Writes back the disk's first block as it read it: nabla-run's filter
 * fails pwrite64 on a read-only disk with EROFS (the guest lives on, the
 * file is untouched); should a writable disk let it through, its content
 * is still the same. */
static long probe_pwrite_readonly_disk(void)
{
    long bs;
    int fd = disk_fd(&bs);
    if (sys(__NR_pread64, fd, (long)buf, bs, 0, 0) != bs) {
        nb_printf("escape: cannot read the disk's first block\n");
        nb_exit(2);
    }
    return sys(__NR_pwrite64, fd, (long)buf, bs, 0, 0);
}

static const struct act probes[] = {
    { "nr", probe_nr },
    { "read-null", probe_read_null },
    { "read-below", probe_read_below },
    { "read-past-end", probe_read_past_end },
    { "read-kernel", probe_read_kernel },
    { "read-noncanonical", probe_read_noncanonical },
    { "write-bootinfo", probe_write_bootinfo },
    { "write-config", probe_write_config },
    { "write-text", probe_write_text },
    { "write-rodata", probe_write_rodata },
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
    { "efault-epoll", probe_efault_epoll },
    { "efault-timerfd", probe_efault_timerfd },
    { "efault-pread", probe_efault_pread },
    { "pwrite-readonly-disk", probe_pwrite_readonly_disk },
};

#define NPROBES (sizeof(probes) / sizeof(probes[0]))

static void list(const struct act *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        nb_printf("%s\n", t[i].name);
}

static const struct act *find(const struct act *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(name, t[i].name) == 0)
            return &t[i];
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const struct act *a;

    if (argc < 2) {
        nb_printf("usage: escape ACTION [ARG] (escape list: the actions)\n");
        return 2;
    }
    if (strcmp(argv[1], "list") == 0) {
        list(actions, NACTIONS);
        return 0;
    }
    if (strcmp(argv[1], "probes") == 0) {
        list(probes, NPROBES);
        return 0;
    }
    arg = argc > 2 ? argv[2] : NULL;
    if ((a = find(probes, NPROBES, argv[1]))) {
        nb_printf("escape: %s returned %ld\n", argv[1], a->run());
        return 0;
    }
    if ((a = find(actions, NACTIONS, argv[1]))) {
        nb_printf("escape: %s was allowed (returned %ld)\n", argv[1], a->run());
        return 1;
    }
    nb_printf("escape: unknown action %s (escape list: the actions)\n", argv[1]);
    return 2;
}
