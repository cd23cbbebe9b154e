package libcontainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/nabla-containers/runnc/internal/atomicfile"
	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/internal/safedir"
	"github.com/nabla-containers/runnc/internal/safefile"
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
	InitPid       int    `json:"init_pid"`
	InitStartTime uint64 `json:"init_start_time"`
	// CreatorPid is the runnc create making the container while the
	// handlers' Create phases run, which may take long (a disk image
	// build), and CreatorStartTime tells a recycled pid from it; both are
	// zero once those phases are done. See lockDir.
	CreatorPid       int               `json:"creator_pid,omitempty"`
	CreatorStartTime uint64            `json:"creator_start_time,omitempty"`
	Annotations      map[string]string `json:"annotations,omitempty"`
	Handlers         llif.Names        `json:"handlers"`
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
	// Process is the container's process, decoded from RawProcess with
	// the config: state and kill need neither, and decoding specs.Process
	// was a quarter of their first decode of the state.
	Process    *specs.Process  `json:"-"`
	RawProcess json.RawMessage `json:"process"`

	// written is the file as this state's last save wrote it (see
	// readState).
	written []byte
}

// config is the container's configuration, decoded on first use, and its
// process with it (see input).
func (s *State) config() (*configs.Config, error) {
	if s.Config == nil {
		var cfg configs.Config
		if err := json.Unmarshal(s.RawConfig, &cfg); err != nil {
			return nil, fmt.Errorf("state of container %s: config: %w", s.ID, err)
		}
		s.Config = &cfg
	}
	if s.Process == nil && len(s.RawProcess) > 0 {
		if err := json.Unmarshal(s.RawProcess, &s.Process); err != nil {
			return nil, fmt.Errorf("state of container %s: process: %w", s.ID, err)
		}
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

// readState reads the state in the container directory dir (see
// readStateFile). If the file holds exactly what known's last save wrote,
// it returns known itself, undecoded: a create locks its container again
// to start it (and `runnc run` twice more), and decoding the state it has
// just saved cost it as much again as its config's first decode, about
// 1 ms of codecs for runc's configs.Config.
func readState(dir string, known *State) (*State, error) {
	// The decoded state keeps no byte of the file (strings and raw
	// messages are copies), so its buffer serves the next read: list reads
	// a state per container, and each buffer of its own would be fresh
	// pages, a fault each.
	b := stateBuffers.Get().(*bytes.Buffer)
	defer stateBuffers.Put(b)
	b.Reset()
	if err := readStateFile(dir, b); err != nil {
		return nil, err
	}
	if known != nil && known.written != nil && bytes.Equal(b.Bytes(), known.written) {
		return known, nil
	}
	var s State
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		return nil, fmt.Errorf("state file %s is corrupt: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}

var stateBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// readStateFile reads the state file in the container directory dir into
// b. Its hooks run as root and Destroy removes what it names, so it must
// be a file runnc wrote: the directory and file owned by root and writable
// by root alone (the root above was checked by New), the file no symlink
// or fifo.
func readStateFile(dir string, b *bytes.Buffer) error {
	path := filepath.Join(dir, stateFile)
	f, fi, err := safefile.OpenRegular(path)
	if errors.Is(err, safefile.ErrNotRegular) {
		return fmt.Errorf("state file %s is not a regular file: runnc uses only state it wrote itself; remove %s by hand", path, dir)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	di, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		path string
		fi   fs.FileInfo
	}{{dir, di}, {path, fi}} {
		if err := safedir.Trusted(c.path, c.fi); err != nil {
			return fmt.Errorf("%w: runnc uses only state it wrote itself; remove %s by hand", err, dir)
		}
	}
	// Read at the size fstat gave: io.ReadAll's doubling from 512 bytes
	// would touch a fresh span of each size class on the way.
	b.Grow(int(fi.Size()) + bytes.MinRead)
	_, err = b.ReadFrom(f)
	return err
}

// save writes the state atomically: a reader sees the old file or the new
// one, never a torn one.
func (s *State) save(dir string) error {
	// The config is encoded once, not at each of a create's saves: only
	// the cgroup manager and update change it, and they drop RawConfig.
	// The process never changes.
	if err := encodeOnce(&s.RawConfig, s.Config); err != nil {
		return err
	}
	if err := encodeOnce(&s.RawProcess, s.Process); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	s.written = nil
	if err := atomicfile.Write(filepath.Join(dir, stateFile), data, 0o600, false); err != nil {
		return err
	}
	s.written = data
	return nil
}

// encodeOnce sets *raw to the encoding of v, unless v is nil or *raw
// holds one already.
func encodeOnce[T any](raw *json.RawMessage, v *T) error {
	if v == nil || *raw != nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	*raw = data
	return nil
}

// lockDir takes an exclusive flock on a container's directory, so that one
// runnc invocation at a time changes a container. Waiters for a directory
// removed meanwhile see ErrNotExist. If the lock is busy because a runnc
// create is still running the handlers' Create phases, whileCreating (if
// not nil) is called with that runnc's pid and start time before waiting:
// an error from it is returned at once, so the caller need not wait for a
// build that may take long.
func lockDir(dir, id string, whileCreating func(pid int, start uint64) error) (unlock func(), err error) {
	f, err := nopoll.Open(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		return nil, fmt.Errorf("lock container %s: %w", id, err)
	}
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		if st, rerr := readState(dir, nil); rerr == nil && whileCreating != nil && alive(st.CreatorPid, st.CreatorStartTime) {
			if err := whileCreating(st.CreatorPid, st.CreatorStartTime); err != nil {
				f.Close()
				return nil, err
			}
		}
		err = flock.Lock(f, unix.LOCK_EX)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock container %s: %w", id, err)
	}
	// The directory may have been deleted while we waited for the lock,
	// and a create of the same id may have made another in its place: the
	// lock held is then the old directory's, which guards nothing, and the
	// container waited for is gone.
	if !flock.StillAt(f, dir) {
		f.Close()
		return nil, notExist(id)
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); errors.Is(err, os.ErrNotExist) {
		f.Close()
		return nil, notExist(id)
	}
	return func() { f.Close() }, nil
}

func notExist(id string) error {
	return errorf(ErrNotExist, "container %s does not exist", displayName(id, nil))
}
