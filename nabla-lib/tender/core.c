/*
 * The tender's core: the process it starts from, guest memory, the boot
 * info, the filter rules every guest gets, and the launch (confinement,
 * then the jump).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "elf_loader.h"
#include "filter.h"
#include "tender.h"

#define PAGE NABLA_PAGE_SIZE

/* Before anything is opened: fds 0-2 must be taken, or the tap could land
 * on fd 1 and the console would write into the network. */
void core_check_process(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF && open("/dev/null", O_RDWR) != fd)
            exit(1); /* no stderr to say so */
    }
    /* exec of a 64-bit ELF clears READ_IMPLIES_EXEC on x86-64 today; this
     * keeps that guarantee from depending on the kernel's choice. */
    int persona = personality(0xffffffff);
    if (persona < 0 || (persona & READ_IMPLIES_EXEC))
        die("refusing to run with the READ_IMPLIES_EXEC personality: every readable "
            "guest page would be executable");
}

void core_move_fd(int fd, int target)
{
    if (fd == target)
        return;
    if (dup2(fd, target) < 0)
        die("move fd %d to %d: %m", fd, target);
    close(fd);
}

/* What every guest gets: boot info basics and the rules for the console,
 * the clocks, sleeping in ppoll, and exit. */
void core_setup(struct nabla_boot_info *bi, struct filter *f)
{
    bi->magic = NABLA_BOOT_MAGIC;
    bi->abi_version = NABLA_ABI_VERSION;
    bi->console_fd = CONSOLE_FD;
    bi->net_fd = -1;
    bi->disk_fd = -1;
    /* ppoll cannot be filtered by fd (the fds are behind a pointer); with
     * every other fd closed, one entry is enough: the tap (or nothing). */
    bi->poll_max_fds = 1;

    filter_add(f, __NR_write, "write", COND(ARG_EQ, 0, "fd", CONSOLE_FD));
    filter_add(f, __NR_clock_gettime, "clock_gettime",
               COND_NAMED(ARG_EQ, 0, "clockid", CLOCK_MONOTONIC, "CLOCK_MONOTONIC"));
    filter_add(f, __NR_clock_gettime, "clock_gettime",
               COND_NAMED(ARG_EQ, 0, "clockid", CLOCK_REALTIME, "CLOCK_REALTIME"));
    /* A NULL sigmask: with its own, a guest could block SIGTERM while it
     * waits and so ignore docker stop. */
    filter_add(f, __NR_ppoll, "ppoll", COND(ARG_LE, 1, "nfds", bi->poll_max_fds),
               COND_NAMED(ARG_EQ, 3, "sigmask", 0, "NULL"));
    filter_add_any(f, __NR_exit_group, "exit_group");
}

/* Guest memory is [NABLA_MEM_BASE, mem_end) at fixed addresses, read-write
 * and never executable until core_launch gives the pages their final
 * protection. NOREPLACE: MAP_FIXED would silently replace the tender's own
 * mappings. NORESERVE: untouched guest memory costs nothing. */
void core_reserve_memory(uint64_t mem_end)
{
    void *want = (void *)(uintptr_t)NABLA_MEM_BASE;
    void *got = mmap(want, mem_end - NABLA_MEM_BASE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
    if (got == MAP_FAILED && errno == EEXIST)
        die("guest memory [%#llx, %#llx) overlaps the tender's own mappings; lower --mem",
            NABLA_MEM_BASE, (unsigned long long)mem_end);
    if (got == MAP_FAILED)
        die("cannot map %llu MiB of guest memory: %m; lower --mem",
            (unsigned long long)(mem_end >> 20));
    if (got != want) /* kernels before 4.17 take NOREPLACE as a mere hint */
        die("the kernel placed guest memory at %p instead of %p", got, want);
}

/* Reads the whole file with read(), not mmap: a mapping would let a writer
 * change the bytes between elf_check and elf_load. */
static uint8_t *read_image(const char *path, size_t max, size_t *size)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        die("open %s: %m", path);
    if (fstat(fd, &st) < 0)
        die("stat %s: %m", path);
    if (!S_ISREG(st.st_mode))
        die("%s is not a regular file", path);
    if ((uint64_t)st.st_size > max)
        die("%s is larger than guest memory (%lld bytes); raise --mem", path,
            (long long)st.st_size);
    uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
    if (!buf)
        die("no memory to read %s", path);
    size_t n = 0;
    while (n < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            die("read %s: %m", path);
        if (r == 0)
            break; /* truncated meanwhile: elf_check sees the shorter file */
        n += (size_t)r;
    }
    close(fd);
    *size = n;
    return buf;
}

