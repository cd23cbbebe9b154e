/*
 * The tender's core: the process it starts from, the guest's file and
 * notes, guest memory, the boot info, the filter rules every guest gets,
 * and the launch (confinement, then the jump).
 */
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>

#include "elf_loader.h"
#include "filter.h"
#include "solo5.h"
#include "tender.h"

#define PAGE 0x1000ull

/* Before anything is opened: fds 0-2 must be taken, or a tap could land
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

/* Copies [off, off + len) of the guest's file into the snapshot. A short
 * read means the file shrank since fstat: its mapping would fault later. */
static void snapshot_range(const struct guest_file *g, uint64_t off, uint64_t len)
{
    while (len) {
        ssize_t r = pread(g->fd, g->bytes + off, len, (off_t)off);
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0)
            die("read %s: %m", g->path);
        if (r == 0)
            die("%s shrank while it was read: start the container again once it is "
                "written", g->path);
        off += (uint64_t)r;
        len -= (uint64_t)r;
    }
}

/* Opens the guest's file and snapshots the bytes the checks read: the ELF
 * header, the program headers and the notes, each copied with pread into a
 * private buffer as large as the file, whose other pages stay untouched
 * (and cost nothing). The checks never look at a byte a writer could
 * change under them; the segments themselves are mapped from the file
 * later (core_load_guest), and nothing the tender relies on is read back
 * from them. Ranges outside the file are left for the checks to refuse.
 * O_NONBLOCK: opening a FIFO must not wait for a writer before fstat can
 * refuse it. */
void core_open_kernel(const char *path, uint64_t max, struct guest_file *g)
{
    struct stat st;
    Elf64_Ehdr eh;

    g->path = path;
    g->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (g->fd < 0)
        die("open %s: %m", path);
    if (fstat(g->fd, &st) < 0)
        die("stat %s: %m", path);
    if (!S_ISREG(st.st_mode))
        die("%s is not a regular file", path);
    if ((uint64_t)st.st_size > max)
        die("%s is larger than guest memory (%lld bytes); raise --mem", path,
            (long long)st.st_size);
    g->size = (size_t)st.st_size;
    g->bytes = mmap(NULL, g->size ? g->size : 1, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (g->bytes == MAP_FAILED)
        die("no memory to read %s", path);
    snapshot_range(g, 0, g->size < sizeof(eh) ? g->size : sizeof(eh));
    if (elf_check_header(g->bytes, g->size, NULL, 0) < 0)
        return;
    memcpy(&eh, g->bytes, sizeof(eh));
    snapshot_range(g, eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr));
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph = elf_phdr(g->bytes, i);
        if (ph.p_type == PT_NOTE && ph.p_offset <= g->size &&
            g->size - ph.p_offset >= ph.p_filesz)
            snapshot_range(g, ph.p_offset, ph.p_filesz);
    }
}

/* What every guest gets: the console, the clocks, exit, and a way to wait:
 * epoll_pwait on the tender's own set and its timerfd (Solo5), or ppoll on
 * at most the one tap (the Nabla era). A NULL sigmask: with its own, a
 * guest could block SIGTERM while it waits and so ignore docker stop. */
void core_rules(struct filter *f, const struct args *a)
{
    filter_add(f, __NR_clock_gettime, "clock_gettime",
               COND_NAMED(ARG_EQ, 0, "clockid", CLOCK_MONOTONIC, "CLOCK_MONOTONIC"));
    filter_add(f, __NR_clock_gettime, "clock_gettime",
               COND_NAMED(ARG_EQ, 0, "clockid", CLOCK_REALTIME, "CLOCK_REALTIME"));
    if (a->legacy) {
        filter_add(f, __NR_ppoll, "ppoll", COND(ARG_LE, 1, "nfds", 1),
                   COND_NAMED(ARG_EQ, 3, "sigmask", 0, "NULL"));
    } else {
        filter_add(f, __NR_epoll_pwait, "epoll_pwait", COND(ARG_EQ, 0, "epfd", EPOLL_FD),
                   COND_NAMED(ARG_EQ, 4, "sigmask", 0, "NULL"));
        filter_add(f, __NR_timerfd_settime, "timerfd_settime", COND(ARG_EQ, 0, "fd", TIMER_FD),
                   COND_NAMED(ARG_EQ, 3, "old_value", 0, "NULL"));
        /* Solo5 guests set their own TLS base; nothing else of arch_prctl. */
        filter_add(f, __NR_arch_prctl, "arch_prctl",
                   COND_NAMED(ARG_EQ, 0, "code", ARCH_SET_FS, "ARCH_SET_FS"));
    }
    filter_add(f, __NR_write, "write", COND(ARG_EQ, 0, "fd", CONSOLE_FD));
    filter_add_any(f, __NR_exit_group, "exit_group");
}

