package libcontainer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/libcontainer/nsthread"
	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

func (c *nablaContainer) Start(p *Process) error {
	return c.lockedCurrent(func() error { return c.start(p) })
}

// start launches init (runnc-init) and walks it through the protocol of
// sync.go: once it is in the container's network namespace, the hooks and
// the handlers' Run phases run here, and init gets the workload to exec
// at start. On failure init is killed; the caller still owns the created
// container and destroys it.
func (c *nablaContainer) start(p *Process) (retErr error) {
	if c.state.InitPid != 0 {
		return errorf(ErrExist, "cannot create container %s: its init was started already (it is %s)", c.name(), c.currentStatus())
	}
	cfg, err := c.state.config()
	if err != nil {
		return fmt.Errorf("start %s: %w", c.name(), err)
	}
	fifo := filepath.Join(c.dir, fifoName)
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		return fmt.Errorf("start %s: make exec fifo: %w", c.name(), err)
	}
	defer func() {
		if retErr != nil {
			if p.pid != 0 {
				unix.Kill(p.pid, unix.SIGKILL)
				p.Wait()
			}
			c.destroyCgroup()
			os.Remove(fifo)
		}
	}()
	// init opens the fifo through this O_PATH fd, so the fifo's path need
	// not be reachable from wherever init runs.
	fifoFd, err := os.OpenFile(fifo, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("start %s: open exec fifo: %w", c.name(), err)
	}
	defer fifoFd.Close()
	parentSock, childSock, err := socketPair()
	if err != nil {
		return fmt.Errorf("start %s: sync socket: %w", c.name(), err)
	}
	defer parentSock.Close()
	defer childSock.Close()
	// Fds inherited from our caller (containerd's shim leaves a socket on
	// fd 3) must not reach the container: only stdio and ExtraFiles do.
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("start %s: mark inherited fds close-on-exec: %w", c.name(), err)
	}
	launch := c.prepareInit(p, cfg, childSock, fifoFd)
	// In its cgroup before it runs, and long before create returns: the
	// shim reads the cgroup of the pid in init.pid for docker stats.
	join, err := c.makeCgroup()
	if err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	defer join.close()
	debugStep(c.id, "cgroup", "cgroup made")
	join.set(launch)
	p.pid, err = launch.start()
	childSock.Close() // init's end: EOF reaches us if init dies
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errorf(err, "cannot create container %s: the container init %s does not exist: install runnc-init beside nabla-run (make install)", c.name(), launch.path)
		}
		return fmt.Errorf("start %s: start init %s: %w", c.name(), launch.path, err)
	}
	st, err := readProcStat(p.pid)
	if err != nil {
		return fmt.Errorf("start %s: read init's start time: %w", c.name(), err)
	}
	// Init's pid is saved at once: if runnc create is killed from here
	// on, delete --force finds init (and its cgroup) and kills it.
	c.state.InitPid = p.pid
	c.state.InitStartTime = st.startTime
	if err := c.state.save(c.dir); err != nil {
		return fmt.Errorf("start %s: save state: %w", c.name(), err)
	}
	debugStep(c.id, "init", "init %s started as pid %d", launch.path, p.pid)
	if err := join.adopt(p.pid); err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	sync := initPipe{f: parentSock}
	if err := sync.expectReady(); err != nil {
		return c.initFailed(err)
	}
	debugStep(c.id, "ready", "init is in its cgroup and network namespace")
	if err := setRlimits(p.pid, c.state.Process.Rlimits); err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	if err := setOOMScoreAdj(p.pid, c.state.Process.OOMScoreAdj); err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	// Hooks see the container as it is while created: pid of init, inside
	// the container's network namespace already.
	ociState := c.ociState(specs.StateCreating, p.pid)
	for _, name := range []configs.HookName{configs.Prestart, configs.CreateRuntime} {
		if err := runHooks(cfg.Hooks, name, ociState); err != nil {
			return fmt.Errorf("cannot create container %s: %w", c.name(), err)
		}
	}
	// Before the Run phases, as runc runs them before pivot_root: the
	// container's environment exists, its workload is not decided yet.
	if err := runContainerHooks(p.pid, cfg.Hooks, configs.CreateContainer, ociState); err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	w, err := c.runPhases(p.pid)
	if err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	// From the spec's process, as the rlimits and the OOM score: runc's
	// specconv leaves the AppArmor profile to the caller.
	label, err := lsmExecLabel(c.state.Process.ApparmorProfile, c.state.Process.SelinuxLabel)
	if err != nil {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	if err := sync.sendWorkload(w, label); err != nil {
		return c.initFailed(err)
	}
	if w == nil {
		debugStep(c.id, "workload", "init told to pause: a pod sandbox runs no guest")
	} else {
		debugStep(c.id, "workload", "workload sent to init: %s %q", w.Path, w.Args)
	}
	if err := c.state.save(c.dir); err != nil {
		return fmt.Errorf("start %s: save state: %w", c.name(), err)
	}
	return nil
}

