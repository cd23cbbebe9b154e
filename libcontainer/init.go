package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// StartInitialization is `runnc init`: the container's process before it
// becomes the workload. It must run on the locked main thread (the runnc
// binary locks it before main for `init`): the network namespace it joins
// belongs to that thread, and the workload is exec'd from it.
//
// It returns only on failure; an error after "created" can no longer reach
// `runnc create`, so it goes to the container's stderr.
func (f *NablaFactory) StartInitialization() error {
	runtime.LockOSThread()
	syncFd, err := strconv.Atoi(os.Getenv(envInitPipe))
	if err != nil {
		return errors.New("runnc init is started by runnc create, not by hand")
	}
	fifoFd, err := strconv.Atoi(os.Getenv(envFifoFd))
	if err != nil {
		return errors.New("runnc init is started by runnc create, not by hand")
	}
	os.Clearenv()
	sock := os.NewFile(uintptr(syncFd), "init-sync")
	sync := newSyncPipe(sock)
	var cfg initConfig
	if err := sync.recv(&cfg); err != nil {
		return fmt.Errorf("init: read config: %w", err)
	}
	c, err := f.initContainer(&cfg)
	if err == nil {
		err = c.initUntilCreated(&cfg, sync)
	}
	if err != nil {
		// An error the parent sent (a failed hook) or one it received is
		// reported by runnc create; printing it here too would give the
		// caller two lines for one failure.
		var fromParent *initError
		sendErr := sync.send(&syncMsg{Type: msgError, Error: err.Error()})
		sock.Close()
		if errors.As(err, &fromParent) || sendErr == nil {
			return fmt.Errorf("%w: %v", ErrInitReported, err)
		}
		return err
	}
	sock.Close()
	if err := waitForStart(fifoFd); err != nil {
		return fmt.Errorf("container %s: %w", c.id, err)
	}
	in := c.input()
	err = c.handlers.ExecH.ExecRunFunc(&llif.ExecRunInput{Input: in})
	return fmt.Errorf("container %s: ExecRun: %w", c.id, err)
}

// ErrInitReported marks a failure of StartInitialization that runnc
// create already reports to its caller.
var ErrInitReported = errors.New("container init failed before created")

func (f *NablaFactory) initContainer(cfg *initConfig) (*nablaContainer, error) {
	if cfg.State == nil {
		return nil, errors.New("init: config without state")
	}
	handlers, err := f.registry.Handlers(cfg.Handlers)
	if err != nil {
		return nil, err
	}
	f.runtime = cfg.Runtime
	return &nablaContainer{id: cfg.ID, dir: cfg.Dir, factory: f, handlers: handlers, state: cfg.State}, nil
}

// initUntilCreated joins the network namespace, waits for the parent's
// hooks, runs FsRun and NetworkRun and reports their states.
func (c *nablaContainer) initUntilCreated(cfg *initConfig, sync *syncPipe) error {
	if cfg.NetnsPath != "" {
		if err := joinNetns(cfg.NetnsPath); err != nil {
			return err
		}
	}
	if err := sync.send(&syncMsg{Type: msgReady}); err != nil {
		return err
	}
	if _, err := sync.expect(msgRun); err != nil {
		return err
	}
	fs, err := c.handlers.FsH.FsRunFunc(&llif.FsRunInput{Input: c.input()})
	if err != nil {
		return fmt.Errorf("FsRun: %w", err)
	}
	if fs != nil {
		c.state.FsState = *fs
	}
	net, err := c.handlers.NetworkH.NetworkRunFunc(&llif.NetworkRunInput{Input: c.input()})
	if err != nil {
		return fmt.Errorf("NetworkRun: %w", err)
	}
	if net != nil {
		c.state.NetworkState = *net
	}
	return sync.send(&syncMsg{Type: msgCreated, FsState: &c.state.FsState, NetState: &c.state.NetworkState})
}

func joinNetns(path string) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("network namespace %s cannot be opened: %w", path, err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("network namespace %s cannot be joined (is it a network namespace?): %w", path, err)
	}
	return nil
}

// waitForStart blocks until `runnc start` opens the exec fifo, then tells
// it we are going.
func waitForStart(fifoFd int) error {
	fd, err := unix.Open("/proc/self/fd/"+strconv.Itoa(fifoFd), unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open exec fifo: %w", err)
	}
	unix.Close(fifoFd)
	if _, err := unix.Write(fd, []byte{0}); err != nil {
		unix.Close(fd)
		return fmt.Errorf("write exec fifo: %w", err)
	}
	return unix.Close(fd)
}
