package libcontainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/cgroups/systemd"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// Factory makes and finds containers below one state root.
type Factory interface {
	// Create makes container id from config: it runs the Create phase of
	// the fs, network and exec handlers and saves the state. On failure
	// nothing is left behind.
	Create(id string, config *Config) (Container, error)
	// Load returns the container id saved below the root.
	Load(id string) (Container, error)
	// Type names the kind of containers this factory makes.
	Type() string
}

// NablaFactory is the Factory for Nabla containers.
type NablaFactory struct {
	root     string
	registry *llif.Registry
	runtime  llif.RuntimeOptions
	// initPath is runnc-init, the container's first process: by default
	// the one beside the tender.
	initPath string
	// systemdCgroup makes containers' cgroups through systemd.
	systemdCgroup bool
}

// Option configures a NablaFactory.
type Option func(*NablaFactory)

// WithRuntimeOptions sets the disk directory and tender path handed to the
// handlers.
func WithRuntimeOptions(o llif.RuntimeOptions) Option {
	return func(f *NablaFactory) {
		root := f.runtime.Root
		f.runtime = o
		f.runtime.Root = root
	}
}

// WithInitPath sets the path of runnc-init (nabla-lib/init), the
// container's process until start. The default is the runnc-init in the
// tender's directory, where `make install` puts both.
func WithInitPath(path string) Option {
	return func(f *NablaFactory) { f.initPath = path }
}

// WithSystemdCgroup makes the cgroups of the containers this factory
// creates through systemd (runc's --systemd-cgroup): linux.cgroupsPath is
// "slice:prefix:name" and the cgroup is the transient scope
// prefix-name.scope in that slice.
func WithSystemdCgroup(on bool) Option {
	return func(f *NablaFactory) { f.systemdCgroup = on }
}

// New returns a factory keeping container state below root, with handlers
// chosen from registry.
func New(root string, registry *llif.Registry, opts ...Option) (*NablaFactory, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("state root %q: %w", root, err)
	}
	f := &NablaFactory{
		root:     abs,
		registry: registry,
	}
	f.runtime.Root = abs
	for _, o := range opts {
		o(f)
	}
	if f.initPath == "" {
		f.initPath = filepath.Join(filepath.Dir(f.runtime.TenderPath), initName)
	}
	// Handlers recognise a pod's holder by it.
	f.runtime.InitPath = f.initPath
	return f, nil
}

func (f *NablaFactory) Type() string { return "nabla" }

// Root is the state root this factory keeps containers below.
func (f *NablaFactory) Root() string { return f.root }

var idRegexp = regexp.MustCompile(`^[\w+\-.]+$`)

const maxIDLen = 1024

func validateID(id string) error {
	if id == "" {
		return newError(InvalidIdFormat, nil, "container id is empty: give the container a name")
	}
	if len(id) > maxIDLen {
		return newError(InvalidIdFormat, nil, "container id is %d characters long: use at most %d", len(id), maxIDLen)
	}
	if id == "." || id == ".." || !idRegexp.MatchString(id) {
		return newError(InvalidIdFormat, nil, "container id %q is not valid: use only letters, digits, '_', '+', '-' and '.'", id)
	}
	return nil
}

