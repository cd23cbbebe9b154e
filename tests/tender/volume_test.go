package tender_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// runnc's volume slot type (MFT_RUNNC_VOLUME in nabla-lib/abi/solo5_spt.h).
const mftVolume = mftReservedFirst + 0x4e56

func wantSlot(t *testing.T, e mftEntryOut, name string, attached bool, fd uint64, capacity uint64, sector uint16) {
	t.Helper()
	got := string(bytes.TrimRight(e.Name[:], "\x00"))
	if got != name || e.Type != mftVolume {
		t.Fatalf("entry %q of type %#x, want the volume slot %s (type %#x)", got, e.Type, name, mftVolume)
	}
	if !attached {
		if e.Attached != 0 {
			t.Errorf("slot %s should stay unattached, got %+v", name, e)
		}
		return
	}
	if e.Attached != 1 || e.B != fd || binary.LittleEndian.Uint64(e.U[:]) != capacity ||
		binary.LittleEndian.Uint16(e.U[8:]) != sector {
		t.Errorf("slot %s: want attached at fd %d, %d bytes in %d-byte blocks, got %+v", name, fd,
			capacity, sector, e)
	}
}

// A volume slot is optional: left out it stays unattached and the guest
// runs; --block:NAME attaches it as a BLOCK_BASIC device (fd, capacity,
// block size) while its entry keeps the slot's type.
func TestVolumeSlotsAttach(t *testing.T) {
	p := probe(t, probeVolumes)
	a, b := makeDisk(t, 1<<20), makeDisk(t, 64<<10)

	_, entries, _ := readBootInfo(t, p)
	if len(entries) != 4 {
		t.Fatalf("manifest: want the reserved entry, the clock and two slots, got %+v", entries)
	}
	wantSlot(t, entries[2], "vol0", false, 0, 0, 0)
	wantSlot(t, entries[3], "vol1", false, 0, 0, 0)

	_, entries, _ = readBootInfo(t, p, "--block:vol1="+a, "--block-sector-size:vol1=4096")
	wantSlot(t, entries[2], "vol0", false, 0, 0, 0)
	wantSlot(t, entries[3], "vol1", true, 5, 1<<20, 4096)

	// Devices take their fds in command-line order, whatever the manifest's.
	_, entries, _ = readBootInfo(t, p, "--block:vol1="+a, "--block:vol0="+b)
	wantSlot(t, entries[2], "vol0", true, 6, 64<<10, 512)
	wantSlot(t, entries[3], "vol1", true, 5, 1<<20, 512)
}

// An attached slot gets a BLOCK_BASIC device's allowlist: whole blocks
// inside it, pwrite64 failing with EROFS when it is read-only (by option
// or by the file's mode), and the file then unchanged.
func TestVolumeSlotFilter(t *testing.T) {
	const size = 1 << 20
	p := probe(t, probeVolumes)
	for _, tc := range []struct {
		name    string
		perm    os.FileMode
		flags   []string
		cmd     string
		want    string
		changed bool // the last block is zeroed
	}{
		{"pread", 0o644, nil, sys(sysPread64, 5, "$heap", 512, size-512), "ret=512", false},
		{"pwrite", 0o644, nil, sys(sysPwrite64, 5, "$heap", 512, size-512), "ret=512", true},
		{"pread past the end", 0o644, nil, sys(sysPread64, 5, "$heap", 512, size), "", false},
		{"pwrite unaligned", 0o644, nil, sys(sysPwrite64, 5, "$heap", 512, 100), "", false},
		{"pwrite read-only", 0o644, []string{"--block-readonly:vol0"},
			sys(sysPwrite64, 5, "$heap", 512, size-512), "ret=-30", false},
		{"pwrite every disk read-only", 0o644, []string{"--disk-readonly"},
			sys(sysPwrite64, 5, "$heap", 512, size-512), "ret=-30", false},
		{"pwrite mode 0444", 0o444, nil, sys(sysPwrite64, 5, "$heap", 512, size-512), "ret=-30", false},
		{"pread 4096-byte blocks", 0o644, []string{"--block-sector-size:vol0=4096"},
			sys(sysPread64, 5, "$heap", 4096, size-4096), "ret=4096", false},
		{"pread 512 of 4096-byte blocks", 0o644, []string{"--block-sector-size:vol0=4096"},
			sys(sysPread64, 5, "$heap", 512, 0), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk, before := testenv.RawDisk(t, size, 0xaa, tc.perm)
			args := append([]string{"--block:vol0=" + disk}, tc.flags...)
			checkProbe(t, run(t, append(args, p, tc.cmd)...), tc.cmd, tc.want)
			after, err := os.ReadFile(disk)
			if err != nil {
				t.Fatal(err)
			}
			want := before
			if tc.changed {
				want = append(bytes.Clone(before[:size-512]), make([]byte, 512)...)
			}
			if !bytes.Equal(after, want) {
				t.Fatalf("the slot's file: changed %v, want changed %v", !bytes.Equal(after, before), tc.changed)
			}
		})
	}
}

