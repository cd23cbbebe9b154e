package nabla

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/nabla-containers/runnc/llif"
)

// ExecState options of this handler.
const (
	optUnikernel = "unikernel" // host path of the .nabla file
	optMemMiB    = "mem"       // guest memory, MiB
)

// Nabla is the "nabla" exec handler: the workload is a Nabla unikernel run
// by the tender nabla-run.
type Nabla struct{}

// NewNabla returns the "nabla" exec handler, for llif.Registry.Exec.
func NewNabla() llif.ExecHandler { return Nabla{} }

// ExecCreateFunc refuses, before anything runs, what the tender could not
// boot: an entrypoint that is no .nabla file in the rootfs, a memory limit
// too small, a missing tender.
func (Nabla) ExecCreateFunc(in *llif.ExecCreateInput) (*llif.LLState, error) {
	if in.Process == nil {
		return nil, errors.New("config.json has no process: set process.args to a .nabla unikernel")
	}
	unikernel, err := resolveUnikernel(in.Config.Rootfs, in.Process.Cwd, in.Process.Args)
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
	// Arguments and environment alone must fit the tender's command line,
	// or the container would fail only at start, where no one sees why.
	if err := checkConfigSize(buildConfig(guestConfig{Args: in.Process.Args, Env: in.Process.Env, Cwd: in.Process.Cwd})); err != nil {
		return nil, err
	}
	st := llif.NewLLState()
	st.Options[optUnikernel] = unikernel
	st.Options[optMemMiB] = strconv.FormatInt(mem, 10)
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
// the create phases and the fs and network handlers left.
func tenderCommand(in *llif.Input) ([]string, error) {
	if in.Process == nil {
		return nil, fmt.Errorf("container %s has no process to run", in.ContainerID)
	}
	unikernel := in.ExecState.Get(optUnikernel)
	mem, err := strconv.ParseInt(in.ExecState.Get(optMemMiB), 10, 64)
	if unikernel == "" || err != nil {
		return nil, fmt.Errorf("exec state of %s lacks the unikernel or its memory: was it created by the nabla exec handler?", in.ContainerID)
	}
	files, err := readFiles(in.FsState.Get(llif.FsFiles))
	if err != nil {
		return nil, err
	}
	dev := tenderDevices{
		Tap:          in.NetworkState.Get(llif.NetTap),
		MAC:          in.NetworkState.Get(llif.NetMAC),
		Disk:         in.FsState.Get(llif.FsDisk),
		DiskReadOnly: in.FsState.Get(llif.FsDiskReadOnly) == "true",
	}
	gc := guestConfig{
		Args:  in.Process.Args,
		Env:   in.Process.Env,
		Cwd:   in.Process.Cwd,
		Disk:  dev.Disk != "",
		Files: files,
	}
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
	config := buildConfig(gc)
	if err := checkConfigSize(config); err != nil {
		return nil, err
	}
	return tenderArgs(in.Runtime.TenderPath, mem, dev, unikernel, config), nil
}

// ExecDestroyFunc has nothing to undo: the tender's process is the
// container's, and the runtime reaps it.
func (Nabla) ExecDestroyFunc(in *llif.ExecDestroyInput) (*llif.LLState, error) {
	return in.ExecState, nil
}
