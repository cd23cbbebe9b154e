//go:build vmguest

// Package guest_test holds the checks of make test-vm that only make
// sense inside its virtual machine (tests/vm builds them with the tag
// vmguest and runs them there): that the machine is the host runnc's users
// have, how long create takes with each cgroup driver, and that the suite
// left nothing in systemd's tree.
package guest_test

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// TestHost checks that the suite runs where it means to: systemd as
// PID 1, one cgroup v2 hierarchy with the controllers runnc sets.
func TestHost(t *testing.T) {
	if exe, err := os.Readlink("/proc/1/exe"); err != nil || filepath.Base(exe) != "systemd" {
		t.Errorf("PID 1 is %q (%v), want systemd", exe, err)
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		t.Fatalf("/sys/fs/cgroup is not a cgroup v2 mount (type %#x, %v)", st.Type, err)
	}
	// systemd enables a controller below the root when a unit asks for it.
	data, err := os.ReadFile("/sys/fs/cgroup/cgroup.controllers")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"cpu", "memory", "pids", "cpuset"} {
		if !slices.Contains(strings.Fields(string(data)), c) {
			t.Errorf("the cgroup v2 root has no controller %s (%q)", c, data)
		}
	}
	out, err := exec.Command("systemctl", "--version").Output()
	if err != nil {
		t.Fatalf("systemctl --version: %v", err)
	}
	t.Logf("%s", strings.SplitN(string(out), "\n", 2)[0])
}

// Names of the scopes the suite's containers get: runnc's own without a
// cgroupsPath, podman's (and conmon's, libpod-conmon-), containerd's CRI.
// runncclients is the slice of the CRI tests' pods.
var containerUnits = []string{"runnc-", "libpod-", "cri-containerd-", "runncclients"}

// TestNothingLeft runs last: every container's scope, and the slices the
// tests' pods were in, must be gone from systemd and from the cgroup tree.
func TestNothingLeft(t *testing.T) {
	out, err := exec.Command("systemctl", "list-units", "--all", "--plain", "--no-legend", "--type=scope,slice").Output()
	if err != nil {
		t.Fatalf("systemctl list-units: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		unit := strings.Fields(line + " ")[0]
		if ours(unit) {
			t.Errorf("systemd still has the unit %q", line)
		}
	}
	filepath.WalkDir("/sys/fs/cgroup", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && ours(d.Name()) {
			t.Errorf("cgroup %s is left", p)
		}
		return nil
	})
}

func ours(name string) bool {
	if !strings.HasSuffix(name, ".scope") && !strings.HasSuffix(name, ".slice") {
		return false
	}
	for _, prefix := range containerUnits {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// TestAppArmor: process.apparmorProfile confines the tender from its exec
// on, as Docker's docker-default confines a runc container's process
// wherever AppArmor is on, which it is in Debian's kernel; a profile the
// kernel does not know fails the create.
func TestAppArmor(t *testing.T) {
	const name = "runnc-vm-test"
	// Complain mode: the profile forbids nothing, and its name in the
	// tender's label shows that it was applied.
	profile := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(profile, []byte("profile "+name+" flags=(complain) {\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("apparmor_parser", "--replace", profile).CombinedOutput(); err != nil {
		t.Fatalf("apparmor_parser --replace: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("apparmor_parser", "--remove", profile).Run() })
	r := testenv.NewRunnc(t)
	for _, c := range []struct{ profile, want string }{
		{name, name + " (complain)"},
		{"no-such-profile", `set the workload's security label "exec no-such-profile"`},
	} {
		b := r.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla", "sleep"}, func(s *specs.Spec) { s.Process.ApparmorProfile = c.profile })
		id := "apparmor-" + c.profile
		res := r.Run("create", "--bundle", b, id)
		if c.profile != name {
			if res.Code == 0 || !strings.Contains(res.Stderr, c.want) {
				t.Errorf("create with profile %s: exit %d, %q; want a refusal with %q", c.profile, res.Code, res.Stderr, c.want)
			}
			continue
		}
		if res.Code != 0 {
			t.Fatalf("create with profile %s: %s", c.profile, res.Stderr)
		}
		if res := r.Run("start", id); res.Code != 0 {
			t.Fatalf("start: %s", res.Stderr)
		}
		pid := r.WaitStatus(t, id, "running")
		label, err := os.ReadFile(fmt.Sprintf("/proc/%d/attr/current", pid))
		if err != nil || strings.TrimSpace(string(label)) != c.want {
			t.Errorf("the tender's AppArmor label is %q (%v), want %q", label, err, c.want)
		}
		if res := r.Run("delete", "--force", id); res.Code != 0 {
			t.Errorf("delete: %s", res.Stderr)
		}
	}
}

// TestCreateTime logs how long runnc create takes with each cgroup driver.
// With cgroupfs, init is cloned into its cgroup; with systemd, init starts
// where runnc runs and systemd moves it into the scope it makes around it:
// a D-Bus round trip, a job, and the cgroup.procs write cloning avoids.
func TestCreateTime(t *testing.T) {
	for _, driver := range []string{"cgroupfs", "systemd"} {
		r := testenv.NewRunnc(t)
		r.DiskCache = "" // the default: every create after the first reuses the disk image
		// Each pass chooses its driver, whatever RUNNC_TEST_CGROUP_DRIVER
		// made NewRunnc choose.
		r.Extra = slices.DeleteFunc(r.Extra, func(a string) bool { return a == "--systemd-cgroup" })
		if driver == "systemd" {
			r.Extra = append(r.Extra, "--systemd-cgroup", "--debug")
		}
		b := r.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla"}, nil)
		var times []time.Duration
		for i := range 5 {
			id := fmt.Sprintf("%s%d", driver, i)
			start := time.Now()
			res := r.Run("create", "--bundle", b, id)
			times = append(times, time.Since(start))
			if res.Code != 0 {
				t.Fatalf("create with %s: %s", driver, res.Stderr)
			}
			if res := r.Run("delete", "--force", id); res.Code != 0 {
				t.Fatalf("delete with %s: %s", driver, res.Stderr)
			}
		}
		slices.Sort(times)
		t.Logf("runnc create with %s: median %v, min %v, max %v of %d (under TCG)", driver,
			times[len(times)/2].Round(time.Millisecond), times[0].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond), len(times))
		// The systemd driver's share, as runnc --debug logs it.
		data, _ := os.ReadFile(r.Log)
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "systemd scope") {
				t.Log(line)
			}
		}
	}
}
