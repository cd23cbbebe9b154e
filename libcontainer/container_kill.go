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
	if c.currentStatus() == Stopped {
		if all {
			// There is one process per container: with it gone there is
			// nothing left to signal (containerd sends `kill --all ID 9`
			// after the exit it saw).
			return nil
		}
		return c.refuse(opSignal, Stopped)
	}
	sent, err := sendSignal(c.state.InitPid, c.state.InitStartTime, s)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return c.signalGone(all)
		}
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

func (c *nablaContainer) signalGone(all bool) error {
	if all {
		return nil
	}
	return c.refuse(opSignal, Stopped)
}

// sendSignal sends sig to process pid if it is still the one that started
// at start; sent is false if it is gone.
func sendSignal(pid int, start uint64, sig unix.Signal) (sent bool, err error) {
	pidfd, err := pin(pid, start)
	if err != nil || pidfd < 0 {
		return false, err
	}
	defer unix.Close(pidfd)
	return signalPinned(pidfd, sig)
}
