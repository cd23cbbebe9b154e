package libcontainer

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	"github.com/opencontainers/cgroups/systemd"
	"github.com/opencontainers/runc/libcontainer/specconv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// cgroupManager returns the manager of the container's cgroup: cgroupfs
// (linux.cgroupsPath is a directory) or, for a container created with
// --systemd-cgroup, systemd's (a transient scope, see systemdCgroup). The
// choice is saved in the config, so every later command, whatever its
// flags, drives the cgroup the way create made it. The systemd manager
// connects to D-Bus only when a method needs it: stats and pause read and
// write the cgroup files.
func (c *nablaContainer) cgroupManager() (cgroups.Manager, error) {
	cfg, err := c.state.config()
	if err != nil {
		return nil, err
	}
	cg := cfg.Cgroups
	if cg == nil {
		return nil, fmt.Errorf("container %s has no cgroup configuration", c.name())
	}
	if cg.Resources == nil {
		cg.Resources = &cgroups.Resources{}
	}
	withoutDevices(cg.Resources)
	// The managers may change cg too: the next save encodes it anew.
	c.state.RawConfig = nil
	unified := cgroups.IsCgroup2UnifiedMode()
	switch {
	case cg.Systemd && !systemd.IsRunningSystemd():
		return nil, fmt.Errorf("container %s uses the systemd cgroup driver, but systemd is not running on this host (no /run/systemd/system)", c.name())
	case cg.Systemd && unified:
		return systemd.NewUnifiedManager(cg, c.state.CgroupPaths[""])
	case cg.Systemd:
		return systemd.NewLegacyManager(cg, maps.Clone(c.state.CgroupPaths))
	case unified:
		return fs2.NewManager(cg, c.state.CgroupPaths[""])
	}
	paths := maps.Clone(c.state.CgroupPaths)
	if paths == nil {
		paths = relativeV1Paths(cg)
	}
	return fs.NewManager(cg, paths)
}

// systemdCgroup is the container's cgroup configuration for the systemd
// driver: linux.cgroupsPath is "slice:prefix:name", the scope
// prefix-name.scope in that slice, as runc reads it; without one, the
// scope is runnc-<id>.scope in system.slice.
func systemdCgroup(id string, spec *specs.Spec) (*cgroups.Cgroup, error) {
	cg, err := specconv.CreateCgroupConfig(&specconv.CreateOpts{CgroupName: id, UseSystemdCgroup: true, Spec: spec}, nil)
	if err != nil {
		return nil, err
	}
	if spec.Linux == nil || spec.Linux.CgroupsPath == "" {
		cg.ScopePrefix = "runnc"
	}
	return cg, nil
}

// makeCgroup makes the container's cgroup and sets its limits before init
// exists, and tells how init joins it (see cgroupJoin). Its paths are
// saved first, so a delete after a kill at any point finds what to remove.
// systemd makes a scope only around a live process, so with the systemd
// driver the cgroup is made once init is started (cgroupJoin.adopt).
func (c *nablaContainer) makeCgroup() (*cgroupJoin, error) {
	if c.making != nil {
		if err := c.cgroupMade(); err != nil {
			return nil, err
		}
		return newCgroupJoin(c.state.CgroupPaths)
	}
	if len(c.state.CgroupPaths) == 0 {
		// Created by a runnc that left the planning to start.
		if _, err := c.planCgroup(); err != nil {
			return nil, err
		}
		if err := c.state.save(c.dir); err != nil {
			return nil, err
		}
	}
	m, err := c.cgroupManager()
	if err != nil {
		return nil, err
	}
	cg := c.state.Config.Cgroups // decoded by cgroupManager
	if cg.Systemd {
		// The unit properties a bundle asks for (org.systemd.property.*
		// annotations) are not saved with the config: read them again.
		extra, err := systemdCgroup(c.id, &specs.Spec{Annotations: c.state.Annotations})
		if err != nil {
			return nil, err
		}
		cg.SystemdProps = extra.SystemdProps
		return &cgroupJoin{scope: m, cg: cg}, nil
	}
	if err := applyLimits(m, cg, cg.Resources); err != nil {
		return nil, err
	}
	return newCgroupJoin(c.state.CgroupPaths)
}

