package e2e_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Paths that containerd 1.6 and dockerd 20.10 create outside their private
// directories whatever they are told; removed at the end if they are new.
// Children come after their parents.
var outsidePaths = []string{
	"/run/containerd", "/run/containerd/s",
	"/run/docker", "/run/docker/plugins",
	"/opt/containerd",
	"/etc/docker/key.json",
}

// diskDir is runnc's default --disk-dir, which the shim's calls use: the
// disk images of containers with the same rootfs are shared there, each
// with a marker per user (<key>.users/<id>@<root digest>, holding the
// container's state directory), and kept unused after their last user
// (runnc's default --disk-cache) until the run ends. Other test packages
// may use it at the same time.
const diskDir = "/var/lib/runnc/disks"

// diskUsers lists the image user markers whose container state directory
// is root or below it.
func diskUsers(root string) []string {
	var users []string
	markers, _ := filepath.Glob(filepath.Join(diskDir, "*.users", "*"))
	for _, m := range markers {
		data, err := os.ReadFile(m)
		if err == nil && (string(data) == root || strings.HasPrefix(string(data), root+"/")) {
			users = append(users, m)
		}
	}
	return users
}

// hostSnapshot is what the host looked like before the daemons started.
type hostSnapshot struct {
	links     map[string]bool
	mounts    map[string]bool
	paths     map[string]bool
	cgroupDir map[string]bool // hierarchy -> it already had a "docker" cgroup
	shimSocks map[string]bool
	iptables  string
	disks     testenv.DiskImages
}

// shimSockDir is where containerd 1.6 puts shim sockets, whatever its
// configuration says; a shim that is killed leaves its socket there.
const shimSockDir = "/run/containerd/s"

func takeSnapshot() hostSnapshot {
	s := hostSnapshot{
		links:     linkNames(),
		mounts:    mountPoints(),
		paths:     map[string]bool{},
		cgroupDir: map[string]bool{},
		shimSocks: map[string]bool{},
		iptables:  iptablesRules(),
		disks:     testenv.NoteDiskImages(diskDir),
	}
	for _, p := range outsidePaths {
		s.paths[p] = exists(p)
	}
	for _, h := range cgroupHierarchies() {
		s.cgroupDir[h] = exists(filepath.Join(h, "docker"))
	}
	for _, n := range listDir(shimSockDir) {
		s.shimSocks[n] = true
	}
	return s
}

// restore removes what the daemons made outside their directories and
// reports everything else that differs from the snapshot.
func (s hostSnapshot) restore() []error {
	var errs []error
	if err := s.disks.EvictNew(); err != nil {
		errs = append(errs, err)
	}
	for h, had := range s.cgroupDir {
		dir := filepath.Join(h, "docker")
		if had || !exists(dir) {
			continue
		}
		if left := subdirs(dir); len(left) > 0 {
			errs = append(errs, fmt.Errorf("container cgroups left in %s: %v", dir, left))
			for _, c := range left {
				unix.Rmdir(filepath.Join(dir, c))
			}
		}
		if err := unix.Rmdir(dir); err != nil {
			errs = append(errs, fmt.Errorf("remove cgroup %s: %w", dir, err))
		}
	}
	for _, n := range listDir(shimSockDir) {
		if s.shimSocks[n] {
			continue
		}
		// A live socket belongs to another containerd's shim.
		p := filepath.Join(shimSockDir, n)
		if c, err := net.Dial("unix", p); err == nil {
			c.Close()
			continue
		}
		errs = append(errs, fmt.Errorf("a killed shim left its socket %s", p))
		os.Remove(p)
	}
	for i := len(outsidePaths) - 1; i >= 0; i-- {
		p := outsidePaths[i]
		if s.paths[p] || !exists(p) {
			continue
		}
		if err := os.Remove(p); err != nil {
			errs = append(errs, fmt.Errorf("remove %s (made by the daemons): %w; it holds %v", p, err, listDir(p)))
		}
	}
	if extra := newKeys(s.links, linkNames()); len(extra) > 0 {
		errs = append(errs, fmt.Errorf("tap devices or bridges left on the host: %v", extra))
	}
	if extra := newKeys(s.mounts, mountPoints()); len(extra) > 0 {
		errs = append(errs, fmt.Errorf("mounts left on the host: %v", extra))
	}
	if now := iptablesRules(); now != s.iptables {
		errs = append(errs, fmt.Errorf("iptables rules changed during the run:\nbefore:\n%s\nafter:\n%s", s.iptables, now))
	}
	return errs
}