// A guest may declare all 64 entries, slots among them: it runs with its
// BLOCK_BASIC devices attached and any of its slots; a missing BLOCK_BASIC
// device is still refused, and the slots are not named in that refusal.
func TestVolumeSlotsFullManifest(t *testing.T) {
	e := newCraftedELF()
	var entries []mftEntry
	var blocks, slots []string
	for i := 0; i < 31; i++ {
		name := fmt.Sprintf("disk%d", i)
		entries = append(entries, mftEntry{name: name, typ: mftBlock})
		blocks = append(blocks, "--block:"+name+"="+makeDisk(t, 4096))
	}
	for i := 0; i < 32; i++ {
		name := fmt.Sprintf("vol%d", i)
		entries = append(entries, mftEntry{name: name, typ: mftVolume})
		slots = append(slots, "--block:"+name+"="+makeDisk(t, 4096))
	}
	e.notes = solo5Notes(entries...)
	guest := writeFile(t, "full.nabla", e.bytes())
	for name, args := range map[string][]string{
		"blocks only":           blocks,
		"blocks and one slot":   append(slots[7:8:8], blocks...),
		"every device and slot": append(append([]string{}, slots...), blocks...),
	} {
		r := run(t, append(args, guest)...)
		if r.code != 0 || r.stdout != string(craftedMsg) || r.stderr != "" {
			t.Errorf("%s: the 64-entry guest should run, got %v", name, r)
		}
	}
	r := run(t, append(append(append([]string{}, slots...), blocks[1:]...), guest)...)
	wantRefusal(t, r, "device 'disk0' of type BLOCK_BASIC is declared by the unikernel but not attached")
	if strings.Contains(r.stderr, "vol") {
		t.Errorf("the refusal should not name the optional slots: %v", r)
	}
}

// Manifests with slots are hostile input too: a slot needs a name, and a
// block name (slot or BLOCK_BASIC) is declared once; --block:NAME still
// must name a declared block device or slot.
func TestVolumeSlotManifestRefusals(t *testing.T) {
	tests := []struct {
		name    string
		entries []mftEntry
		args    []string
		want    string
	}{
		{name: "slot without a name", entries: []mftEntry{{typ: mftVolume}},
			want: "entry 1 is a device without a name"},
		{name: "slot declared twice", entries: []mftEntry{{name: "vol0", typ: mftVolume}, {name: "vol0", typ: mftVolume}},
			want: "declares RUNNC_VOLUME device 'vol0' twice"},
		{name: "slot and block device of one name", entries: []mftEntry{{name: "data", typ: mftBlock}, {name: "data", typ: mftVolume}},
			want: "declares block device 'data' twice"},
		{name: "slot attached in the file", entries: []mftEntry{{name: "vol0", typ: mftVolume, attached: 1}},
			want: "entry 1 is marked attached"},
		{name: "slot with an unterminated name", entries: []mftEntry{{rawName: bytes.Repeat([]byte{'v'}, 68), typ: mftVolume}},
			want: "entry 1 has an unterminated name"},
		{name: "undeclared block name beside slots", entries: []mftEntry{{name: "vol0", typ: mftVolume}},
			args: []string{"--block:vol9=/dev/null"},
			want: "declares no BLOCK_BASIC device 'vol9' (it declares: vol0 (RUNNC_VOLUME))"},
		{name: "a slot is no network", entries: []mftEntry{{name: "vol0", typ: mftVolume}},
			args: []string{"--net:vol0=tap0"}, want: "declares no NET_BASIC device 'vol0'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCraftedELF()
			e.notes = solo5Notes(tc.entries...)
			r := run(t, append(tc.args, writeFile(t, "slots.nabla", e.bytes()))...)
			wantRefusal(t, r, tc.want)
		})
	}
}

// What a slot may share or hold without harm: a network device's name
// (another namespace), a name no --block option can spell (it just stays
// unattached). --print-filter checks the manifest and the devices against
// it without opening the tap.
func TestVolumeSlotManifestsAccepted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []mftEntry
		args    []string
	}{
		{"slot named as a network", []mftEntry{{name: "x", typ: mftNet}, {name: "x", typ: mftVolume}},
			[]string{"--print-filter", "--net:x=tap7"}},
		{"slot named as a network, attached too", []mftEntry{{name: "x", typ: mftNet}, {name: "x", typ: mftVolume}},
			[]string{"--print-filter", "--net:x=tap7", "--block:x=" + makeDisk(t, 4096)}},
		{"slot name --block cannot spell", []mftEntry{{name: "vol-0 .", typ: mftVolume}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCraftedELF()
			e.notes = solo5Notes(tc.entries...)
			r := run(t, append(tc.args, writeFile(t, "slots.nabla", e.bytes()))...)
			if r.code != 0 || r.signal != 0 || r.stderr != "" {
				t.Fatalf("want the manifest accepted, got %v", r)
			}
		})
	}
}
