// Package solo5elftest writes minimal ELF64 x86-64 files with crafted
// PT_NOTE segments: the fixtures of the tests and fuzz seeds of solo5elf
// and of the exec handler that uses it. They are built here, byte by byte,
// so that no test depends on a compiler or on Solo5.
package solo5elftest

import "encoding/binary"

// Manifest entry types (nabla-lib/abi/solo5_spt.h).
const (
	Block         uint32 = 1
	Net           uint32 = 2
	ReservedFirst uint32 = 1 << 30
	RunncClock           = ReservedFirst + 0x4e43
	RunncVolume          = ReservedFirst + 0x4e56
)

// Note types.
const (
	TypeABI1 uint32 = 0x31494241
	TypeMFT1 uint32 = 0x3154464d
	TypeCFG1 uint32 = 0x31474643
)

// Entry is one raw manifest entry.
type Entry struct {
	Name     string
	Type     uint32
	Attached bool
}

var le = binary.LittleEndian

// Note is one ELF note: owner NUL-terminated, name and descriptor padded
// to 4 bytes.
func Note(owner string, typ uint32, desc []byte) []byte {
	b := le.AppendUint32(nil, uint32(len(owner)+1))
	b = le.AppendUint32(b, uint32(len(desc)))
	b = le.AppendUint32(b, typ)
	b = pad4(append(append(b, owner...), 0))
	return pad4(append(b, desc...))
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// ABI1 is Solo5's ABI1 note.
func ABI1(target, version uint32) []byte {
	desc := le.AppendUint32(le.AppendUint32(nil, target), version)
	return Note("Solo5", TypeABI1, append(desc, make([]byte, 8)...))
}

// RunncConfig is runnc's CFG1 note.
func RunncConfig() []byte {
	return Note("runnc", TypeCFG1, le.AppendUint32(nil, 1))
}

// ManifestDesc is an MFT1 descriptor with exactly these entries: the
// 4-byte pad, the version, the count and the 104-byte entries.
func ManifestDesc(version uint32, entries ...Entry) []byte {
	b := le.AppendUint32(make([]byte, 4), version)
	b = le.AppendUint32(b, uint32(len(entries)))
	for _, e := range entries {
		entry := make([]byte, 104)
		copy(entry[:68], e.Name) // 68 bytes: a test may leave no NUL
		le.PutUint32(entry[68:], e.Type)
		if e.Attached {
			entry[96] = 1
		}
		b = append(b, entry...)
	}
	return b
}

// Manifest is a valid MFT1 note: the reserved first entry, then entries.
func Manifest(entries ...Entry) []byte {
	all := append([]Entry{{Type: ReservedFirst}}, entries...)
	return Note("Solo5", TypeMFT1, ManifestDesc(1, all...))
}

// ELF is an ELF64 x86-64 executable whose program headers are one
// PT_NOTE per segment, each segment's bytes following the headers.
func ELF(segments ...[]byte) []byte {
	const ehdr, phdr = 64, 56
	b := make([]byte, ehdr)
	copy(b, "\x7fELF\x02\x01\x01")
	le.PutUint16(b[16:], 2)  // ET_EXEC
	le.PutUint16(b[18:], 62) // EM_X86_64
	le.PutUint32(b[20:], 1)  // EV_CURRENT
	le.PutUint64(b[32:], ehdr)
	le.PutUint16(b[52:], ehdr)
	le.PutUint16(b[54:], phdr)
	le.PutUint16(b[56:], uint16(len(segments)))
	off := uint64(ehdr + phdr*len(segments))
	for _, s := range segments {
		h := make([]byte, phdr)
		le.PutUint32(h, 4) // PT_NOTE
		le.PutUint32(h[4:], 4)
		le.PutUint64(h[8:], off)
		le.PutUint64(h[32:], uint64(len(s)))
		le.PutUint64(h[40:], uint64(len(s)))
		le.PutUint64(h[48:], 4)
		b = append(b, h...)
		off += uint64(len(s))
	}
	for _, s := range segments {
		b = append(b, s...)
	}
	return b
}

// Unikernel is a Solo5 spt unikernel of ABI version with these devices,
// and runnc's note if runnc: each note in its own PT_NOTE, as Solo5's
// linker script lays them out.
func Unikernel(version uint32, runnc bool, devices ...Entry) []byte {
	segments := [][]byte{ABI1(2, version), Manifest(devices...)}
	if runnc {
		segments = append(segments, RunncConfig())
	}
	return ELF(segments...)
}
