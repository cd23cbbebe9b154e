package imageapi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/internal/containerid"
)

var testID = "sha256:" + strings.Repeat("ab", 32)

// testStore is a store holding the record of testID, and a state root.
func testStore(t *testing.T) (Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(s.RecordPath(testID)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.RecordPath(testID), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, filepath.Join(dir, "root")
}

// made makes the state directory of container id below root.
func made(t *testing.T, root, id string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, id), 0o700); err != nil {
		t.Fatal(err)
	}
}

func users(t *testing.T, s Store) []string {
	t.Helper()
	u, err := s.Users(testID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func use(t *testing.T, s Store, root, id string) *Hold {
	t.Helper()
	h, err := s.Use(testID, User{Root: root, ID: id})
	if err != nil {
		t.Fatalf("Use %s: %v", id, err)
	}
	return h
}

// A container is a user from Use (while it is being made) until Forget.
func TestUserLifecycle(t *testing.T) {
	s, root := testStore(t)
	h := use(t, s, root, "c1")
	if got := users(t, s); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Fatalf("while c1 is being made, users = %v", got)
	}
	made(t, root, "c1")
	h.Keep()
	if got := users(t, s); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Fatalf("once c1 exists, users = %v", got)
	}
	if err := s.Forget(testID, User{Root: root, ID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if got := users(t, s); got != nil {
		t.Fatalf("after Forget, users = %v", got)
	}
	// Forgetting what is not recorded is no error.
	if err := s.Forget(testID, User{Root: root, ID: "c1"}); err != nil {
		t.Fatal(err)
	}
}

// A container that was not made leaves no record.
func TestDropForgets(t *testing.T) {
	s, root := testStore(t)
	if err := use(t, s, root, "c1").Drop(); err != nil {
		t.Fatal(err)
	}
	if left := names(t, s.UsersDir(testID)); len(left) != 0 {
		t.Fatalf("after Drop, the users directory holds %v", left)
	}
}

// A record whose container is gone and no one is making (a reboot emptied
// the state root) is stale: Users drops it.
func TestStaleUserIsPruned(t *testing.T) {
	s, root := testStore(t)
	use(t, s, root, "gone").Keep()
	made(t, root, "here")
	use(t, s, root, "here").Keep()
	if got := users(t, s); !reflect.DeepEqual(got, []string{"here"}) {
		t.Fatalf("users = %v, want only here", got)
	}
	if left := names(t, s.UsersDir(testID)); len(left) != 1 {
		t.Fatalf("the stale record stayed: %v", left)
	}
}

// Use checks a bounded number of other records, however many there are.
func TestUseChecksFewOthers(t *testing.T) {
	s, root := testStore(t)
	use(t, s, root, "first").Drop() // makes the users directory
	const stale = 10
	for i := 0; i < stale; i++ {
		id := fmt.Sprint("gone", i)
		name, err := containerid.FileName(id, root)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.UsersDir(testID), name), []byte(filepath.Join(root, id)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	made(t, root, "new")
	use(t, s, root, "new").Keep()
	if left := len(names(t, s.UsersDir(testID))) - 1; left != stale-staleChecks {
		t.Fatalf("Use among %d stale records left %d of them, want %d checked and removed", stale, left, staleChecks)
	}
}

// A second Use of a live container's name (its create then fails: the id
// exists) neither replaces nor, at Drop, removes the first's record.
func TestUseOfALiveNameLeavesIt(t *testing.T) {
	s, root := testStore(t)
	made(t, root, "c1")
	use(t, s, root, "c1").Keep()
	if err := use(t, s, root, "c1").Drop(); err != nil {
		t.Fatal(err)
	}
	if got := users(t, s); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Fatalf("users = %v, want c1 still", got)
	}
}

// A stale record of the same name (an id used again) is replaced.
func TestUseReplacesAStaleName(t *testing.T) {
	s, root := testStore(t)
	use(t, s, root, "c1").Keep()
	h := use(t, s, root, "c1")
	if got := users(t, s); !reflect.DeepEqual(got, []string{"c1"}) {
		t.Fatalf("users = %v, want c1, being made", got)
	}
	if err := h.Drop(); err != nil {
		t.Fatal(err)
	}
	if got := users(t, s); got != nil {
		t.Fatalf("users = %v after Drop", got)
	}
}

// An image the store lacks is refused, and Use then makes nothing: not
// even the store.
func TestUseOfAMissingImage(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "images"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Use(testID, User{Root: dir, ID: "c1"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Use of a missing image: %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(s.Root()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Use of a missing image made the store: %v", err)
	}
	for _, bad := range []string{"sha256:abc", "latest", strings.Repeat("ab", 32)} {
		if _, err := s.Use(bad, User{Root: dir, ID: "c1"}); !errors.Is(err, ErrInvalidReference) {
			t.Errorf("Use of image %q: %v, want ErrInvalidReference", bad, err)
		}
	}
}

// Files of other forms in a users directory are never read or removed.
func TestForeignFilesStay(t *testing.T) {
	s, root := testStore(t)
	use(t, s, root, "c1").Drop()
	foreign := []string{"notes", "x@y", "c1@" + strings.Repeat("g", 12)}
	for _, n := range foreign {
		if err := os.WriteFile(filepath.Join(s.UsersDir(testID), n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := users(t, s); got != nil {
		t.Fatalf("users = %v", got)
	}
	if left := names(t, s.UsersDir(testID)); len(left) != len(foreign) {
		t.Fatalf("the users directory holds %v, want the foreign files %v", left, foreign)
	}
}

// A record's name is the one the fs handler gives a container's disk image
// marker: its id and a digest of its state root.
func TestRecordName(t *testing.T) {
	s, root := testStore(t)
	use(t, s, root, "c1").Keep()
	want, err := containerid.FileName("c1", root)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, s.UsersDir(testID)); !reflect.DeepEqual(got, []string{want}) {
		t.Fatalf("records = %v, want %s", got, want)
	}
	data, err := os.ReadFile(filepath.Join(s.UsersDir(testID), want))
	if err != nil || string(data) != filepath.Join(root, "c1") {
		t.Fatalf("record holds %q, %v; want the state directory", data, err)
	}
}

// names lists dir (nothing if it is missing).
func names(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range paths {
		paths[i] = filepath.Base(p)
	}
	return paths
}
