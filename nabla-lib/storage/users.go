package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/containerid"
	"github.com/nabla-containers/runnc/internal/dirsample"
	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/internal/safedir"
	"github.com/nabla-containers/runnc/llif"
)

// An image's users are marker files <DiskDir>/<key>.users/<marker>, one per
// container, holding the container's state directory. They are only made
// and removed under the key's lock. When the last one goes, the image is
// removed or kept unused for later containers (cache.go). The users
// directory stays as long as its image: made and removed for each
// container, it cost every create a mkdir and every delete an rmdir on the
// disk directory's file system, and ext4 mounted with -o discard frees a
// directory's block with a discard the rmdir waits for (0.33 ms on the
// VMs this runs on, against 0.03 ms for the mkdir).

// The files of one image key in the disk directory.
const (
	isoSuffix    = ".iso"
	usersSuffix  = ".users"
	lockSuffix   = ".lock"
	unusedSuffix = ".unused"
)

// checkDiskDir refuses a disk directory another user could write (see
// safedir): runnc removes files there by the names it finds, and the
// tender gives the guest what an image file holds. With create, missing
// directories are made.
func checkDiskDir(dir string, create bool) error {
	if !filepath.IsAbs(dir) {
		return fmt.Errorf("disk directory %q is not an absolute path: check --disk-dir", dir)
	}
	check := safedir.Check
	if create {
		check = func(dir string) error { return safedir.Make(dir, 0o700) }
	}
	if err := check(dir); err != nil {
		return fmt.Errorf("disk directory %s (--disk-dir): %w", dir, err)
	}
	return nil
}

// isKey tells whether s has the form of an image key, a sha256 in lower
// hex. runnc touches only the names of the disk directory that start with
// a key, so the other files kept there are never read, locked, marked or
// removed. (Loops, not regexps, here and in isBuild: a regexp compiles at
// every start of runnc.)
func isKey(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

// image is one image key in one disk directory.
type image struct{ dir, key string }

func (im image) path() string       { return filepath.Join(im.dir, im.key+isoSuffix) }
func (im image) usersDir() string   { return filepath.Join(im.dir, im.key+usersSuffix) }
func (im image) lockPath() string   { return filepath.Join(im.dir, im.key+lockSuffix) }
func (im image) unusedPath() string { return filepath.Join(im.dir, im.key+unusedSuffix) }

// markerName names a container's marker (see containerid.FileName).
func markerName(in *llif.Input) (string, error) {
	return containerid.FileName(in.ContainerID, in.Runtime.Root)
}

// addUser records a user of the image; the caller holds the key's lock.
func (im image) addUser(marker, containerRoot string) error {
	if err := os.Mkdir(im.usersDir(), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("record user of image %s: %w", im.path(), err)
	}
	p := filepath.Join(im.usersDir(), marker)
	if err := nopoll.WriteFile(p, []byte(containerRoot), 0o600); err != nil {
		return fmt.Errorf("record user of image %s: %w", im.path(), err)
	}
	return nil
}

// dropUser forgets a user of the image (absent is fine) and releases the
// image if no user is left (see release), reporting whether it did. The
// caller holds the key's lock.
func (im image) dropUser(marker string, keep bool) (released bool, err error) {
	if err := im.removeMarker(filepath.Join(im.usersDir(), marker), "user marker"); err != nil {
		return false, err
	}
	return im.release(keep)
}

// removeMarker removes the user marker at p (absent is fine), and first
// the index of a keeper's (see unindexKeeper); what names it in the error.
func (im image) removeMarker(p, what string) error {
	if err := unindexKeeper(im.dir, p); err != nil {
		return err
	}
	return removeFile(p, what)
}

// release finishes with an image whose last user may have gone: if none is
// left, it keeps the image unused (keep, and the image is whole) or
// removes it, and reports true. The caller holds the key's lock.
func (im image) release(keep bool) (bool, error) {
	// No window for a concurrent reader between the test and what
	// follows: every user change holds the lock.
	used, err := im.hasUsers()
	if err != nil {
		return false, fmt.Errorf("list users of image %s: %w", im.path(), err)
	}
	if used {
		return false, nil
	}
	if keep {
		if _, err := os.Stat(im.path()); err == nil {
			return true, im.settle(im.markUnused)
		}
	}
	return true, im.settle(im.removeImage)
}

// settle makes change to the key's files, then removes its unfinished
// builds and, last, its lock file: a runnc killed half way leaves the lock
// file, and the next sweep, which visits every key that has one, finishes
// the job. The caller holds the key's lock.
func (im image) settle(change func() error) error {
	if err := change(); err != nil {
		return err
	}
	if err := im.removeBuilds(); err != nil {
		return err
	}
	return removeFile(im.lockPath(), "lock of unused image")
}

// hasUsers tells whether the image has a user: a marker in its users
// directory, which may be there empty (see above). One bounded read: an
// image may have thousands of users.
func (im image) hasUsers() (bool, error) {
	empty, err := dirsample.Empty(im.usersDir())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return !empty, err
}

// removeImage removes the image's unused mark if it has one, taking it off
// the tally (see tally), then its users directory, which has no user, and
// last the image's file. The mark first: a recount between the two would
// find a mark without its image, count it as nothing, and the tally would
// end below the truth. A runnc killed between them leaves the key's lock
// file (see settle), and the sweep that visits it marks the image unused
// again or removes it.
func (im image) removeImage() error {
	if err := im.unmark(); err != nil {
		return err
	}
	if err := removeFile(im.usersDir(), "users directory"); err != nil {
		return err
	}
	return removeFile(im.path(), "disk image")
}

// removeFile removes path (absent is fine); what names it in the error.
func removeFile(path, what string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s %s: %w", what, path, err)
	}
	return nil
}

