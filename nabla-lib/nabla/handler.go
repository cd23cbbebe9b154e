package nabla

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/solo5elf"
)

// ExecState options of this handler: what create decided, for run.
const (
	optUnikernel   = "unikernel"    // host path of the unikernel
	optMemMiB      = "mem"          // guest memory, MiB
	optForm        = "form"         // how it boots: a form
	optNetDevice   = "net.device"   // manifest device for the NIC
	optBlockDevice = "block.device" // manifest device for the disk
	optArgv0       = "argv0"        // guestCommand.argv0
	optArgs        = "args"         // guestCommand.args, JSON
	optBlockFile   = "block.file"   // urunc's block image, in place of the fs handler's disk
	optVolumes     = "volumes"      // the volumes and their devices, JSON of []volumeDevice
)

// Nabla is the "nabla" exec handler: the workload is a unikernel run by
// the tender nabla-run.
type Nabla struct{}

// NewNabla returns the "nabla" exec handler, for llif.Registry.Exec.
func NewNabla() llif.ExecHandler { return Nabla{} }

// ExecCreateFunc refuses, before anything runs, what the tender could not
// boot: an entrypoint that is no unikernel in the rootfs, a device the
// container cannot supply, a memory limit too small, a missing tender. It
// runs after FsCreate and NetworkCreate, so it knows whether a disk and a
// NIC may come.
func (Nabla) ExecCreateFunc(in *llif.ExecCreateInput) (*llif.LLState, error) {
	if in.Process == nil {
		return nil, errors.New("config.json has no process: set process.args to a unikernel")
	}
	urunc, err := readUrunc(in.Annotations, in.Config.Rootfs)
	if err != nil {
		return nil, err
	}
	cmd := commandOf(in.Process, urunc)
	unikernel, err := resolveUnikernel(in.Config.Rootfs, in.Process.Cwd, cmd.entry, cmd.source)
	if err != nil {
		return nil, err
	}
	u, err := solo5elf.Open(unikernel)
	if err != nil {
		return nil, fmt.Errorf("entrypoint %s is not a unikernel runnc can run: %w", cmd.entry, err)
	}
	f, err := formOf(u, cmd.entry, in.Annotations, urunc)
	if err != nil {
		return nil, err
	}
	var blockFile string
	if urunc.Block != "" {
		if blockFile, err = resolveFile(in.Config.Rootfs, "/", urunc.Block, "block image", uruncBlock); err != nil {
			return nil, err
		}
	}
	volumes, err := llif.DecodeVolumes(in.FsState.Get(llif.FsVolumes))
	if err != nil {
		return nil, err
	}
	plan, err := planDevices(in.ContainerID, u, f, in.Annotations,
		in.NetworkState.Get(llif.NetTapPlanned) != "", in.FsState.Get(llif.FsDisk) != "" || blockFile != "", volumes)
	if err != nil {
		return nil, err
	}
	mem, err := memMiB(in.Config)
	if err != nil {
		return nil, err
	}
	if err := checkTender(in.Runtime.TenderPath); err != nil {
		return nil, err
	}
	// Arguments, environment and groups must fit the tender's command
	// line, or the container would fail only at start, where no one sees why.
	if n := len(in.Process.User.AdditionalGids); n > maxGroups {
		return nil, fmt.Errorf("process.user.additionalGids lists %d groups, more than the %d the tender can give the unikernel: drop some (docker run --group-add)", n, maxGroups)
	}
	if err := checkArgs(f, guestArgs(f, cmd, guestConfig{Env: in.Process.Env, Cwd: in.Process.Cwd, Mounts: plan.volumes})); err != nil {
		return nil, err
	}
	args, err := json.Marshal(cmd.args)
	if err != nil {
		return nil, fmt.Errorf("encode the unikernel's arguments: %w", err)
	}
	st := llif.NewLLState()
	st.Options[optUnikernel] = unikernel
	st.Options[optMemMiB] = strconv.FormatInt(mem, 10)
	st.Options[optForm] = string(f)
	st.Options[optNetDevice] = plan.net
	st.Options[optBlockDevice] = plan.block
	st.Options[optArgv0] = cmd.argv0
	st.Options[optArgs] = string(args)
	st.Options[optBlockFile] = blockFile
	if len(plan.volumes) > 0 {
		b, err := json.Marshal(plan.volumes)
		if err != nil {
			return nil, fmt.Errorf("encode the volumes' devices: %w", err)
		}
		st.Options[optVolumes] = string(b)
	}
	return st, nil
}

// ExecRunFunc makes the tender the container's workload.
func (Nabla) ExecRunFunc(in *llif.ExecRunInput) (*llif.Workload, error) {
	argv, err := tenderCommand(&in.Input)
	if err != nil {
		return nil, err
	}
	// The guest's environment travels in CONFIG; the tender needs none.
	return &llif.Workload{Path: argv[0], Args: argv, Env: []string{}}, nil
}