// applyLimits makes the cgroup's directories with m and sets the limits r.
func applyLimits(m cgroups.Manager, cg *cgroups.Cgroup, r *cgroups.Resources) error {
	if err := m.Apply(-1); err != nil {
		return fmt.Errorf("cgroup %s: %w", cgroupName(cg), err)
	}
	if err := m.Set(r); err != nil {
		return fmt.Errorf("cgroup %s: set limits: %w", cgroupName(cg), err)
	}
	return nil
}

// planCgroup records the paths of the container's cgroup before anything
// makes it: Create saves them with its first state, so that a delete after
// a kill at any later point finds what to remove, and makeCgroup then
// needs no save of its own. It returns the manager that makes the cgroup
// there.
func (c *nablaContainer) planCgroup() (cgroups.Manager, error) {
	m, err := c.cgroupManager()
	if err != nil {
		return nil, err
	}
	c.state.CgroupPaths = maps.Clone(m.GetPaths())
	return m, nil
}

// cgroupMaking is a cgroup being made in the background (startCgroup).
type cgroupMaking struct {
	done   chan error
	cg     *cgroups.Cgroup
	limits *cgroups.Resources // the copy of cg's that Set is given
}

// startCgroup starts making the container's cgroup, with its limits, with
// m, the manager of its saved paths, while Create's handler phases run.
// The first cpuset cgroup of a host turns the kernel's cpusets_enabled
// static key on, which patches the kernel's code, 2.2 ms of CPU here, and
// the phases take about 1 ms. (Beside init's clone it would hide nothing:
// a clone into a cgroup waits for the mkdir's cgroup_mutex.) With the
// systemd driver the cgroup is a scope, which systemd makes only around
// init (makeCgroup). makeCgroup waits for it (cgroupMade), and so does
// every removal of the cgroup (destroyCgroup).
func (c *nablaContainer) startCgroup(m cgroups.Manager) {
	cg := c.state.Config.Cgroups
	if cg.Systemd {
		return
	}
	// Set may change the limits it is given (unlimited swap with unlimited
	// memory, which runc saves): it gets a copy, taken back by cgroupMade,
	// while Create saves cg.
	limits := *cg.Resources
	mk := &cgroupMaking{done: make(chan error, 1), cg: cg, limits: &limits}
	go func() { mk.done <- applyLimits(m, cg, &limits) }()
	c.making = mk
}

// cgroupMade waits for the cgroup startCgroup makes and says how it went,
// once.
func (c *nablaContainer) cgroupMade() error {
	mk := c.making
	if mk == nil {
		return nil
	}
	c.making = nil
	err := <-mk.done
	*mk.cg.Resources = *mk.limits
	return err
}

// cgroupJoin is how init enters its cgroup without anyone writing its pid
// to cgroup.procs: that write takes the kernel's global threadgroup lock
// for writing, which waits for an RCU grace period, 10 to 20 ms here, in
// runc's create too. Instead init is cloned straight into the cgroup v2
// directory (CLONE_INTO_CGROUP), and as its first act, still one thread,
// it writes "0" to the "tasks" file of each v1 hierarchy, which moves the
// caller alone and so needs no such lock.
//
// systemd refuses to start a scope without a process in it ("Scope has
// no PIDs. Refusing.", in 252, Debian 12's, as in its current sources),
// and a pid can be handed to it only once the process exists: with the
// systemd driver init starts where runnc runs and systemd moves it when it
// makes the scope (adopt), as runc and crun do. That move is the
// cgroup.procs write above, paid once per create with the D-Bus calls:
// under the VM suite's TCG systemd made the scope in 90-300 ms and set the
// limits in 45-105 ms, and a create's median was 0.4-0.7 s against
// 0.3-0.35 s with cgroupfs. init has done nothing yet but join its network
// namespace, and the workload only runs after start.
type cgroupJoin struct {
	v2 *os.File // the cgroup v2 directory, or nil without one
	v1 []string // the v1 directories, for init
	// scope is the systemd manager that makes the cgroup in adopt, with
	// the limits of cg; nil with cgroupfs.
	scope cgroups.Manager
	cg    *cgroups.Cgroup
}

