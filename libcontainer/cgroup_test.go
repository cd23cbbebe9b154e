package libcontainer

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/cgroups/systemd"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestSystemdCgroupReadsSlicePrefixName(t *testing.T) {
	for _, c := range []struct {
		path, parent, prefix, name, unit string
	}{
		{"machine.slice:libpod:abc", "machine.slice", "libpod", "abc", "machine.slice/libpod-abc.scope"},
		{"kubepods-besteffort-pod1.slice:cri-containerd:def", "kubepods-besteffort-pod1.slice", "cri-containerd", "def",
			"kubepods-besteffort-pod1.slice/cri-containerd-def.scope"},
		{"", "", "runnc", "id1", "system.slice/runnc-id1.scope"},
	} {
		cg, err := systemdCgroup("id1", &specs.Spec{Linux: &specs.Linux{CgroupsPath: c.path}})
		if err != nil {
			t.Fatalf("%q: %v", c.path, err)
		}
		if !cg.Systemd || cg.Parent != c.parent || cg.ScopePrefix != c.prefix || cg.Name != c.name {
			t.Errorf("%q: systemd %v parent %q prefix %q name %q, want %q %q %q", c.path, cg.Systemd, cg.Parent, cg.ScopePrefix, cg.Name, c.parent, c.prefix, c.name)
		}
		if got := cgroupName(cg); got != c.unit {
			t.Errorf("%q: named %q in messages, want %q", c.path, got, c.unit)
		}
	}
	if _, err := systemdCgroup("id1", &specs.Spec{Linux: &specs.Linux{CgroupsPath: "/a/b"}}); err == nil || !strings.Contains(err.Error(), "slice:prefix:name") {
		t.Errorf("a cgroupfs path with the systemd driver: %v, want an error naming slice:prefix:name", err)
	}
}

// Without systemd as init, --systemd-cgroup is refused at create, before
// anything is made.
func TestSystemdCgroupWithoutSystemd(t *testing.T) {
	if systemd.IsRunningSystemd() {
		t.Skip("systemd runs this host: make test-vm drives the driver there")
	}
	f, disks := testFactory(t)
	WithSystemdCgroup(true)(f)
	_, err := f.Create("sd", testConfig(t, nil))
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "--systemd-cgroup") {
		t.Fatalf("create with the systemd driver on a host without systemd: %v, want ErrInvalidConfig naming --systemd-cgroup", err)
	}
	if _, err := os.Stat(filepath.Join(f.Root(), "sd")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the state directory is left: %v", err)
	}
	if entries, _ := os.ReadDir(disks); len(entries) != 0 {
		t.Errorf("disk dir holds %v", entries)
	}
}