// initLaunch is how the container init is started: by syscall.ForkExec,
// not os/exec, whose first start in a process probes the kernel's pidfd
// support by cloning a child of its own (a create's step that starts init
// took 2.27 ms with it and takes 1.84 without, medians of 40).
type initLaunch struct {
	path string
	argv []string
	env  []string
	// files are init's fds from 0 up; nil is /dev/null.
	files []*os.File
	sys   syscall.SysProcAttr
}

// prepareInit is the container init's launch for p: its stdio, p's extra
// files, then the sync socket and the exec fifo, and the network namespace
// it is cloned into or joins.
func (c *nablaContainer) prepareInit(p *Process, cfg *configs.Config, sock, fifo *os.File) *initLaunch {
	l := &initLaunch{path: c.factory.initPath, argv: []string{c.factory.initPath}}
	if len(c.factory.initArgs) > 0 {
		l.argv = c.factory.initArgs
	}
	l.files = append([]*os.File{p.Stdin, p.Stdout, p.Stderr}, p.ExtraFiles...)
	syncFd := len(l.files)
	l.files = append(l.files, sock, fifo)
	l.env = []string{
		envInitPipe + "=" + strconv.Itoa(syncFd),
		envFifoFd + "=" + strconv.Itoa(syncFd+1),
	}
	if p.Terminal {
		l.sys.Setsid = true
		l.sys.Setctty = true
		l.sys.Ctty = 0
	}
	if cfg.Namespaces.Contains(configs.NEWNET) {
		if path := cfg.Namespaces.PathOf(configs.NEWNET); path != "" {
			l.env = append(l.env, envNetns+"="+path)
		} else {
			l.sys.Cloneflags = unix.CLONE_NEWNET
		}
	}
	return l
}

// start starts init and returns its pid, which Process.Wait reaps. A
// path without a slash is looked up in $PATH, as os/exec does.
func (l *initLaunch) start() (int, error) {
	path := l.path
	if !strings.ContainsRune(path, '/') {
		var err error
		if path, err = exec.LookPath(path); err != nil {
			return 0, err
		}
	}
	fds := make([]uintptr, len(l.files))
	var devNull *os.File
	for i, f := range l.files {
		if f == nil {
			if devNull == nil {
				var err error
				if devNull, err = os.OpenFile(os.DevNull, os.O_RDWR|unix.O_CLOEXEC, 0); err != nil {
					return 0, err
				}
				defer devNull.Close()
			}
			f = devNull
		}
		fds[i] = f.Fd()
	}
	pid, err := syscall.ForkExec(path, l.argv, &syscall.ProcAttr{Env: l.env, Files: fds, Sys: &l.sys})
	// The fds are numbers: their files must not be closed by a finalizer
	// before the child has them.
	runtime.KeepAlive(l.files)
	return pid, err
}

