package clients_test

import (
	"os/exec"
	"path"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
	"github.com/opencontainers/cgroups/systemd"
)

// Where the clients put their containers' cgroups depends on the cgroup
// driver the tests run with (testenv.SystemdCgroup). With cgroupfs, every
// parent is a directory of the tests' own, removed at the end. With
// systemd, podman keeps its default, machine.slice, and the CRI pods get a
// slice of the tests' own below criSlice, as kubelet makes kubepods ones;
// each container is a scope systemd makes for runnc.
const (
	podmanSlice = "machine.slice"
	criSlice    = "runncclients.slice"
)

// podmanParentArgs give `podman run` the tests' cgroup parent; none with
// systemd, where podman's default is what the tests want to drive.
func podmanParentArgs() []string {
	if testenv.SystemdCgroup() {
		return nil
	}
	return []string{"--cgroup-parent", podmanCgroup}
}

// podmanParent is where podman's containers' cgroups are, relative to the
// root of each hierarchy.
func podmanParent() string {
	if testenv.SystemdCgroup() {
		return podmanSlice
	}
	return podmanCgroup
}

// podmanCgroupOf is the cgroup of podman's container id.
func podmanCgroupOf(id string) string {
	if testenv.SystemdCgroup() {
		return path.Join(podmanSlice, "libpod-"+id+".scope")
	}
	return path.Join(podmanCgroup, "libpod-"+id)
}

// criPodParent is the CgroupParent of the pod with uid, as kubelet gives
// it for the driver: a directory, or a slice ("-" nests slices).
func criPodParent(uid string) string {
	if testenv.SystemdCgroup() {
		return strings.TrimSuffix(criSlice, ".slice") + "-pod" + strings.ReplaceAll(uid, "-", "_") + ".slice"
	}
	return criCgroup + "/pod" + uid
}

// criParent is where the CRI pods' cgroups are.
func criParent() string {
	if testenv.SystemdCgroup() {
		return criSlice
	}
	return criCgroup
}

// criCgroupOf is the cgroup of the CRI container id in pod p.
func criCgroupOf(t testing.TB, p *pod, id string) string {
	t.Helper()
	parent := p.cfg.Linux.CgroupParent
	if !testenv.SystemdCgroup() {
		return path.Join(parent, id)
	}
	dir, err := systemd.ExpandSlice(parent)
	if err != nil {
		t.Fatal(err)
	}
	return path.Join(dir, "cri-containerd-"+id+".scope")
}

// removeParent removes, at the end of the test, a cgroup parent of the
// tests' own: its directories with cgroupfs, its slice with systemd (which
// made it for the first scope in it and keeps it until it is stopped).
// systemd's own slices are left alone.
func removeParent(t testing.TB, parent string) {
	if !testenv.SystemdCgroup() {
		removeCgroups(t, parent)
		return
	}
	if parent == podmanSlice {
		return
	}
	t.Cleanup(func() {
		if out, err := exec.Command("systemctl", "stop", parent).CombinedOutput(); err != nil {
			t.Errorf("systemctl stop %s: %v: %s", parent, err, out)
		}
	})
}
