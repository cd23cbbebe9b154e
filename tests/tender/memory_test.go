package tender_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"syscall"
	"testing"
)

// bootInfo mirrors struct spt_boot_info (nabla-lib/abi/solo5_spt.h).
type bootInfo struct {
	MemSize   uint64
	KernelEnd uint64
	Cmdline   uint64
	Mft       uint64
	EpollFD   int32
	TimerFD   int32
}

// mftEntryOut is a manifest entry as the tender filled it in.
type mftEntryOut struct {
	Name     [68]byte
	Type     uint32
	U        [16]byte // capacity u64 + block size u16, or MAC[6] + MTU u16
	B        uint64   // hostfd, or the runnc clock's address
	Attached uint8
	Pad      [7]byte
}

const (
	memBase     = 0x10000
	bootInfoAt  = 0x11000
	imageMin    = 0x100000
	pageSize    = 0x1000
	testMemMiB  = 64
	testMemSize = testMemMiB << 20
)

// readBootInfo runs the probe's "bootinfo" command with flags, and decodes
// what it wrote: the boot info, the manifest, then the command line.
func readBootInfo(t *testing.T, p string, flags ...string) (bootInfo, []mftEntryOut, string) {
	t.Helper()
	return decodeBootInfo(t, run(t, append(flags, p, "bootinfo", "a", "b")...))
}

func decodeBootInfo(t *testing.T, r result) (bootInfo, []mftEntryOut, string) {
	t.Helper()
	var bi bootInfo
	var head struct{ Version, Entries uint32 }
	rd := bytes.NewReader([]byte(r.stdout))
	if r.code != 0 || r.signal != 0 || binary.Read(rd, binary.LittleEndian, &bi) != nil ||
		binary.Read(rd, binary.LittleEndian, &head) != nil || head.Entries > 64 {
		t.Fatalf("bootinfo probe failed: %v", r)
	}
	entries := make([]mftEntryOut, head.Entries)
	if err := binary.Read(rd, binary.LittleEndian, entries); err != nil {
		t.Fatalf("bootinfo probe wrote a short manifest: %v", r)
	}
	rest := make([]byte, rd.Len())
	rd.Read(rest)
	return bi, entries, string(rest)
}

// imageEnd is the page-rounded end of the probe's highest segment.
func imageEnd(t *testing.T, p string) uint64 {
	t.Helper()
	f, err := elf.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var end uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Vaddr+p.Memsz > end {
			end = p.Vaddr + p.Memsz
		}
	}
	return (end + pageSize - 1) &^ (pageSize - 1)
}

func TestBootInfo(t *testing.T) {
	disk := makeDisk(t, 1<<20)
	p := probe(t, probeDisk)
	bi, entries, cmdline := readBootInfo(t, p, "--mem=64", "--block:disk="+disk)
	mftAt := uint64(bootInfoAt + binary.Size(bi))
	mftSize := uint64(8 + len(entries)*binary.Size(mftEntryOut{}))
	want := bootInfo{MemSize: testMemSize, KernelEnd: imageEnd(t, p), Mft: mftAt,
		Cmdline: (mftAt + mftSize + 7) &^ 7, EpollFD: 3, TimerFD: 4}
	if bi != want {
		t.Errorf("boot info\n got %+v\nwant %+v", bi, want)
	}
	if cmdline != "bootinfo a b" {
		t.Errorf("the command line in guest memory is %q, want the arguments joined by spaces", cmdline)
	}
	if len(entries) != 3 || entries[0].Attached != 0 {
		t.Fatalf("manifest: want the reserved entry, the clock and the disk, got %+v", entries)
	}
	if clock := entries[1]; clock.Attached != 1 || clock.B == 0 {
		t.Errorf("the runnc clock entry should be attached with the vDSO's address, got %+v", clock)
	}
	d := entries[2]
	if d.Attached != 1 || d.B != 5 || binary.LittleEndian.Uint64(d.U[:]) != 1<<20 ||
		binary.LittleEndian.Uint16(d.U[8:]) != 512 {
		t.Errorf("disk entry: want attached, fd 5, 1 MiB, 512-byte blocks, got %+v", d)
	}
}

func TestBootInfoDefaults(t *testing.T) {
	bi, entries, _ := readBootInfo(t, probe(t))
	if bi.MemSize != 512<<20 || len(entries) != 2 {
		t.Errorf("defaults: want 512 MiB and no devices, got %+v, %d entries", bi, len(entries))
	}
	_, entries, _ = readBootInfo(t, probe(t, probeDisk), "--block:disk="+makeDisk(t, 8192),
		"--block-sector-size:disk=4096")
	if d := entries[2]; binary.LittleEndian.Uint64(d.U[:]) != 8192 || binary.LittleEndian.Uint16(d.U[8:]) != 4096 {
		t.Errorf("--block-sector-size: want 8192 bytes in 4096-byte blocks, got %+v", d)
	}
}

