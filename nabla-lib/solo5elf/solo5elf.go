// Package solo5elf reads what a Solo5 spt unikernel says about itself in
// its ELF notes: the Solo5 ABI1 note (target and version), the MFT1
// manifest (the devices it wants) and runnc's CFG1 note (its command line
// is a runnc CONFIG document). The layout is nabla-lib/abi/solo5_spt.h.
//
// The file is untrusted: every read is bounded, every offset and length is
// checked against the file before use, and a malformed note is an error,
// never a panic. It reads only the notes; loading the image is the
// tender's business.
//
// solo5elf imports no other runnc package.
package solo5elf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/nabla-containers/runnc/internal/safefile"
)

// Kind is how a unikernel boots, as its notes say.
type Kind int

const (
	// NoNotes is an ELF without Solo5 notes: a Nabla-era (Solo5 v0.4)
	// unikernel, or no unikernel at all.
	NoNotes Kind = iota
	// ABI1 is a Solo5 0.6-0.7 spt unikernel.
	ABI1
	// ABI2 is a Solo5 0.8-0.12 spt unikernel.
	ABI2
	// RunncSDK is a Solo5 spt unikernel built with runnc's guest SDK: its
	// command line is a runnc CONFIG document.
	RunncSDK
)

func (k Kind) String() string {
	switch k {
	case NoNotes:
		return "no Solo5 notes"
	case ABI1:
		return "Solo5 spt ABI 1"
	case ABI2:
		return "Solo5 spt ABI 2"
	case RunncSDK:
		return "runnc SDK"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// DeviceType is a manifest entry's type (MFT_DEV_*, or runnc's volume
// slot).
type DeviceType uint32

const (
	BlockBasic DeviceType = 1
	NetBasic   DeviceType = 2
	// VolumeSlot is runnc's optional block device (MFT_RUNNC_VOLUME), which
	// a runnc SDK guest reads a volume from: a slot left unattached is no
	// error, and Solo5's tenders leave every slot so.
	VolumeSlot DeviceType = mftRunncVolume
)

func (t DeviceType) String() string {
	switch t {
	case BlockBasic:
		return "BLOCK_BASIC"
	case NetBasic:
		return "NET_BASIC"
	case VolumeSlot:
		return "volume slot"
	}
	return fmt.Sprintf("type %d", uint32(t))
}

// Device is one device the manifest declares.
type Device struct {
	Name string
	Type DeviceType
}

// Unikernel is what the notes say.
type Unikernel struct {
	// ABIVersion is the ABI1 note's version, 0 without Solo5 notes.
	ABIVersion uint32
	// RunncConfig is true when runnc's CFG1 note is present.
	RunncConfig bool
	// Devices are the manifest's devices, in its order; reserved entries
	// (entry 0, runnc's clock) are not devices.
	Devices []Device
}

// Kind is u's boot kind.
func (u *Unikernel) Kind() Kind {
	switch {
	case u.ABIVersion == 0:
		return NoNotes
	case u.RunncConfig:
		return RunncSDK
	case u.ABIVersion == 1:
		return ABI1
	}
	return ABI2
}

// DevicesOf are the names of u's devices of type t, in manifest order.
func (u *Unikernel) DevicesOf(t DeviceType) []string {
	var names []string
	for _, d := range u.Devices {
		if d.Type == t {
			names = append(names, d.Name)
		}
	}
	return names
}

// The ABI, from nabla-lib/abi/solo5_spt.h.
const (
	noteABI1      = 0x31494241 // "ABI1"
	noteMFT1      = 0x3154464d // "MFT1"
	noteRunncCFG1 = 0x31474643 // "CFG1"
	ownerSolo5    = "Solo5\x00"
	ownerRunnc    = "runnc\x00"

	targetSpt        = 2
	abiMin, abiMax   = 1, 2
	abi1DescSize     = 16
	runncDescSize    = 4
	mftDescPad       = 4 // the manifest starts 8-aligned after the 20-byte head
	mftVersion       = 1
	mftMaxEntries    = 64
	mftHeadSize      = 8
	mftEntrySize     = 104
	mftNameSize      = 68
	mftTypeOffset    = 68
	mftAttachedOff   = 96
	mftReservedFirst = 1 << 30
	mftRunncVolume   = mftReservedFirst + 0x4e56
)

// ELF64 on x86-64, the only machine runnc runs guests on.
const (
	ehdrSize   = 64
	phdrSize   = 56
	emX8664    = 62
	ptNote     = 4
	noteHdrLen = 12
)

// Bounds on what is read from the file: far above any real unikernel's
// (Solo5's linker script makes 10 program headers and three notes of at
// most 6.7 KiB), far below what could hurt the runtime.
const (
	maxPhnum      = 128
	maxNoteBytes  = 64 << 10  // one PT_NOTE segment
	maxNotesBytes = 256 << 10 // all of them
)

// Open reads the notes of the unikernel at path. It refuses anything but
// a regular file, and follows no symlink in its last component: path has
// been resolved already, and a symlink swapped in since is not followed.
func Open(path string) (*Unikernel, error) {
	f, fi, err := safefile.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, fi.Size())
}

// Parse reads the notes of the ELF file of size bytes that r reads.
func Parse(r io.ReaderAt, size int64) (*Unikernel, error) {
	if size < ehdrSize {
		return nil, errors.New("too short to be an ELF file")
	}
	ehdr, err := readAt(r, size, 0, ehdrSize)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(ehdr[:4], []byte("\x7fELF")) {
		return nil, errors.New("not an ELF file")
	}
	if ehdr[4] != 2 || ehdr[5] != 1 {
		return nil, errors.New("not a little-endian 64-bit ELF file")
	}
	if m := le.Uint16(ehdr[18:]); m != emX8664 {
		return nil, fmt.Errorf("an ELF file for machine %d, not x86-64", m)
	}
	phoff, phentsize, phnum := le.Uint64(ehdr[32:]), le.Uint16(ehdr[54:]), le.Uint16(ehdr[56:])
	if phnum == 0 {
		return &Unikernel{}, nil
	}
	if phentsize != phdrSize {
		return nil, fmt.Errorf("program headers of %d bytes, not %d", phentsize, phdrSize)
	}
	if phnum > maxPhnum {
		return nil, fmt.Errorf("%d program headers, over the %d runnc reads", phnum, maxPhnum)
	}
	phdrs, err := readAt(r, size, phoff, uint64(phnum)*phdrSize)
	if err != nil {
		return nil, fmt.Errorf("program headers: %w", err)
	}
	var p parser
	total := uint64(0)
	for i := range int(phnum) {
		ph := phdrs[i*phdrSize:]
		if le.Uint32(ph) != ptNote {
			continue
		}
		off, filesz := le.Uint64(ph[8:]), le.Uint64(ph[32:])
		if filesz > maxNoteBytes {
			return nil, fmt.Errorf("PT_NOTE segment %d is %d bytes, over the %d runnc reads", i, filesz, maxNoteBytes)
		}
		if total += filesz; total > maxNotesBytes {
			return nil, fmt.Errorf("PT_NOTE segments add up to over the %d bytes runnc reads", maxNotesBytes)
		}
		seg, err := readAt(r, size, off, filesz)
		if err != nil {
			return nil, fmt.Errorf("PT_NOTE segment %d: %w", i, err)
		}
		if err := p.segment(seg, off); err != nil {
			return nil, fmt.Errorf("PT_NOTE segment %d: %w", i, err)
		}
	}
	return p.result()
}

var le = binary.LittleEndian

// readAt reads n bytes at off, which must lie within the file's size.
func readAt(r io.ReaderAt, size int64, off, n uint64) ([]byte, error) {
	if off > uint64(size) || n > uint64(size)-off {
		return nil, fmt.Errorf("%d bytes at offset %d run past the end of the %d-byte file", n, off, size)
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("read %d bytes at offset %d: %w", n, off, err)
	}
	return b, nil
}

// parser collects the notes of every PT_NOTE segment.
type parser struct {
	abi, mft, runnc bool
	u               Unikernel
	// seen are the file offsets of the notes taken: two PT_NOTE segments
	// may cover the same note, which is then one note, not two.
	seen map[uint64]bool
}

// segment walks the notes of one PT_NOTE segment read from file offset
// base. Names and descriptors are padded to 4 bytes whatever the
// segment's p_align: Solo5's MFT1 note counts its 4-byte pad in descsz,
// which 8-byte padding would break.
func (p *parser) segment(seg []byte, base uint64) error {
	for off := uint64(0); off < uint64(len(seg)); {
		if uint64(len(seg))-off < noteHdrLen {
			return fmt.Errorf("truncated note header at offset %d", base+off)
		}
		namesz, descsz, typ := uint64(le.Uint32(seg[off:])), uint64(le.Uint32(seg[off+4:])), le.Uint32(seg[off+8:])
		nameOff := off + noteHdrLen
		descOff := nameOff + align4(namesz)
		end := descOff + align4(descsz)
		if end > uint64(len(seg)) {
			return fmt.Errorf("note at offset %d (name %d bytes, descriptor %d bytes) runs past its segment", base+off, namesz, descsz)
		}
		name, desc := string(seg[nameOff:nameOff+namesz]), seg[descOff:descOff+descsz]
		if err := p.note(name, typ, desc, base+off); err != nil {
			return err
		}
		off = end
	}
	return nil
}

func align4(n uint64) uint64 { return (n + 3) &^ 3 }

// note takes one note; notes of other owners or types are not runnc's
// business.
func (p *parser) note(owner string, typ uint32, desc []byte, at uint64) error {
	var done *bool
	var take func([]byte) error
	switch {
	case owner == ownerSolo5 && typ == noteABI1:
		done, take = &p.abi, p.abi1
	case owner == ownerSolo5 && typ == noteMFT1:
		done, take = &p.mft, p.manifest
	case owner == ownerRunnc && typ == noteRunncCFG1:
		done, take = &p.runnc, p.runncConfig
	default:
		return nil
	}
	if p.seen[at] {
		return nil
	}
	if *done {
		return fmt.Errorf("a second %s %s note at offset %d", owner[:len(owner)-1], typeName(typ), at)
	}
	if p.seen == nil {
		p.seen = map[uint64]bool{}
	}
	p.seen[at], *done = true, true
	if err := take(desc); err != nil {
		return fmt.Errorf("%s note at offset %d: %w", typeName(typ), at, err)
	}
	return nil
}

// typeName is a note type's four characters ("ABI1").
func typeName(typ uint32) string {
	return string(le.AppendUint32(nil, typ))
}

var targets = map[uint32]string{1: "hvt", 2: "spt", 3: "virtio", 4: "muen", 5: "genode", 6: "xen"}

func (p *parser) abi1(desc []byte) error {
	if len(desc) != abi1DescSize {
		return fmt.Errorf("descriptor of %d bytes, not %d", len(desc), abi1DescSize)
	}
	target, version := le.Uint32(desc), le.Uint32(desc[4:])
	if target != targetSpt {
		name, ok := targets[target]
		if !ok {
			name = fmt.Sprintf("unknown (%d)", target)
		}
		return fmt.Errorf("built for Solo5's %s target, not spt", name)
	}
	if version < abiMin || version > abiMax {
		return fmt.Errorf("spt ABI version %d, not %d to %d (Solo5 0.6 to 0.12)", version, abiMin, abiMax)
	}
	p.u.ABIVersion = version
	return nil
}

func (p *parser) runncConfig(desc []byte) error {
	if len(desc) != runncDescSize || le.Uint32(desc) != 1 {
		return errors.New("descriptor is not the uint32 1 of runnc's CONFIG note")
	}
	p.u.RunncConfig = true
	return nil
}

// manifest validates the MFT1 descriptor as Solo5's mft_validate does,
// and also refuses what would make a device unnameable on the tender's
// command line: an empty, non-alphanumeric or duplicate name (volume
// slots share the devices' names: --block:NAME names either), or a type
// no tender knows.
func (p *parser) manifest(desc []byte) error {
	if len(desc) < mftDescPad+mftHeadSize {
		return fmt.Errorf("descriptor of %d bytes is too short for a manifest", len(desc))
	}
	m := desc[mftDescPad:]
	version, entries := le.Uint32(m), le.Uint32(m[4:])
	if version != mftVersion {
		return fmt.Errorf("manifest version %d, not %d", version, mftVersion)
	}
	if entries < 1 || entries > mftMaxEntries {
		return fmt.Errorf("%d manifest entries, not 1 to %d", entries, mftMaxEntries)
	}
	if want := mftHeadSize + uint64(entries)*mftEntrySize; uint64(len(m)) != want {
		return fmt.Errorf("manifest of %d bytes, not the %d its %d entries take", len(m), want, entries)
	}
	names := map[string]bool{}
	for i := range int(entries) {
		e := m[mftHeadSize+i*mftEntrySize:][:mftEntrySize]
		raw, typ := e[:mftNameSize], le.Uint32(e[mftTypeOffset:])
		if raw[mftNameSize-1] != 0 {
			return fmt.Errorf("entry %d: name is not NUL-terminated", i)
		}
		if e[mftAttachedOff] != 0 {
			return fmt.Errorf("entry %d: attached in the file", i)
		}
		name := string(raw[:bytes.IndexByte(raw, 0)])
		if i == 0 {
			if typ != mftReservedFirst || name != "" {
				return errors.New("entry 0 is not the reserved first entry with an empty name")
			}
			continue
		}
		if typ >= mftReservedFirst && typ != mftRunncVolume {
			continue // reserved for tenders (runnc's clock): not a device
		}
		t := DeviceType(typ)
		if t != BlockBasic && t != NetBasic && t != VolumeSlot {
			return fmt.Errorf("entry %d (%q): unknown device type %d", i, name, typ)
		}
		if !alphanumeric(name) {
			return fmt.Errorf("entry %d: device name %q is not alphanumeric", i, name)
		}
		if names[name] {
			return fmt.Errorf("entry %d: device name %q is declared twice", i, name)
		}
		names[name] = true
		p.u.Devices = append(p.u.Devices, Device{Name: name, Type: t})
	}
	return nil
}

// alphanumeric is Solo5's rule for device names (solo5-elftool), which
// its tenders' --net:NAME= and --block:NAME= parsers rely on.
func alphanumeric(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func (p *parser) result() (*Unikernel, error) {
	switch {
	case !p.abi && !p.mft && !p.runnc:
		return &Unikernel{}, nil
	case !p.abi:
		return nil, errors.New("Solo5 or runnc notes without the Solo5 ABI1 note")
	case !p.mft:
		return nil, errors.New("a Solo5 ABI1 note without the MFT1 manifest")
	}
	return &p.u, nil
}