func (f *NablaFactory) Create(id string, config *Config) (_ Container, retErr error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	name := displayName(id, config.Spec.Annotations)
	names, err := f.registry.Choose(config.Spec)
	if err != nil {
		return nil, newError(ConfigInvalid, err, "cannot create container %s: %v", name, err)
	}
	handlers, err := f.registry.Handlers(names)
	if err != nil {
		return nil, newError(ConfigInvalid, err, "cannot create container %s: %v", name, err)
	}
	if f.systemdCgroup {
		if !systemd.IsRunningSystemd() {
			return nil, newError(ConfigInvalid, nil, "cannot create container %s: --systemd-cgroup needs systemd as the init of this host, and it is not running (no /run/systemd/system): drop the flag to use cgroupfs", name)
		}
		cg, err := systemdCgroup(id, config.Spec)
		if err != nil {
			return nil, newError(ConfigInvalid, err, "cannot create container %s: %v", name, err)
		}
		config.Runtime.Cgroups = cg
	} else if cg := config.Runtime.Cgroups; cg != nil && cg.Path == "" && cg.Name == "" {
		// Without linux.cgroupsPath, runc puts a container in /<id>.
		cg.Name = id
	}
	if err := os.MkdirAll(f.root, 0o700); err != nil {
		return nil, systemError(err, "create state root %s", f.root)
	}
	dir := filepath.Join(f.root, id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, newError(IdInUse, err, "container %s already exists: choose another id or delete it first", name)
		}
		return nil, systemError(err, "create state directory for %s", name)
	}
	// Hold the lock from the start: a concurrent delete or start of the
	// same id waits until this container is whole or gone.
	lock, err := os.Open(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, systemError(err, "create %s", name)
	}
	defer lock.Close()
	if err := flockExclusive(lock); err != nil {
		os.RemoveAll(dir)
		return nil, systemError(err, "lock %s", name)
	}

	c := &nablaContainer{
		id:       id,
		dir:      dir,
		factory:  f,
		handlers: handlers,
		state: &State{
			ID:          id,
			Bundle:      config.Bundle,
			Rootfs:      config.Runtime.Rootfs,
			Created:     time.Now().UTC(),
			Annotations: config.Spec.Annotations,
			Handlers:    names,
			Config:      config.Runtime,
			Process:     config.Spec.Process,
		},
	}
	// Each step that succeeded is undone, last first, if a later one fails.
	var undo []func()
	defer func() {
		if retErr == nil {
			return
		}
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		os.RemoveAll(dir)
	}()
	// Saved before any handler runs: a create killed half way (kill -9 of
	// runnc create) leaves a stopped container, which list shows and
	// delete --force cleans up like any other.
	if err := c.state.save(dir); err != nil {
		return nil, systemError(err, "create %s: save state", name)
	}
	steps := []struct {
		phase  string
		create func(llif.Input) (*llif.LLState, error)
		slot   *llif.LLState
		undo   func()
	}{
		{"FsCreate", func(in llif.Input) (*llif.LLState, error) {
			return handlers.FsH.FsCreateFunc(&llif.FsCreateInput{Input: in})
		}, &c.state.FsState, func() {
			logIfErr(handlers.FsH.FsDestroyFunc(&llif.FsDestroyInput{Input: c.input(), Undo: true}))
		}},
		{"NetworkCreate", func(in llif.Input) (*llif.LLState, error) {
			return handlers.NetworkH.NetworkCreateFunc(&llif.NetworkCreateInput{Input: in})
		}, &c.state.NetworkState, func() {
			logIfErr(handlers.NetworkH.NetworkDestroyFunc(&llif.NetworkDestroyInput{Input: c.input()}))
		}},
		{"ExecCreate", func(in llif.Input) (*llif.LLState, error) {
			return handlers.ExecH.ExecCreateFunc(&llif.ExecCreateInput{Input: in})
		}, &c.state.ExecState, func() {
			logIfErr(handlers.ExecH.ExecDestroyFunc(&llif.ExecDestroyInput{Input: c.input()}))
		}},
	}
	for _, s := range steps {
		// A failed phase may have made part of its resources: its Destroy
		// runs too (Destroy accepts partial state).
		undo = append(undo, s.undo)
		begin := time.Now()
		st, err := s.create(c.input())
		if st != nil {
			*s.slot = *st
		}
		logPhase(id, s.phase, begin, st, err)
		if err != nil {
			return nil, newError(ConfigInvalid, &PhaseError{Phase: s.phase, Err: err}, "cannot create container %s: %v", name, err)
		}
		if err := c.state.save(dir); err != nil {
			return nil, systemError(err, "create %s: save state", name)
		}
	}
	return c, nil
}

// logPhase tells --debug what a handler phase did: how long it took and
// the state it handed on, or how it failed.
func logPhase(id, phase string, begin time.Time, st *llif.LLState, err error) {
	if !logrus.IsLevelEnabled(logrus.DebugLevel) {
		return
	}
	l := logrus.WithFields(logrus.Fields{"id": id, "phase": phase, "took": time.Since(begin).Round(time.Microsecond).String()})
	switch {
	case err != nil:
		l.Debugf("%s failed: %v", phase, err)
	case st != nil:
		l.Debugf("%s done: %v", phase, st.Options)
	default:
		l.Debugf("%s done", phase)
	}
}

func logIfErr(_ *llif.LLState, err error) {
	if err != nil {
		logrus.Warnf("undo: %v", err)
	}
}

func (f *NablaFactory) Load(id string) (Container, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(f.root, id)
	st, err := readState(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &typ) {
			return nil, unreadable(id, err)
		}
		return nil, systemError(err, "load container %s", id)
	}
	handlers, err := f.registry.Handlers(st.Handlers)
	if err != nil {
		return nil, unreadable(id, err)
	}
	return &nablaContainer{id: id, dir: dir, factory: f, handlers: handlers, state: st}, nil
}

// List returns the ids of the containers below the root.
func (f *NablaFactory) List() ([]string, error) {
	entries, err := os.ReadDir(f.root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, systemError(err, "list %s", f.root)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && validateID(e.Name()) == nil {
			if _, err := os.Stat(filepath.Join(f.root, e.Name(), stateFile)); err == nil {
				ids = append(ids, e.Name())
			}
		}
	}
	return ids, nil
}

// RemoveAborted removes the directory of a create killed before it saved
// any state: it made nothing else yet. A directory whose lock is held (a
// create still running) or that holds a state is left alone.
func (f *NablaFactory) RemoveAborted(id string) error {
	if err := validateID(id); err != nil {
		return err
	}
	dir := filepath.Join(f.root, id)
	d, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return systemError(err, "delete %s", id)
	}
	defer d.Close()
	if unix.Flock(int(d.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return systemError(err, "delete %s", id)
	}
	return nil
}
