// Package hugeheap backs the Go heap of the binary that imports it with
// transparent huge pages where the host leaves them to madvise(2), as
// Debian does, when the binary is linked as the Makefile links runnc: with
// cgo and -Wl,--wrap=mmap.
//
// runnc starts three times per container, and most of a start on a
// virtual machine is first touches of pages: each 4 KiB page of the heap
// costs a fault and a fill of the host's tables, about 10 µs on the VMs
// this runs on (BENCHMARKS.md, the startup group), and a start touches
// about 150 of them. One 2 MiB page per heap chunk costs one fault. The Go
// runtime asks for huge pages only for large heaps' metadata; in a cgo
// binary it maps memory through the C library's mmap (runtime/cgo, so that
// sanitizers can see it), which the linker's --wrap hands to this
// package's C wrapper before any page of the heap exists. Go's own
// GODEBUG=disablethp=1 still turns it off: the runtime advises against
// huge pages after the wrapper has advised for them.
//
// Linked without --wrap, the wrapper is never called and nothing changes.
package hugeheap

import "C"
