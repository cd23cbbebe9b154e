package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/nabla-containers/runnc/internal/atomicfile"
	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const (
	stateFile = "state.json"
	fifoName  = "exec.fifo"
	initName  = "runnc-init"
)

// State is what <root>/<id>/state.json holds: everything a later runnc
// invocation needs to drive the container.
type State struct {
	ID      string    `json:"id"`
	Bundle  string    `json:"bundle"`
	Rootfs  string    `json:"rootfs"`
	Created time.Time `json:"created"`
	// InitPid is the host pid of the container's process (init, then the
	// tender in its place); 0 while creating. InitStartTime tells a
	// recycled pid from ours.
	InitPid       int               `json:"init_pid"`
	InitStartTime uint64            `json:"init_start_time"`
	Annotations   map[string]string `json:"annotations,omitempty"`
	Handlers      llif.Names        `json:"handlers"`
	// CgroupPaths are the container's cgroup directories, as the cgroup
	// manager reports them once the process is in them.
	CgroupPaths map[string]string `json:"cgroup_paths,omitempty"`

	FsState      llif.LLState `json:"fsstate"`
	NetworkState llif.LLState `json:"netstate"`
	ExecState    llif.LLState `json:"execstate"`

	// Config is the container's configuration, decoded from RawConfig
	// only when a caller needs it (config, hooks): encoding/json builds
	// its codecs for the whole of runc's configs.Config type on first use,
	// about 0.5 ms of a fresh process, and start, state and kill do
	// without it.
	Config    *configs.Config `json:"-"`
	RawConfig json.RawMessage `json:"config"`
	Process   *specs.Process  `json:"process"`
}

// config is the container's configuration, decoded on first use.
func (s *State) config() (*configs.Config, error) {
	if s.Config == nil {
		var cfg configs.Config
		if err := json.Unmarshal(s.RawConfig, &cfg); err != nil {
			return nil, fmt.Errorf("state of container %s: config: %w", s.ID, err)
		}
		s.Config = &cfg
	}
	return s.Config, nil
}

// hooks are the configuration's hooks, read without the rest of it.
func (s *State) hooks() (configs.Hooks, error) {
	if s.Config != nil {
		return s.Config.Hooks, nil
	}
	var only struct{ Hooks configs.Hooks }
	if err := json.Unmarshal(s.RawConfig, &only); err != nil {
		return nil, fmt.Errorf("state of container %s: hooks: %w", s.ID, err)
	}
	return only.Hooks, nil
}

func readState(dir string) (*State, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

// save writes the state atomically: a reader sees the old file or the new
// one, never a torn one.
func (s *State) save(dir string) error {
	if s.Config != nil {
		raw, err := json.Marshal(s.Config)
		if err != nil {
			return err
		}
		s.RawConfig = raw
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, stateFile), data, 0o600, false)
}

// lockDir takes an exclusive flock on a container's directory, so that one
// runnc invocation at a time changes a container. Waiters for a directory
// removed meanwhile see ErrNotExist.
func lockDir(dir, id string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		return nil, fmt.Errorf("lock container %s: %w", id, err)
	}
	if err := flock.Lock(f, unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container %s: %w", id, err)
	}
	// The directory may have been deleted while we waited for the lock.
	if _, err := os.Stat(filepath.Join(dir, stateFile)); errors.Is(err, os.ErrNotExist) {
		f.Close()
		return nil, notExist(id)
	}
	return func() { f.Close() }, nil
}

func notExist(id string) error {
	return errorf(ErrNotExist, "container %s does not exist", displayName(id, nil))
}
