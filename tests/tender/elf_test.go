package tender_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"strings"
	"testing"
)

// craftedELF is a minimal valid guest built field by field: a text segment
// (R+X) at 1 MiB that writes "crafted ok\n" from a data segment (R+W, with
// bss) and exits 0. Tests break one field at a time.
type craftedELF struct {
	hdr   elf.Header64
	progs []elf.Prog64
	tail  []byte // extra bytes at the end of the file
}

const (
	textOff   = 0x1000
	dataOff   = 0x2000
	textVaddr = 0x100000
	dataVaddr = 0x101000
)

var craftedMsg = []byte("crafted ok\n")

// craftedCode: write(1, dataVaddr, 11); exit_group(0)
var craftedCode = []byte{
	0xbf, 0x01, 0x00, 0x00, 0x00, // mov edi, 1
	0xbe, 0x00, 0x10, 0x10, 0x00, // mov esi, 0x101000
	0xba, 0x0b, 0x00, 0x00, 0x00, // mov edx, 11
	0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (write)
	0x0f, 0x05, // syscall
	0x31, 0xff, // xor edi, edi
	0xb8, 0xe7, 0x00, 0x00, 0x00, // mov eax, 231 (exit_group)
	0x0f, 0x05, // syscall
}

func newCraftedELF() *craftedELF {
	e := &craftedELF{}
	copy(e.hdr.Ident[:], elf.ELFMAG)
	e.hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS64)
	e.hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	e.hdr.Ident[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	e.hdr.Type = uint16(elf.ET_EXEC)
	e.hdr.Machine = uint16(elf.EM_X86_64)
	e.hdr.Version = uint32(elf.EV_CURRENT)
	e.hdr.Entry = textVaddr
	e.hdr.Phoff = 64
	e.hdr.Ehsize = 64
	e.hdr.Phentsize = 56
	e.progs = []elf.Prog64{
		{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X), Off: textOff,
			Vaddr: textVaddr, Paddr: textVaddr, Filesz: uint64(len(craftedCode)),
			Memsz: uint64(len(craftedCode)), Align: 0x1000},
		{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_W), Off: dataOff,
			Vaddr: dataVaddr, Paddr: dataVaddr, Filesz: uint64(len(craftedMsg)),
			Memsz: 0x2000, Align: 0x1000},
		{Type: uint32(elf.PT_GNU_STACK), Flags: uint32(elf.PF_R | elf.PF_W)},
	}
	return e
}

func (e *craftedELF) bytes() []byte {
	if e.hdr.Phnum == 0 {
		e.hdr.Phnum = uint16(len(e.progs))
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, &e.hdr)
	binary.Write(&b, binary.LittleEndian, e.progs)
	out := make([]byte, dataOff+len(craftedMsg))
	copy(out, b.Bytes())
	copy(out[textOff:], craftedCode)
	copy(out[dataOff:], craftedMsg)
	return append(out, e.tail...)
}

func TestCraftedELFRuns(t *testing.T) {
	r := run(t, writeFile(t, "ok.nabla", newCraftedELF().bytes()))
	if r.code != 0 || r.signal != 0 || r.stdout != string(craftedMsg) || r.stderr != "" {
		t.Fatalf("the valid crafted guest should print %q and exit 0, got %v", craftedMsg, r)
	}
}

