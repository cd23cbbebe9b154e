package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// staleImages makes n images in use in dir, each by one container whose
// state directory is gone (lost in a reboot), their users checked in this
// boot, and returns them.
func staleImages(t *testing.T, dir string, n int) []image {
	t.Helper()
	var ims []image
	for i := range n {
		im := image{dir: dir, key: key(fmt.Sprint("stale", i))}
		for _, p := range []string{im.path(), im.lockPath()} {
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := im.addUser("c@x", filepath.Join(dir, "gone")); err != nil {
			t.Fatal(err)
		}
		l, _, err := lockKey(dir, im.key, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.markChecked(); err != nil {
			t.Fatal(err)
		}
		l.unlock()
		ims = append(ims, im)
	}
	return ims
}

func inUse(ims []image) int {
	n := 0
	for _, im := range ims {
		if _, err := os.Stat(im.usersDir()); err == nil {
			n++
		}
	}
	return n
}

// The first sweep of a boot visits every image in use and records the
// boot on the directory; later ones visit sweepChecks of them.
func TestSweepVisitsAllOncePerBoot(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Setxattr(dir, sweptXattr, []byte("an earlier boot"), 0); err != nil {
		t.Skipf("%s cannot hold %s (%v): every sweep visits every image there", dir, sweptXattr, err)
	}
	ims := staleImages(t, dir, 30)
	sweep(dir, "", 0, false)
	if n := inUse(ims); n != 0 {
		t.Fatalf("after the boot's first sweep %d of 30 images lost in a reboot are still in use", n)
	}
	if !sweptThisBoot(dir) {
		t.Fatal("the boot's first sweep did not record the boot")
	}
	ims = staleImages(t, dir, 30)
	sweep(dir, "", 0, false)
	if n := inUse(ims); n < 30-sweepChecks {
		t.Fatalf("a later sweep released %d of 30 images with stale users, want at most %d", 30-n, sweepChecks)
	}
}

// What a build killed half way left goes when its image is next settled,
// found by its one name rather than by listing the directory; builds of
// the older, random names go at the boot's first sweep
// (TestSweepSettlesWhatAKilledRunncLeft).
func TestSweepSettlesAKilledBuild(t *testing.T) {
	dir := t.TempDir()
	if err := unix.Setxattr(dir, sweptXattr, []byte(bootID()), 0); err != nil {
		t.Skipf("%s cannot hold %s (%v)", dir, sweptXattr, err)
	}
	im := image{dir: dir, key: key("killed")} // its create died building it
	for _, p := range []string{im.lockPath(), buildPath(im.path())} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sweep(dir, "", 0, false)
	if got := dirNames(t, dir); len(got) != 0 {
		t.Fatalf("after a sweep: %v, want nothing", got)
	}
}
