package libcontainer

import (
	"github.com/opencontainers/cgroups"
)

// Pause freezes the container's cgroup: the tender stops wherever it is
// (ppoll restarts after a thaw, so the guest never notices).
func (c *nablaContainer) Pause() error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	switch s := c.currentStatus(); s {
	case Running, Created:
	case Paused:
		return newError(ContainerPaused, nil, "cannot pause container %s: it is already paused", c.name())
	default:
		return newError(ContainerNotRunning, nil, "cannot pause container %s: it is %s", c.name(), s)
	}
	return c.freeze(cgroups.Frozen)
}

// Resume thaws a paused container.
func (c *nablaContainer) Resume() error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if s := c.currentStatus(); s != Paused {
		return newError(ContainerNotRunning, nil, "cannot resume container %s: it is %s, not paused", c.name(), s)
	}
	return c.freeze(cgroups.Thawed)
}

func (c *nablaContainer) freeze(state cgroups.FreezerState) error {
	m, err := c.cgroupManager()
	if err != nil {
		return systemError(err, "container %s", c.name())
	}
	if err := m.Freeze(state); err != nil {
		return systemError(err, "container %s: set freezer to %s", c.name(), state)
	}
	return nil
}
