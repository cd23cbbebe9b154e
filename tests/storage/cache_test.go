package storage_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// These tests drive the built runnc with its --disk-cache, as users do.

// newCachingRunnc is a private runnc installation with the default
// --disk-cache.
func newCachingRunnc(t *testing.T) *testenv.Runnc {
	r := testenv.NewRunnc(t)
	r.DiskCache = ""
	return r
}

// helloBundle is a bundle running hello.nabla whose rootfs also holds
// name, so bundles of different names have different disk images.
func helloBundle(t *testing.T, r *testenv.Runnc, name string) string {
	t.Helper()
	b := r.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla"}, nil)
	if err := os.WriteFile(filepath.Join(b, "rootfs", name), []byte(name), 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRun(t *testing.T, r *testenv.Runnc, args ...string) {
	t.Helper()
	if res := r.Run(args...); res.Code != 0 {
		t.Fatalf("runnc %v: exit %d: %s", args, res.Code, res.Stderr)
	}
}

// lifecycle runs a container of bundle to its end: create, start, wait,
// delete.
func lifecycle(t *testing.T, r *testenv.Runnc, bundle, id string) {
	t.Helper()
	mustRun(t, r, "run", "--bundle", bundle, id)
}

// diskFiles lists the disk directory, sorted.
func diskFiles(t *testing.T, r *testenv.Runnc) []string {
	t.Helper()
	entries, err := os.ReadDir(r.DiskDir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// unusedImages are the keys of the images kept unused, checking that the
// disk directory holds nothing else: no users, lock or unfinished build.
func unusedImages(t *testing.T, r *testenv.Runnc) []string {
	t.Helper()
	files := diskFiles(t, r)
	var keys []string
	for _, f := range files {
		if key, ok := strings.CutSuffix(f, ".iso"); ok {
			keys = append(keys, key)
		}
	}
	var want []string
	for _, k := range keys {
		want = append(want, k+".iso", k+".unused", k+".users")
		if !testenv.IdleUsersDir(r.DiskDir, k+".users") {
			t.Fatalf("unused image %s has no empty users directory", k)
		}
	}
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Fatalf("disk directory holds %v, want only unused images (.iso, .unused and an empty .users each)", files)
	}
	return keys
}

// fileID identifies a file: its inode and change time (a deleted and
// rebuilt file may get the inode number back).
func fileID(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("inode %d changed %d.%09d", st.Ino, st.Ctim.Sec, st.Ctim.Nsec)
}

// The benchmark's loop: containers of one bundle one after the other. The
// first builds the disk image; it stays unused after each delete and every
// later container gets the same file, never a rebuilt copy.
func TestSequentialContainersReuseTheImage(t *testing.T) {
	r := newCachingRunnc(t)
	bundle := helloBundle(t, r, "seq")
	lifecycle(t, r, bundle, "seq0")
	keys := unusedImages(t, r)
	if len(keys) != 1 {
		t.Fatalf("after one container, unused images %v, want one", keys)
	}
	iso := filepath.Join(r.DiskDir, keys[0]+".iso")
	first := fileID(t, iso)
	for i := 1; i < 4; i++ {
		id := fmt.Sprintf("seq%d", i)
		mustRun(t, r, "create", "--bundle", bundle, id)
		// In use: the users win over the mark, which is gone.
		if got := diskFiles(t, r); slices.Contains(got, keys[0]+".unused") || testenv.IdleUsersDir(r.DiskDir, keys[0]+".users") {
			t.Fatalf("container %s uses the image, but the disk directory holds %v, and no user of it", id, got)
		}
		mustRun(t, r, "start", id)
		mustRun(t, r, "delete", "--force", id)
		if got := unusedImages(t, r); !slices.Equal(got, keys) {
			t.Fatalf("after container %s, unused images %v, want %v", id, got, keys)
		}
		if now := fileID(t, iso); now != first {
			t.Fatalf("container %s got a rebuilt image (%s, was %s)", id, now, first)
		}
	}
}

// With room for two unused images, the least recently used goes first;
// an image larger than the limit does not stay at all.
func TestUnusedImagesAreEvictedLeastRecentlyUsedFirst(t *testing.T) {
	r := newCachingRunnc(t)
	bundles := map[string]string{}
	for _, name := range []string{"a", "b", "c"} {
		bundles[name] = helloBundle(t, r, name)
	}
	// The images of the three bundles differ by one small file: their
	// sizes are alike, and room for two and a half holds two.
	r.DiskCache = "0"
	mustRun(t, r, "create", "--bundle", bundles["a"], "measure")
	fi, err := os.Stat(testenv.SoleDiskImage(t, r.DiskDir))
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, r, "delete", "measure")
	r.DiskCache = fmt.Sprint(fi.Size() * 5 / 2)

	keyOf := map[string]string{}
	run := func(name string) {
		t.Helper()
		before := unusedImages(t, r)
		lifecycle(t, r, bundles[name], name)
		for _, k := range unusedImages(t, r) {
			if !slices.Contains(before, k) {
				keyOf[name] = k
			}
		}
	}
	check := func(what string, names ...string) {
		t.Helper()
		var want []string
		for _, n := range names {
			want = append(want, keyOf[n])
		}
		slices.Sort(want)
		if got := unusedImages(t, r); !slices.Equal(got, want) {
			t.Fatalf("%s: unused images %v, want those of %v: %v (keys %v)", what, got, names, want, keyOf)
		}
	}
	run("a")
	run("b")
	check("a, b", "a", "b")
	run("c")
	check("a, b, c", "b", "c")
	run("b") // reused: now the most recent
	check("a, b, c, b", "b", "c")
	run("a")
	check("a, b, c, b, a", "b", "a")

	r.DiskCache = fmt.Sprint(fi.Size() / 2)
	run("c")
	check("an image larger than the limit")
}

// With --disk-cache=0 an image goes with its last user, and a delete also
// clears the images others left unused.
func TestNoCacheRemovesTheImageWithItsLastUser(t *testing.T) {
	r := newCachingRunnc(t)
	lifecycle(t, r, helloBundle(t, r, "kept"), "kept")
	if got := unusedImages(t, r); len(got) != 1 {
		t.Fatalf("unused images %v, want one", got)
	}
	r.DiskCache = "0"
	bundle := helloBundle(t, r, "shared")
	mustRun(t, r, "create", "--bundle", bundle, "one")
	mustRun(t, r, "create", "--bundle", bundle, "two")
	mustRun(t, r, "delete", "one")
	if isos, _ := filepath.Glob(filepath.Join(r.DiskDir, "*.iso")); len(isos) != 2 {
		t.Fatalf("after the first of two users left, images %v, want the unused one and the one in use", isos)
	}
	mustRun(t, r, "delete", "two")
	if got := diskFiles(t, r); len(got) != 0 {
		t.Fatalf("after the last user left, the disk directory holds %v", got)
	}
}

// A create that fails after building the image (here: its entrypoint is
// no unikernel) drops it; one that fails on an image left unused by an
// earlier container leaves that image as it was.
func TestFailedCreateLeavesTheCacheAsItWas(t *testing.T) {
	r := newCachingRunnc(t)
	broken := r.Bundle([]string{"hello.nabla"}, []string{"/bin/sh"}, nil)
	if res := r.Run("create", "--bundle", broken, "broken"); res.Code == 0 || !strings.Contains(res.Stderr, "entrypoint /bin/sh does not exist in rootfs") {
		t.Fatalf("create of a bundle without a unikernel entrypoint: exit %d, %s", res.Code, res.Stderr)
	}
	if got := diskFiles(t, r); len(got) != 0 {
		t.Fatalf("a failed create left %v in the disk directory", got)
	}

	bundle := helloBundle(t, r, "good")
	lifecycle(t, r, bundle, "good")
	keys := unusedImages(t, r)
	before := fileID(t, filepath.Join(r.DiskDir, keys[0]+".iso"))
	spec := testenv.ReadSpec(t, bundle)
	spec.Process.Args = []string{"/bin/sh"}
	testenv.WriteSpec(t, bundle, spec)
	if res := r.Run("create", "--bundle", bundle, "broken2"); res.Code == 0 {
		t.Fatal("create of a bundle without a unikernel entrypoint succeeded")
	}
	if got := unusedImages(t, r); !slices.Equal(got, keys) {
		t.Fatalf("after a failed create, unused images %v, want %v", got, keys)
	}
	if after := fileID(t, filepath.Join(r.DiskDir, keys[0]+".iso")); after != before {
		t.Fatalf("a failed create replaced the unused image (%s, was %s)", after, before)
	}
}
