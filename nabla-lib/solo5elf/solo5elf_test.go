package solo5elf_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
	e "github.com/nabla-containers/runnc/nabla-lib/solo5elf/solo5elftest"
)

var le = binary.LittleEndian

func parse(b []byte) (*solo5elf.Unikernel, error) {
	return solo5elf.Parse(bytes.NewReader(b), int64(len(b)))
}

// patch sets a little-endian field of width 2, 4 or 8 at off.
func patch(b []byte, off int, width int, v uint64) []byte {
	b = bytes.Clone(b)
	switch width {
	case 2:
		le.PutUint16(b[off:], uint16(v))
	case 4:
		le.PutUint32(b[off:], uint32(v))
	default:
		le.PutUint64(b[off:], v)
	}
	return b
}

// phdr is the file offset of program header i's field at field.
func phdr(i, field int) int { return 64 + 56*i + field }

func devices(n int, typ uint32, prefix string) []e.Entry {
	var out []e.Entry
	for i := range n {
		out = append(out, e.Entry{Name: prefix + string(rune('a'+i)), Type: typ})
	}
	return out
}

func named(n int) []e.Entry {
	out := make([]e.Entry, n)
	for i := range out {
		out[i] = e.Entry{Name: fmt.Sprintf("d%d", i), Type: e.Block}
	}
	return out
}