// runPhases runs FsRun and NetworkRun, the latter on a thread inside
// init's network namespace, and asks ExecRun for the workload. Each
// state is kept as soon as its phase returns, so delete undoes what a
// failing later phase leaves.
func (c *nablaContainer) runPhases(initPid int) (*llif.Workload, error) {
	begin := time.Now()
	fs, err := c.handlers.FsH.FsRunFunc(&llif.FsRunInput{Input: c.input()})
	if fs != nil {
		c.state.FsState = *fs
	}
	logPhase(c.id, "FsRun", begin, fs, err)
	if err != nil {
		return nil, &PhaseError{Phase: "FsRun", Err: err}
	}
	begin = time.Now()
	net, err := c.networkRun(initPid)
	logPhase(c.id, "NetworkRun", begin, net, err)
	if err != nil {
		return nil, &PhaseError{Phase: "NetworkRun", Err: err}
	}
	begin = time.Now()
	w, err := c.handlers.ExecH.ExecRunFunc(&llif.ExecRunInput{Input: c.input()})
	logPhase(c.id, "ExecRun", begin, nil, err)
	if err != nil {
		return nil, &PhaseError{Phase: "ExecRun", Err: err}
	}
	return w, nil
}

// networkRun runs NetworkRun on a thread inside init's network namespace,
// unless the handler's Create said there is nothing to do there
// (llif.NetSkipRun): the state then stays Create's.
func (c *nablaContainer) networkRun(initPid int) (*llif.LLState, error) {
	if c.state.NetworkState.Get(llif.NetSkipRun) == "true" {
		return &c.state.NetworkState, nil
	}
	var net *llif.LLState
	err := nsthread.Do(fmt.Sprintf("/proc/%d/ns/net", initPid), func() error {
		var err error
		net, err = c.handlers.NetworkH.NetworkRunFunc(&llif.NetworkRunInput{Input: c.input()})
		if net != nil {
			c.state.NetworkState = *net
		}
		return err
	})
	return net, err
}

func (c *nablaContainer) initFailed(err error) error {
	if errors.As(err, new(*initError)) {
		return fmt.Errorf("cannot create container %s: %w", c.name(), err)
	}
	return fmt.Errorf("cannot create container %s: its init failed: %w", c.name(), err)
}

// setRlimits gives init, and so the tender it becomes, the spec's
// rlimits, as runc gives its init: RLIMIT_CPU, RLIMIT_AS and the others
// bound the tender and the guest in its address space alike. Raising a
// hard limit needs CAP_SYS_RESOURCE, as under runc. The names were
// checked at create (checkOptions).
func setRlimits(pid int, limits []specs.POSIXRlimit) error {
	for _, l := range limits {
		lim := unix.Rlimit{Cur: l.Soft, Max: l.Hard}
		if err := unix.Prlimit(pid, rlimits[l.Type], &lim, nil); err != nil {
			return fmt.Errorf("set %s of the container to soft %d, hard %d: %w", l.Type, l.Soft, l.Hard, err)
		}
	}
	return nil
}

// setOOMScoreAdj gives init, and so the tender its exec becomes, the OOM
// score adjustment of process.oomScoreAdj, as runc gives its container's
// process: kubelet sets one on every container by its QoS class, so that
// under memory pressure the kernel kills a BestEffort container's process
// before a Guaranteed one's.
func setOOMScoreAdj(pid int, adj *int) error {
	if adj == nil {
		return nil
	}
	err := nopoll.WriteFile(fmt.Sprintf("/proc/%d/oom_score_adj", pid), []byte(strconv.Itoa(*adj)), 0)
	if errors.Is(err, os.ErrPermission) {
		// The kernel's rule: below the lowest value a process with
		// CAP_SYS_RESOURCE gave it or its parents, only one with
		// CAP_SYS_RESOURCE may go.
		return fmt.Errorf("process.oomScoreAdj %d cannot be set: it is below the lowest OOM score adjustment runnc may give without CAP_SYS_RESOURCE, which this runnc lacks (containerd's CRI keeps it in reach with restrict_oom_score_adj = true): %w", *adj, err)
	}
	if err != nil {
		return fmt.Errorf("set process.oomScoreAdj %d: %w", *adj, err)
	}
	return nil
}

