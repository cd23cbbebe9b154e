package image_test

import (
	"archive/tar"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A later layer puts a symlink to a host directory where an earlier layer
// had a directory, or had one on the directory's path: setting the
// directories' mtimes once the layers are in never follows it, and the
// host directories keep their times.
func TestPullNeverRetimesHostFiles(t *testing.T) {
	e := newEnv(t)
	host := t.TempDir()
	inner := filepath.Join(host, "c")
	if err := os.Mkdir(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Unix(1e9, 0)
	for _, p := range []string{host, inner} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	dir := func(name string) entry { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }
	img := makeImage(t, nil, nil,
		layerOf(t, file("hello.nabla", hello(t), 0o755), dir("a/"), dir("b/"), dir("b/c/"), dir("d/"), file("d/e/f", nil, 0o644)),
		layerOf(t,
			entry{name: "a", typ: tar.TypeSymlink, link: host},
			entry{name: "b", typ: tar.TypeSymlink, link: host},
		))
	e.pull("oci:" + writeLayout(t, img, "1"))
	for _, p := range []string{host, inner} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(old) {
			t.Errorf("the pull set the mtime of the host directory %s to %v", p, fi.ModTime())
		}
	}
	rootfs := rootfsOf(t, e, img)
	// Directories that stay directories get their times all the same.
	for p, want := range map[string]time.Time{"d": time.Unix(1700000000, 0), "d/e": time.Unix(0, 0)} {
		if fi, err := os.Lstat(filepath.Join(rootfs, p)); err != nil || !fi.ModTime().Equal(want) {
			t.Errorf("directory %s of the rootfs has mtime %v (%v), want %v", p, fi.ModTime(), err, want)
		}
	}
	for _, name := range []string{"a", "b"} {
		if target, err := os.Readlink(filepath.Join(rootfs, name)); err != nil || target != host {
			t.Errorf("%s in the rootfs is %q (%v), want a symlink to %s", name, target, err, host)
		}
	}
}
