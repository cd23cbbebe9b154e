package libcontainer

import (
	"fmt"

	"github.com/opencontainers/cgroups"
)

// Stats are the cgroup statistics of the container's process.
func (c *nablaContainer) Stats() (*cgroups.Stats, error) {
	if err := c.check(opStats); err != nil {
		return nil, err
	}
	m, err := c.cgroupManager()
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", c.name(), err)
	}
	st, err := m.GetStats()
	if err != nil {
		return nil, fmt.Errorf("container %s: read cgroup statistics: %w", c.name(), err)
	}
	return st, nil
}

// Set changes the container's cgroup limits (runnc update). The guest's
// memory was fixed when it booted: a new memory limit constrains the
// tender but cannot grow or shrink what the unikernel sees.
func (c *nablaContainer) Set(r *cgroups.Resources) error {
	return c.lockedFor(opUpdate, func() error { return c.set(r) })
}

func (c *nablaContainer) set(r *cgroups.Resources) error {
	m, err := c.cgroupManager()
	if err != nil {
		return fmt.Errorf("container %s: %w", c.name(), err)
	}
	withoutDevices(r)
	if err := m.Set(r); err != nil {
		return fmt.Errorf("update container %s: %w", c.name(), err)
	}
	c.state.Config.Cgroups.Resources = r // decoded by cgroupManager
	c.state.RawConfig = nil
	if err := c.state.save(c.dir); err != nil {
		return fmt.Errorf("update container %s: save state: %w", c.name(), err)
	}
	return nil
}
