package libcontainer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/nabla-containers/runnc/internal/containerid"
	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/internal/safedir"
	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/cgroups/systemd"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// NablaFactory makes and finds the containers below one state root.
type NablaFactory struct {
	root     string
	registry *llif.Registry
	runtime  llif.RuntimeOptions
	// initPath is the container's first process: runnc-init (by default
	// the one beside the tender), or this program with initArgs (InitArgs).
	initPath string
	initArgs []string
	// rootChecked says New found the root there and safe: Create need
	// not walk its path again unless it has gone since.
	rootChecked bool
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
	return func(f *NablaFactory) { f.initPath, f.initArgs = path, nil }
}

// WithSystemdCgroup makes the cgroups of the containers this factory
// creates through systemd (runc's --systemd-cgroup): linux.cgroupsPath is
// "slice:prefix:name" and the cgroup is the transient scope
// prefix-name.scope in that slice.
func WithSystemdCgroup(on bool) Option {
	return func(f *NablaFactory) { f.systemdCgroup = on }
}

// InitArgs makes the container's init this program itself, started again
// with args as its argv (runc's InitArgs(os.Args[0], "init")); the program
// must then call StartInitialization, from an init function, when it sees
// them. It suits a program that is one Go binary: runnc-init, the default,
// starts about 4 ms sooner, a quarter of a container's lifecycle.
func InitArgs(args ...string) Option {
	return func(f *NablaFactory) { f.initPath, f.initArgs = selfExe, args }
}

// selfExe is this program, whatever directory create runs from.
const selfExe = "/proc/self/exe"

