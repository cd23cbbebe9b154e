package libcontainer

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

func (c *nablaContainer) Destroy(force bool) error {
	var whileCreating func(int, uint64) error
	if force {
		whileCreating = c.stopCreate
	}
	unlock, err := c.lockOr(whileCreating)
	if err != nil {
		return err
	}
	defer unlock()
	// One look at the process: the pin that tells whether it lives is the
	// one the kill goes through.
	pidfd, err := c.pin()
	if err != nil {
		return err
	}
	if pidfd < 0 {
		return c.destroy()
	}
	defer unix.Close(pidfd)
	if !force {
		if err := c.refuse(opDelete, c.liveStatus()); err != nil {
			return err
		}
	}
	if err := c.killPinned(pidfd); err != nil {
		return err
	}
	return c.destroy()
}

// stopCreate stops the runnc create (pid, start) under way rather than
// wait for it (its disk image build may take long): SIGTERM makes it undo
// what it made and exit, so the lock then comes free on a container that
// is gone. One that does not answer in stopGrace is killed, leaving what
// any killed create leaves: a stopped container this delete removes.
func (c *nablaContainer) stopCreate(pid int, start uint64) error {
	pidfd, err := pin(pid, start)
	if err != nil {
		return fmt.Errorf("delete %s: stop its create (pid %d): %w", c.id, pid, err)
	}
	if pidfd < 0 {
		return nil // done meanwhile
	}
	defer unix.Close(pidfd)
	if _, err := pidfdSignal(pidfd, unix.SIGTERM); err != nil {
		return fmt.Errorf("delete %s: stop its create (pid %d): %w", c.id, pid, err)
	}
	exited, err := waitExit(pidfd, stopGrace)
	if err != nil {
		return fmt.Errorf("delete %s: wait for its create (pid %d): %w", c.id, pid, err)
	}
	if exited {
		return nil
	}
	if _, err := pidfdSignal(pidfd, unix.SIGKILL); err != nil {
		return fmt.Errorf("delete %s: kill its create (pid %d): %w", c.id, pid, err)
	}
	return nil
}

// stopGrace is how long a create has to undo its work after SIGTERM.
const stopGrace = 10 * time.Second

// pin pins the container's process (see pin): -1 if it is gone.
func (c *nablaContainer) pin() (int, error) {
	pidfd, err := pin(c.state.InitPid, c.state.InitStartTime)
	if err != nil {
		return -1, fmt.Errorf("container %s (pid %d): %w", c.name(), c.state.InitPid, err)
	}
	return pidfd, nil
}

// killAndWait kills the container's process, if it lives, and waits until
// it has exited.
func (c *nablaContainer) killAndWait() error {
	pidfd, err := c.pin()
	if err != nil || pidfd < 0 {
		return err
	}
	defer unix.Close(pidfd)
	return c.killPinned(pidfd)
}

// killPinned kills the process of pidfd, from pin, and waits until it has
// exited (its reaper, the shim or `runnc run`, may leave it a zombie a
// while).
func (c *nablaContainer) killPinned(pidfd int) error {
	pid := c.state.InitPid
	if err := c.signalPinned(pidfd, unix.SIGKILL, true); err != nil {
		return err
	}
	exited, err := waitExit(pidfd, 10*time.Second)
	if err != nil {
		return fmt.Errorf("container %s (pid %d): wait for its exit: %w", c.name(), pid, err)
	}
	if !exited {
		return fmt.Errorf("container %s (pid %d) did not die after SIGKILL", c.name(), pid)
	}
	return nil
}

// destroy runs every Destroy phase even if one fails, then the poststop
// hooks, then removes the state directory. A failed phase is reported;
// the state is removed regardless, since a retry could do no better than
// the phase just did.
func (c *nablaContainer) destroy() error {
	if _, err := c.state.config(); err != nil {
		return fmt.Errorf("delete %s: %w", c.name(), err)
	}
	debugStep(c.id, "config", "config decoded")
	in := c.input()
	// The cgroup goes meanwhile, on another thread: its directories and
	// the phases' resources have nothing in common.
	cgroupRemoved := c.removeCgroup()
	var errs []error
	phases := []struct {
		phase   string
		destroy func() (*llif.LLState, error)
	}{
		{"ExecDestroy", func() (*llif.LLState, error) {
			return c.handlers.ExecH.ExecDestroyFunc(&llif.ExecDestroyInput{Input: in})
		}},
		{"NetworkDestroy", func() (*llif.LLState, error) {
			return c.handlers.NetworkH.NetworkDestroyFunc(&llif.NetworkDestroyInput{Input: in})
		}},
		{"FsDestroy", func() (*llif.LLState, error) {
			return c.handlers.FsH.FsDestroyFunc(&llif.FsDestroyInput{Input: in})
		}},
	}
	for _, p := range phases {
		begin := time.Now()
		st, err := p.destroy()
		logPhase(c.id, p.phase, begin, st, err)
		if err != nil {
			errs = append(errs, &PhaseError{Phase: p.phase, Err: err})
		}
	}
	if err := cgroupRemoved(); err != nil {
		errs = append(errs, fmt.Errorf("remove cgroup: %w", err))
	}
	if err := runHooks(in.Config.Hooks, configs.Poststop, c.ociState(specs.StateStopped, 0)); err != nil {
		logrus.Warnf("delete %s: %v", c.id, err)
	}
	if err := os.RemoveAll(c.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove state: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		// errors.Join puts each on a line of its own; the caller's log
		// wants one.
		return errorf(err, "delete %s: not everything it held could be removed: %s",
			c.name(), strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	debugStep(c.id, "deleted", "deleted: cgroup and state removed")
	return nil
}
