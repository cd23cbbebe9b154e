package libcontainer

import (
	"errors"
	"fmt"
	"github.com/sirupsen/logrus"
	"os"
	"path/filepath"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Container is one Nabla container.
type Container interface {
	ID() string
	// Status is read from the live process, not only from state.json.
	Status() (Status, error)
	// State is the saved state.
	State() (*State, error)
	// OCIState is the state as `runnc state` prints it.
	OCIState() (*specs.State, error)
	Config() configs.Config
	// Processes are the host pids of the container's processes.
	Processes() ([]int, error)
	// Start starts the container's init, which prepares the workload and
	// waits for Exec (`runnc create`).
	Start(p *Process) error
	// Exec lets a created container's workload run (`runnc start`).
	Exec() error
	// Signal sends sig to the workload; with all, a stopped container is
	// not an error (there is no other process to signal).
	Signal(sig os.Signal, all bool) error
	// Pause freezes the container; Resume thaws it.
	Pause() error
	Resume() error
	// Stats are the container's cgroup statistics.
	Stats() (*cgroups.Stats, error)
	// Set replaces the container's cgroup limits.
	Set(r *cgroups.Resources) error
	// Destroy runs the handlers' Destroy phases and removes the state. A
	// running or paused container is refused unless force, which kills it.
	Destroy(force bool) error
}

type nablaContainer struct {
	id       string
	dir      string
	factory  *NablaFactory
	handlers llif.RunllcHandler
	state    *State
	// current: the state file holds what this process last saved of
	// state, and nothing changed state since: Create, or an operation of
	// lockedCurrent, ended with it, and it has not been locked since (see
	// lockOr).
	current bool
	// making is the cgroup being made beside Create's handler phases
	// (startCgroup), until cgroupMade has waited for it.
	making *cgroupMaking
}

func (c *nablaContainer) ID() string { return c.id }

func (c *nablaContainer) State() (*State, error) {
	s := *c.state
	return &s, nil
}

// Config is the container's configuration; a state whose config cannot
// be decoded (written by another program) gives the zero one.
func (c *nablaContainer) Config() configs.Config {
	cfg, err := c.state.config()
	if err != nil {
		logrus.Warn(err)
		return configs.Config{}
	}
	return *cfg
}

func (c *nablaContainer) Status() (Status, error) {
	return c.currentStatus(), nil
}

func (c *nablaContainer) currentStatus() Status {
	if !alive(c.state.InitPid, c.state.InitStartTime) {
		return Stopped
	}
	return c.liveStatus()
}

// liveStatus is the status of a container whose process is alive (alive,
// or pin, has just looked).
func (c *nablaContainer) liveStatus() Status {
	// Frozen first: a created container can be paused too, and start
	// must not wait on a fifo that the frozen init cannot open.
	if c.frozen() {
		return Paused
	}
	if _, err := os.Stat(filepath.Join(c.dir, fifoName)); err == nil {
		return Created
	}
	return Running
}

func (c *nablaContainer) OCIState() (*specs.State, error) {
	status := c.currentStatus()
	pid := c.state.InitPid
	if status == Stopped {
		pid = 0
	}
	return c.ociState(specs.ContainerState(status.String()), pid), nil
}

// ociState is the container's OCI state with a status and pid the caller
// knows (a hook's moment tells it), without looking at the process.
func (c *nablaContainer) ociState(status specs.ContainerState, pid int) *specs.State {
	return &specs.State{
		Version:     specs.Version,
		ID:          c.id,
		Status:      status,
		Pid:         pid,
		Bundle:      c.state.Bundle,
		Annotations: c.state.Annotations,
	}
}

func (c *nablaContainer) Processes() ([]int, error) {
	if c.currentStatus() == Stopped {
		return []int{}, nil
	}
	return []int{c.state.InitPid}, nil
}

// input is what the handlers' phases receive, from the current state,
// whose config and process the caller has decoded (see State.config;
// create made them).
func (c *nablaContainer) input() llif.Input {
	ann := c.state.Annotations
	if ann == nil {
		ann = map[string]string{}
	}
	return llif.Input{
		ContainerID:   c.id,
		ContainerRoot: c.dir,
		Bundle:        c.state.Bundle,
		Config:        c.state.Config,
		Process:       c.state.Process,
		Annotations:   ann,
		Runtime:       c.factory.runtime,
		FsState:       &c.state.FsState,
		NetworkState:  &c.state.NetworkState,
		ExecState:     &c.state.ExecState,
	}
}

// lock takes the container's lock and re-reads its state, which another
// invocation may have changed while this one waited.
func (c *nablaContainer) lock() (func(), error) {
	return c.lockOr(nil)
}

// locked runs do holding the container's lock (see lock).
func (c *nablaContainer) locked(do func() error) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return do()
}

// lockedCurrent is locked, for an operation that, when it succeeds,
// leaves state as the file holds it: its last act a save, or no change at
// all. The next lock may then reuse state (see lockOr): `runnc create`
// starts init right after Create, and `runnc run` then lets it past the
// exec fifo and deletes it, each a lock of its own.
func (c *nablaContainer) lockedCurrent(do func() error) error {
	err := c.locked(do)
	c.current = err == nil
	return err
}

// lockedFor is locked, for op, which the container's status must allow.
func (c *nablaContainer) lockedFor(op operation, do func() error) error {
	return c.locked(func() error {
		if err := c.check(op); err != nil {
			return err
		}
		return do()
	})
}

// lockOr is lock, calling whileCreating first if a create holds the lock
// (see lockDir).
func (c *nablaContainer) lockOr(whileCreating func(pid int, start uint64) error) (func(), error) {
	unlock, err := lockDir(c.dir, c.id, whileCreating)
	if err != nil {
		return nil, err
	}
	// A state this process knows to be the file's is reused if no one has
	// changed the file meanwhile. Not after other operations: one that
	// fails half way may leave this copy ahead of the file, which the next
	// lock must read again.
	var known *State
	if c.current {
		known, c.current = c.state, false
	}
	st, err := readState(c.dir, known)
	if err != nil {
		unlock()
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(c.id)
		}
		return nil, fmt.Errorf("container %s: %w", c.name(), err)
	}
	c.state = st
	return unlock, nil
}