/* The wait set a Solo5 guest's yield uses: the timerfd (its deadline) and,
 * added as they attach, the taps, each tagged with its manifest index. */
void core_wait_set(void)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = SPT_INTERNAL_TIMERFD };
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1: %m");
    core_move_fd(ep, EPOLL_FD);
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0)
        die("timerfd_create: %m");
    core_move_fd(tfd, TIMER_FD);
    if (epoll_ctl(EPOLL_FD, EPOLL_CTL_ADD, TIMER_FD, &ev) < 0)
        die("epoll_ctl: %m");
}

static void list_devices(const struct mft *m, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (uint32_t i = 1; i < m->entries && len < size; i++) {
        if (!mft_is_device(m->e[i].type))
            continue;
        len += (size_t)snprintf(buf + len, size - len, "%s%.67s (%s)", len ? ", " : "",
                                m->e[i].name, mft_type_name(m->e[i].type));
    }
    if (!buf[0])
        snprintf(buf, size, "none");
}

/* Every device on the command line must be one the manifest declares, and
 * every device the manifest declares must be attached: checked by name,
 * before anything is opened. A volume slot is the exception: --block:NAME
 * attaches it as a BLOCK_BASIC device, and without one it stays
 * unattached (solo5.c made block names unique across both kinds). */
void core_match_manifest(struct args *a, const struct guest_notes *n)
{
    const struct mft *m = &n->mft.m;
    char declared[1024];

    list_devices(m, declared, sizeof(declared));
    for (unsigned d = 0; d < a->ndev; d++) {
        struct dev *v = &a->dev[d];
        for (uint32_t i = 1; i < m->entries; i++) {
            bool kind = v->kind == DEV_BLOCK ? mft_is_block(m->e[i].type)
                                             : m->e[i].type == MFT_DEV_NET_BASIC;
            if (kind && strcmp(m->e[i].name, v->name) == 0)
                v->index = (int)i;
        }
        if (v->index < 0)
            die("%s: the unikernel declares no %s device '%s' (it declares: %s)", a->kernel,
                mft_type_name(v->kind), v->name, declared);
    }
    /* One line for all that is missing: a refusal is one sentence. */
    char missing[2048];
    size_t len = 0;
    missing[0] = '\0';
    for (uint32_t i = 1; i < m->entries && len < sizeof(missing); i++) {
        const struct mft_entry *e = &m->e[i];
        bool attached = e->type >= MFT_RESERVED_FIRST;
        for (unsigned d = 0; d < a->ndev; d++)
            attached |= a->dev[d].index == (int)i;
        if (!attached)
            len += (size_t)snprintf(missing + len, sizeof(missing) - len,
                                    "%sdevice '%.67s' of type %s is declared by the unikernel "
                                    "but not attached: add %s:%.67s=%s", len ? "; " : "",
                                    e->name, mft_type_name(e->type),
                                    e->type == MFT_DEV_NET_BASIC ? "--net" : "--block", e->name,
                                    e->type == MFT_DEV_NET_BASIC ? "TAP" : "FILE");
    }
    if (missing[0])
        die("%s: %s", a->kernel, missing);
}

/* Adds each attached tap to the wait set, tagged with its manifest index:
 * what the guest's epoll_pwait reports. */
void core_watch_nets(const struct args *a)
{
    for (unsigned d = 0; d < a->ndev; d++) {
        const struct dev *v = &a->dev[d];
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)v->index };
        if (v->kind == DEV_NET && epoll_ctl(EPOLL_FD, EPOLL_CTL_ADD, v->fd, &ev) < 0)
            die("watch network %s: %m", v->name);
    }
}

/* Guest memory is [SPT_HOST_MEM_BASE, mem_size) at fixed addresses,
 * read-write and never executable until the launch gives the pages their
 * final protection. NOREPLACE: MAP_FIXED would silently replace the
 * tender's own mappings. NORESERVE: untouched guest memory costs nothing. */
