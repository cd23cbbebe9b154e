package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/sirupsen/logrus"
)

// The cache of unused images. When its last user goes, an image may stay
// in the disk directory unused, so the next container of the same rootfs
// (a sequential create, start, wait, delete) skips the build. Such an image
// has no lock file and no user in its users directory, which stays (see
// users.go), and has a mark <key>.unused
// whose modification time is when its last user went. Whoever releases an
// image trims the unused images to its --disk-cache, least recently used
// first; images in use never count and are never evicted. Every step holds
// the key's lock, so a create reusing an image and an eviction of it never
// meet. The tally (tally.go) tells trim when there is nothing to evict.

// markUnused records that the image has no user from now on, counting it
// in the tally first (see tally). The time is set explicitly: the kernel
// stamps files with a coarse clock (one tick), which could not order two
// deletes in a row. The caller holds the key's lock.
func (im image) markUnused() error {
	t, err := lockTally(im.dir)
	if err != nil {
		return fmt.Errorf("mark disk image %s unused: %w", im.path(), err)
	}
	defer t.unlock()
	if _, err := os.Lstat(im.unusedPath()); err != nil {
		t.add(im.size()) // else counted when marked
	}
	f, err := nopoll.OpenFile(im.unusedPath(), os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("mark disk image %s unused: %w", im.path(), err)
	}
	f.Close()
	now := time.Now()
	if err := os.Chtimes(im.unusedPath(), now, now); err != nil {
		return fmt.Errorf("mark disk image %s unused: %w", im.path(), err)
	}
	return nil
}

// listing is what one read of a disk directory found, by image key.
type listing struct {
	locked []string            // keys with a lock file: in use, or being worked on
	marked map[string]bool     // keys marked unused, whatever else they have
	unused map[string]bool     // keys marked unused and without users
	builds map[string][]string // names of builds, by key (see buildPath)
}

func listDir(dir string) (listing, error) {
	l := listing{marked: map[string]bool{}, unused: map[string]bool{}, builds: map[string][]string{}}
	f, err := nopoll.Open(dir)
	if err != nil {
		return l, fmt.Errorf("list disk directory %s: %w", dir, err)
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return l, fmt.Errorf("list disk directory %s: %w", dir, err)
	}
	used := map[string]bool{}
	for _, n := range names {
		// Other files may share the directory (a user's backup.iso,
		// x.lock): only names that start with a key are runnc's.
		key, rest, _ := strings.Cut(n, ".")
		if !isKey(key) {
			continue
		}
		switch "." + rest {
		case lockSuffix:
			l.locked = append(l.locked, key)
		case usersSuffix:
			used[key] = true
		case unusedSuffix:
			l.marked[key] = true
			l.unused[key] = true
		default:
			if b, ok := strings.CutPrefix("."+rest, isoSuffix); ok && isBuild(b) {
				l.builds[key] = append(l.builds[key], n)
			}
		}
	}
	// A runnc killed between recording a user and removing the mark
	// leaves both: the users win. An unused image keeps its users
	// directory, empty: only a marked one is looked into, and one that
	// cannot be read counts as used, never evicted.
	for key := range used {
		if l.unused[key] {
			if u, err := (image{dir: dir, key: key}).hasUsers(); err != nil || u {
				delete(l.unused, key)
			}
		}
	}
	return l, nil
}

// unusedImage is an image no container uses, as trim ranks it.
type unusedImage struct {
	key     string
	size    int64
	lastUse time.Time
}

// trim evicts unused images of dir until those left take at most limit
// bytes (see victims). It reads the directory only when the tally says
// the unused images take more, or there is no tally, or with recount (the
// boot's first sweep); the tally is then set to what it found. Failures
// are only logged: the images stay, and a later trim tries again.
func trim(dir string, limit int64, recount bool) {
	t, err := lockTally(dir)
	if err != nil {
		logrus.Warnf("trim unused disk images: %v", err)
		return
	}
	if n, ok := t.get(); ok && n <= limit && !recount {
		t.unlock()
		return
	}
	l, err := listDir(dir)
	if err != nil {
		t.unlock()
		logrus.Warnf("trim unused disk images: %v", err)
		return
	}
	// Every mark's change holds the lock: what the listing found is all
	// there is until it goes. The tally counts every mark, also one whose
	// image has users again (a create between recording its user and
	// removing the mark, which it then uncounts); only images without
	// users are evicted. Evictions take the lock again, to uncount.
	found, gone := measureUnused(dir, l.marked)
	var total int64
	for _, im := range found {
		total += im.size
	}
	t.set(total)
	t.unlock()
	inUse := func(im unusedImage) bool { return !l.unused[im.key] }
	found, gone = slices.DeleteFunc(found, inUse), slices.DeleteFunc(gone, inUse)
	evict(dir, append(gone, victims(found, limit)...))
}

