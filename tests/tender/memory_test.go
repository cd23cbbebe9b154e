package tender_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"syscall"
	"testing"
)

// bootInfo mirrors struct nabla_boot_info (nabla-lib/tender/nabla_abi.h).
type bootInfo struct {
	Magic            uint64
	ABIVersion       uint32
	Flags            uint32
	MemEnd           uint64
	HeapStart        uint64
	HeapEnd          uint64
	StackTop         uint64
	Config           uint64
	ConfigLen        uint64
	ConsoleFD        int32
	NetFD            int32
	DiskFD           int32
	DiskSector       uint32
	DiskSize         uint64
	NetMAC           [6]byte
	Pad              [2]byte
	NetMTU           uint32
	PollMaxFDs       uint32
	VDSOClockGettime uint64
}

const (
	bootMagic     = 0x316c62616e6e7572
	memBase       = 0x10000
	configBase    = 0x11000
	imageMin      = 0x100000
	stackSize     = 0x100000
	pageSize      = 0x1000
	diskWritable  = 1
	testMemMiB    = 64
	testMemEnd    = testMemMiB << 20
	testHeapEnd   = testMemEnd - stackSize - pageSize
	testStackBase = testMemEnd - stackSize
)

// readBootInfo runs the probe's "bootinfo" command with flags and config
// appended, and decodes what it wrote: the struct, then the CONFIG bytes.
func readBootInfo(t *testing.T, flags []string, config string) (bootInfo, string) {
	t.Helper()
	r := run(t, append(flags, probe(t), config)...)
	var bi bootInfo
	size := binary.Size(bi)
	if r.code != 0 || r.signal != 0 || len(r.stdout) < size {
		t.Fatalf("bootinfo probe failed: %v", r)
	}
	if err := binary.Read(bytes.NewReader([]byte(r.stdout[:size])), binary.LittleEndian, &bi); err != nil {
		t.Fatal(err)
	}
	return bi, r.stdout[size:]
}

// imageEnd is the page-rounded end of the probe's highest segment.
func imageEnd(t *testing.T) uint64 {
	t.Helper()
	f, err := elf.Open(probe(t))
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
	disk := makeDisk(t, 1<<20+100)
	config := `bootinfo {"cmdline":"x","env":"A=1"}`
	bi, gotConfig := readBootInfo(t, []string{"--mem=64", "--disk=" + disk}, config)
	want := bootInfo{
		Magic: bootMagic, ABIVersion: 1, Flags: diskWritable,
		MemEnd: testMemEnd, HeapStart: imageEnd(t), HeapEnd: testHeapEnd, StackTop: testMemEnd,
		Config: configBase, ConfigLen: uint64(len(config)),
		ConsoleFD: 1, NetFD: -1, DiskFD: 4, DiskSector: 512, DiskSize: 1 << 20,
		PollMaxFDs: 1, VDSOClockGettime: bi.VDSOClockGettime,
	}
	if bi != want {
		t.Errorf("boot info\n got %+v\nwant %+v", bi, want)
	}
	if gotConfig != config {
		t.Errorf("CONFIG in guest memory is %q, want %q", gotConfig, config)
	}
}

func TestBootInfoDefaults(t *testing.T) {
	bi, _ := readBootInfo(t, nil, "bootinfo")
	if bi.MemEnd != 512<<20 || bi.DiskFD != -1 || bi.NetFD != -1 || bi.Flags != 0 {
		t.Errorf("defaults: want 512 MiB and no devices, got %+v", bi)
	}
	bi, _ = readBootInfo(t, []string{"--disk=" + makeDisk(t, 4096), "--disk-readonly"}, "bootinfo")
	if bi.Flags&diskWritable != 0 || bi.DiskSize != 4096 {
		t.Errorf("--disk-readonly: want a read-only 4096-byte disk, got %+v", bi)
	}
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
// what it may read, write and execute.
func TestMemoryProtection(t *testing.T) {
	hex := func(a uint64) string { return fmt.Sprintf("%#x", a) }
	tests := []struct {
		name  string
		flags []string
		cmd   string
		want  string // stdout, or "" for SIGSEGV
	}{
		{"null page", nil, "peek 0", ""},
		{"below guest memory", nil, "peek " + hex(memBase-1), ""},
		{"read boot info", nil, "peek " + hex(memBase), "peek=114\n"}, // 'r' of the magic
		{"write boot info", nil, "poke " + hex(memBase), ""},
		{"write config", nil, "poke " + hex(configBase), ""},
		{"write below the image", nil, "poke " + hex(imageMin-1), ""},
		{"write text", nil, "poke " + hex(imageMin), ""},
		{"execute rodata", nil, "jump " + hex(imageMin+pageSize), ""},
		{"write heap", nil, "poke $heap", "poked\n"},
		{"execute heap", nil, "retat $heap", ""},
		{"execute heap with --x-exec-heap", []string{"--x-exec-heap"}, "retat $heap", "returned\n"},
		{"write heap end", nil, "poke " + hex(testHeapEnd-1), "poked\n"},
		{"write guard page", nil, "poke " + hex(testHeapEnd), ""},
		{"write stack", nil, "poke " + hex(testStackBase), "poked\n"},
		{"execute stack", nil, "retat " + hex(testStackBase), ""},
		{"execute stack with --x-exec-heap", []string{"--x-exec-heap"}, "retat " + hex(testStackBase), ""},
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
