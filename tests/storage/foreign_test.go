package storage_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// runncName is what runnc itself makes in a disk directory: a disk image
// key (a sha256 in hex) with one of its suffixes.
var runncName = regexp.MustCompile(`^[0-9a-f]{64}\.(iso|lock|unused|users)$`)

// plant writes the user's files (path -> content) below dir, and returns
// a function that fails the test unless they are all still there, the
// same, and dir holds nothing else but names runnc makes.
func plant(t *testing.T, dir string, files map[string]string) func(what string) {
	t.Helper()
	testenv.WriteFiles(t, dir, files)
	return func(what string) {
		t.Helper()
		for p, content := range files {
			if got, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(got) != content {
				t.Errorf("%s: the user's %s is %q (%v), want %q", what, p, got, err, content)
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			top := func(p string) bool { return filepath.Dir(p) == "." && p == e.Name() || filepath.Dir(p) == e.Name() }
			if !runncName.MatchString(e.Name()) && !slices.ContainsFunc(mapKeys(files), top) {
				t.Errorf("%s: runnc made %s among the user's files", what, e.Name())
			}
		}
	}
}

func mapKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// A disk directory that holds other files: runnc touches only the names
// it makes. Its eviction, its sweep of locks left by a killed runnc and
// its release of images without users never remove, mark or lock a
// user's backup.iso, x.lock or notes.unused.
func TestDiskDirKeepsForeignFiles(t *testing.T) {
	r := newCachingRunnc(t)
	r.DiskCache = "1" // every unused image is evicted
	if err := os.MkdirAll(r.DiskDir, 0o700); err != nil {
		t.Fatal(err)
	}
	check := plant(t, r.DiskDir, map[string]string{
		"backup.iso":          "my backup",
		"backup.unused":       "not runnc's mark",
		"x.lock":              "my lock",
		"x.iso":               "beside my lock",
		"notes.unused":        "my notes",
		"photos.users/me":     "a directory of mine",
		"old.iso.build-1":     "a file of mine",
		"abc.lock":            "",
		"ABCDEF.iso":          "upper case",
		"thesis.tex.users/ch": "chapter",
	})
	for _, name := range []string{"one", "two"} {
		lifecycle(t, r, helloBundle(t, r, name), name)
		check("after container " + name)
	}
	r.DiskCache = "0"
	lifecycle(t, r, helloBundle(t, r, "three"), "three")
	check("with --disk-cache 0")
}