// containerLeftovers lists what is still on the host for a removed
// container: its cgroups, runnc's state directory, mounts and processes
// naming it. Docker removes asynchronously, so it waits a little.
func (d *daemon) containerLeftovers(id string) []string {
	return waitGone(func() []string {
		var left []string
		for _, h := range cgroupHierarchies() {
			if p := filepath.Join(h, "docker", id); exists(p) {
				left = append(left, "cgroup "+p)
			}
		}
		if p := filepath.Join(d.runtimeRoot, id); exists(p) {
			left = append(left, "runnc state "+p)
		}
		for _, m := range diskUsers(filepath.Join(d.runtimeRoot, id)) {
			left = append(left, "disk image user "+m)
		}
		for m := range mountPoints() {
			if strings.Contains(m, id) {
				left = append(left, "mount "+m)
			}
		}
		for _, pid := range pidsWithArgs(id) {
			left = append(left, fmt.Sprintf("process %d", pid))
		}
		return left
	})
}

// waitGone polls check for up to 10 s until it reports nothing, and
// returns what it reported last.
func waitGone(check func() []string) []string {
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := check()
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// unmountUnder detaches every mount below dir, deepest first.
func unmountUnder(dir string) {
	var under []string
	for m := range mountPoints() {
		if strings.HasPrefix(m, dir+"/") || m == dir {
			under = append(under, m)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(under)))
	for _, m := range under {
		unix.Unmount(m, unix.MNT_DETACH)
	}
}

// linkNames lists the host's tap devices and bridges: what runnc and
// dockerd could leave. Veths are left out because other test packages,
// which may run at the same time, make their own.
func linkNames() map[string]bool {
	names := map[string]bool{}
	links, _ := netlink.LinkList()
	for _, l := range links {
		if t := l.Type(); t == "tuntap" || t == "bridge" {
			names[l.Attrs().Name] = true
		}
	}
	return names
}

// ourMount tells whether a mount point is one that dockerd, containerd or
// runnc could have made. Other packages' tests, which may run at the same
// time, mount network namespaces under /run/netns: runnc makes none there.
func ourMount(m string) bool {
	// The bench names its pods' namespaces after the runtime ("rnbench-PID-runnc").
	if strings.HasPrefix(m, "/run/netns/") {
		return false
	}
	for _, k := range []string{"docker", "containerd", "runnc"} {
		if strings.Contains(m, k) {
			return true
		}
	}
	return false
}

func mountPoints() map[string]bool {
	points := map[string]bool{}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return points
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) > 4 && ourMount(fields[4]) {
			points[fields[4]] = true
		}
	}
	return points
}

// iptablesRules is the filter and nat tables without counters, or "" when
// iptables is not installed.
func iptablesRules() string {
	out, err := exec.Command("iptables-save").Output()
	if err != nil {
		return ""
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "#") {
			continue
		}
		if i := strings.Index(l, " ["); strings.HasPrefix(l, ":") && i > 0 {
			l = l[:i]
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

// cgroupHierarchies lists the mounted cgroup hierarchies (v1 controllers
// and the unified one) below /sys/fs/cgroup.
func cgroupHierarchies() []string {
	var hs []string
	var st unix.Statfs_t
	for _, name := range listDir("/sys/fs/cgroup") {
		p := filepath.Join("/sys/fs/cgroup", name)
		if unix.Statfs(p, &st) == nil && (st.Type == unix.CGROUP_SUPER_MAGIC || st.Type == unix.CGROUP2_SUPER_MAGIC) {
			hs = append(hs, p)
		}
	}
	if unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		hs = append(hs, "/sys/fs/cgroup")
	}
	return hs
}

func subdirs(dir string) []string {
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func listDir(dir string) []string {
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func newKeys(before, after map[string]bool) []string {
	var extra []string
	for k := range after {
		if !before[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return extra
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
