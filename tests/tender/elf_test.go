package tender_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// craftedELF is a minimal valid guest built field by field: a text segment
// (R+X) at 1 MiB that writes "crafted ok\n" from a data segment (R+W, with
// bss) and exits 0, and a PT_NOTE with its Solo5 ABI note and an empty
// manifest. Tests break one field at a time.
type craftedELF struct {
	hdr   elf.Header64
	progs []elf.Prog64
	notes []byte
	code  []byte // the text segment's bytes: craftedCode unless a test changes it
	tail  []byte // extra bytes at the end of the file
}

const (
	notesOff  = 0x800
	textOff   = 0x1000
	dataOff   = 0x2000
	textVaddr = 0x100000
	dataVaddr = 0x101000
	noteProg  = 3 // index of the PT_NOTE in craftedELF.progs
)

// Solo5's note and manifest constants (nabla-lib/abi/solo5_spt.h).
const (
	noteABI1         = 0x31494241
	noteMFT1         = 0x3154464d
	targetSPT        = 2
	mftReservedFirst = 1 << 30
	mftBlock         = 1
	mftNet           = 2
	mftEntrySize     = 104
)

// mftEntry is one manifest entry as it sits in the file.
type mftEntry struct {
	name     string
	typ      uint32
	attached byte
	rawName  []byte // all 68 name bytes, overriding name
}

// note is one ELF note: owner, type and descriptor, padded as ELF wants.
func note(owner string, typ uint32, desc []byte) []byte {
	var b bytes.Buffer
	name := append([]byte(owner), 0)
	binary.Write(&b, binary.LittleEndian, [3]uint32{uint32(len(name)), uint32(len(desc)), typ})
	b.Write(name)
	b.Write(make([]byte, (4-len(name)%4)%4))
	b.Write(desc)
	b.Write(make([]byte, (4-len(desc)%4)%4))
	return b.Bytes()
}

func abiNote(target, version uint32) []byte {
	desc := make([]byte, 16)
	binary.LittleEndian.PutUint32(desc, target)
	binary.LittleEndian.PutUint32(desc[4:], version)
	return note("Solo5", noteABI1, desc)
}

// manifest is the MFT1 descriptor (4 bytes of padding, then struct mft)
// for the reserved entry followed by entries.
func manifest(version uint32, entries ...mftEntry) []byte {
	all := append([]mftEntry{{typ: mftReservedFirst}}, entries...)
	desc := make([]byte, 4+8+len(all)*mftEntrySize)
	binary.LittleEndian.PutUint32(desc[4:], version)
	binary.LittleEndian.PutUint32(desc[8:], uint32(len(all)))
	for i, e := range all {
		at := desc[12+i*mftEntrySize:]
		copy(at[:68], e.name)
		if e.rawName != nil {
			copy(at[:68], e.rawName)
		}
		binary.LittleEndian.PutUint32(at[68:], e.typ)
		at[96] = e.attached
	}
	return desc
}

func solo5Notes(entries ...mftEntry) []byte {
	return append(abiNote(targetSPT, 2), note("Solo5", noteMFT1, manifest(1, entries...))...)
}

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
		{Type: uint32(elf.PT_NOTE), Flags: uint32(elf.PF_R), Off: notesOff, Align: 4},
	}
	e.notes = solo5Notes()
	e.code = slices.Clone(craftedCode)
	return e
}

func (e *craftedELF) bytes() []byte {
	if e.hdr.Phnum == 0 {
		e.hdr.Phnum = uint16(len(e.progs))
	}
	// Notes go between the program headers and the text, or, when they
	// do not fit there, at the end of the file.
	notes, tail := e.notes, e.tail
	if len(notes) > textOff-notesOff {
		e.progs[noteProg].Off = uint64(dataOff + len(craftedMsg) + len(e.tail))
		tail, notes = append(slices.Clone(e.tail), notes...), nil
	}
	if len(e.progs) > noteProg && e.progs[noteProg].Type == uint32(elf.PT_NOTE) &&
		e.progs[noteProg].Filesz == 0 {
		e.progs[noteProg].Filesz = uint64(len(e.notes))
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, &e.hdr)
	binary.Write(&b, binary.LittleEndian, e.progs)
	out := make([]byte, dataOff+len(craftedMsg))
	copy(out, b.Bytes())
	copy(out[notesOff:textOff], notes)
	copy(out[textOff:], e.code)
	copy(out[dataOff:], craftedMsg)
	return append(out, tail...)
}

