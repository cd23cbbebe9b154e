// Package firsttouch makes the first touches of memory in a start of the
// binary that imports it cheap, when the binary is linked as the Makefile
// links runnc: with cgo, statically, and with -Wl,--wrap=mmap.
//
// runnc starts three times per container, and on a virtual machine most
// of a start is first touches of pages: each 4 KiB page of anonymous
// memory costs a fault and a fill of the host's tables, about 10 µs on the
// VMs this runs on (BENCHMARKS.md, the startup group). Before Go's
// runtime starts, this package's C code
//   - maps the binary's writable segment (.data and the first 512 KiB of
//     .bss, where the runtime's own variables are) in one madvise
//     (MADV_POPULATE_WRITE): under 1 µs a page, where a start faulted in
//     about 30 of them one by one;
//   - backs the Go heap with transparent huge pages where the host leaves
//     them to madvise(2), as Debian does: one fault per 2 MiB, where a
//     start faulted in about 150 pages of 4 KiB. The Go runtime asks for
//     huge pages only for large heaps' metadata; in a cgo binary it maps
//     memory through the C library's mmap (runtime/cgo, so that
//     sanitizers see it), which --wrap hands to this package's wrapper
//     before any page of the heap exists. Go's own GODEBUG=disablethp=1
//     still turns it off: the runtime advises against huge pages after
//     the wrapper has advised for them;
//   - copies the binary's first 2 MiB of code and of read-only data onto
//     huge pages, so that the start's scattered reads of them take two
//     TLB entries, not hundreds of 4 KiB pages each filled on first
//     touch (the Makefile aligns the segments for it);
//   - carves the Go runtime's small mappings (persistentalloc's chunks
//     and the like, up to 512 KiB each) from one 2 MiB region on a huge
//     page, whose pages the runtime touched one by one: a start's faults
//     97 -> 45 and `state` 7.5 -> 7.0 ms;
//   - keeps the page of the C library's allocator that runtime/cgo's
//     thread starts use, which musl gave back after each (firsttouch.c).
//
// And before main, its Go code grows the main goroutine's stack once
// (stack.go).
//
// The first two are advice: where the kernel refuses it (before Linux
// 5.14, THP "never", no huge page free) pages are faulted in one by one,
// as before. Linked without --wrap, the heap keeps its 4 KiB pages and
// nothing is carved; where THP is "never" or under GODEBUG=disablethp=1,
// nothing is carved either. The copy is not made where THP is "never",
// under GODEBUG=disablethp=1 or under SELinux, gives way to the file's
// mapping where the kernel refuses executable anonymous memory, and linked
// without the 2 MiB alignment finds little or nothing to copy
// (firsttouch.c).
package firsttouch

import "C"
