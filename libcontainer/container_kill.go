package libcontainer

import (
	"fmt"
	"os"
	"syscall"

	"github.com/opencontainers/cgroups"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

func (c *nablaContainer) Signal(sig os.Signal, all bool) error {
	unlock, err := c.lockOr(func(pid int, _ uint64) error {
		return errorf(ErrNotRunning, "cannot signal container %s: it is being created (by runnc pid %d) and has no process yet; delete --force stops the create", c.name(), pid)
	})
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
	pidfd, err := c.pin()
	if err != nil {
		return fmt.Errorf("signal: %w", err)
	}
	if pidfd < 0 {
		return c.signalGone(all)
	}
	defer unix.Close(pidfd)
	return c.signalPinned(pidfd, s, all)
}

// signalPinned sends s to the container's process through pidfd, from pin.
func (c *nablaContainer) signalPinned(pidfd int, s unix.Signal, all bool) error {
	sent, err := pidfdSignal(pidfd, s)
	if err != nil {
		return fmt.Errorf("signal container %s: %w", c.name(), err)
	}
	if !sent {
		return c.signalGone(all)
	}
	logrus.WithField("id", c.id).Debugf("sent signal %d to pid %d", int(s), c.state.InitPid)
	// A frozen process dies of SIGKILL only once thawed (as runc does,
	// thaw it: kill and delete --force of a paused container must end it).
	if s == unix.SIGKILL && c.frozen() {
		return c.freeze(cgroups.Thawed)
	}
	return nil
}

// signalGone answers a signal for a container whose process has exited.
func (c *nablaContainer) signalGone(all bool) error {
	if all {
		// There is one process per container: with it gone there is
		// nothing left to signal (containerd sends `kill --all ID 9`
		// after the exit it saw).
		return nil
	}
	return c.refuse(opSignal, Stopped)
}
