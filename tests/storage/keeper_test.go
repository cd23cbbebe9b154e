package storage_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
)

// A rootfs the image store keeps gets the keeper's disk image in every
// container, found through the keeper's index (one open, not a listing
// of every user); the index goes with the keeper. An index lost (a runnc
// that wrote none, killed half way) is rebuilt by the next boot's full
// check of the keeper's image, and until then the container gets an image
// keyed by content: a build more, never another rootfs's image.
func TestKeeperIsFoundByItsIndex(t *testing.T) {
	e := newEnv(t)
	rootfs := writeTree(t, map[string]string{"hello.nabla": "x"})
	if err := storage.Keep(e.diskDir, 1<<30, 0, rootfs, "image-1"); err != nil {
		t.Fatal(err)
	}
	index := e.filesEnding(".keeper")
	if len(index) != 1 {
		t.Fatalf("Keep left %d keeper indexes, want 1: %v", len(index), e.diskEntries())
	}
	kept := e.create("c1", rootfs).Get(llif.FsDisk)
	e.destroy("c1")

	// As a runnc without indexes left it, in an earlier boot.
	if err := os.Remove(index[0]); err != nil {
		t.Fatal(err)
	}
	if other := e.create("c2", rootfs).Get(llif.FsDisk); other == kept {
		t.Fatalf("without its index the keeper was still found by a listing")
	}
	e.destroy("c2")
	for _, l := range e.filesEnding(".lock") {
		if err := os.Truncate(l, 0); err != nil { // the boot of the last full check
			t.Fatal(err)
		}
	}
	e.destroy("none") // its sweep checks every user of the kept image
	if got := e.filesEnding(".keeper"); !slices.Equal(got, index) {
		t.Fatalf("the full check left keeper indexes %v, want %v", got, index)
	}
	if again := e.create("c3", rootfs).Get(llif.FsDisk); again != kept {
		t.Fatalf("with its index restored the container got %s, want the keeper's %s", again, kept)
	}
	e.destroy("c3")

	if err := storage.Release(e.diskDir, 0, "image-1"); err != nil {
		t.Fatal(err)
	}
	if left := e.diskEntries(); len(left) != 0 {
		t.Fatalf("the released keeper left %v", left)
	}
}

// filesEnding lists the disk directory's files with suffix.
func (e *env) filesEnding(suffix string) []string {
	e.t.Helper()
	var out []string
	for _, n := range e.diskEntries() {
		if strings.HasSuffix(n, suffix) {
			out = append(out, filepath.Join(e.diskDir, n))
		}
	}
	return out
}
