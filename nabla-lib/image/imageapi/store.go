package imageapi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/internal/safedir"
	"golang.org/x/sys/unix"
)

// Store is the image store at one directory, as both the runtime and the
// store's own code see it: its lock, its records' names and the records
// of which containers use which image.
type Store struct {
	root string
	// checked says Open found root there and safe: Lock need not walk
	// its path again unless it has gone since.
	checked bool
}

// Open returns the store at root ("" is DefaultRoot), refusing one another
// user could write (see safedir): its records name the rootfs trees that
// containers boot and that remove deletes. A missing store passes: the
// first pull makes it.
func Open(root string) (Store, error) {
	if root == "" {
		root = DefaultRoot
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return Store{}, fmt.Errorf("image store %q: %w", root, err)
	}
	err = safedir.Check(abs)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Store{}, storeError(abs, err)
	}
	return Store{root: abs, checked: err == nil}, nil
}

// Root is the store's directory.
func (s Store) Root() string { return s.root }

// Lock takes the store's flock, exclusive or shared, waiting for it, and
// makes the store if it is missing. Writers (pull, remove) take it
// exclusively; Use holds it shared while it records a user, so no remove
// slips in between its check that the image is there and the record.
func (s Store) Lock(exclusive bool) (unlock func(), err error) {
	path := filepath.Join(s.root, "lock")
	open := func() (*os.File, error) { return os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600) }
	// The store's directory is walked again only if Open did not find it
	// (or it has gone since).
	var f *os.File
	err = fs.ErrNotExist
	if s.checked {
		f, err = open()
	}
	if errors.Is(err, fs.ErrNotExist) {
		if err := safedir.Make(s.root, 0o700); err != nil {
			return nil, storeError(s.root, err)
		}
		f, err = open()
	}
	if err != nil {
		return nil, fmt.Errorf("open lock of image store %s: %w", s.root, err)
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	if err := flock.Lock(f, how); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock image store %s: %w", s.root, err)
	}
	return func() { f.Close() }, nil
}

// RecordPath is where the record of image id is: the image exists while
// its record does.
func (s Store) RecordPath(id string) string {
	return filepath.Join(s.root, "images", hexOf(id)+".json")
}

// UsersDir is the directory of the records of image id's users.
func (s Store) UsersDir(id string) string { return filepath.Join(s.root, "users", hexOf(id)) }

// hexOf is the hex part of a sha256 digest.
func hexOf(digest string) string { return strings.TrimPrefix(digest, "sha256:") }

// isID tells whether id has the form of an image ID, a sha256 digest.
func isID(id string) bool {
	h, ok := strings.CutPrefix(id, "sha256:")
	return ok && len(h) == 64 && strings.Trim(h, "0123456789abcdef") == ""
}

// storeError is err about the store at root, naming the flag that chose it.
func storeError(root string, err error) error {
	return fmt.Errorf("image store %s (--image-store): %w", root, err)
}
