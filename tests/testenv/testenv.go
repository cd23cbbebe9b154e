// Package testenv finds what the integration tests drive: the repository
// and the binaries `make` built into build/ (RUNNC_BUILD overrides).
package testenv

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	repoOnce sync.Once
	repoDir  string
)

// Repo returns the repository root: the nearest directory above the
// working directory that holds go.mod.
func Repo(t testing.TB) string {
	t.Helper()
	repoOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				repoDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return
			}
			dir = parent
		}
	})
	if repoDir == "" {
		t.Fatal("cannot find the repository root (no go.mod above the working directory)")
	}
	return repoDir
}

// BuildDir is where `make` put the binaries.
func BuildDir(t testing.TB) string {
	if d := os.Getenv("RUNNC_BUILD"); d != "" {
		return d
	}
	return filepath.Join(Repo(t), "build")
}

// Unit is set by `make unit`, which runs without root and without a build:
// a test that needs either is skipped then, and fails otherwise.
var Unit = os.Getenv("RUNNC_UNIT") != ""

// Binary returns the path of a built file below the build directory (e.g.
// "runnc", "nabla-run", "guests/hello.nabla") and fails the test if it is
// missing.
func Binary(t testing.TB, rel string) string {
	t.Helper()
	if Unit {
		t.Skipf("make unit: %s is not built", rel)
	}
	p := filepath.Join(BuildDir(t), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run make first (%v)", p, err)
	}
	return p
}

// SystemdCgroup tells whether the tests drive runnc and its clients with
// the systemd cgroup driver (runnc --systemd-cgroup, podman's default
// cgroup manager, containerd's SystemdCgroup = true): set by
// RUNNC_TEST_CGROUP_DRIVER=systemd, as make test-vm does inside its
// virtual machine, whose init is systemd.
func SystemdCgroup() bool {
	return os.Getenv("RUNNC_TEST_CGROUP_DRIVER") == "systemd"
}

// RequireRoot fails the test when not run as root: the runtime needs
// network namespaces, tap devices and cgroups.
func RequireRoot(t testing.TB) {
	t.Helper()
	if Unit {
		t.Skip("make unit: runs without root")
	}
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (network namespaces, tap devices, cgroups): run make test as root")
	}
}

// Mkdir makes directory p with mode and owner uid, for tests that plant
// directories another user could write; it returns p. The mode is set by
// Chmod, not Mkdir's: the umask would clear bits.
func Mkdir(t testing.TB, p string, mode os.FileMode, uid int) string {
	t.Helper()
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(p, uid, uid); err != nil {
		t.Fatal(err)
	}
	return p
}