void core_reserve_memory(uint64_t mem_size)
{
    void *want = (void *)(uintptr_t)SPT_HOST_MEM_BASE;
    void *got = mmap(want, mem_size - SPT_HOST_MEM_BASE, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE, -1, 0);
    if (got == MAP_FAILED && errno == EEXIST)
        die("guest memory [%#llx, %#llx) overlaps the tender's own mappings; lower --mem",
            SPT_HOST_MEM_BASE, (unsigned long long)mem_size);
    if (got == MAP_FAILED)
        die("cannot map %llu MiB of guest memory: %m; lower --mem",
            (unsigned long long)(mem_size >> 20));
    if (got != want) /* kernels before 4.17 take NOREPLACE as a mere hint */
        die("the kernel placed guest memory at %p instead of %p", got, want);
}

/* Checks the guest's segments against the snapshot, maps them, and drops
 * the snapshot and the file: the guest's pages hold the file, not its fd. */
uint64_t core_load_guest(const struct args *a, struct guest_file *g, bool solo5,
                         uint64_t *kernel_end)
{
    struct elf_plan plan;
    struct statvfs fs;
    char err[256];
    const struct elf_limits lim = {
        .min_vaddr = SPT_GUEST_MIN_BASE,
        .max_vaddr = a->mem_mib << 20,
        .allow_wx = a->x_exec_heap,
        .solo5 = solo5,
    };

    if (elf_check(g->bytes, g->size, &lim, &plan, err, sizeof(err)) < 0)
        die("%s: %s", a->kernel, err);
    if (plan.wx_segment >= 0)
        warn("%s: segment %d is writable and executable (allowed by --x-exec-heap)",
             a->kernel, plan.wx_segment);
    /* Its code runs from the file's pages, as a program's would: a mount's
     * noexec holds for it as for one (mprotect would refuse PROT_EXEC). */
    if (fstatvfs(g->fd, &fs) == 0 && (fs.f_flag & ST_NOEXEC))
        die("%s is on a file system mounted noexec, so its code may not run: move it, or "
            "remount without noexec", a->kernel);
    if (elf_load(g->fd, &plan) < 0)
        die("%s: cannot map its segments into guest memory: %m", a->kernel);
    munmap(g->bytes, g->size ? g->size : 1);
    close(g->fd);
    *kernel_end = plan.image_end;
    return plan.entry;
}

static void write_cmdline(const struct args *a, uint64_t at)
{
    if (args_cmdline(a, (char *)(uintptr_t)at, SPT_GUEST_MIN_BASE - at) < 0)
        die("the guest's command line does not fit below %#llx", SPT_GUEST_MIN_BASE);
}

/* The Solo5 boot: boot info, the manifest with each entry filled in, the
 * command line. */
void core_boot_info(const struct args *a, const struct guest_notes *n, uint64_t kernel_end)
{
    struct spt_boot_info *bi = (struct spt_boot_info *)(uintptr_t)SPT_BOOT_INFO_BASE;
    uint64_t mft_at = SPT_BOOT_INFO_BASE + sizeof(*bi);
    struct mft *m = (struct mft *)(uintptr_t)mft_at;
    uint64_t vdso = vdso_clock_gettime();

    memcpy(m, n->mft.bytes, n->mft_size);
    for (unsigned d = 0; d < a->ndev; d++) {
        const struct dev *v = &a->dev[d];
        struct mft_entry *e = &m->e[v->index];
        e->attached = true;
        e->b.hostfd = v->fd;
        if (v->kind == DEV_NET) {
            memcpy(e->u.net_basic.mac, v->mac, sizeof(v->mac));
            e->u.net_basic.mtu = v->mtu;
        } else {
            e->u.block_basic.capacity = v->capacity;
            e->u.block_basic.block_size = (uint16_t)v->sector;
        }
    }
    for (uint32_t i = 1; i < m->entries; i++) {
        if (m->e[i].type == MFT_RUNNC_CLOCK) {
            m->e[i].attached = true;
            m->e[i].b.data = vdso;
        }
    }
    bi->mem_size = a->mem_mib << 20;
    bi->kernel_end = kernel_end;
    bi->mft = mft_at;
    bi->cmdline = (mft_at + n->mft_size + 7) & ~7ull;
    bi->epollfd = EPOLL_FD;
    bi->timerfd = TIMER_FD;
    write_cmdline(a, bi->cmdline);
}