void core_load_guest(const struct args *a, struct nabla_boot_info *bi, uint64_t *entry)
{
    struct elf_plan plan;
    char err[256];
    size_t size;

    bi->stack_top = bi->mem_end;
    bi->heap_end = bi->mem_end - NABLA_STACK_SIZE - PAGE; /* a guard page between */

    uint8_t *buf = read_image(a->unikernel, bi->mem_end, &size);
    const struct elf_limits lim = {
        .min_vaddr = NABLA_IMAGE_MIN,
        .max_vaddr = bi->heap_end,
        .allow_wx = a->x_exec_heap,
    };
    if (elf_check(buf, size, &lim, &plan, err, sizeof(err)) < 0)
        die("%s: %s", a->unikernel, err);
    if (plan.wx_segment >= 0)
        warn("%s: segment %d is writable and executable (allowed by --x-exec-heap)",
             a->unikernel, plan.wx_segment);
    if (elf_load(buf, &plan) < 0)
        die("%s: cannot protect the loaded segments: %m", a->unikernel);
    free(buf);
    *entry = plan.entry;
    bi->heap_start = plan.image_end;
}

void core_write_config(const char *config, struct nabla_boot_info *bi)
{
    size_t len = strlen(config); /* args_parse bounded it by NABLA_CONFIG_MAX */
    memcpy((void *)(uintptr_t)NABLA_CONFIG_BASE, config, len + 1);
    bi->config = NABLA_CONFIG_BASE;
    bi->config_len = len;
}

static void protect(uint64_t start, uint64_t len, int prot, const char *what)
{
    if (len && mprotect((void *)(uintptr_t)start, len, prot) < 0)
        die("cannot protect the guest %s: %m", what);
}

/* Capabilities are worthless to a process that can make no other syscall,
 * but if the filter ever had a hole they should not come with it. Dropping
 * from the bounding set needs CAP_SETPCAP: without it (an unprivileged
 * tender) there is nothing to drop. Clearing permitted also clears ambient. */
static void drop_capabilities(void)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM)
            die("drop capability %d from the bounding set: %m", cap);
    }
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) < 0)
        die("drop capabilities: %m");
}

/* Keeps only the console and the devices: ppoll can name any fd. fd 0 and 2
 * go last, so nothing can be reported after this: every check that can fail
 * for a reason the user can fix has run before. */
static void close_fds(const struct nabla_boot_info *bi)
{
    if (close_range(DISK_FD + 1, UINT_MAX, 0) < 0)
        die("close inherited file descriptors: %m");
    if (bi->net_fd < 0)
        close(NET_FD);
    if (bi->disk_fd < 0)
        close(DISK_FD);
    close(0);
    close(2);
}

/* Only the seccomp verdict (verdict.c) gets a handler. Dispositions
 * and the mask are inherited across exec: a SIGTERM ignored or blocked by
 * whoever started us must not make the guest unkillable. SIGPIPE is ignored
 * so that a closed console gives the guest EPIPE instead of death. */
static void reset_signals(void)
{
    sigset_t none;

    for (int sig = 1; sig < NSIG; sig++)
        signal(sig, SIG_DFL); /* fails harmlessly for SIGKILL, SIGSTOP, glibc's own */
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The guest can read all of the tender's memory: leave it nothing of the
 * environment (the guest's environment comes from CONFIG). */
static void scrub_environment(void)
{
    for (char **e = environ; *e; e++)
        explicit_bzero(*e, strlen(*e));
}

_Noreturn void core_launch(const struct args *a, struct nabla_boot_info *bi,
                           const struct filter *f, uint64_t entry)
{
    static struct sock_filter insns[FILTER_MAX_INSNS];
    struct sock_fprog prog = { .len = (unsigned short)filter_build(f, insns), .filter = insns };
    const struct rlimit no_core = { 0, 0 };

    bi->vdso_clock_gettime = vdso_clock_gettime();
    memcpy((void *)(uintptr_t)NABLA_BOOT_INFO, bi, sizeof(*bi));
    protect(NABLA_MEM_BASE, NABLA_IMAGE_MIN - NABLA_MEM_BASE, PROT_READ, "boot info");
    protect(bi->heap_end, PAGE, PROT_NONE, "stack guard page");
    if (a->x_exec_heap) {
        warn("--x-exec-heap: the guest heap is executable");
        protect(bi->heap_start, bi->heap_end - bi->heap_start,
                PROT_READ | PROT_WRITE | PROT_EXEC, "heap");
    }

    reset_signals();
    verdict_install();
    scrub_environment();
    /* A guest that crashes on purpose must not fill the disk with cores of
     * its (up to 64 GiB of) memory. */
    if (setrlimit(RLIMIT_CORE, &no_core) < 0)
        die("disable core dumps: %m");
    drop_capabilities();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die("set no_new_privs: %m");
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
        die("this kernel has no seccomp filter support: %m");
    fflush(NULL);

    close_fds(bi);
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
        exit(1); /* stderr is closed; the program is valid by construction */

    /* From here on only the allowlist holds. Fixed registers, so the compiler
     * cannot place the entry or the stack in a register the asm overwrites. */
    __asm__ volatile("mov %%rdx, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "jmp *%%rax"
                     :
                     : "a"(entry), "d"(bi->stack_top), "D"(NABLA_BOOT_INFO)
                     : "memory");
    __builtin_unreachable();
}