// pruneStale forgets the users whose container state directory is gone:
// /run/runnc is a tmpfs, so after a reboot no runnc delete will ever come
// for them and their images would stay on disk for good. It checks every
// user once per boot (the key's lock file records the boot of that check),
// and after that only staleChecks of them, picked at random among the
// names one small read of the users directory returns: a create or delete
// must not cost more with a thousand containers of its image than with one
// (listing them all took a millisecond at a thousand), and users lost
// within a boot (a state directory removed by hand) are still found, a few
// at each visit, as containers come and go through that window. The
// caller holds the key's lock l.
func (im image) pruneStale(l keyLock) error {
	full := !l.checkedThisBoot()
	list := func(dir string) ([]string, error) { return dirsample.Pick(dir, staleChecks, nil) }
	if full {
		list = allNames
	}
	names, err := list(im.usersDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list users of image %s: %w", im.path(), err)
	}
	for _, name := range names {
		p := filepath.Join(im.usersDir(), name)
		root, err := nopoll.ReadFile(p)
		if err != nil || len(root) == 0 {
			continue
		}
		_, err = os.Stat(string(root))
		switch holder, keeper := strings.CutSuffix(name, keeperSuffix); {
		case errors.Is(err, fs.ErrNotExist):
			if err := im.removeMarker(p, "stale user marker"); err != nil {
				return err
			}
		case keeper && full && err == nil:
			// A keeper recorded by a runnc that kept no index gets one.
			if err := indexKeeper(im.dir, string(root), holder); err != nil {
				return err
			}
		}
	}
	if full {
		return l.markChecked()
	}
	return nil
}

// staleChecks is how many users a visit checks once all were this boot,
// among the names one bounded read of the users directory returns.
const staleChecks = 2

func allNames(dir string) ([]string, error) {
	f, err := nopoll.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// removeBuilds removes what a build that died half way (a killed runnc
// create) left: builds run under the key's lock, which the caller holds,
// so none is in progress. The builds of runnc before 2026-12-06, numbered
// at random, are removed by the boot's first sweep (see sweep).
func (im image) removeBuilds() error {
	return removeFile(buildPath(im.path()), "unfinished image")
}

// isBuild tells whether s is what follows a build's image path (see
// buildPath): buildSuffix and a number.
func isBuild(s string) bool {
	n, ok := strings.CutPrefix(s, buildSuffix)
	return ok && n != "" && strings.Trim(n, "0123456789") == ""
}