/* The Nabla era's boot (Solo5 v0.4): one tap and one disk in the boot
 * info, the command line at its fixed address. */
void core_legacy_boot_info(const struct args *a, uint64_t kernel_end)
{
    struct spt_v04_boot_info *bi = (struct spt_v04_boot_info *)(uintptr_t)SPT_BOOT_INFO_BASE;

    bi->mem_size = a->mem_mib << 20;
    bi->kernel_end = kernel_end;
    bi->cmdline = SPT_V04_CMDLINE_BASE;
    for (unsigned d = 0; d < a->ndev; d++) {
        const struct dev *v = &a->dev[d];
        if (v->kind == DEV_NET) {
            bi->neti.present = 1;
            memcpy(bi->neti.mac, v->mac, sizeof(v->mac));
            bi->neti.hostfd = v->fd;
        } else {
            bi->blocki.present = 1;
            bi->blocki.capacity = v->capacity;
            bi->blocki.block_size = v->sector;
            bi->blocki.hostfd = v->fd;
        }
    }
    write_cmdline(a, SPT_V04_CMDLINE_BASE);
}

static void protect(uint64_t start, uint64_t len, int prot, const char *what)
{
    if (len && mprotect((void *)(uintptr_t)start, len, prot) < 0)
        die("cannot protect the guest %s: %m", what);
}

/* Capabilities are worthless to a process that can make no other syscall,
 * but if the filter ever had a hole they should not come with it. Dropping
 * from the bounding set needs CAP_SETPCAP: without it (an unprivileged
 * tender) there is nothing to drop. It goes first, while switch_user may
 * still need CAP_SETUID and CAP_SETGID, so that nothing dropped later can
 * be regained. */
static void drop_bounding_set(void)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM)
            die("drop capability %d from the bounding set: %m", cap);
    }
}

/* Clearing permitted also clears ambient. */
static void drop_capabilities(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capset, &hdr, data) < 0)
        die("drop capabilities: %m");
}

static int cmp_gid(const void *a, const void *b)
{
    gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
    return (x > y) - (x < y);
}

/* --user: the devices are open, so the tender needs no privilege left, and
 * the guest runs with the container's user (process.user), as any process
 * of a runc container would. Groups first, while CAP_SETGID lasts, then
 * the gid, then the uid, which gives up the rest. Checked afterwards: a
 * kernel or seccomp policy that ignored a call must not leave the guest
 * running as root. */
static void switch_user(const struct args *a)
{
    gid_t want[USER_MAX_GROUPS], got[USER_MAX_GROUPS];
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;

    for (unsigned i = 0; i < a->ngroups; i++)
        want[i] = a->groups[i];
    /* The kernel keeps the groups sorted (getgroups reads them back so),
     * while a spec lists them in any order (Docker puts --group-add after
     * the image's): sorted here, the check below compares like with like. */
    qsort(want, a->ngroups, sizeof(want[0]), cmp_gid);
    if (setgroups(a->ngroups, want) < 0)
        die("set the supplementary groups of --user: %m");
    if (setresgid(a->gid, a->gid, a->gid) < 0)
        die("set group %u (--user): %m", a->gid);
    if (setresuid(a->uid, a->uid, a->uid) < 0)
        die("set user %u (--user): %m", a->uid);

    int n = getgroups(USER_MAX_GROUPS, got);
    if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 || n < 0)
        die("read back the credentials of --user: %m");
    bool same = ruid == a->uid && euid == a->uid && suid == a->uid && rgid == a->gid &&
                egid == a->gid && sgid == a->gid && (unsigned)n == a->ngroups;
    for (unsigned i = 0; same && i < a->ngroups; i++)
        same = got[i] == want[i];
    if (!same)
        die("the credentials of --user=%u:%u did not take", a->uid, a->gid);
    if (a->uid != 0 && setresuid(0, 0, 0) == 0)
        die("user %u could become root again after --user", a->uid);
}

/* Keeps only the console, the wait set and the devices: epoll_pwait and
 * ppoll report on fds seccomp cannot see. fd 0 and 2 go last, so nothing
 * can be reported after this: every check that can fail for a reason the
 * user can fix has run before. */
