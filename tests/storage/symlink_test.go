package storage_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
)

// A root.path that is a symlink, or has one on its way, is resolved once:
// the disk image holds the tree it names, never just the link.
func TestSymlinkedRootfsIsResolved(t *testing.T) {
	e := newEnv(t)
	real := writeTree(t, map[string]string{"hello.nabla": "x", "etc/greeting": "hi"})
	base := t.TempDir()
	links := map[string]string{
		"absolute": real,
		"relative": mustRel(t, base, real),
		"chain":    filepath.Join(base, "absolute"),
		"dir/":     filepath.Dir(real),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(base, strings.TrimSuffix(name, "/"))); err != nil {
			t.Fatal(err)
		}
	}
	for name := range links {
		rootfs := filepath.Join(base, name)
		if strings.HasSuffix(name, "/") {
			rootfs = filepath.Join(base, name, filepath.Base(real))
		}
		st := e.create("c-"+strings.Trim(name, "/"), rootfs)
		listing := run(t, isoinfo, "-R", "-f", "-i", st.Get(llif.FsDisk))
		if !strings.Contains(listing, "/etc/greeting") || !strings.Contains(listing, "/hello.nabla") {
			t.Errorf("rootfs %s (a symlink to %s): the disk image lists %q, not the tree", rootfs, links[name], listing)
		}
	}
}

func mustRel(t *testing.T, base, target string) string {
	t.Helper()
	rel, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