func TestHostileELFRefused(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(e *craftedELF)
		raw   func(b []byte) []byte // applied to the bytes after edit
		want  string
		flags []string
	}{
		{name: "empty file", raw: func(b []byte) []byte { return nil }, want: "too small"},
		{name: "truncated header", raw: func(b []byte) []byte { return b[:40] }, want: "too small"},
		{name: "bad magic", raw: func(b []byte) []byte { b[1] = 'X'; return b }, want: "bad magic"},
		{name: "ELFCLASS32", edit: func(e *craftedELF) { e.hdr.Ident[elf.EI_CLASS] = byte(elf.ELFCLASS32) },
			want: "not a 64-bit ELF"},
		{name: "big endian", edit: func(e *craftedELF) { e.hdr.Ident[elf.EI_DATA] = byte(elf.ELFDATA2MSB) },
			want: "little-endian"},
		{name: "bad version", edit: func(e *craftedELF) { e.hdr.Version = 2 }, want: "ELF version"},
		{name: "EM_386", edit: func(e *craftedELF) { e.hdr.Machine = uint16(elf.EM_386) },
			want: "not an x86-64 ELF"},
		{name: "ET_DYN", edit: func(e *craftedELF) { e.hdr.Type = uint16(elf.ET_DYN) }, want: "ET_DYN"},
		{name: "ET_REL", edit: func(e *craftedELF) { e.hdr.Type = uint16(elf.ET_REL) },
			want: "not an executable ELF"},
		{name: "bad phentsize", edit: func(e *craftedELF) { e.hdr.Phentsize = 32 },
			want: "program header size"},
		{name: "huge phnum", edit: func(e *craftedELF) { e.hdr.Phnum = 0xffff },
			want: "program header count"},
		{name: "zero phnum", edit: func(e *craftedELF) { e.hdr.Phnum = 0; e.progs = nil },
			want: "program header count"},
		{name: "phoff past EOF", edit: func(e *craftedELF) { e.hdr.Phoff = 1 << 40 },
			want: "program headers lie outside the file"},
		{name: "phoff wraps", edit: func(e *craftedELF) { e.hdr.Phoff = ^uint64(0) - 16 },
			want: "program headers lie outside the file"},
		{name: "segment past EOF", raw: func(b []byte) []byte { return b[:dataOff+4] },
			want: "segment 1 lies outside the file"},
		{name: "segment offset wraps", edit: func(e *craftedELF) {
			e.progs[1].Off = ^uint64(0) - 4 // congruence is checked after the file bounds
		}, want: "segment 1 lies outside the file"},
		{name: "filesz > memsz", edit: func(e *craftedELF) { e.progs[0].Memsz = e.progs[0].Filesz - 1 },
			want: "segment 0 has a file size larger than its memory size"},
		{name: "empty segment", edit: func(e *craftedELF) { e.progs[1].Filesz, e.progs[1].Memsz = 0, 0 },
			want: "segment 1 is empty"},
		{name: "below 1 MiB", edit: func(e *craftedELF) {
			e.progs[0].Vaddr, e.hdr.Entry = 0x80000, 0x80000
		}, want: "segment 0 starts at 0x80000, below the guest image minimum"},
		{name: "beyond guest memory", edit: func(e *craftedELF) { e.progs[1].Vaddr = 0x40000000 },
			want: "segment 1 does not fit in guest memory"},
		{name: "into the stack guard", edit: func(e *craftedELF) {
			e.progs[1].Vaddr = (16 << 20) - 0x100000 - 0x1000 // --mem=16: heap_end
		}, flags: []string{"--mem=16"}, want: "segment 1 does not fit in guest memory"},
		{name: "vaddr wraps", edit: func(e *craftedELF) {
			e.progs[1].Vaddr, e.progs[1].Memsz = 0xfffffffffffff000, 0x2000
		}, want: "segment 1 does not fit in guest memory"},
		{name: "overlapping segments", edit: func(e *craftedELF) { e.progs[1].Vaddr = textVaddr },
			want: "segments 0 and 1 overlap"},
		{name: "segments sharing a page", edit: func(e *craftedELF) {
			e.progs[1].Vaddr, e.progs[1].Off = textVaddr+0x800, textOff+0x800
		}, want: "segments 0 and 1 share a page"},
		{name: "offset not congruent", edit: func(e *craftedELF) { e.progs[1].Vaddr = dataVaddr + 0x100 },
			want: "not congruent"},
		{name: "bad alignment", edit: func(e *craftedELF) { e.progs[1].Align = 0x1800 },
			want: "bad alignment"},
		{name: "W+X", edit: func(e *craftedELF) { e.progs[0].Flags |= uint32(elf.PF_W) },
			want: "segment 0 is writable and executable"},
		{name: "PT_INTERP", edit: func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_INTERP), Off: 0x1800, Filesz: 8})
		}, want: "PT_INTERP"},
		{name: "PT_DYNAMIC", edit: func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_DYNAMIC), Off: 0x1800, Filesz: 16})
		}, want: "PT_DYNAMIC"},
		{name: "PT_TLS", edit: func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_TLS), Off: dataOff, Vaddr: dataVaddr,
				Filesz: 8, Memsz: 8})
		}, want: "PT_TLS"},
		{name: "executable stack", edit: func(e *craftedELF) { e.progs[2].Flags |= uint32(elf.PF_X) },
			want: "executable stack"},
		{name: "no PT_LOAD", edit: func(e *craftedELF) {
			e.progs[0].Type, e.progs[1].Type = uint32(elf.PT_NOTE), uint32(elf.PT_NOTE)
		}, want: "no loadable segment"},
		{name: "too many PT_LOADs", edit: func(e *craftedELF) {
			for i := uint64(0); i < 8; i++ {
				e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R),
					Off: dataOff, Vaddr: 0x200000 + i*0x1000, Filesz: 4, Memsz: 4})
			}
		}, want: "too many loadable segments"},
		{name: "entry in data segment", edit: func(e *craftedELF) { e.hdr.Entry = dataVaddr },
			want: "entry point 0x101000 is not inside an executable segment"},
		{name: "entry past the code", edit: func(e *craftedELF) {
			e.hdr.Entry = textVaddr + uint64(len(craftedCode))
		}, want: "is not inside an executable segment"},
		{name: "entry below the image", edit: func(e *craftedELF) { e.hdr.Entry = 0x10000 },
			want: "is not inside an executable segment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCraftedELF()
			if tc.edit != nil {
				tc.edit(e)
			}
			b := e.bytes()
			if tc.raw != nil {
				b = tc.raw(b)
			}
			path := writeFile(t, "hostile.nabla", b)
			r := run(t, append(tc.flags, path)...)
			wantRefusal(t, r, tc.want)
			if !strings.Contains(r.stderr, path) {
				t.Fatalf("the refusal should name the file %s: %v", path, r)
			}
		})
	}
}

func TestWXAcceptedWithXExecHeap(t *testing.T) {
	e := newCraftedELF()
	e.progs[0].Flags |= uint32(elf.PF_W)
	r := run(t, "--x-exec-heap", writeFile(t, "wx.nabla", e.bytes()))
	if r.code != 0 || r.stdout != string(craftedMsg) ||
		!strings.Contains(r.stderr, "nabla-run: warning: ") ||
		!strings.Contains(r.stderr, "segment 0 is writable and executable") {
		t.Fatalf("--x-exec-heap should run a W+X guest with a warning, got %v", r)
	}
}