// runContainerHooks runs the createContainer or startContainer hooks
// where the runtime spec puts them, "in the container namespace": runnc's
// init has a network namespace (and cgroups) of its own and nothing else,
// so the hooks run on a thread in init's network namespace. Their paths
// resolve in the host's mount namespace, which is the container's too:
// runnc makes no mount namespace, and the guest sees only its disk.
func runContainerHooks(initPid int, hooks configs.Hooks, name configs.HookName, state *specs.State) error {
	if len(hooks[name]) == 0 {
		return nil // no thread to make
	}
	return nsthread.Do(fmt.Sprintf("/proc/%d/ns/net", initPid), func() error {
		return runHooks(hooks, name, state)
	})
}

func runHooks(hooks configs.Hooks, name configs.HookName, state *specs.State) error {
	for i, h := range hooks[name] {
		logrus.WithField("id", state.ID).Debugf("running %s hook #%d", name, i)
		if err := h.Run(state); err != nil {
			return fmt.Errorf("%s hook #%d failed: %w", name, i, err)
		}
	}
	return nil
}

func (c *nablaContainer) Exec() error {
	return c.lockedCurrent(c.exec)
}

// exec lets init past the exec fifo: init blocks opening the fifo for
// writing until we open it for reading, then writes one byte and becomes
// the workload.
func (c *nablaContainer) exec() error {
	if err := c.check(opStart); err != nil {
		return err
	}
	hooks, err := c.state.hooks()
	if err != nil {
		return fmt.Errorf("start %s: %w", c.name(), err)
	}
	// startContainer hooks run before init becomes the tender: init is
	// still waiting on the exec fifo, created (as check found it).
	st := c.ociState(specs.StateCreated, c.state.InitPid)
	if err := runContainerHooks(c.state.InitPid, hooks, configs.StartContainer, st); err != nil {
		return fmt.Errorf("cannot start container %s: %w", c.name(), err)
	}
	fifo := filepath.Join(c.dir, fifoName)
	f, err := os.OpenFile(fifo, os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("start %s: open exec fifo: %w", c.name(), err)
	}
	defer f.Close()
	buf := make([]byte, 1)
	for {
		n, err := unix.Read(int(f.Fd()), buf)
		if n == 1 {
			break
		}
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			return fmt.Errorf("start %s: read exec fifo: %w", c.name(), err)
		}
		// No writer yet (EOF) or nothing written yet (EAGAIN).
		if !alive(c.state.InitPid, c.state.InitStartTime) {
			// Since the read above, init may have written its byte,
			// exec'd the workload and that may have exited already (a
			// short-lived one, on a loaded machine): read once more.
			if n, _ := unix.Read(int(f.Fd()), buf); n == 1 {
				break
			}
			os.Remove(fifo)
			return errorf(ErrNotRunning, "cannot start container %s: its init exited before start", c.name())
		}
		// Wake as soon as init writes; look at its liveness now and then.
		unix.Poll([]unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}, 10)
	}
	if err := os.Remove(fifo); err != nil {
		return fmt.Errorf("start %s: remove exec fifo: %w", c.name(), err)
	}
	debugStep(c.id, "fifo", "init (pid %d) passed the exec fifo: the workload runs", c.state.InitPid)
	if err := runHooks(hooks, configs.Poststart, c.ociState(specs.StateRunning, c.state.InitPid)); err != nil {
		return fmt.Errorf("start %s: %w", c.name(), err)
	}
	return nil
}
