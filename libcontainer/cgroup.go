package libcontainer

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
	"github.com/opencontainers/cgroups/fs2"
	"golang.org/x/sys/unix"
)

// cgroupManager returns the cgroupfs manager of the container's cgroup
// (linux.cgroupsPath). The systemd driver is not linked in: it would cost
// every runnc invocation its start-up, and engines here use cgroupfs.
func (c *nablaContainer) cgroupManager() (cgroups.Manager, error) {
	cfg, err := c.state.config()
	if err != nil {
		return nil, err
	}
	cg := cfg.Cgroups
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

// makeCgroup makes the container's cgroup and sets its limits before init
// exists, and tells how init joins it (see cgroupJoin). Its paths are
// saved first, so a delete after a kill at any point finds what to remove.
func (c *nablaContainer) makeCgroup() (*cgroupJoin, error) {
	m, err := c.cgroupManager()
	if err != nil {
		return nil, err
	}
	cg := c.state.Config.Cgroups // decoded by cgroupManager
	name := cgroupName(cg)
	c.state.CgroupPaths = m.GetPaths()
	if err := c.state.save(c.dir); err != nil {
		return nil, err
	}
	if err := m.Apply(-1); err != nil {
		return nil, fmt.Errorf("cgroup %s: %w", name, err)
	}
	if err := m.Set(cg.Resources); err != nil {
		return nil, fmt.Errorf("cgroup %s: set limits: %w", name, err)
	}
	return newCgroupJoin(c.state.CgroupPaths)
}

// cgroupJoin is how init enters its cgroup without anyone writing its pid
// to cgroup.procs: that write takes the kernel's global threadgroup lock
// for writing, which waits for an RCU grace period, 10 to 20 ms here, in
// runc's create too. Instead init is cloned straight into the cgroup v2
// directory (CLONE_INTO_CGROUP), and as its first act, still one thread,
// it writes "0" to the "tasks" file of each v1 hierarchy, which moves the
// caller alone and so needs no such lock.
type cgroupJoin struct {
	v2 *os.File // the cgroup v2 directory, or nil without one
	v1 []string // the v1 directories, for init
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

// set makes cmd start in the cgroup.
func (j *cgroupJoin) set(cmd *exec.Cmd) {
	if j.v2 != nil {
		cmd.SysProcAttr.UseCgroupFD = true
		cmd.SysProcAttr.CgroupFD = int(j.v2.Fd())
	}
	if len(j.v1) > 0 {
		cmd.Env = append(cmd.Env, envCgroups+"="+strings.Join(j.v1, "\n"))
	}
}

func (j *cgroupJoin) close() {
	if j.v2 != nil {
		j.v2.Close()
	}
}

func cgroupName(cg *cgroups.Cgroup) string {
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