// tenderCommand is the tender's argv for the container, from the states
// the create phases and the fs and network handlers left. It is the first
// point where the NIC is known: NetworkRun took over eth0 or found none.
func tenderCommand(in *llif.Input) ([]string, error) {
	if in.Process == nil {
		return nil, fmt.Errorf("container %s has no process to run", in.ContainerID)
	}
	st := in.ExecState
	unikernel, f := st.Get(optUnikernel), form(st.Get(optForm))
	mem, err := strconv.ParseInt(st.Get(optMemMiB), 10, 64)
	cmd := guestCommand{argv0: st.Get(optArgv0)}
	if unikernel == "" || f == "" || err != nil || json.Unmarshal([]byte(st.Get(optArgs)), &cmd.args) != nil {
		return nil, fmt.Errorf("exec state of %s lacks the unikernel, its form, memory or arguments: was it created by this nabla exec handler?", in.ContainerID)
	}
	plan := devicePlan{net: st.Get(optNetDevice), block: st.Get(optBlockDevice)}
	if v := st.Get(optVolumes); v != "" {
		if err := json.Unmarshal([]byte(v), &plan.volumes); err != nil {
			return nil, fmt.Errorf("exec state of %s has volumes %q that are not JSON: %w", in.ContainerID, v, err)
		}
	}
	dev, err := attach(in, f, plan, st.Get(optBlockFile))
	if err != nil {
		return nil, err
	}
	gc := guestConfig{Env: in.Process.Env, Cwd: in.Process.Cwd, Disk: dev.Root, Mounts: plan.volumes}
	if gc.Cwd == "" {
		gc.Cwd = "/"
	}
	if dev.Tap != "" {
		gc.Net = &guestNet{
			Addr:    in.NetworkState.Get(llif.NetIPv4Addr),
			Prefix:  in.NetworkState.Get(llif.NetIPv4Prefix),
			Gateway: in.NetworkState.Get(llif.NetIPv4Gateway),
		}
		if gc.Net.Addr == "" || gc.Net.Prefix == "" {
			return nil, fmt.Errorf("network state of %s has tap %s but no IPv4 address and prefix", in.ContainerID, dev.Tap)
		}
	}
	// Only runnc's SDK reads per-container files: rumprun refuses the key.
	if f == formRunnc {
		if gc.Files, err = readFiles(in.FsState.Get(llif.FsFiles)); err != nil {
			return nil, err
		}
		// spec.hostname, where no engine bind-mounts an /etc/hostname
		// (runnc run of a bundle): the guest has no UTS namespace, and
		// reads its name from that file.
		if _, ok := gc.Files["/etc/hostname"]; !ok && in.Config.Hostname != "" {
			if gc.Files == nil {
				gc.Files = map[string]string{}
			}
			gc.Files["/etc/hostname"] = in.Config.Hostname + "\n"
		}
	}
	args := guestArgs(f, cmd, gc)
	if err := checkArgs(f, args); err != nil {
		return nil, err
	}
	return tenderArgs(in.Runtime.TenderPath, mem, f, dev, in.Process.User, unikernel, args), nil
}

// attach gives the guest the container's NIC and disks as they are now: a
// Solo5 guest exactly the devices create planned, refusing one whose
// supply did not come, a Nabla-era guest whatever the container has. A
// blockFile from the image is the rootfs disk in place of the fs
// handler's. The volumes come after the rootfs disk.
func attach(in *llif.Input, f form, plan devicePlan, blockFile string) (tenderDevices, error) {
	dev := tenderDevices{NetName: plan.net}
	tap, disk := in.NetworkState.Get(llif.NetTap), in.FsState.Get(llif.FsDisk)
	readOnly := in.FsState.Get(llif.FsDiskReadOnly) == "true"
	if blockFile != "" {
		// Read-only: the rootfs may be an image store's, shared by every
		// container of the image.
		disk, readOnly = blockFile, true
	}
	switch {
	case plan.net != "" && tap == "":
		return dev, unsupplied(in.ContainerID, solo5elf.NetBasic, plan.net)
	case plan.block != "" && disk == "":
		return dev, unsupplied(in.ContainerID, solo5elf.BlockBasic, plan.block)
	}
	if f == formLegacy || plan.net != "" {
		dev.Tap, dev.MAC = tap, in.NetworkState.Get(llif.NetMAC)
	}
	if (f == formLegacy && disk != "") || plan.block != "" {
		dev.Disks = append(dev.Disks, tenderDisk{Name: plan.block, File: disk, ReadOnly: readOnly})
		dev.Root = true
	}
	for _, v := range plan.volumes {
		dev.Disks = append(dev.Disks, tenderDisk{Name: v.Device, File: v.Disk, ReadOnly: v.ReadOnly})
	}
	return dev, nil
}

// guestArgs is the unikernel's command line in form f (the tender's ARGS
// after KERNEL), from the command and what CONFIG tells of the container.
func guestArgs(f form, cmd guestCommand, c guestConfig) []string {
	switch f {
	case formSolo5:
		return cmd.args
	case formMirage:
		return append(mirageBoot(c.Net), cmd.args...)
	}
	c.Args, c.RumprunOnly = cmd.argv(), f != formRunnc
	return []string{buildConfig(c)}
}

// mirageBoot are the boot parameters a MirageOS unikernel takes its
// address from (its ipv4 and ipv4-gateway keys).
func mirageBoot(n *guestNet) []string {
	if n == nil {
		return nil
	}
	boot := []string{"--ipv4=" + n.Addr + "/" + n.Prefix}
	if n.Gateway != "" {
		boot = append(boot, "--ipv4-gateway="+n.Gateway)
	}
	return boot
}

// ExecDestroyFunc has nothing to undo: the tender's process is the
// container's, and the runtime reaps it.
func (Nabla) ExecDestroyFunc(in *llif.ExecDestroyInput) (*llif.LLState, error) {
	return in.ExecState, nil
}
