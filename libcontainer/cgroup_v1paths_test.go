package libcontainer

import (
	"maps"
	"testing"

	"github.com/opencontainers/cgroups"
	"github.com/opencontainers/cgroups/fs"
)

// relativeV1Paths finds what fs.NewManager finds for the same cgroup on
// this host (here a hybrid one, where the test's own memory cgroup is
// nested and the v2 mount is joined too): the manager's paths are runc's,
// and a version of the library that knows another hierarchy must not have
// containers left out of it.
func TestRelativeV1PathsAreTheManagers(t *testing.T) {
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("a cgroup v2 host: its containers go through the fs2 manager")
	}
	for _, skip := range []bool{false, true} {
		cg := &cgroups.Cgroup{Name: "c1", Resources: &cgroups.Resources{SkipDevices: skip}}
		m, err := fs.NewManager(cg, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, got := m.GetPaths(), relativeV1Paths(cg)
		if len(want) == 0 || !maps.Equal(got, want) {
			t.Errorf("cgroup c1 (skipping devices %v): relativeV1Paths found %v, the manager %v", skip, got, want)
		}
	}
	// Any other path is the manager's to find.
	for _, cg := range []cgroups.Cgroup{{Path: "/c1"}, {Path: "a/c1"}, {Parent: "a", Name: "c1"}, {Name: "a/c1"}, {Name: ".."}, {Name: "."}, {}} {
		cg.Resources = &cgroups.Resources{}
		if got := relativeV1Paths(&cg); got != nil {
			t.Errorf("cgroup path %q, parent %q, name %q: relativeV1Paths found %v, want nil", cg.Path, cg.Parent, cg.Name, got)
		}
	}
}
