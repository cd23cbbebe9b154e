package libcontainer

import (
	"fmt"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
)

// cgroupManager returns the cgroupfs manager of the container's cgroup
// (linux.cgroupsPath). The systemd driver is not linked in: it would cost
// every runnc invocation its start-up, and engines here use cgroupfs.
func (c *nablaContainer) cgroupManager() (cgroups.Manager, error) {
	cg := c.state.Config.Cgroups
	if cg == nil {
		return nil, fmt.Errorf("container %s has no cgroup configuration", c.id)
	}
	if cg.Resources == nil {
		cg.Resources = &cgroups.Resources{}
	}
	withoutDevices(cg.Resources)
	cg.Systemd = false
	if cgroups.IsCgroup2UnifiedMode() {
		return fs2.NewManager(cg, c.state.CgroupPaths[""])
	}
	return fs.NewManager(cg, c.state.CgroupPaths)
}

// applyCgroup puts pid into the container's cgroup and sets its limits.
func (c *nablaContainer) applyCgroup(pid int) error {
	m, err := c.cgroupManager()
	if err != nil {
		return err
	}
	if err := m.Apply(pid); err != nil {
		m.Destroy()
		return fmt.Errorf("cgroup %s: %w", cgroupName(c.state.Config.Cgroups), err)
	}
	c.state.CgroupPaths = m.GetPaths()
	if err := m.Set(c.state.Config.Cgroups.Resources); err != nil {
		return fmt.Errorf("cgroup %s: set limits: %w", cgroupName(c.state.Config.Cgroups), err)
	}
	return nil
}

func cgroupName(cg *cgroups.Cgroup) string {
	if cg.Path != "" {
		return cg.Path
	}
	return cg.Parent + "/" + cg.Name
}

// frozen reports whether the container's cgroup is frozen (paused).
func (c *nablaContainer) frozen() bool {
	if len(c.state.CgroupPaths) == 0 {
		return false
	}
	m, err := c.cgroupManager()
	if err != nil {
		return false
	}
	st, err := m.GetFreezerState()
	return err == nil && st == cgroups.Frozen
}

// destroyCgroup removes the container's cgroup; its process is dead.
// Without recorded paths but with an init started, create may have died
// between making the cgroup and saving its paths: the manager then finds
// them from the configuration.
func (c *nablaContainer) destroyCgroup() error {
	if len(c.state.CgroupPaths) == 0 && c.state.InitPid == 0 {
		return nil
	}
	m, err := c.cgroupManager()
	if err != nil {
		return err
	}
	return m.Destroy()
}

// withoutDevices drops device rules: a unikernel opens no device after the
// tender's set-up (its filter forbids open()), so they add nothing but the
// need for a device-filter implementation.
func withoutDevices(r *cgroups.Resources) {
	r.SkipDevices = true
	r.Devices = nil
}
