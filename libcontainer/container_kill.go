package libcontainer

import (
	"errors"
	"fmt"
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
		return fmt.Errorf("signal %v is not a Unix signal", sig)
	}
	if c.currentStatus() == Stopped {
		if all {
			// There is one process per container: with it gone there is
			// nothing left to signal (containerd sends `kill --all ID 9`
			// after the exit it saw).
			return nil
		}
		return c.refuse(opSignal, Stopped)
	}
	// A pidfd pins the process: after checking it is still ours, the signal
	// cannot reach a process that reused the pid.
	pidfd, err := unix.PidfdOpen(c.state.InitPid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
		return fmt.Errorf("signal container %s: %w", c.name(), err)
	}
	defer unix.Close(pidfd)
	if !alive(c.state.InitPid, c.state.InitStartTime) {
		return c.signalGone(all)
	}
	if err := unix.PidfdSendSignal(pidfd, s, nil, 0); err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
		return fmt.Errorf("signal container %s: %w", c.name(), err)
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
	return c.refuse(opSignal, Stopped)
}
