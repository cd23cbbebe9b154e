package solo5elf_test

import (
	"testing"

	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
	e "github.com/nabla-containers/runnc/nabla-lib/solo5elf/solo5elftest"
)

// FuzzParse feeds hostile files to the note parser: it must never panic,
// and what it accepts must be something the exec handler can use: a known
// kind, and devices of a known type with distinct alphanumeric names.
func FuzzParse(f *testing.F) {
	net0, blk := e.Entry{Name: "net0", Type: e.Net}, e.Entry{Name: "rootfs", Type: e.Block}
	for _, seed := range [][]byte{
		e.ELF(),
		e.Unikernel(1, false),
		e.Unikernel(2, false, net0, blk),
		e.Unikernel(2, true, net0, e.Entry{Name: "runnc.clock", Type: e.RunncClock}, blk),
		e.Unikernel(2, true, blk, e.Entry{Name: "vol0", Type: e.RunncVolume}, e.Entry{Name: "vol1", Type: e.RunncVolume}),
		e.ELF(e.ABI1(2, 2), e.Manifest(net0), e.Note("GNU", 3, make([]byte, 20))),
		e.ELF(e.ABI1(2, 2), e.Note("Solo5", e.TypeMFT1, e.ManifestDesc(1, e.Entry{Type: e.ReservedFirst}, e.Entry{Name: "x", Type: 3}))),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := parse(b)
		if err != nil {
			return
		}
		if k := u.Kind(); k < solo5elf.NoNotes || k > solo5elf.RunncSDK || (k == solo5elf.NoNotes && (u.RunncConfig || len(u.Devices) > 0)) {
			t.Fatalf("inconsistent result %+v", u)
		}
		names := map[string]bool{}
		for _, d := range u.Devices {
			if d.Name == "" || len(d.Name) > 67 || names[d.Name] || (d.Type != solo5elf.NetBasic && d.Type != solo5elf.BlockBasic && d.Type != solo5elf.VolumeSlot) {
				t.Fatalf("bad device %+v in %+v", d, u)
			}
			names[d.Name] = true
		}
	})
}
