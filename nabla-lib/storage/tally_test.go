package storage

import (
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// tallyOf reads dir's tally; ok false when it has none.
func tallyOf(t *testing.T, dir string) (int64, bool) {
	t.Helper()
	tl, err := lockTally(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tl.unlock()
	return tl.get()
}

// wantTally fails the test unless dir's tally is want bytes; when says
// after what.
func wantTally(t *testing.T, dir string, want int64, when string) {
	t.Helper()
	if n, ok := tallyOf(t, dir); !ok || n != want {
		t.Fatalf("tally %s: %d (%v), want %d", when, n, ok, want)
	}
}

// The tally follows marks made, reused and evicted, and while it is within
// the limit trim reads nothing: an image marked behind its back (as by a
// runnc that knew no tally) stays until a trim over the limit, or the
// boot's first sweep, counts again.
func TestTallyKeepsTrimFromReading(t *testing.T) {
	dir := t.TempDir()
	at := func(s int) time.Time { return time.Unix(1e9+int64(s), 0) }
	fakeUnused(t, dir, key("k1"), 100, at(1))
	if _, ok := tallyOf(t, dir); ok {
		t.Fatal("a tally before any trim counted")
	}
	trim(dir, 1000, false)
	wantTally(t, dir, 100, "after the first trim")
	k2 := fakeUnused(t, dir, key("k2"), 200, at(2))
	wantTally(t, dir, 300, "after marking k2")
	// Marking again (a sweep settling a killed release) counts nothing.
	if err := k2.markUnused(); err != nil {
		t.Fatal(err)
	}
	wantTally(t, dir, 300, "after marking k2 twice")
	// k3 is marked without the tally: trim within the limit never sees it.
	k3 := image{dir: dir, key: key("k3")}
	if err := os.WriteFile(k3.path(), make([]byte, 5000), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k3.unusedPath(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	trim(dir, 1000, false)
	if _, err := os.Stat(k3.path()); err != nil {
		t.Fatalf("a trim within the tally's limit read the directory: %v", err)
	}
	trim(dir, 1000, true)
	if _, err := os.Stat(k3.path()); err == nil {
		t.Fatal("a recounting trim kept an image over the limit")
	}
	wantTally(t, dir, 300, "after the recount")
	// Reused: uncounted. Evicted: uncounted.
	if err := k2.unmark(); err != nil {
		t.Fatal(err)
	}
	wantTally(t, dir, 100, "after reusing k2")
	trim(dir, 0, false)
	wantTally(t, dir, 0, "after trimming to 0")
	if got, want := dirNames(t, dir), []string{"k2.iso"}; !slices.Equal(got, want) {
		t.Fatalf("after trimming to 0: %v, want %v", got, want)
	}
}

// A tally that would go below zero was wrong: it goes, and the next trim
// reads the directory. So does one that is not a number.
func TestTallyForgetsWhatCannotBeTrue(t *testing.T) {
	dir := t.TempDir()
	tl, err := lockTally(dir)
	if err != nil {
		t.Fatal(err)
	}
	tl.set(10)
	tl.add(-11)
	_, ok := tl.get()
	tl.unlock()
	if ok {
		t.Fatal("a tally below zero stayed")
	}
	if err := unix.Setxattr(dir, unusedXattr, []byte("lots"), 0); err != nil {
		t.Fatal(err)
	}
	if _, ok := tallyOf(t, dir); ok {
		t.Fatal("a tally that is no number was read")
	}
	fakeUnused(t, dir, key("k1"), 100, time.Unix(1e9, 0))
	trim(dir, 50, false)
	if got := dirNames(t, dir); len(got) != 0 {
		t.Fatalf("trim with no tally to trust kept %v", got)
	}
	wantTally(t, dir, 0, "after the trim")
}

// Releases, reuses and trims of many images at once, each under its key's
// lock as runnc's are, leave the tally at what a count finds, and the
// unused images within the limit.
func TestTallyUnderConcurrency(t *testing.T) {
	dir := t.TempDir()
	trim(dir, 0, true) // the boot's first sweep: a tally of 0
	const limit = 1000
	var keys []string // made here: key records tags in a map
	for i := range 12 {
		keys = append(keys, key(fmt.Sprint("c", i)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := range 40 {
				im := image{dir: dir, key: keys[(w+i)%12]}
				l, _, err := lockKey(dir, im.key, true)
				if err != nil {
					errs <- err
					return
				}
				if _, err := os.Stat(im.unusedPath()); err == nil {
					err = im.unmark() // a create takes it
				} else {
					if _, err := os.Stat(im.path()); err != nil {
						err = os.WriteFile(im.path(), make([]byte, 100+10*((w+i)%12)), 0o444)
					}
					if err == nil {
						err = im.markUnused() // its last user went
					}
				}
				l.unlock()
				if err != nil {
					errs <- err
					return
				}
				trim(dir, limit, false)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	tallied, ok := tallyOf(t, dir)
	l, err := listDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	found, _ := measureUnused(dir, l.unused)
	var total int64
	for _, im := range found {
		total += im.size
	}
	if !ok || tallied != total {
		t.Fatalf("tally %d (%v) after the storm, a count finds %d bytes", tallied, ok, total)
	}
	if total > limit {
		t.Fatalf("%d bytes of unused images left, over the limit of %d", total, limit)
	}
}

// A create records its user before it removes the mark, and uncounts the
// mark then: a recount between the two counts the mark, and evicts nothing
// in use.
func TestTallyCountsAMarkBesideUsers(t *testing.T) {
	dir := t.TempDir()
	k1 := fakeUnused(t, dir, key("k1"), 100, time.Unix(1e9, 0))
	if err := k1.addUser("c1@x", dir); err != nil {
		t.Fatal(err)
	}
	trim(dir, 0, true)
	wantTally(t, dir, 100, "after a recount beside a user")
	if _, err := os.Stat(k1.path()); err != nil {
		t.Fatalf("a recount evicted an image in use: %v", err)
	}
	if err := k1.unmark(); err != nil {
		t.Fatal(err)
	}
	wantTally(t, dir, 0, "once the create removed the mark")
}
