package nabla

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
)

func TestPlanDevices(t *testing.T) {
	net := func(n string) solo5elf.Device { return solo5elf.Device{Name: n, Type: solo5elf.NetBasic} }
	blk := func(n string) solo5elf.Device { return solo5elf.Device{Name: n, Type: solo5elf.BlockBasic} }
	for _, tc := range []struct {
		name        string
		devices     []solo5elf.Device
		annotations map[string]string
		nic, disk   bool
		want        devicePlan
		err         string
	}{
		{"no devices need nothing", nil, nil, false, false, devicePlan{}, ""},
		{"no devices, offered both", nil, nil, true, true, devicePlan{}, ""},
		{"one of each", []solo5elf.Device{net("service"), blk("storage")}, nil, true, true, devicePlan{net: "service", block: "storage"}, ""},
		{"the annotation names the only one", []solo5elf.Device{net("n")}, map[string]string{AnnotationNetDevice: "n"}, true, false, devicePlan{net: "n"}, ""},
		{"a NIC nothing supplies", []solo5elf.Device{net("service")}, nil, false, true, devicePlan{},
			`declares NET_BASIC device "service" but container c1 has no network interface for it: give it a network with an IPv4 interface (not --network none, nor org.nabla.runnc.network=none)`},
		{"a disk nothing supplies", []solo5elf.Device{blk("rootfs")}, nil, true, false, devicePlan{},
			`declares BLOCK_BASIC device "rootfs" but container c1 has no disk for it: give it the rootfs disk of the iso fs handler (not org.nabla.runnc.fs=noop), or mount a volume at /rootfs`},
		{"several NICs, none named", []solo5elf.Device{net("a"), net("b")}, nil, true, true, devicePlan{},
			"declares 2 NET_BASIC devices ('a', 'b'): name the one that gets the container's network interface with the annotation org.nabla.runnc.net-device=NAME"},
		{"several disks, one named: the other has nothing", []solo5elf.Device{blk("a"), blk("b")}, map[string]string{AnnotationBlockDevice: "b"}, true, true, devicePlan{},
			`declares BLOCK_BASIC device "a", but container c1 has only one disk and it goes to "b": mount a volume at /a for it`},
		{"the annotation names no such device", []solo5elf.Device{blk("a")}, map[string]string{AnnotationBlockDevice: "x"}, true, true, devicePlan{},
			"annotation org.nabla.runnc.block-device=x names no BLOCK_BASIC device of the unikernel, which declares 'a'"},
		{"the annotation names a device of the other type", []solo5elf.Device{blk("a"), net("n")}, map[string]string{AnnotationNetDevice: "a"}, true, true, devicePlan{},
			"names no NET_BASIC device of the unikernel, which declares 'n'"},
		{"the annotation names a device of none", nil, map[string]string{AnnotationNetDevice: "n"}, true, true, devicePlan{},
			"which declares none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := planDevices("c1", &solo5elf.Unikernel{ABIVersion: 2, Devices: tc.devices}, formSolo5, tc.annotations, tc.nic, tc.disk, nil)
			if tc.err == "" && (err != nil || !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("got %+v, %v; want an error with %q", got, err, tc.err)
			}
		})
	}
}

