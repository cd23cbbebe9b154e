package imageapi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nabla-containers/runnc/internal/containerid"
	"github.com/nabla-containers/runnc/internal/dirsample"
	"github.com/nabla-containers/runnc/internal/errclass"
	"github.com/nabla-containers/runnc/internal/flock"
	"golang.org/x/sys/unix"
)

// An image's users are the containers made from it, each recorded by a
// marker file users/<hex>/<id>@<digest of its state root> (see
// containerid.FileName) that holds the container's state directory. Use
// makes a marker under the store's shared lock once it has seen the
// image's record, so a remove, which holds the exclusive lock, either
// finds the marker or has removed the image before Use looked.
//
// A marker is live while its container exists (its state directory is
// there) or is being made: its maker holds a flock on it from the moment it
// appears until the container exists (Hold). Any other marker is stale (the
// state root is a tmpfs that a reboot emptied, or delete was given another
// --image-store) and goes when it is found. What a marker's path names
// changes only under the flock of the file there (or by link, when there
// is none), so no check removes a marker another runnc has just put there.

// User is a container as the store records it: its state root (--root,
// absolute) and its id.
type User struct{ Root, ID string }

// Hold is a user that Use is recording, until Keep or Drop.
type Hold struct {
	// f is the marker, flocked; nil when the marker was there already,
	// live, and is not this Hold's to remove.
	f    *os.File
	path string
}

// staleChecks is how many of an image's other users Use checks for
// staleness: enough that markers do not pile up, few enough that making a
// container costs no more with a thousand users of its image than with one.
const staleChecks = 2

// Use records u as a user of image id, which must be in the store (else
// an error wrapping ErrNotFound). The caller then makes the container and
// calls Keep once it exists, or Drop if it was not made.
func (s Store) Use(id string, u User) (*Hold, error) {
	if !isID(id) {
		return nil, errclass.Errorf(ErrInvalidReference, "annotation %s is %q, not an image ID (sha256: and 64 hex digits): fix or remove it", AnnotationImage, id)
	}
	name, err := containerid.FileName(u.ID, u.Root)
	if err != nil {
		return nil, err
	}
	// Checked before the lock too, which would make a missing store.
	if err := s.checkStored(id); err != nil {
		return nil, err
	}
	unlock, err := s.Lock(false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.checkStored(id); err != nil {
		return nil, err
	}
	dir := s.UsersDir(id)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("record a user of image %s: %w", id, err)
	}
	if err := pruneSome(dir); err != nil {
		return nil, err
	}
	h, err := mark(dir, name, filepath.Join(u.Root, u.ID))
	if err != nil {
		return nil, fmt.Errorf("record container %s as a user of image %s: %w", u.ID, id, err)
	}
	return h, nil
}

// checkStored refuses an image the store lacks.
func (s Store) checkStored(id string) error {
	_, err := os.Stat(s.RecordPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return errclass.Errorf(ErrNotFound, "image %s, which the container's spec names in annotation %s, is not in the image store %s: pull it, give the --image-store that holds it, or remove the annotation", id, AnnotationImage, s.root)
	}
	if err != nil {
		return fmt.Errorf("image %s in the store %s: %w", id, s.root, err)
	}
	return nil
}

// Keep ends the hold of a container that now exists: its marker stays
// until Forget. A nil Hold (no image) does nothing.
func (h *Hold) Keep() {
	if h != nil && h.f != nil {
		h.f.Close()
	}
}

// Drop ends the hold of a container that was not made: its marker goes.
// A nil Hold (no image) does nothing.
func (h *Hold) Drop() error {
	if h == nil || h.f == nil {
		return nil
	}
	defer h.f.Close()
	return removeMarker(h.path)
}

// Forget removes u's record as a user of image id, once the container is
// deleted. A record that is not there (never made, or in another store)
// is not an error.
func (s Store) Forget(id string, u User) error {
	name, err := containerid.FileName(u.ID, u.Root)
	if !isID(id) || err != nil {
		return nil // Use refused such a user: nothing was recorded
	}
	path := filepath.Join(s.UsersDir(id), name)
	f, _, err := lockMarker(path, unix.LOCK_EX)
	if f == nil {
		return err
	}
	defer f.Close()
	return removeMarker(path)
}

// Users returns the ids of the containers that use image id, sorted,
// removing the stale markers it finds. The caller holds the store's
// exclusive lock, so no marker is added meanwhile.
func (s Store) Users(id string) ([]string, error) {
	dir := s.UsersDir(id)
	names, err := markers(dir)
	if err != nil {
		return nil, err
	}
	var users []string
	for _, n := range names {
		live, err := checkMarker(filepath.Join(dir, n))
		if err != nil {
			return nil, err
		}
		if live {
			id, _, _ := strings.Cut(n, "@")
			users = append(users, id)
		}
	}
	sort.Strings(users)
	return users, nil
}

