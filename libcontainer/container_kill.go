package libcontainer

import (
	"errors"
	"os"
	"syscall"

	"github.com/opencontainers/cgroups"
	"golang.org/x/sys/unix"
)

func (c *nablaContainer) Signal(sig os.Signal, all bool) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.signal(sig, all)
}

func (c *nablaContainer) signal(sig os.Signal, all bool) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return newError(ConfigInvalid, nil, "signal %v is not a Unix signal", sig)
	}
	if c.currentStatus() == Stopped {
		return c.signalGone(all)
	}
	// A pidfd pins the process: after checking it is still ours, the signal
	// cannot reach a process that reused the pid.
	pidfd, err := unix.PidfdOpen(c.state.InitPid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
		return systemError(err, "signal container %s", c.id)
	}
	defer unix.Close(pidfd)
	if !alive(c.state.InitPid, c.state.InitStartTime) {
		return c.signalGone(all)
	}
	if err := unix.PidfdSendSignal(pidfd, s, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
		return systemError(err, "signal container %s", c.id)
	}
	// A frozen process dies of SIGKILL only once thawed (as runc does,
	// thaw it: kill and delete --force of a paused container must end it).
	if s == unix.SIGKILL && c.frozen() {
		return c.freeze(cgroups.Thawed)
	}
	return nil
}

// signalGone is the answer to a signal for a container whose process has
// exited. There is one process per container: with it gone, kill --all
// has nothing left to signal (containerd sends `kill --all ID 9` after the
// exit it saw). Plain kill fails with runc's words "container not
// running", which containerd's shim takes for an exit it has not seen yet
// (a StopContainer whose SIGKILL follows a SIGTERM that worked); other
// words fail the StopContainer.
func (c *nablaContainer) signalGone(all bool) error {
	if all {
		return nil
	}
	return newError(ContainerNotRunning, nil, "cannot signal container %s: container not running", c.id)
}