// New returns a factory keeping container state below root, with handlers
// chosen from registry.
func New(root string, registry *llif.Registry, opts ...Option) (*NablaFactory, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("state root %q: %w", root, err)
	}
	// Every command reads the state below the root and acts on it (runs
	// its hooks, removes what it names): a root another user could write
	// would let that user choose. A missing one is made by Create.
	checkErr := safedir.Check(abs)
	if checkErr != nil && !errors.Is(checkErr, fs.ErrNotExist) {
		return nil, errorf(ErrInvalidConfig, "state root %s (--root): %w", abs, checkErr)
	}
	f := &NablaFactory{
		root:        abs,
		registry:    registry,
		rootChecked: checkErr == nil,
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

// Root is the state root this factory keeps containers below.
func (f *NablaFactory) Root() string { return f.root }

// maxIDLen is the longest id every layer can hold: the state directory
// <root>/<id>, the cgroup <id> (without linux.cgroupsPath) and the disk
// image's user marker <id>@<12 hex digits> are each one file name, at
// most 255 bytes (NAME_MAX). Tap devices are named by a hash of the id.
// Refused here, an id too long fails create at once, not half way, and
// delete -f of it says why rather than "file name too long".
const maxIDLen = 255 - len("@") - 12

func validateID(id string) error {
	if id == "" {
		return errorf(ErrInvalidID, "container id is empty: give the container a name")
	}
	if len(id) > maxIDLen {
		return errorf(ErrInvalidID, "container id is %d characters long: use at most %d", len(id), maxIDLen)
	}
	if id == "." || id == ".." || !containerid.Valid(id) {
		return errorf(ErrInvalidID, "container id %q is not valid: use only letters, digits, '_', '+', '-' and '.'", id)
	}
	return nil
}

// Create makes container id from config: it runs the Create phase of the
// fs, network and exec handlers and saves the state. On failure nothing is
// left behind.
func (f *NablaFactory) Create(id string, config *Config) (_ Container, retErr error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	name := displayName(id, config.Spec.Annotations)
	names, err := f.registry.Choose(config.Spec)
	if err != nil {
		return nil, errorf(ErrInvalidConfig, "cannot create container %s: %w", name, err)
	}
	handlers, err := f.registry.Handlers(names)
	if err != nil {
		return nil, errorf(ErrInvalidConfig, "cannot create container %s: %w", name, err)
	}
	if f.systemdCgroup {
		if !systemd.IsRunningSystemd() {
			return nil, errorf(ErrInvalidConfig, "cannot create container %s: --systemd-cgroup needs systemd as the init of this host, and it is not running (no /run/systemd/system): drop the flag to use cgroupfs", name)
		}
		cg, err := systemdCgroup(id, config.Spec)
		if err != nil {
			return nil, errorf(ErrInvalidConfig, "cannot create container %s: %w", name, err)
		}
		config.Runtime.Cgroups = cg
	} else if cg := config.Runtime.Cgroups; cg != nil && cg.Path == "" && cg.Name == "" {
		// Without linux.cgroupsPath, runc puts a container in /<id>.
		cg.Name = id
	}
	dir := filepath.Join(f.root, id)
	err = fs.ErrNotExist
	if f.rootChecked {
		err = os.Mkdir(dir, 0o700)
	}
	if errors.Is(err, fs.ErrNotExist) {
		if err := safedir.Make(f.root, 0o700); err != nil {
			return nil, fmt.Errorf("create state root %s: %w", f.root, err)
		}
		err = os.Mkdir(dir, 0o700)
	}
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, errorf(ErrExist, "container %s already exists: choose another id or delete it first", name)
		}
		return nil, fmt.Errorf("create state directory for %s: %w", name, err)
	}
	// Hold the lock from the start: a concurrent delete or start of the
	// same id waits until this container is whole or gone.
	lock, err := nopoll.Open(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	defer lock.Close()
	if err := flock.Lock(lock, unix.LOCK_EX); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("lock %s: %w", name, err)
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
	// delete --force cleans up like any other. Until the handlers are
	// done it names this runnc, which kill and delete --force then need
	// not wait for (see lockDir).
	self, err := readProcStat(os.Getpid())
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", id, err)
	}
	c.state.CreatorPid, c.state.CreatorStartTime = os.Getpid(), self.startTime
	// Where the cgroup will be goes in every save, from the first: it is
	// made from then on, beside the handlers' phases (startCgroup), with
	// no save of its own (0.4 ms), and a delete at any point finds what to
	// remove.
	cgroup, err := c.planCgroup()
	if err != nil {
		return nil, fmt.Errorf("cannot create container %s: %w", name, err)
	}
	// SIGTERM, which delete --force sends a create it finds under way,
	// stops this one between phases (and the fs handler's disk image build
	// within FsCreate): what was made is undone and the error says why.
	stopped, stop := signal.NotifyContext(context.Background(), unix.SIGTERM)
	defer stop()
	if err := c.state.save(dir); err != nil {
		return nil, fmt.Errorf("create %s: save state: %w", name, err)
	}
	c.startCgroup(cgroup)
	undo = append(undo, func() {
		if err := c.destroyCgroup(); err != nil {
			logrus.Warnf("undo: %v", err)
		}
	})
	debugStep(id, "state", "state directory made and locked, cgroup planned, state saved")
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
	for i, s := range steps {
		if stopped.Err() != nil {
			return nil, fmt.Errorf("create %s: stopped by SIGTERM (delete --force of the container) before %s", id, s.phase)
		}
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
			return nil, fmt.Errorf("cannot create container %s: %w", name, &PhaseError{Phase: s.phase, Err: err})
		}
		if i == len(steps)-1 {
			c.state.CreatorPid, c.state.CreatorStartTime = 0, 0
		}
		if err := c.state.save(dir); err != nil {
			return nil, fmt.Errorf("create %s: save state: %w", name, err)
		}
	}
	c.current = true
	return c, nil
}

// debugStep tells --debug that a step of a command is done. Its "step"
// field names the step, and the log's timestamps (nanoseconds) time it
// against the step before: the bench's breakdown of a run reads them
// (tests/bench/steps.go).
func debugStep(id, step, format string, args ...any) {
	if !logrus.IsLevelEnabled(logrus.DebugLevel) {
		return
	}
	f := logrus.Fields{"step": step}
	if id != "" {
		f["id"] = id
	}
	logrus.WithFields(f).Debugf(format, args...)
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

// Load returns the container id saved below the root.
func (f *NablaFactory) Load(id string) (Container, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	dir := filepath.Join(f.root, id)
	st, err := readState(dir, nil)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, notExist(id)
		}
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &typ) {
			return nil, unreadable(id, err)
		}
		return nil, fmt.Errorf("load container %s: %w", id, err)
	}
	handlers, err := f.registry.Handlers(st.Handlers)
	if err != nil {
		return nil, unreadable(id, err)
	}
	debugStep(id, "load", "state loaded")
	return &nablaContainer{id: id, dir: dir, factory: f, handlers: handlers, state: st}, nil
}

// List returns the ids of the containers below the root.
func (f *NablaFactory) List() ([]string, error) {
	entries, err := os.ReadDir(f.root)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list %s: %w", f.root, err)
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
	d, err := nopoll.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	defer d.Close()
	if flock.Lock(d, unix.LOCK_EX|unix.LOCK_NB) != nil {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, stateFile)); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	return nil
}