func TestParse(t *testing.T) {
	net0, blk := e.Entry{Name: "net0", Type: e.Net}, e.Entry{Name: "rootfs", Type: e.Block}
	three := e.ELF(e.ABI1(2, 2), e.Manifest(net0), e.ABI1(2, 2))
	for _, tc := range []struct {
		name string
		elf  []byte
		want solo5elf.Unikernel
		kind solo5elf.Kind
	}{
		{"no program headers", e.ELF(), solo5elf.Unikernel{}, solo5elf.NoNotes},
		{"foreign notes only", e.ELF(e.Note("GNU", 3, make([]byte, 20)), e.Note("OpenBSD", 1, make([]byte, 4))), solo5elf.Unikernel{}, solo5elf.NoNotes},
		{"ABI1 under another owner", e.ELF(e.Note("Solo6", e.TypeABI1, make([]byte, 16))), solo5elf.Unikernel{}, solo5elf.NoNotes},
		{"ABI 1, no devices", e.Unikernel(1, false), solo5elf.Unikernel{ABIVersion: 1}, solo5elf.ABI1},
		{"ABI 2, one of each", e.Unikernel(2, false, net0, blk), solo5elf.Unikernel{ABIVersion: 2, Devices: []solo5elf.Device{{"net0", solo5elf.NetBasic}, {"rootfs", solo5elf.BlockBasic}}}, solo5elf.ABI2},
		{"runnc SDK with its clock", e.Unikernel(2, true, net0, e.Entry{Name: "runnc.clock", Type: e.RunncClock}, blk),
			solo5elf.Unikernel{ABIVersion: 2, RunncConfig: true, Devices: []solo5elf.Device{{"net0", solo5elf.NetBasic}, {"rootfs", solo5elf.BlockBasic}}}, solo5elf.RunncSDK},
		{"runnc SDK with volume slots", e.Unikernel(2, true, blk, e.Entry{Name: "vol0", Type: e.RunncVolume}, e.Entry{Name: "vol1", Type: e.RunncVolume}),
			solo5elf.Unikernel{ABIVersion: 2, RunncConfig: true, Devices: []solo5elf.Device{{"rootfs", solo5elf.BlockBasic}, {"vol0", solo5elf.VolumeSlot}, {"vol1", solo5elf.VolumeSlot}}}, solo5elf.RunncSDK},
		{"several of each kind", e.Unikernel(2, false, append(devices(3, e.Net, "n"), devices(2, e.Block, "b")...)...),
			solo5elf.Unikernel{ABIVersion: 2, Devices: []solo5elf.Device{{"na", 2}, {"nb", 2}, {"nc", 2}, {"ba", 1}, {"bb", 1}}}, solo5elf.ABI2},
		{"64 entries, the most", e.Unikernel(2, false, named(63)...), solo5elf.Unikernel{ABIVersion: 2, Devices: func() []solo5elf.Device {
			var d []solo5elf.Device
			for _, x := range named(63) {
				d = append(d, solo5elf.Device{Name: x.Name, Type: solo5elf.BlockBasic})
			}
			return d
		}()}, solo5elf.ABI2},
		{"all notes in one segment, among foreign ones", e.ELF(bytes.Join([][]byte{e.Note("GNU", 3, make([]byte, 20)), e.ABI1(2, 2), e.Manifest(blk), e.RunncConfig()}, nil)),
			solo5elf.Unikernel{ABIVersion: 2, RunncConfig: true, Devices: []solo5elf.Device{{"rootfs", solo5elf.BlockBasic}}}, solo5elf.RunncSDK},
		{"unknown Solo5 note types are not ours", e.ELF(e.ABI1(2, 2), e.Manifest(), e.Note("Solo5", 0x31313131, []byte{1})), solo5elf.Unikernel{ABIVersion: 2}, solo5elf.ABI2},
		// Two PT_NOTE headers over one note: one note, not a duplicate.
		{"one note under two program headers", patch(three, phdr(2, 8), 8, le.Uint64(three[phdr(0, 8):])),
			solo5elf.Unikernel{ABIVersion: 2, Devices: []solo5elf.Device{{"net0", solo5elf.NetBasic}}}, solo5elf.ABI2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(tc.elf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.want) || got.Kind() != tc.kind {
				t.Fatalf("got %+v (%v), want %+v (%v)", *got, got.Kind(), tc.want, tc.kind)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	ok := e.Unikernel(2, false, e.Entry{Name: "net0", Type: e.Net})
	mft := func(version uint32, entries ...e.Entry) []byte {
		return e.ELF(e.ABI1(2, 2), e.Note("Solo5", e.TypeMFT1, e.ManifestDesc(version, entries...)))
	}
	first := e.Entry{Type: e.ReservedFirst}
	for _, tc := range []struct {
		name string
		elf  []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"not an ELF", append([]byte("#!/bin/sh\n"), make([]byte, 100)...), "not an ELF file"},
		{"32-bit", patch(ok, 4, 2, 0x0101), "not a little-endian 64-bit"},
		{"big-endian", patch(ok, 4, 2, 0x0202), "not a little-endian 64-bit"},
		{"aarch64", patch(ok, 18, 2, 183), "machine 183, not x86-64"},
		{"program header size", patch(ok, 54, 2, 64), "program headers of 64 bytes"},
		{"too many program headers", patch(ok, 56, 2, 0xffff), "65535 program headers, over the 128"},
		{"program headers past the end", patch(ok, 32, 8, uint64(len(ok))-50), "program headers: 112 bytes at offset"},
		{"program header offset overflows", patch(ok, 32, 8, 1<<63), "run past the end"},
		{"segment past the end", patch(ok, phdr(0, 8), 8, uint64(len(ok))), "run past the end"},
		{"segment offset wraps around", patch(ok, phdr(0, 8), 8, ^uint64(0)-10), "run past the end"},
		{"segment over the cap", patch(ok, phdr(0, 32), 8, 1<<20), "over the 65536 runnc reads"},
		{"truncated note header", e.ELF(e.ABI1(2, 2)[:8]), "truncated note header"},
		{"note cut short", e.ELF(e.ABI1(2, 2)[:30]), "runs past its segment"},
		{"huge descsz", e.ELF(patch(e.ABI1(2, 2), 4, 4, 0xffffffff)), "runs past its segment"},
		{"huge namesz", e.ELF(patch(e.ABI1(2, 2), 0, 4, 0xfffffffe)), "runs past its segment"},
		// A descriptor written without its padding shifts the next note.
		{"misaligned notes", e.ELF(append(e.Note("GNU", 1, []byte{1, 2, 3, 4, 5})[:21], e.ABI1(2, 2)...)), "runs past its segment"},
		{"two ABI1 notes", e.ELF(e.ABI1(2, 2), e.ABI1(2, 2), e.Manifest()), "a second Solo5 ABI1 note"},
		{"two manifests", e.ELF(e.ABI1(2, 2), e.Manifest(), e.Manifest()), "a second Solo5 MFT1 note"},
		{"two runnc notes", e.ELF(e.ABI1(2, 2), e.Manifest(), e.RunncConfig(), e.RunncConfig()), "a second runnc CFG1 note"},
		{"ABI1 descriptor size", e.ELF(e.Note("Solo5", e.TypeABI1, make([]byte, 8)), e.Manifest()), "descriptor of 8 bytes, not 16"},
		{"hvt target", e.ELF(e.ABI1(1, 2), e.Manifest()), "Solo5's hvt target, not spt"},
		{"unknown target", e.ELF(e.ABI1(99, 2), e.Manifest()), "unknown (99) target"},
		{"ABI version 0", e.ELF(e.ABI1(2, 0), e.Manifest()), "spt ABI version 0"},
		{"ABI version 3", e.ELF(e.ABI1(2, 3), e.Manifest()), "spt ABI version 3"},
		{"manifest without ABI1", e.ELF(e.Manifest()), "without the Solo5 ABI1 note"},
		{"runnc note alone", e.ELF(e.RunncConfig()), "without the Solo5 ABI1 note"},
		{"ABI1 without manifest", e.ELF(e.ABI1(2, 2)), "without the MFT1 manifest"},
		{"runnc note version", e.ELF(e.ABI1(2, 2), e.Manifest(), e.Note("runnc", e.TypeCFG1, []byte{2, 0, 0, 0})), "not the uint32 1"},
		{"manifest too short", e.ELF(e.ABI1(2, 2), e.Note("Solo5", e.TypeMFT1, make([]byte, 8))), "too short for a manifest"},
		{"manifest version", mft(2, first), "manifest version 2"},
		{"no entries", mft(1), "0 manifest entries"},
		{"65 entries", mft(1, append([]e.Entry{first}, named(64)...)...), "65 manifest entries, not 1 to 64"},
		{"size not the entries'", e.ELF(e.ABI1(2, 2), e.Note("Solo5", e.TypeMFT1, append(e.ManifestDesc(1, first), 0, 0, 0, 0))), "manifest of 116 bytes, not the 112"},
		{"count above the entries", e.ELF(e.ABI1(2, 2), e.Note("Solo5", e.TypeMFT1, patch(e.ManifestDesc(1, first), 8, 4, 2))), "not the 216"},
		{"entry 0 not reserved", mft(1, e.Entry{Type: e.Net}), "entry 0 is not the reserved"},
		{"entry 0 named", mft(1, e.Entry{Name: "x", Type: e.ReservedFirst}), "entry 0 is not the reserved"},
		{"name without NUL", mft(1, first, e.Entry{Name: strings.Repeat("n", 68), Type: e.Net}), "entry 1: name is not NUL-terminated"},
		{"attached in the file", mft(1, first, e.Entry{Name: "net0", Type: e.Net, Attached: true}), "entry 1: attached"},
		{"attached reserved entry", mft(1, e.Entry{Type: e.ReservedFirst, Attached: true}), "entry 0: attached"},
		{"device type 0", mft(1, first, e.Entry{Name: "x", Type: 0}), "unknown device type 0"},
		{"device type 3", mft(1, first, e.Entry{Name: "x", Type: 3}), "unknown device type 3"},
		{"empty device name", mft(1, first, e.Entry{Type: e.Block}), `device name "" is not alphanumeric`},
		{"device name with a dot", mft(1, first, e.Entry{Name: "net.0", Type: e.Net}), `"net.0" is not alphanumeric`},
		{"device name with =", mft(1, first, e.Entry{Name: "a=b", Type: e.Block}), "not alphanumeric"},
		{"duplicate names", mft(1, first, e.Entry{Name: "d", Type: e.Net}, e.Entry{Name: "d", Type: e.Block}), `"d" is declared twice`},
		{"a slot named as a device", mft(1, first, e.Entry{Name: "d", Type: e.Block}, e.Entry{Name: "d", Type: e.RunncVolume}), `"d" is declared twice`},
		{"a slot without a name", mft(1, first, e.Entry{Type: e.RunncVolume}), `device name "" is not alphanumeric`},
		{"a slot named with a colon", mft(1, first, e.Entry{Name: "v:0", Type: e.RunncVolume}), `"v:0" is not alphanumeric`},
		{"an attached slot", mft(1, first, e.Entry{Name: "vol0", Type: e.RunncVolume, Attached: true}), "entry 1: attached"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(tc.elf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %+v, %v; want an error with %q", got, err, tc.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "u.spt")
	if err := os.WriteFile(file, e.Unikernel(2, true), 0o644); err != nil {
		t.Fatal(err)
	}
	if u, err := solo5elf.Open(file); err != nil || u.Kind() != solo5elf.RunncSDK {
		t.Fatalf("got %+v, %v; want a runnc SDK unikernel", u, err)
	}
	if err := os.Symlink(file, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		filepath.Join(dir, "link"):    "too many levels of symbolic links",
		dir:                           "not a regular file",
		filepath.Join(dir, "missing"): "no such file",
	} {
		if _, err := solo5elf.Open(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error with %q", path, err, want)
		}
	}
}
