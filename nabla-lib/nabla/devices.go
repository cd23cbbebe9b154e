package nabla

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
)

// devicePlan names the manifest devices that get the container's NIC and
// its rootfs disk ("" for none), and the device of each volume.
type devicePlan struct {
	net, block string
	volumes    []volumeDevice
}

// maxSDKMounts is how many CONFIG "mounts" a runnc SDK guest reads
// (NB_MOUNTS_MAX, nabla-lib/guest/sdk/config.h), its slots' and its
// BLOCK_BASIC devices' together.
const maxSDKMounts = 8

// volumeDevice is a volume and the manifest device that gets it. It is
// saved in the exec state at create.
type volumeDevice struct {
	Device string `json:"device"`
	llif.Volume
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

// planDevices maps the container's NIC (nic: one may come), rootfs disk
// (disk) and volumes to the unikernel's declared devices. The tender
// refuses a declared device left unattached, so every one must get
// something; a volume slot may stay empty. A volume mounted at /NAME goes
// to the BLOCK_BASIC device NAME; the rootfs disk to the one BLOCK_BASIC
// device left; the other volumes of a runnc SDK guest (f) to its slots,
// in order. Whatever cannot reach the guest is refused here.
func planDevices(id string, u *solo5elf.Unikernel, f form, annotations map[string]string, nic, disk bool, volumes []llif.Volume) (devicePlan, error) {
	var plan devicePlan
	var err error
	if plan.net, err = pick(id, u.DevicesOf(solo5elf.NetBasic), solo5elf.NetBasic, annotations, nic); err != nil {
		return devicePlan{}, err
	}
	if len(volumes) > 0 && f == formLegacy {
		return devicePlan{}, fmt.Errorf("the bind mount at %s %w: a Nabla-era unikernel has one disk, its rootfs; remove the mount, or %s",
			volumes[0].Destination, llif.ErrMountUnreachable, llif.LeaveOut(volumes[0].Destination))
	}
	blocks, slots := u.DevicesOf(solo5elf.BlockBasic), u.DevicesOf(solo5elf.VolumeSlot)
	if f != formRunnc {
		slots = nil // only runnc's SDK reads CONFIG's mounts
	}
	taken := map[string]bool{}
	next := 0 // the next free slot
	var unslotted []llif.Volume
	for _, v := range volumes {
		dev := strings.TrimPrefix(v.Destination, "/")
		switch {
		case slices.Contains(blocks, dev):
			taken[dev] = true
		case next < len(slots):
			dev = slots[next]
			next++
		default:
			unslotted = append(unslotted, v)
			continue
		}
		plan.volumes = append(plan.volumes, volumeDevice{Device: dev, Volume: v})
	}
	if len(unslotted) > 0 {
		return devicePlan{}, unslottable(f, blocks, slots, unslotted)
	}
	if f == formRunnc && len(plan.volumes) > maxSDKMounts {
		return devicePlan{}, fmt.Errorf("the bind mount at %s %w: a runnc SDK guest reads at most %d mounts from its CONFIG, and the container has %d; mount fewer, or %s",
			plan.volumes[maxSDKMounts].Destination, llif.ErrMountUnreachable, maxSDKMounts, len(plan.volumes), llif.LeaveOut(plan.volumes[maxSDKMounts].Destination))
	}
	var free []string // the BLOCK_BASIC devices no volume takes
	for _, name := range blocks {
		if !taken[name] {
			free = append(free, name)
		}
	}
	if chosen := annotations[AnnotationBlockDevice]; taken[chosen] {
		return devicePlan{}, fmt.Errorf("annotation %s=%s names the BLOCK_BASIC device that the bind mount at /%[2]s supplies: name another, or leave the annotation out", AnnotationBlockDevice, chosen)
	}
	if plan.block, err = pick(id, free, solo5elf.BlockBasic, annotations, disk); err != nil {
		return devicePlan{}, err
	}
	return plan, nil
}

// unslottable refuses the volumes that name no BLOCK_BASIC device
// (blocks) and found no volume slot (slots) of the unikernel.
func unslottable(f form, blocks, slots []string, volumes []llif.Volume) error {
	first := volumes[0].Destination
	// A mount at /NAME of a BLOCK_BASIC device is the other way in.
	atDevice := ""
	if len(blocks) > 0 {
		atDevice = fmt.Sprintf("mount the volume at /NAME of a BLOCK_BASIC device NAME it declares (%s), ", list(blocks))
	}
	switch {
	case f != formRunnc && len(blocks) == 0:
		return fmt.Errorf("the bind mount at %s %w: a mount at /NAME supplies the unikernel's BLOCK_BASIC device NAME, and it declares none; remove the mount, or %s",
			first, llif.ErrMountUnreachable, llif.LeaveOut(first))
	case f != formRunnc:
		return fmt.Errorf("the bind mount at %s %w: a mount at /NAME supplies the unikernel's BLOCK_BASIC device NAME, and it declares %s; mount the volume at one of them, or %s",
			first, llif.ErrMountUnreachable, list(blocks), llif.LeaveOut(first))
	case len(slots) == 0:
		return fmt.Errorf("the bind mount at %s %w: the unikernel declares no volume slots; build it with NB_VOLUMES, %sor %s",
			first, llif.ErrMountUnreachable, atDevice, llif.LeaveOut(first))
	}
	dsts := make([]string, len(volumes))
	for i, v := range volumes {
		dsts[i] = v.Destination
	}
	return fmt.Errorf("the bind mounts at %s %w: the container has %d volumes for the unikernel's %d volume slots; mount fewer, or %s",
		strings.Join(dsts, ","), llif.ErrMountUnreachable, len(slots)+len(volumes), len(slots), llif.LeaveOut(dsts...))
}

// pick is the device of type t among names that gets the container's one
// supply of it ("" if names is empty).
func pick(id string, names []string, t solo5elf.DeviceType, annotations map[string]string, supplied bool) (string, error) {
	s := suppliers[t]
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
			fix := fmt.Sprintf("a unikernel for runnc declares one %s device at most", t)
			if t == solo5elf.BlockBasic {
				fix = "mount a volume at /" + other + " for it"
			}
			return "", fmt.Errorf("the unikernel declares %s device %q, but container %s has only one %s and it goes to %q: %s", t, other, id, s.what, chosen, fix)
		}
	}
	return chosen, nil
}

// unsupplied is the refusal of a declared device the container cannot
// supply.
func unsupplied(id string, t solo5elf.DeviceType, name string) error {
	s := suppliers[t]
	how := s.how
	if t == solo5elf.BlockBasic {
		how += ", or mount a volume at /" + name
	}
	return fmt.Errorf("the unikernel declares %s device %q but container %s has no %s for it: %s", t, name, id, s.what, how)
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return "'" + strings.Join(names, "', '") + "'"
}
