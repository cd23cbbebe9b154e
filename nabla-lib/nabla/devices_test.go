package nabla

import (
	"strings"
	"testing"

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
		{"one of each", []solo5elf.Device{net("service"), blk("storage")}, nil, true, true, devicePlan{"service", "storage"}, ""},
		{"the annotation names the only one", []solo5elf.Device{net("n")}, map[string]string{AnnotationNetDevice: "n"}, true, false, devicePlan{net: "n"}, ""},
		{"a NIC nothing supplies", []solo5elf.Device{net("service")}, nil, false, true, devicePlan{},
			`declares NET_BASIC device "service" but container c1 has no network interface for it: give it a network with an IPv4 interface (not --network none, nor org.nabla.runnc.network=none)`},
		{"a disk nothing supplies", []solo5elf.Device{blk("rootfs")}, nil, true, false, devicePlan{},
			`declares BLOCK_BASIC device "rootfs" but container c1 has no disk for it: give it the rootfs disk of the iso fs handler (not org.nabla.runnc.fs=noop)`},
		{"several NICs, none named", []solo5elf.Device{net("a"), net("b")}, nil, true, true, devicePlan{},
			"declares 2 NET_BASIC devices ('a', 'b'): name the one that gets the container's network interface with the annotation org.nabla.runnc.net-device=NAME"},
		{"several disks, one named: the other has nothing", []solo5elf.Device{blk("a"), blk("b")}, map[string]string{AnnotationBlockDevice: "b"}, true, true, devicePlan{},
			`declares BLOCK_BASIC device "a", but container c1 has only one disk and it goes to "b"`},
		{"the annotation names no such device", []solo5elf.Device{blk("a")}, map[string]string{AnnotationBlockDevice: "x"}, true, true, devicePlan{},
			"annotation org.nabla.runnc.block-device=x names no BLOCK_BASIC device of the unikernel, which declares 'a'"},
		{"the annotation names a device of the other type", []solo5elf.Device{blk("a"), net("n")}, map[string]string{AnnotationNetDevice: "a"}, true, true, devicePlan{},
			"names no NET_BASIC device of the unikernel, which declares 'n'"},
		{"the annotation names a device of none", nil, map[string]string{AnnotationNetDevice: "n"}, true, true, devicePlan{},
			"which declares none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := planDevices("c1", &solo5elf.Unikernel{ABIVersion: 2, Devices: tc.devices}, tc.annotations, tc.nic, tc.disk)
			if tc.err == "" && (err != nil || got != tc.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
			if tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("got %+v, %v; want an error with %q", got, err, tc.err)
			}
		})
	}
}
