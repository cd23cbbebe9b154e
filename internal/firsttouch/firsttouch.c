// The C side of package firsttouch: see firsttouch.go.
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/types.h>

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

// populate_writable maps the first POPULATE_MAX of the binary's writable
// PT_LOAD segment. It runs before main, and so before Go's runtime.
__attribute__((constructor)) static void populate_writable(void)
{
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long n = getauxval(AT_PHNUM);
	uintptr_t bias = 0; // where a position-independent binary was loaded

	for (unsigned long i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uintptr_t)ph - ph[i].p_vaddr;
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
// without --wrap, where nothing calls the wrapper, still resolves.
extern void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((weak));

// __wrap_mmap maps as mmap does, then advises huge pages for a private,
// anonymous, writable mapping that can hold one: in runnc those are the
// Go heap's chunks (4 MiB and up).
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = __real_mmap(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && (flags & (MAP_ANONYMOUS | MAP_PRIVATE)) == (MAP_ANONYMOUS | MAP_PRIVATE) &&
	    (prot & PROT_WRITE) && len >= HUGE_PAGE)
		(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}
