package nabla

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
)

// devicePlan names the manifest devices that get the container's NIC and
// its disk ("" for none).
type devicePlan struct {
	net, block string
}

// supplier is what a container gives a device type, and how a user makes
// it give one.
type supplier struct {
	annotation, what, how string
}

var suppliers = map[solo5elf.DeviceType]supplier{
	solo5elf.NetBasic: {AnnotationNetDevice, "network interface",
		"give it a network with an IPv4 interface (not --network none, nor " + llif.AnnotationNetwork + "=none)"},
	solo5elf.BlockBasic: {AnnotationBlockDevice, "disk",
		"give it the rootfs disk of the iso fs handler (not " + llif.AnnotationFs + "=noop)"},
}

// planDevices maps the container's NIC (nic: one may come) and disk to the
// unikernel's declared devices. The tender refuses a declared device left
// unattached, so every one must get something: one NIC and one disk go
// to one device of each type, and any other device is refused here.
func planDevices(id string, u *solo5elf.Unikernel, annotations map[string]string, nic, disk bool) (devicePlan, error) {
	net, err := pick(id, u, solo5elf.NetBasic, annotations, nic)
	if err != nil {
		return devicePlan{}, err
	}
	block, err := pick(id, u, solo5elf.BlockBasic, annotations, disk)
	if err != nil {
		return devicePlan{}, err
	}
	return devicePlan{net: net, block: block}, nil
}

// pick is the device of type t that gets the container's one supply of it
// ("" if the unikernel declares none).
func pick(id string, u *solo5elf.Unikernel, t solo5elf.DeviceType, annotations map[string]string, supplied bool) (string, error) {
	s, names := suppliers[t], u.DevicesOf(t)
	chosen := annotations[s.annotation]
	switch {
	case chosen != "" && !slices.Contains(names, chosen):
		return "", fmt.Errorf("annotation %s=%s names no %s device of the unikernel, which declares %s", s.annotation, chosen, t, list(names))
	case chosen == "" && len(names) > 1:
		return "", fmt.Errorf("the unikernel declares %d %s devices (%s): name the one that gets the container's %s with the annotation %s=NAME", len(names), t, list(names), s.what, s.annotation)
	case len(names) == 0:
		return "", nil
	case chosen == "":
		chosen = names[0]
	}
	if !supplied {
		return "", unsupplied(id, t, chosen)
	}
	for _, other := range names {
		if other != chosen {
			return "", fmt.Errorf("the unikernel declares %s device %q, but container %s has only one %s and it goes to %q: a unikernel for runnc declares one %s device at most", t, other, id, s.what, chosen, t)
		}
	}
	return chosen, nil
}

// unsupplied is the refusal of a declared device the container cannot
// supply.
func unsupplied(id string, t solo5elf.DeviceType, name string) error {
	s := suppliers[t]
	return fmt.Errorf("the unikernel declares %s device %q but container %s has no %s for it: %s", t, name, id, s.what, s.how)
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return "'" + strings.Join(names, "', '") + "'"
}