// legacyBootInfo mirrors struct spt_v04_boot_info.
type legacyBootInfo struct {
	MemSize, KernelEnd, Cmdline uint64
	BlockPresent                int32
	_                           int32
	BlockCapacity, BlockSize    uint64
	BlockFD                     int32
	_                           int32
	NetPresent                  int32
	NetMAC                      [6]byte
	_                           [2]byte
	NetFD                       int32
}

func TestLegacyBootInfo(t *testing.T) {
	p := probe(t, probeLegacy)
	r := run(t, "--nabla-legacy", "--mem=64", "--disk="+makeDisk(t, 1<<20), p, `bootinfo {"cmdline":"x"}`)
	var bi legacyBootInfo
	if r.code != 0 || binary.Read(bytes.NewReader([]byte(r.stdout)), binary.LittleEndian, &bi) != nil {
		t.Fatalf("legacy bootinfo failed: %v", r)
	}
	want := legacyBootInfo{MemSize: testMemSize, KernelEnd: imageEnd(t, p), Cmdline: 0x12000,
		BlockPresent: 1, BlockCapacity: 1 << 20, BlockSize: 512, BlockFD: 4}
	if bi != want {
		t.Errorf("legacy boot info\n got %+v\nwant %+v", bi, want)
	}
	if got := r.stdout[binary.Size(bi):]; got != `bootinfo {"cmdline":"x"}` {
		t.Errorf("legacy command line %q", got)
	}
	wantRefusal(t, run(t, p, "exit 0"), "run it with --nabla-legacy")
}

func TestVDSOClock(t *testing.T) {
	r := run(t, probe(t), "vdso")
	if r.code == 2 {
		t.Skip("no __vdso_clock_gettime in this kernel's vDSO")
	}
	if r.code != 0 || !bytes.HasPrefix([]byte(r.stdout), []byte("vdso=0\nsec=")) {
		t.Fatalf("the vDSO clock should work inside the guest, got %v", r)
	}
}

// TestMemoryProtection checks the guest's view of its memory with --mem=64:
// what it may read, write and execute. The heap and the stack are one
// range, as Solo5 lays them out: the guest owns the split.
func TestMemoryProtection(t *testing.T) {
	hex := func(a uint64) string { return fmt.Sprintf("%#x", a) }
	top := uint64(testMemSize - pageSize)
	tests := []struct {
		name  string
		flags []string
		cmd   string
		want  string // stdout, or "" for SIGSEGV
	}{
		{"null page", nil, "peek 0", ""},
		{"below guest memory", nil, "peek " + hex(memBase-1), ""},
		{"read boot info", nil, "peek " + hex(bootInfoAt+3), "peek=4\n"}, // mem_size 0x04000000
		{"write the first page", nil, "poke " + hex(memBase), ""},
		{"write boot info", nil, "poke " + hex(bootInfoAt), ""},
		{"write the manifest", nil, "poke " + hex(bootInfoAt+0x40), ""},
		{"write below the image", nil, "poke " + hex(imageMin-1), ""},
		{"write text", nil, "poke " + hex(imageMin), ""},
		{"execute rodata", nil, "jump " + hex(imageMin+pageSize), ""},
		{"write heap", nil, "poke $heap", "poked\n"},
		{"execute heap", nil, "retat $heap", ""},
		{"execute heap with --x-exec-heap", []string{"--x-exec-heap"}, "retat $heap", "returned\n"},
		{"write the top of memory", nil, "poke " + hex(testMemSize-1), "poked\n"},
		{"past the end of memory", nil, "peek " + hex(testMemSize), ""},
		{"execute stack", nil, "retat " + hex(top), ""},
		{"execute stack with --x-exec-heap", []string{"--x-exec-heap"}, "retat " + hex(top), "returned\n"},
		{"stack overflow", nil, "recurse", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, append(append([]string{"--mem=64"}, tc.flags...), probe(t), tc.cmd)...)
			if tc.want == "" {
				if r.signal != syscall.SIGSEGV || r.stdout != "" {
					t.Fatalf("%q should die by SIGSEGV, got %v", tc.cmd, r)
				}
				return
			}
			if r.code != 0 || r.signal != 0 || r.stdout != tc.want {
				t.Fatalf("%q: want %q, got %v", tc.cmd, tc.want, r)
			}
		})
	}
}