func TestCraftedELFRuns(t *testing.T) {
	r := run(t, writeFile(t, "ok.nabla", newCraftedELF().bytes()))
	if r.code != 0 || r.signal != 0 || r.stdout != string(craftedMsg) || r.stderr != "" {
		t.Fatalf("the valid crafted guest should print %q and exit 0, got %v", craftedMsg, r)
	}
}

// TestBSSReadsZeroAfterFileBytes: the data segment's file bytes are mapped
// from the file, a page at a time; its .bss starts inside that last page,
// where the file goes on (here with 0xff bytes), and must read zero. The
// guest writes its message and the 16 bytes after it.
func TestBSSReadsZeroAfterFileBytes(t *testing.T) {
	const after = 16
	e := newCraftedELF()
	e.tail = bytes.Repeat([]byte{0xff}, after)
	e.code[11] = byte(len(craftedMsg) + after) // mov edx, len
	r := run(t, writeFile(t, "bss.nabla", e.bytes()))
	if want := string(craftedMsg) + strings.Repeat("\x00", after); r.code != 0 || r.stdout != want {
		t.Fatalf("the guest should read %q, got %v", want, r)
	}
}

// TestGuestOnNoexecMountRefused: the guest's code runs from its file's
// pages, so a mount's noexec holds for it as for a program, with one line
// that says so.
func TestGuestOnNoexecMountRefused(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Mount("runnc-noexec", dir, "tmpfs", unix.MS_NOEXEC, "size=1m"); err != nil {
		t.Fatalf("mount a noexec tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	guest := filepath.Join(dir, "ok.nabla")
	if err := os.WriteFile(guest, newCraftedELF().bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, run(t, guest), "is on a file system mounted noexec")
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
		{name: "below 1 MiB", edit: func(e *craftedELF) {
			e.progs[0].Vaddr, e.hdr.Entry = 0x80000, 0x80000
		}, want: "segment 0 starts at 0x80000, below the guest image minimum"},
		{name: "beyond guest memory", edit: func(e *craftedELF) { e.progs[1].Vaddr = 0x40000000 },
			want: "segment 1 does not fit in guest memory"},
		{name: "past the end of memory", edit: func(e *craftedELF) {
			e.progs[1].Vaddr, e.progs[1].Off = (16<<20)-0x1000, dataOff // memsz 0x2000
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
		{name: "PT_INTERP without notes", edit: func(e *craftedELF) {
			e.progs[noteProg] = elf.Prog64{Type: uint32(elf.PT_INTERP), Off: 0x1800, Filesz: 8}
		}, flags: []string{"--nabla-legacy"}, want: "PT_INTERP"},
		{name: "PT_DYNAMIC", edit: func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_DYNAMIC), Off: 0x1800, Filesz: 16})
		}, want: "PT_DYNAMIC"},
		{name: "PT_TLS without notes", edit: func(e *craftedELF) {
			e.progs[noteProg] = elf.Prog64{Type: uint32(elf.PT_TLS), Off: dataOff, Vaddr: dataVaddr,
				Filesz: 8, Memsz: 8}
		}, flags: []string{"--nabla-legacy"}, want: "PT_TLS"},
		{name: "executable stack", edit: func(e *craftedELF) { e.progs[2].Flags |= uint32(elf.PF_X) },
			want: "executable stack"},
		{name: "no PT_LOAD", edit: func(e *craftedELF) {
			e.progs[0].Type, e.progs[1].Type = uint32(elf.PT_NULL), uint32(elf.PT_NULL)
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

// What Solo5's toolchains put in every spt guest runs: a fake PT_INTERP,
// a PT_TLS (the guest sets %fs itself), an empty .tdata PT_LOAD, ABI 1.
func TestSolo5ELFAccepted(t *testing.T) {
	tests := []struct {
		name string
		edit func(e *craftedELF)
	}{
		{"PT_INTERP", func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_INTERP), Off: 0x1800, Filesz: 8})
		}},
		{"PT_TLS", func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_TLS), Off: dataOff,
				Vaddr: dataVaddr, Filesz: 8, Memsz: 16})
		}},
		{"empty PT_LOAD at 0", func(e *craftedELF) {
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R)})
		}},
		{"ABI 1", func(e *craftedELF) {
			e.notes = append(abiNote(targetSPT, 1), note("Solo5", noteMFT1, manifest(1))...)
		}},
		{"notes in two PT_NOTEs, others' notes around", func(e *craftedELF) {
			first := append(note("GNU", 3, []byte{1, 2, 3, 4, 5}), abiNote(targetSPT, 2)...)
			second := note("Solo5", noteMFT1, manifest(1, mftEntry{name: "x", typ: mftReservedFirst + 7}))
			e.notes = append(first, second...)
			e.progs[noteProg].Filesz = uint64(len(first))
			e.progs = append(e.progs, elf.Prog64{Type: uint32(elf.PT_NOTE),
				Off: notesOff + uint64(len(first)), Filesz: uint64(len(second))})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCraftedELF()
			tc.edit(e)
			r := run(t, writeFile(t, "solo5.nabla", e.bytes()))
			if r.code != 0 || r.signal != 0 || r.stdout != string(craftedMsg) || r.stderr != "" {
				t.Fatalf("want %q and exit 0, got %v", craftedMsg, r)
			}
		})
	}
}

