package clients_test

import (
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cgroupRoots are the mounted cgroup hierarchies: the v1 controllers and
// the v2 (unified) one of a hybrid host, or the one v2 root.
func cgroupRoots() []string {
	entries, err := os.ReadDir("/sys/fs/cgroup")
	if err != nil {
		return nil
	}
	if _, err := os.Stat("/sys/fs/cgroup/cgroup.controllers"); err == nil {
		return []string{"/sys/fs/cgroup"}
	}
	var roots []string
	for _, e := range entries {
		p := filepath.Join("/sys/fs/cgroup", e.Name())
		if fi, err := os.Lstat(p); err == nil && fi.IsDir() { // skip cpu -> cpu,cpuacct links
			roots = append(roots, p)
		}
	}
	return roots
}

// cgroupsUnder lists the cgroups below parent (a path relative to each
// hierarchy's root, owned by the test) in every hierarchy, deepest first.
func cgroupsUnder(parent string) []string {
	var dirs []string
	for _, root := range cgroupRoots() {
		filepath.WalkDir(filepath.Join(root, parent), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return nil
		})
	}
	slices.SortFunc(dirs, func(a, b string) int { return strings.Count(b, "/") - strings.Count(a, "/") })
	return dirs
}

// removeCgroups removes the test's cgroup parent in every hierarchy
// (runtimes leave the parents they made, as runc does). It runs as a
// cleanup, after the check for leaked container cgroups. Clients' helper
// processes (conmon and its exit command) may still be leaving their own
// cgroups below it, so it tries for a while.
func removeCgroups(t testing.TB, parent string) {
	t.Cleanup(func() {
		var errs []error
		waitFor(30*time.Second, func() bool {
			errs = nil
			for _, d := range cgroupsUnder(parent) {
				if err := os.Remove(d); err != nil && !os.IsNotExist(err) {
					errs = append(errs, err)
				}
			}
			return len(errs) == 0
		})
		for _, err := range errs {
			t.Errorf("remove cgroup: %v", err)
		}
	})
}

// checkNoCgroupsFor fails the test if a cgroup named after one of ids
// (a container's own cgroup) is left anywhere below parent.
func checkNoCgroupsFor(t testing.TB, parent string, ids ...string) {
	t.Helper()
	for _, d := range cgroupsUnder(parent) {
		for _, id := range ids {
			if strings.Contains(filepath.Base(d), id) {
				t.Errorf("cgroup %s of container %s is left after its removal", d, id)
			}
		}
	}
}

// checkEmptyDir fails the test if dir (a runtime's state root) holds
// anything: every container's state must be gone.
func checkEmptyDir(t testing.TB, what, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Errorf("read %s: %v", dir, err)
	}
	for _, e := range entries {
		t.Errorf("%s left %s", what, filepath.Join(dir, e.Name()))
	}
}

// checkNoMountsUnder fails the test if anything but the ignored mount
// points is still mounted below dir (overlay rootfs, shm, netns bind
// mounts of the daemon's state).
func checkNoMountsUnder(t testing.TB, dir string, ignored ...string) {
	t.Helper()
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], dir+"/") && !slices.Contains(ignored, f[4]) {
			t.Errorf("%s is still mounted", f[4])
		}
	}
}

// removeIfNew removes path at the end of the test if it does not exist
// now, for what clients keep outside their configured directories.
func removeIfNew(t testing.TB, path string) {
	if _, err := os.Lstat(path); err == nil {
		return // not ours
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(path); err != nil {
			t.Errorf("remove %s: %v", path, err)
		}
	})
}

// removeEmptyDirsIfNew removes at the end of the test those of dirs (given
// parent first) that do not exist now, if they are empty then:
// containerd 1.6 keeps shim sockets in /run/containerd/s whatever its
// configuration says, and another containerd may be using it.
func removeEmptyDirsIfNew(t testing.TB, dirs ...string) {
	for _, d := range dirs {
		if _, err := os.Lstat(d); err == nil {
			continue
		}
		t.Cleanup(func() { os.Remove(d) }) // cleanups run last first: children before parents
	}
}

// restoreIPForward sets net.ipv4.ip_forward back at the end of the test:
// the CNI bridge plugin turns it on for a gateway bridge.
func restoreIPForward(t testing.TB) {
	const f = "/proc/sys/net/ipv4/ip_forward"
	old, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.WriteFile(f, old, 0o644); err != nil {
			t.Errorf("restore %s: %v", f, err)
		}
	})
}

// checkNoStateFor fails the test if runnc's state root holds a container
// whose bundle is below dir (the test's), that is, one it failed to
// delete.
func checkNoStateFor(t testing.TB, root, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(root, e.Name(), "state.json"))
		if err == nil && strings.Contains(string(data), dir+"/") {
			t.Errorf("runnc state %s is left after its container was removed", filepath.Join(root, e.Name()))
		}
	}
}

// checkTender checks that pid, the container's process as its client
// knows it, is the tender, and that it holds nothing inherited above
// stderr: only its wait set (fd 3), its timer (fd 4), and from fd 5 the
// devices the unikernel declares (its tap, its disk).
func checkTender(t testing.TB, pid string) {
	t.Helper()
	exe, err := os.Readlink(filepath.Join("/proc", pid, "exe"))
	if err != nil || filepath.Base(exe) != "nabla-run" {
		t.Errorf("pid %s: executable %q (%v), want the tender nabla-run", pid, exe, err)
		return
	}
	fds, err := os.ReadDir(filepath.Join("/proc", pid, "fd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join("/proc", pid, "fd", fd.Name()))
		switch {
		case fd.Name() == "0", fd.Name() == "1", fd.Name() == "2":
		case fd.Name() == "3" && target == "anon_inode:[eventpoll]":
		case fd.Name() == "4" && target == "anon_inode:[timerfd]":
		case fd.Name() >= "5" && len(fd.Name()) == 1 &&
			(target == "/dev/net/tun" || strings.HasSuffix(target, ".iso")):
		default:
			t.Errorf("the tender (pid %s) holds fd %s -> %s: nothing but its wait set (3), timer (4) and devices (5 on) may be open above stderr", pid, fd.Name(), target)
		}
	}
}

var (
	hostLock     sync.Once
	hostListener net.Listener // held, never closed: the lock
)

// lockHost keeps two runs of these tests (say, `make test` and a
// developer's `go test`) from sharing the host's names: the bridge, the
// cgroup parents. The lock is an abstract unix socket name: only one
// process can listen on it, it leaves no file, and the process's exit
// releases it.
func lockHost(t testing.TB) {
	t.Helper()
	hostLock.Do(func() {
		deadline := time.Now().Add(10 * time.Minute)
		for {
			l, err := net.Listen("unix", "@runnc-clients-tests")
			if err == nil {
				hostListener = l
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("another run of tests/clients held the host for 10 minutes: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}

// checkMemoryLimit checks that the memory cgroup at path (relative to the
// hierarchy's root) has the limit an update asked for.
func checkMemoryLimit(t testing.TB, path string, limit int64) {
	t.Helper()
	for _, f := range []string{
		filepath.Join("/sys/fs/cgroup/memory", path, "memory.limit_in_bytes"),
		filepath.Join("/sys/fs/cgroup", path, "memory.max"),
	} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if got := strings.TrimSpace(string(data)); got != strconv.FormatInt(limit, 10) {
			t.Errorf("%s: %s, want %d", f, got, limit)
		}
		return
	}
	t.Errorf("no memory cgroup %s", path)
}
