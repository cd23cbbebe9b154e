package guest_test

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// From nabla-lib/abi/solo5_spt.h.
const (
	noteABI1       = 0x31494241
	noteMFT1       = 0x3154464d
	noteRunncCFG1  = 0x31474643
	targetSPT      = 2
	mftBlockBasic  = 1
	mftNetBasic    = 2
	mftReserved    = 1 << 30
	mftRunncClock  = mftReserved + 0x4e43
	mftRunncVolume = mftReserved + 0x4e56
	mftEntrySize   = 104
	mftEntryType   = 68
	mftEntryAttach = 96
)

// device is one manifest entry as the guest declares it.
type device struct {
	name string
	typ  uint32
}

// note is one ELF note: its owner, type and descriptor.
type note struct {
	owner string
	typ   uint32
	desc  []byte
}

// readNote reads the note a PT_NOTE segment starts with (Solo5 tenders
// read only that one) and checks that nothing follows it.
func readNote(t *testing.T, p *elf.Prog) note {
	t.Helper()
	data, err := io.ReadAll(p.Open())
	if err != nil || len(data) < 12 {
		t.Fatalf("PT_NOTE at %#x: %d bytes (%v)", p.Vaddr, len(data), err)
	}
	namesz := binary.LittleEndian.Uint32(data[0:])
	descsz := binary.LittleEndian.Uint32(data[4:])
	nameEnd := 12 + (namesz+3)&^3
	if uint64(nameEnd)+uint64(descsz) != uint64(len(data)) {
		t.Fatalf("PT_NOTE at %#x: %d bytes for a note of name %d and descriptor %d bytes: one note per PT_NOTE",
			p.Vaddr, len(data), namesz, descsz)
	}
	return note{
		owner: string(bytes.TrimRight(data[12:12+namesz], "\x00")),
		typ:   binary.LittleEndian.Uint32(data[8:]),
		desc:  data[nameEnd:],
	}
}

// Every sample guest is a Solo5 spt ABI 2 guest: the fake interpreter,
// the ABI1 note, its own manifest (plus runnc.clock, none attached) and
// runnc's CONFIG note, each note in a PT_NOTE of its own, and no segment
// both writable and executable.
func TestGuestNotesAndManifest(t *testing.T) {
	clock := device{"runnc.clock", mftRunncClock}
	rootfs := device{"rootfs", mftBlockBasic}
	net0 := device{"net0", mftNetBasic}
	var volumes []device // NB_VOLUMES: the slots vol0 .. vol7
	for i := 0; i < 8; i++ {
		volumes = append(volumes, device{fmt.Sprintf("vol%d", i), mftRunncVolume})
	}
	for guest, devices := range map[string][]device{
		"hello":   {clock},
		"cat":     append([]device{clock, rootfs}, volumes...),
		"disk":    append([]device{clock}, volumes...),
		"storage": {clock, {"storage", mftBlockBasic}},
		"sdktest": {clock, rootfs},
		"escape":  {clock, rootfs},
		"echo":    {clock, net0},
		"httpd":   {clock, net0, rootfs},
	} {
		t.Run(guest, func(t *testing.T) {
			f, err := elf.Open(testenv.Binary(t, "guests/"+guest+".nabla"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			notes := map[uint32]note{}
			interp := ""
			for _, p := range f.Progs {
				switch p.Type {
				case elf.PT_INTERP:
					b, _ := io.ReadAll(p.Open())
					interp = string(b)
				case elf.PT_NOTE:
					n := readNote(t, p)
					notes[n.typ] = n
				case elf.PT_LOAD:
					if p.Flags&elf.PF_W != 0 && p.Flags&elf.PF_X != 0 {
						t.Errorf("segment at %#x is writable and executable", p.Vaddr)
					}
				}
			}
			if interp != "/nonexistent/solo5/\x00" {
				t.Errorf("PT_INTERP %q, want Solo5's /nonexistent/solo5/", interp)
			}
			if n := notes[noteABI1]; n.owner != "Solo5" || !bytes.Equal(n.desc, le32(targetSPT, 2, 0, 0)) {
				t.Errorf("ABI1 note %+v, want owner Solo5, target spt, version 2", n)
			}
			if n := notes[noteRunncCFG1]; n.owner != "runnc" || !bytes.Equal(n.desc, le32(1)) {
				t.Errorf("runnc CONFIG note %+v, want owner runnc, descriptor 1", n)
			}
			if got := manifest(t, notes[noteMFT1]); !slices.Equal(got, devices) {
				t.Errorf("manifest %+v, want %+v", got, devices)
			}
		})
	}
}

// manifest decodes an MFT1 note: 4 bytes of padding, version 1, the entry
// count, entry 0 reserved; it returns the entries after it.
func manifest(t *testing.T, n note) []device {
	t.Helper()
	d := n.desc
	if n.owner != "Solo5" || len(d) < 8+4+mftEntrySize {
		t.Fatalf("MFT1 note %+v", n)
	}
	version, entries := binary.LittleEndian.Uint32(d[4:]), binary.LittleEndian.Uint32(d[8:])
	if version != 1 || len(d) != 12+int(entries)*mftEntrySize {
		t.Fatalf("MFT1: version %d, %d entries in a %d-byte descriptor", version, entries, len(d))
	}
	var devs []device
	for i := 0; i < int(entries); i++ {
		e := d[12+i*mftEntrySize:][:mftEntrySize]
		dev := device{string(bytes.TrimRight(e[:mftEntryType], "\x00")), binary.LittleEndian.Uint32(e[mftEntryType:])}
		if e[mftEntryAttach] != 0 {
			t.Errorf("MFT1 entry %d (%s) is attached in the ELF", i, dev.name)
		}
		if i == 0 {
			if dev != (device{"", mftReserved}) {
				t.Errorf("MFT1 entry 0 is %+v, want the reserved entry", dev)
			}
			continue
		}
		devs = append(devs, dev)
	}
	return devs
}

func le32(v ...uint32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}