// The notes and the manifest are hostile input: each malformed one gets a
// one-line refusal naming the file, before anything runs.
func TestHostileNotesRefused(t *testing.T) {
	mft := func(entries ...mftEntry) []byte {
		return append(abiNote(targetSPT, 2), note("Solo5", noteMFT1, manifest(1, entries...))...)
	}
	raw := func(namesz, descsz, typ uint32, rest []byte) []byte {
		b := make([]byte, 12)
		binary.LittleEndian.PutUint32(b, namesz)
		binary.LittleEndian.PutUint32(b[4:], descsz)
		binary.LittleEndian.PutUint32(b[8:], typ)
		return append(b, rest...)
	}
	long := bytes.Repeat([]byte{'a'}, 68)
	tests := []struct {
		name  string
		notes []byte
		edit  func(e *craftedELF)
		args  []string
		want  string
	}{
		{name: "no notes", edit: func(e *craftedELF) { e.progs = e.progs[:noteProg] },
			want: "has no Solo5 ABI note"},
		{name: "ABI note only", notes: abiNote(targetSPT, 2), want: "no manifest"},
		{name: "manifest only", notes: note("Solo5", noteMFT1, manifest(1)),
			want: "manifest but no Solo5 ABI note"},
		{name: "hvt target", notes: append(abiNote(1, 2), note("Solo5", noteMFT1, manifest(1))...),
			want: "built for Solo5 target 1, not spt"},
		{name: "ABI 3", notes: append(abiNote(targetSPT, 3), note("Solo5", noteMFT1, manifest(1))...),
			want: "asks for Solo5 spt ABI 3"},
		{name: "ABI 0", notes: append(abiNote(targetSPT, 0), note("Solo5", noteMFT1, manifest(1))...),
			want: "asks for Solo5 spt ABI 0"},
		{name: "short ABI descriptor", notes: note("Solo5", noteABI1, make([]byte, 8)),
			want: "ABI note has a bad size"},
		{name: "two ABI notes", notes: append(abiNote(targetSPT, 2), mft()...),
			want: "two Solo5 ABI notes"},
		{name: "two manifests", notes: append(mft(), note("Solo5", noteMFT1, manifest(1))...),
			want: "two Solo5 manifests"},
		{name: "truncated note header", notes: []byte{6, 0, 0, 0, 0}, want: "note is truncated"},
		{name: "name past the segment", notes: raw(0xffffffff, 0, noteABI1, nil),
			want: "name runs past its segment"},
		{name: "descriptor past the segment", notes: raw(6, 0xfffffff0, noteABI1, []byte("Solo5\x00\x00\x00")),
			want: "descriptor runs past its segment"},
		{name: "note segment past EOF", edit: func(e *craftedELF) { e.progs[noteProg].Off = 1 << 40 },
			want: "note segment 3 lies outside the file"},
		{name: "note segment wraps", edit: func(e *craftedELF) {
			e.progs[noteProg].Off, e.progs[noteProg].Filesz = 0x800, ^uint64(0)-0x700
		}, want: "note segment 3 lies outside the file"},
		{name: "manifest too short", notes: append(abiNote(targetSPT, 2), note("Solo5", noteMFT1, make([]byte, 8))...),
			want: "manifest has a bad size"},
		{name: "manifest too long", notes: append(abiNote(targetSPT, 2),
			note("Solo5", noteMFT1, make([]byte, 4+8+65*mftEntrySize))...), want: "manifest has a bad size"},
		{name: "manifest version 2", notes: append(abiNote(targetSPT, 2), note("Solo5", noteMFT1, manifest(2))...),
			want: "manifest version 2 is not supported"},
		{name: "entry count beyond the size", notes: append(abiNote(targetSPT, 2), note("Solo5", noteMFT1, func() []byte {
			d := manifest(1, mftEntry{name: "net0", typ: mftNet})
			binary.LittleEndian.PutUint32(d[8:], 3)
			return d
		}())...), want: "size does not match its 3 entries"},
		{name: "no reserved entry first", notes: append(abiNote(targetSPT, 2), note("Solo5", noteMFT1, func() []byte {
			d := manifest(1)
			binary.LittleEndian.PutUint32(d[12+68:], mftNet)
			return d
		}())...), want: "does not start with its reserved entry"},
		{name: "unterminated name", notes: mft(mftEntry{rawName: long, typ: mftNet}),
			want: "entry 1 has an unterminated name"},
		{name: "attached in the file", notes: mft(mftEntry{name: "net0", typ: mftNet, attached: 1}),
			want: "entry 1 is marked attached"},
		{name: "attached byte not a bool", notes: mft(mftEntry{name: "net0", typ: mftNet, attached: 0x80}),
			want: "entry 1 is marked attached"},
		{name: "unknown device type", notes: mft(mftEntry{name: "x", typ: 7}),
			want: "unknown device type 7"},
		{name: "device without a name", notes: mft(mftEntry{typ: mftBlock}),
			want: "device without a name"},
		{name: "duplicate device", notes: mft(mftEntry{name: "net0", typ: mftNet}, mftEntry{name: "net0", typ: mftNet}),
			want: "declares NET_BASIC device 'net0' twice"},
		{name: "declared device not attached", notes: mft(mftEntry{name: "net0", typ: mftNet}),
			want: "device 'net0' of type NET_BASIC is declared by the unikernel but not attached: add --net:net0=TAP"},
		{name: "undeclared device", args: []string{"--block:data=/dev/null"},
			want: "declares no BLOCK_BASIC device 'data' (it declares: none)"},
		{name: "undeclared device, others declared", notes: mft(mftEntry{name: "disk", typ: mftBlock}),
			args: []string{"--block:data=/dev/null"}, want: "(it declares: disk (BLOCK_BASIC))"},
		{name: "legacy flag on a Solo5 guest", args: []string{"--nabla-legacy"},
			want: "is a Solo5 ABI 2 unikernel, not a Nabla-era one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCraftedELF()
			if tc.notes != nil {
				e.notes = tc.notes
			}
			if tc.edit != nil {
				tc.edit(e)
			}
			path := writeFile(t, "notes.nabla", e.bytes())
			r := run(t, append(tc.args, path)...)
			wantRefusal(t, r, tc.want)
			if !strings.Contains(r.stderr, path) {
				t.Fatalf("the refusal should name the file %s: %v", path, r)
			}
		})
	}
}