func TestPlanVolumes(t *testing.T) {
	blk := func(n string) solo5elf.Device { return solo5elf.Device{Name: n, Type: solo5elf.BlockBasic} }
	slots := func(n int) []solo5elf.Device {
		var d []solo5elf.Device
		for i := range n {
			d = append(d, solo5elf.Device{Name: fmt.Sprintf("vol%d", i), Type: solo5elf.VolumeSlot})
		}
		return d
	}
	iso := func(dst string) llif.Volume {
		return llif.Volume{Destination: dst, Disk: "/disks/" + dst[1:] + ".iso", Type: llif.VolumeISO9660, ReadOnly: true}
	}
	raw := func(dst string) llif.Volume {
		return llif.Volume{Destination: dst, Disk: "/srv/disk.img", Type: llif.VolumeRaw}
	}
	on := func(dev string, v llif.Volume) volumeDevice { return volumeDevice{Device: dev, Volume: v} }
	cat := append([]solo5elf.Device{blk("rootfs")}, slots(8)...)
	many := make([]llif.Volume, 9)
	for i := range many {
		many[i] = iso(fmt.Sprintf("/v%d", i))
	}
	for _, tc := range []struct {
		name        string
		f           form
		devices     []solo5elf.Device
		annotations map[string]string
		volumes     []llif.Volume
		want        devicePlan
		err         string
	}{
		{"SDK guest: volumes take the slots in order", formRunnc, cat, nil, []llif.Volume{iso("/data"), raw("/storage")},
			devicePlan{block: "rootfs", volumes: []volumeDevice{on("vol0", iso("/data")), on("vol1", raw("/storage"))}}, ""},
		{"SDK guest: a mount at /NAME takes the device NAME, even the rootfs's", formRunnc, cat, nil, []llif.Volume{iso("/x"), iso("/rootfs"), iso("/y")},
			devicePlan{volumes: []volumeDevice{on("vol0", iso("/x")), on("rootfs", iso("/rootfs")), on("vol1", iso("/y"))}}, ""},
		{"SDK guest without slots, a volume at its device", formRunnc, []solo5elf.Device{blk("storage")}, nil, []llif.Volume{raw("/storage")},
			devicePlan{volumes: []volumeDevice{on("storage", raw("/storage"))}}, ""},
		{"SDK guest: 8 slots hold 8 volumes", formRunnc, cat, nil, many[:8],
			devicePlan{block: "rootfs", volumes: func() []volumeDevice {
				var out []volumeDevice
				for i, v := range many[:8] {
					out = append(out, on(fmt.Sprintf("vol%d", i), v))
				}
				return out
			}()}, ""},
		{"SDK guest: 8 slots and a device make 9 mounts, one more than CONFIG carries", formRunnc, cat, nil, append(many[:8:8], raw("/rootfs")), devicePlan{},
			"the bind mount at /rootfs cannot reach the unikernel: a runnc SDK guest reads at most 8 mounts from its CONFIG, and the container has 9"},
		{"Solo5 guest: the mount names its device", formSolo5, []solo5elf.Device{blk("storage")}, nil, []llif.Volume{raw("/storage")},
			devicePlan{volumes: []volumeDevice{on("storage", raw("/storage"))}}, ""},
		{"Solo5 guest: the rootfs disk goes to the device left", formMirage, []solo5elf.Device{blk("a"), blk("b")}, nil, []llif.Volume{raw("/a")},
			devicePlan{block: "b", volumes: []volumeDevice{on("a", raw("/a"))}}, ""},
		{"Solo5 guest: two devices left for the rootfs disk", formSolo5, []solo5elf.Device{blk("a"), blk("b"), blk("c")}, nil, []llif.Volume{raw("/a")}, devicePlan{},
			"declares 2 BLOCK_BASIC devices ('b', 'c')"},
		{"SDK guest without slots", formRunnc, nil, nil, []llif.Volume{iso("/data")}, devicePlan{},
			"the bind mount at /data cannot reach the unikernel: the unikernel declares no volume slots; build it with NB_VOLUMES, or leave it out with the annotation org.nabla.runnc.ignore-mounts=/data"},
		{"SDK guest: one volume more than its slots", formRunnc, cat, nil, many, devicePlan{},
			"the bind mounts at /v8 cannot reach the unikernel: the container has 9 volumes for the unikernel's 8 volume slots; mount fewer, or leave it out with the annotation org.nabla.runnc.ignore-mounts=/v8"},
		{"Solo5 guest: a mount that names no device", formSolo5, []solo5elf.Device{blk("storage")}, nil, []llif.Volume{iso("/data")}, devicePlan{},
			"the bind mount at /data cannot reach the unikernel: a mount at /NAME supplies the unikernel's BLOCK_BASIC device NAME, and it declares 'storage'; mount the volume at one of them, or leave it out with the annotation org.nabla.runnc.ignore-mounts=/data"},
		{"Solo5 guest: slots are the SDK's", formRumprun, cat, nil, []llif.Volume{iso("/data")}, devicePlan{},
			"the bind mount at /data cannot reach the unikernel: a mount at /NAME supplies"},
		{"Nabla-era guest", formLegacy, nil, nil, []llif.Volume{iso("/data")}, devicePlan{},
			"the bind mount at /data cannot reach the unikernel: a Nabla-era unikernel has one disk, its rootfs"},
		{"the annotation names a device a volume takes", formSolo5, []solo5elf.Device{blk("a"), blk("b")}, map[string]string{AnnotationBlockDevice: "a"}, []llif.Volume{raw("/a")}, devicePlan{},
			"annotation org.nabla.runnc.block-device=a names the BLOCK_BASIC device that the bind mount at /a supplies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := &solo5elf.Unikernel{ABIVersion: 2, RunncConfig: tc.f == formRunnc, Devices: tc.devices}
			got, err := planDevices("c1", u, tc.f, tc.annotations, false, true, tc.volumes)
			if tc.err == "" && (err != nil || !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("got %+v, %v; want an error with %q", got, err, tc.err)
			}
			if strings.Contains(tc.err, "cannot reach") && !errors.Is(err, llif.ErrMountUnreachable) {
				t.Errorf("%v is not llif.ErrMountUnreachable", err)
			}
		})
	}
}
