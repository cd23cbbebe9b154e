// The C side of package firsttouch: see firsttouch.go.
#define _GNU_SOURCE
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

// A huge page is 2 MiB on amd64; a smaller mapping cannot hold one.
#define HUGE_PAGE (2UL << 20)

// At most this much of the writable segment is mapped ahead: a start of
// runnc touches its .data and the runtime's variables at the start of
// .bss; a library's large zeroed array further on stays untouched.
#define POPULATE_MAX (512UL << 10)

#define PAGE 4096UL

// load_bias is where a position-independent binary was loaded (0 for a
// static one, as runnc is).
static uintptr_t load_bias(const ElfW(Phdr) *ph, unsigned long n)
{
	for (unsigned long i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			return (uintptr_t)ph - ph[i].p_vaddr;
	return 0;
}

// populate_writable maps the first POPULATE_MAX of the binary's writable
// PT_LOAD segment. It runs before main, and so before Go's runtime.
__attribute__((constructor)) static void populate_writable(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uintptr_t bias = load_bias(ph, n);

	for (unsigned long i = 0; ph && i < n; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_W))
			continue;
		uintptr_t start = (bias + ph[i].p_vaddr) & ~(PAGE - 1);
		uintptr_t end = bias + ph[i].p_vaddr + ph[i].p_memsz;
		if (end - start > POPULATE_MAX)
			end = start + POPULATE_MAX;
		end = (end + PAGE - 1) & ~(PAGE - 1);
		(void)madvise((void *)start, end - start, MADV_POPULATE_WRITE);
	}
}

// Each whole, aligned 2 MiB of the binary's read-only segments (its code,
// and Go's read-only data: type data, the function tables) is copied onto
// an anonymous huge page, which one TLB entry covers, before Go's runtime
// starts. A start of runnc runs code and reads tables spread over all of
// them, 4 KiB pages whose first touches each cost a fill of the host's
// tables on a VM, however many the kernel's fault-around maps at once: on
// the VMs this runs on, the copy took a start of `state` 7.8 -> 7.2 ms.
// The page cache cannot hold the binary in huge pages for every process
// instead: ext4 reads it in 4 KiB pages at exec (before this code runs),
// and a kernel built without CONFIG_READ_ONLY_THP_FOR_FS, as Debian's is,
// cannot collapse them (MADV_COLLAPSE). The Makefile links runnc with 2
// MiB segment alignment so that its first 2 MiB of code and of read-only
// data are such whole pages; the tails stay on the file's pages (copying
// them as well cost more than it saved). The price is 4 MiB of memory of
// each runnc process's own, where the file's pages are shared: most runnc
// processes live milliseconds, a foreground `run` as long as its guest.
//
// Not done where huge pages would not come: THP "never", or Go's own
// switch GODEBUG=disablethp=1 (whose 4 KiB faults would make the copy
// cost more than it saves); nor under SELinux, where making anonymous
// memory executable needs the execmem permission, which a policy may deny
// and would then audit at every start. Where the kernel refuses a step
// anyway (a seccomp filter such as systemd's MemoryDenyWriteExecute), the
// rest of the file's mapping stays. Profilers that read code from the file
// still symbolise it; uprobes placed in these 2 MiB ranges do not fire.

// thp_mode_allows reads whether the host's THP mode is not "never".
static int thp_mode_allows(void)
{
	char mode[64] = {0};
	int fd = open("/sys/kernel/mm/transparent_hugepage/enabled", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t k = read(fd, mode, sizeof mode - 1);
	close(fd);
	return k > 0 && !strstr(mode, "[never]");
}

// huge_pages_come says whether anonymous memory advised to huge pages gets
// them: THP is not "never", and Go's GODEBUG=disablethp=1 is not set. Two
// constructors ask; the mode is read once (constructors run before any
// thread).
static int huge_pages_come(void)
{
	static int come = -1;
	if (come < 0) {
		const char *godebug = getenv("GODEBUG");
		come = !(godebug && strstr(godebug, "disablethp=1")) && thp_mode_allows();
	}
	return come;
}

// copy_wanted says whether the copy may be made, and huge pages back it.
static int copy_wanted(void)
{
	return access("/sys/fs/selinux/enforce", F_OK) != 0 && huge_pages_come();
}

// huge_chunks_in is the number of whole, aligned huge pages in [start, end).
static uintptr_t huge_chunks_in(uintptr_t start, uintptr_t end)
{
	uintptr_t lo = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t hi = end & ~(HUGE_PAGE - 1);
	return hi > lo ? (hi - lo) / HUGE_PAGE : 0;
}

// copy_to_huge fills the huge page at stage with the binary's bytes at off
// and moves it over chunk, giving it prot. The move (one mremap) replaces
// the file's mapping at once, so code running in chunk, this code's too,
// never sees the range unmapped; its bytes are the same. Returns 0 if the
// file's mapping stays.
static int copy_to_huge(int fd, char *stage, uintptr_t chunk, off_t off, int prot)
{
	size_t got = 0;
	while (got < HUGE_PAGE) {
		ssize_t k = pread(fd, stage + got, HUGE_PAGE - got, off + (off_t)got);
		if (k <= 0)
			return 0;
		got += (size_t)k;
	}
	return mprotect(stage, HUGE_PAGE, prot) == 0 &&
	       mremap(stage, HUGE_PAGE, HUGE_PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)chunk) != MAP_FAILED;
}

