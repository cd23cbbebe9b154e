package libcontainer

import (
	"github.com/opencontainers/cgroups"
)

// Stats are the cgroup statistics of the container's process.
func (c *nablaContainer) Stats() (*cgroups.Stats, error) {
	if c.currentStatus() == Stopped {
		return nil, newError(ContainerNotRunning, nil, "container %s is not running: it has no statistics", c.name())
	}
	m, err := c.cgroupManager()
	if err != nil {
		return nil, systemError(err, "container %s", c.name())
	}
	st, err := m.GetStats()
	if err != nil {
		return nil, systemError(err, "container %s: read cgroup statistics", c.name())
	}
	return st, nil
}

// Set changes the container's cgroup limits (runnc update). The guest's
// memory was fixed when it booted: a new memory limit constrains the
// tender but cannot grow or shrink what the unikernel sees.
func (c *nablaContainer) Set(r *cgroups.Resources) error {
	unlock, err := c.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if s := c.currentStatus(); s == Stopped {
		return newError(ContainerNotRunning, nil, "cannot update container %s: it is stopped", c.name())
	}
	m, err := c.cgroupManager()
	if err != nil {
		return systemError(err, "container %s", c.name())
	}
	withoutDevices(r)
	if err := m.Set(r); err != nil {
		return systemError(err, "update container %s", c.name())
	}
	c.state.Config.Cgroups.Resources = r // decoded by cgroupManager
	if err := c.state.save(c.dir); err != nil {
		return systemError(err, "update container %s: save state", c.name())
	}
	return nil
}