// measureUnused finds the images of dir among keys (a listing that may be
// out of date) that are still unused, and the marks left without their
// image (gone).
func measureUnused(dir string, keys map[string]bool) (found, gone []unusedImage) {
	for key := range keys {
		im := image{dir: dir, key: key}
		mark, err := os.Stat(im.unusedPath())
		if err != nil {
			continue // used again, or evicted, since dir was read
		}
		iso, err := os.Stat(im.path())
		if err != nil {
			// A mark without its image: another runnc is working on the
			// key (evict finds its lock busy), or an older runnc, which
			// knew no marks, reused the image and then removed it.
			gone = append(gone, unusedImage{key: key, lastUse: mark.ModTime()})
			continue
		}
		found = append(found, unusedImage{key: key, size: iso.Size(), lastUse: mark.ModTime()})
	}
	return found, gone
}

// evict evicts the images of dir that trim chose. Failures are only
// logged.
func evict(dir string, chosen []unusedImage) {
	for _, v := range chosen {
		if err := (image{dir: dir, key: v.key}).evict(v.lastUse); err != nil {
			logrus.Warnf("evict unused disk image: %v", err)
		}
	}
}

// victims chooses the unused images to evict so that those left take at
// most limit bytes: every image larger than limit, which could never stay,
// then the least recently used until the rest fit.
func victims(images []unusedImage, limit int64) []unusedImage {
	oldest := slices.Clone(images)
	slices.SortFunc(oldest, func(a, b unusedImage) int {
		if c := a.lastUse.Compare(b.lastUse); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	var out, fit []unusedImage
	var total int64
	for _, im := range oldest {
		if im.size > limit {
			out = append(out, im)
			continue
		}
		fit = append(fit, im)
		total += im.size
	}
	for _, im := range fit {
		if total <= limit {
			break
		}
		out = append(out, im)
		total -= im.size
	}
	return out
}

// evict removes an unused image that trim ranked by lastUse. It skips the
// image if its lock is busy (the holder is reusing or evicting it), if it
// is in use again, or if it was used and released again since lastUse: it
// is recent now.
func (im image) evict(lastUse time.Time) error {
	l, ok, err := lockKey(im.dir, im.key, false)
	if err != nil || !ok {
		return err
	}
	defer l.unlock()
	if mark, err := os.Stat(im.unusedPath()); err == nil && !mark.ModTime().Equal(lastUse) {
		// lockKey made the lock file again: an unused image has none.
		return removeFile(im.lockPath(), "lock of unused image")
	}
	return im.removeUnused()
}

// removeUnused removes the image unless a container uses it (see
// hasUsers; the lock file is then theirs). The caller holds the key's
// lock.
func (im image) removeUnused() error {
	if used, err := im.hasUsers(); err != nil || used {
		return err
	}
	return im.settle(im.removeImage)
}

// EvictUsedSince removes the images of diskDir that no container uses and
// whose last container went at or after since: housekeeping, such as
// removing what a test run left in a disk directory it shares.
func EvictUsedSince(diskDir string, since time.Time) error {
	err := checkDiskDir(diskDir, false)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	l, err := listDir(diskDir)
	if err != nil {
		return err
	}
	var errs []error
	for key := range l.unused {
		im := image{dir: diskDir, key: key}
		if mark, err := os.Stat(im.unusedPath()); err != nil || mark.ModTime().Before(since) {
			continue
		}
		lk, _, err := lockKey(diskDir, key, true)
		if err == nil {
			err = im.removeUnused()
			lk.unlock()
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
