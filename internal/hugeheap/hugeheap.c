// The mmap wrapper of package hugeheap: see hugeheap.go.
#define _GNU_SOURCE
#include <stddef.h>
#include <sys/mman.h>
#include <sys/types.h>

// What --wrap=mmap calls the C library's mmap. It is weak so that a link
// without --wrap, where nothing calls the wrapper, still resolves.
extern void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((weak));

// A huge page is 2 MiB on amd64; a smaller mapping cannot hold one.
#define HUGE_PAGE (2UL << 20)

// __wrap_mmap maps as mmap does, then advises huge pages for a private,
// anonymous, writable mapping that can hold one: in runnc those are the
// Go heap's chunks (4 MiB and up). Advice is only advice: if the host
// refuses it (THP "never", or no huge page free) the mapping keeps 4 KiB
// pages, so its result is ignored.
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = __real_mmap(addr, len, prot, flags, fd, off);

	if (p != MAP_FAILED && (flags & (MAP_ANONYMOUS | MAP_PRIVATE)) == (MAP_ANONYMOUS | MAP_PRIVATE) &&
	    (prot & PROT_WRITE) && len >= HUGE_PAGE)
		(void)madvise(p, len, MADV_HUGEPAGE);
	return p;
}