func newCgroupJoin(paths map[string]string) (*cgroupJoin, error) {
	j := &cgroupJoin{}
	for _, name := range slices.Sorted(maps.Keys(paths)) {
		dir := paths[name]
		var st unix.Statfs_t
		err := unix.Statfs(dir, &st)
		if errors.Is(err, unix.ENOENT) {
			continue // a hierarchy Apply leaves alone (devices: see withoutDevices)
		}
		if err != nil {
			j.close()
			return nil, fmt.Errorf("cgroup %s: %w", dir, err)
		}
		if st.Type != unix.CGROUP2_SUPER_MAGIC {
			if strings.ContainsRune(dir, '\n') {
				j.close()
				return nil, fmt.Errorf("cgroup path %q holds a newline: choose another linux.cgroupsPath", dir)
			}
			j.v1 = append(j.v1, dir)
			continue
		}
		f, err := os.OpenFile(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			j.close()
			return nil, fmt.Errorf("open cgroup %s: %w", dir, err)
		}
		j.v2 = f
	}
	return j, nil
}

// set makes init start in the cgroup.
func (j *cgroupJoin) set(l *initLaunch) {
	if j.v2 != nil {
		l.sys.UseCgroupFD = true
		l.sys.CgroupFD = int(j.v2.Fd())
	}
	if len(j.v1) > 0 {
		l.env = append(l.env, envCgroups+"="+strings.Join(j.v1, "\n"))
	}
}

// adopt puts the started init in its cgroup when systemd makes it: the
// transient scope is started with init's pid, then the limits are set
// through the unit's properties and the cgroup files.
func (j *cgroupJoin) adopt(pid int) error {
	if j.scope == nil {
		return nil
	}
	start := time.Now()
	if err := j.scope.Apply(pid); err != nil {
		return fmt.Errorf("systemd scope %s: %w", cgroupName(j.cg), err)
	}
	made := time.Now()
	if err := j.scope.Set(j.cg.Resources); err != nil {
		return fmt.Errorf("systemd scope %s: set limits: %w", cgroupName(j.cg), err)
	}
	// What the driver costs create, for --debug.
	logrus.Debugf("systemd scope %s: made around init in %v, limits set in %v",
		cgroupName(j.cg), made.Sub(start), time.Since(made))
	return nil
}

func (j *cgroupJoin) close() {
	if j.v2 != nil {
		j.v2.Close()
	}
}

// cgroupName names the cgroup for messages: its path, or with systemd its
// unit in its slice (system.slice when linux.cgroupsPath names none).
func cgroupName(cg *cgroups.Cgroup) string {
	if cg.Systemd {
		slice := cmp.Or(cg.Parent, "system.slice")
		return slice + "/" + cg.ScopePrefix + "-" + cg.Name + ".scope"
	}
	if cg.Path != "" {
		return cg.Path
	}
	return cg.Parent + "/" + cg.Name
}

// frozen reports whether the container's cgroup is frozen (paused).
func (c *nablaContainer) frozen() bool {
	// The freezer files are read straight from the saved paths: a cgroup
	// manager would cost every status check (start, state, kill) the
	// decoding of the container's config.
	if p := c.state.CgroupPaths["freezer"]; p != "" {
		st, err := (&fs.FreezerGroup{}).GetState(p)
		return err == nil && st == cgroups.Frozen
	}
	if p := c.state.CgroupPaths[""]; p != "" && cgroups.IsCgroup2UnifiedMode() {
		v, err := cgroups.ReadFile(p, "cgroup.freeze")
		return err == nil && strings.TrimSpace(v) == "1"
	}
	return false
}

// destroyCgroup removes the container's cgroup; its process is dead.
func (c *nablaContainer) destroyCgroup() error {
	return c.removeCgroup()()
}

// removeCgroup starts removing the container's cgroup, whose process is
// dead, on another thread, and returns the wait for it: destroy runs the
// handlers' Destroy phases meanwhile. Without recorded paths but with an
// init started, create may have died between making the cgroup and saving
// its paths: the manager then finds them from the configuration.
func (c *nablaContainer) removeCgroup() (wait func() error) {
	c.cgroupMade() // what it made, if anything, is removed below
	if len(c.state.CgroupPaths) == 0 && c.state.InitPid == 0 {
		return func() error { return nil }
	}
	m, err := c.cgroupManager()
	if err != nil {
		return func() error { return err }
	}
	done := make(chan error, 1)
	go func() { done <- m.Destroy() }()
	return func() error { return <-done }
}

// withoutDevices drops device rules: a unikernel opens no device after the
// tender's set-up (its filter forbids open()), so they add nothing but the
// need for a device-filter implementation.
func withoutDevices(r *cgroups.Resources) {
	r.SkipDevices = true
	r.Devices = nil
}