__attribute__((constructor)) static void readonly_onto_huge_pages(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uintptr_t bias = load_bias(ph, n), chunks = 0;

	for (unsigned long i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_LOAD && !(ph[i].p_flags & PF_W))
			chunks += huge_chunks_in(bias + ph[i].p_vaddr, bias + ph[i].p_vaddr + ph[i].p_filesz);
	if (chunks == 0 || !copy_wanted())
		return;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	// One staging mapping, a huge page larger than the chunks so that
	// they can start aligned. Each chunk's page leaves it by mremap; the
	// unaligned ends stay, never touched (no memory, and no munmap: see
	// keep_thread_start_page).
	char *r = mmap(NULL, (chunks + 1) * HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		close(fd);
		return;
	}
	char *stage = (char *)(((uintptr_t)r + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
	char *end = stage + chunks * HUGE_PAGE;
	(void)madvise(stage, chunks * HUGE_PAGE, MADV_HUGEPAGE);
	for (unsigned long i = 0; ph && i < n && stage < end; i++) {
		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W))
			continue;
		uintptr_t seg = bias + ph[i].p_vaddr;
		uintptr_t c = (seg + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
		int prot = PROT_READ | ((ph[i].p_flags & PF_X) ? PROT_EXEC : 0);
		for (uintptr_t k = huge_chunks_in(seg, seg + ph[i].p_filesz); k > 0; k--, c += HUGE_PAGE) {
			if (!copy_to_huge(fd, stage, c, (off_t)(ph[i].p_offset + (c - seg)), prot)) {
				// What refused one step refuses the next: give
				// the rest of the staging mapping back.
				munmap(stage, end - stage);
				stage = end;
				break;
			}
			stage += HUGE_PAGE;
		}
	}
	close(fd);
}

// runtime/cgo mallocs each new thread's start record (three words) and the
// thread frees it. musl's allocator gives the last free block of a size
// back to the kernel, so every thread a start of runnc makes cost a fresh
// page's mmap and fault and an munmap, whose TLB shootdown interrupts the
// other CPU: on the VMs this runs on 0.3 ms of a `state` and 0.5 ms of a
// `run` call. One block of that size held for good keeps its page.
static void *volatile thread_start_held;

__attribute__((constructor)) static void keep_thread_start_page(void)
{
	thread_start_held = malloc(3 * sizeof(void *));
}

// What --wrap=mmap calls the C library's mmap. It is weak so that a link
// without --wrap, where nothing calls the wrapper, still resolves
// (to NULL).
extern void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((weak));

// Go's runtime maps a dozen small regions at every start for its own
// metadata (persistentalloc's chunks of 256 KiB, and some of 64-128 KiB),
// whose pages it then touches one by one: 35 faults of a `state` here, of
// 10-14 µs each. The wrapper carves them instead, in the order asked, from
// one 2 MiB region advised to a huge page, which its first touch maps
// whole. Nothing carved is handed out twice, so it is zeroed, as mmap's
// pages are; a munmap or madvise of a carved range acts on that range
// alone. Where no huge page comes, the region's pages fault one by one, as
// the mappings' would.
#define CARVE_MAX (512UL << 10) // a larger mapping keeps its own

static char *carve_region;   // set before any thread runs
static size_t carve_next;    // bumped atomically: Go maps from any thread

__attribute__((constructor)) static void map_carve_region(void)
{
	if (!__real_mmap || !huge_pages_come())
		return; // not linked with --wrap=mmap, or no huge page to be had
	// Twice the size, for an aligned huge page inside; the unaligned ends
	// stay, never touched (see keep_thread_start_page).
	char *r = mmap(NULL, 2 * HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return;
	carve_region = (char *)(((uintptr_t)r + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
}

// carve returns len bytes, rounded up to pages, of the carve region, or
// NULL once it is used up.
static void *carve(size_t len)
{
	len = (len + PAGE - 1) & ~(PAGE - 1);
	size_t at = __atomic_fetch_add(&carve_next, len, __ATOMIC_RELAXED);
	return at + len <= HUGE_PAGE ? carve_region + at : NULL;
}

// __wrap_mmap carves a small, private, anonymous, writable mapping
// anywhere from the carve region, or maps as mmap does, then advises huge
// pages for such a mapping that can hold one: in runnc those are the Go
// heap's chunks (4 MiB and up).
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (carve_region && addr == NULL && len > 0 && len <= CARVE_MAX && prot == (PROT_READ | PROT_WRITE) &&
	    flags == (MAP_PRIVATE | MAP_ANONYMOUS) && fd == -1 && off == 0) {
		void *c = carve(len);
		if (c)
			return c;
	}
	void *p = __real_mmap(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && (flags & (MAP_ANONYMOUS | MAP_PRIVATE)) == (MAP_ANONYMOUS | MAP_PRIVATE) &&
	    (prot & PROT_WRITE) && len >= HUGE_PAGE)
		(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}
