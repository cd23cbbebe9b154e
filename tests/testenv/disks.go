package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/nabla-lib/storage"
)

// DiskImages stands for the disk images that runnc invocations the tests
// do not make themselves leave in a disk directory: engines call runnc
// with its default --disk-dir and --disk-cache, so an image stays there,
// unused, after its last container.
type DiskImages struct {
	dir   string
	since time.Time
}

// NoteDiskImages notes the time: images that dir holds now and that the
// tests do not use are not theirs.
func NoteDiskImages(dir string) DiskImages {
	return DiskImages{dir: dir, since: time.Now()}
}

// EvictNew removes the images of the directory that lost their last
// container since they were noted and have none now: the tests leave none
// of the images they used behind, even when test packages running at the
// same time share the directory and its images.
func (d DiskImages) EvictNew() error {
	if err := storage.EvictUsedSince(d.dir, d.since); err != nil {
		return fmt.Errorf("remove the disk images the tests left unused in %s: %w", d.dir, err)
	}
	return nil
}

// CleanUpDiskImages removes, when t and its cleanups registered later have
// ended, the images of dir that lost their last container meanwhile and
// have none then (see EvictNew).
func CleanUpDiskImages(t testing.TB, dir string) {
	d := NoteDiskImages(dir)
	t.Cleanup(func() {
		if err := d.EvictNew(); err != nil {
			t.Error(err)
		}
	})
}

// SoleDiskImage is the path of the one disk image in dir; the test fails
// if there is none or more than one.
func SoleDiskImage(t testing.TB, dir string) string {
	t.Helper()
	isos, err := filepath.Glob(filepath.Join(dir, "*.iso"))
	if err != nil || len(isos) != 1 {
		t.Fatalf("disk directory %s holds images %v, want one", dir, isos)
	}
	return isos[0]
}

// IdleUsersDir tells whether name, in the disk directory dir, is the users
// directory of an image there with no user in it: runnc keeps an image's
// users directory as long as the image.
func IdleUsersDir(dir, name string) bool {
	key, ok := strings.CutSuffix(name, ".users")
	if !ok {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, key+".iso")); err != nil {
		return false
	}
	users, err := os.ReadDir(filepath.Join(dir, name))
	return err == nil && len(users) == 0
}
