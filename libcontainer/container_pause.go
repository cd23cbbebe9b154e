package libcontainer

import (
	"fmt"

	"github.com/opencontainers/cgroups"
)

// Pause freezes the container's cgroup: the tender stops wherever it is
// (ppoll restarts after a thaw, so the guest never notices).
func (c *nablaContainer) Pause() error {
	return c.lockedFor(opPause, func() error { return c.freeze(cgroups.Frozen) })
}

// Resume thaws a paused container.
func (c *nablaContainer) Resume() error {
	return c.lockedFor(opResume, func() error { return c.freeze(cgroups.Thawed) })
}

func (c *nablaContainer) freeze(state cgroups.FreezerState) error {
	m, err := c.cgroupManager()
	if err != nil {
		return fmt.Errorf("container %s: %w", c.name(), err)
	}
	if err := m.Freeze(state); err != nil {
		return fmt.Errorf("container %s: set freezer to %s: %w", c.name(), state, err)
	}
	return nil
}