// pruneSome removes the stale among staleChecks markers of dir picked at
// random among those of one bounded read of dir: listing them all took a
// millisecond at a thousand, at every create.
func pruneSome(dir string) error {
	names, err := dirsample.Pick(dir, staleChecks, isMarker)
	if err != nil {
		return fmt.Errorf("list the users of an image: %w", err)
	}
	for _, n := range names {
		if _, err := checkMarker(filepath.Join(dir, n)); err != nil {
			return err
		}
	}
	return nil
}

// markers lists the names of dir that are markers, of runnc's form: the
// directory may hold other files, which are never touched.
func markers(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list the users of an image: %w", err)
	}
	var names []string
	for _, e := range entries {
		if isMarker(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// isMarker tells whether name has a marker's form, id@digest.
func isMarker(name string) bool {
	id, sum, ok := strings.Cut(name, "@")
	return ok && containerid.Valid(id) && len(sum) == 12 && strings.Trim(sum, "0123456789abcdef") == ""
}

// mark puts the marker name, holding stateDir, in dir: a file written
// and flocked under a temporary name, then linked to its own, so it is
// never seen unlocked or empty. A marker of that name already there is
// waited for if it is being made, left alone if live (its container
// exists, so this one's create fails), and replaced if stale.
func mark(dir, name, stateDir string) (*Hold, error) {
	tmp, err := os.CreateTemp(dir, ".new-")
	if err != nil {
		return nil, err
	}
	h, err := link(tmp, filepath.Join(dir, name), stateDir)
	if err != nil || h.f != tmp {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	return h, err
}

// link is mark's work once tmp is made; on success, tmp's name is gone
// and the Hold owns tmp unless the marker was another's.
func link(tmp *os.File, path, stateDir string) (*Hold, error) {
	if err := flock.Lock(tmp, unix.LOCK_EX); err != nil {
		return nil, err
	}
	if _, err := tmp.WriteString(stateDir); err != nil {
		return nil, err
	}
	for {
		err := os.Link(tmp.Name(), path)
		if err == nil {
			os.Remove(tmp.Name()) // else a name left over, which goes with the image
			return &Hold{f: tmp, path: path}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		old, _, err := lockMarker(path, unix.LOCK_EX)
		if err != nil {
			return nil, err
		}
		if old == nil {
			continue // removed while this runnc waited: link again
		}
		live := isLive(old)
		if !live {
			err = os.Rename(tmp.Name(), path)
		}
		old.Close()
		if live {
			return &Hold{path: path}, nil
		}
		if err != nil {
			return nil, err
		}
		return &Hold{f: tmp, path: path}, nil
	}
}

// lockMarker opens the marker at path and flocks it with how. With
// LOCK_NB, a marker another holds gives busy and no file. No marker (none
// at path, or removed while this runnc waited for its lock) gives neither.
func lockMarker(path string, how int) (f *os.File, busy bool, err error) {
	f, err = os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("open user marker %s: %w", path, err)
	}
	err = flock.Lock(f, how)
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, true, nil
	}
	var st unix.Stat_t
	if err == nil {
		err = unix.Fstat(int(f.Fd()), &st)
	}
	if err != nil {
		f.Close()
		return nil, false, fmt.Errorf("lock user marker %s: %w", path, err)
	}
	if st.Nlink == 0 {
		f.Close()
		return nil, false, nil
	}
	return f, false, nil
}

// checkMarker tells whether the marker at path is live, removing it if it
// is stale.
func checkMarker(path string) (live bool, err error) {
	f, busy, err := lockMarker(path, unix.LOCK_EX|unix.LOCK_NB)
	if f == nil {
		return busy, err
	}
	defer f.Close()
	if isLive(f) {
		return true, nil
	}
	return false, removeMarker(path)
}

// isLive tells whether the container of the marker f, which the caller
// has locked, exists: its state directory does. When that cannot be told,
// it does.
func isLive(f *os.File) bool {
	buf := make([]byte, unix.PathMax)
	n, _ := f.ReadAt(buf, 0)
	if n == 0 {
		return false // not a marker runnc finished writing
	}
	_, err := os.Stat(string(buf[:n]))
	return !errors.Is(err, fs.ErrNotExist)
}

// removeMarker removes the marker at path, whose lock the caller holds.
func removeMarker(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove user marker %s: %w", path, err)
	}
	return nil
}