static void close_fds(const struct args *a)
{
    int last = a->legacy ? LEGACY_DISK_FD : FIRST_DEV_FD + (int)a->ndev - 1;
    /* musl, the tender's C library, has no close_range() wrapper. */
    if (syscall(SYS_close_range, (unsigned)last + 1, UINT_MAX, 0) < 0)
        die("close inherited file descriptors: %m");
    if (a->legacy) {
        bool net = false, disk = false;
        for (unsigned d = 0; d < a->ndev; d++) {
            net |= a->dev[d].kind == DEV_NET;
            disk |= a->dev[d].kind == DEV_BLOCK;
        }
        if (!net)
            close(LEGACY_NET_FD);
        if (!disk)
            close(LEGACY_DISK_FD);
    }
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
 * environment (the guest's environment comes from its command line). */
static void scrub_environment(void)
{
    for (char **e = environ; *e; e++)
        explicit_bzero(*e, strlen(*e));
}

static inline long raw_syscall3(long nr, long a0, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2)
                     : "rcx", "r11", "memory");
    return ret;
}

/* The last steps, in raw syscalls: once %fs is cleared, no C library code
 * (errno, a stack protector's canary) may run. A Solo5 guest starts with
 * %fs = 0, as under solo5-hvt, so it can reach the tender's TLS only by
 * reading memory, never by accident; a Nabla-era guest keeps the tender's
 * %fs, as its own tender left it. */
__attribute__((no_stack_protector, noreturn)) static void
enter_guest(const struct sock_fprog *prog, uint64_t entry, uint64_t sp, bool clear_fs)
{
    if (clear_fs && raw_syscall3(__NR_arch_prctl, ARCH_SET_FS, 0, 0) != 0)
        raw_syscall3(__NR_exit_group, 1, 0, 0);
    if (raw_syscall3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, (long)prog) != 0)
        raw_syscall3(__NR_exit_group, 1, 0, 0); /* stderr is closed; the program is valid */
    /* From here on only the allowlist holds. Fixed registers, so the compiler
     * cannot place the entry or the stack in a register the asm overwrites. */
    __asm__ volatile("mov %%rdx, %%rsp\n\t"
                     "xor %%ebp, %%ebp\n\t"
                     "jmp *%%rax"
                     :
                     : "a"(entry), "d"(sp), "D"(SPT_BOOT_INFO_BASE)
                     : "memory");
    __builtin_unreachable();
}

_Noreturn void core_launch(const struct args *a, const struct filter *f, uint64_t entry,
                           uint64_t kernel_end, void *setup, size_t setup_size)
{
    static struct sock_filter insns[FILTER_MAX_INSNS];
    static struct sock_fprog prog;
    const struct rlimit no_core = { 0, 0 };
    const uint64_t mem_size = a->mem_mib << 20;
    const bool clear_fs = !a->legacy;

    prog.len = (unsigned short)filter_build(f, insns);
    prog.filter = insns;
    /* Boot info, manifest and command line: the guest reads them, never
     * writes them. */
    protect(SPT_HOST_MEM_BASE, SPT_GUEST_MIN_BASE - SPT_HOST_MEM_BASE, PROT_READ, "boot info");
    if (a->x_exec_heap) {
        warn("--x-exec-heap: the guest heap and stack are executable");
        protect(kernel_end, mem_size - kernel_end, PROT_READ | PROT_WRITE | PROT_EXEC, "heap");
    }

    reset_signals();
    verdict_install();
    scrub_environment();
    /* A guest that crashes on purpose must not fill the disk with cores of
     * its (up to 64 GiB of) memory. */
    if (setrlimit(RLIMIT_CORE, &no_core) < 0)
        die("disable core dumps: %m");
    drop_bounding_set();
    if (a->user_set)
        switch_user(a);
    drop_capabilities();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        die("set no_new_privs: %m");
    if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
        die("this kernel has no seccomp filter support: %m");
    fflush(NULL);

    close_fds(a);
    /* a and f are gone with setup: from here on, locals and this file's
     * statics only. Unchecked: there is no stderr left to report to, and a
     * failure would only keep the pages. */
    (void)madvise(setup, setup_size, MADV_DONTNEED);
    /* As solo5-spt: %rsp 8 below a 16-byte boundary, as right after a call. */
    enter_guest(&prog, entry, mem_size - 8, clear_fs);
}
