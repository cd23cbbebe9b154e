package libcontainer

import (
	"errors"
	"os"
	"syscall"

	"github.com/opencontainers/cgroups"
	"github.com/sirupsen/logrus"
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
		if all {
			// There is one process per container: with it gone there is
			// nothing left to signal (containerd sends `kill --all ID 9`
			// after the exit it saw).
			return nil
		}
		return notRunning(c.name())
	}
	// A pidfd pins the process: after checking it is still ours, the signal
	// cannot reach a process that reused the pid.
	pidfd, err := unix.PidfdOpen(c.state.InitPid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
		return systemError(err, "signal container %s", c.name())
	}
	defer unix.Close(pidfd)
	if !alive(c.state.InitPid, c.state.InitStartTime) {
		return c.signalGone(all)
	}
	if err := unix.PidfdSendSignal(pidfd, s, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
		return systemError(err, "signal container %s", c.name())
	}
	logrus.WithField("id", c.id).Debugf("sent signal %d to pid %d", int(s), c.state.InitPid)
	// A frozen process dies of SIGKILL only once thawed (as runc does,
	// thaw it: kill and delete --force of a paused container must end it).
	if s == unix.SIGKILL && c.frozen() {
		return c.freeze(cgroups.Thawed)
	}
	return nil
}

func (c *nablaContainer) signalGone(all bool) error {
	if all {
		return nil
	}
	return notRunning(c.name())
}

// notRunning is the refusal to signal a stopped container. It carries
// runc's words "container not running": containerd's shim matches them to
// report NotFound (the process already finished) rather than an unknown
// error after kill.
func notRunning(name string) error {
	return newError(ContainerNotRunning, nil, "cannot signal %s: container not running (it has stopped)", name)
}
