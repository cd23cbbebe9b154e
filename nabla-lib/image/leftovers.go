package image

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"

	"github.com/sirupsen/logrus"
)

// What a pull or remove killed half way leaves, the next one (which holds
// the exclusive lock, so none is under way) collects: see prepare. Only
// names of runnc's own form are touched; the store's directories may hold
// the user's files too.

// Forms of runnc's names in tmp/ and images/.
var (
	// workPattern is a pull's work directory (os.MkdirTemp's
	// pull-<digits>) or a rootfs that a removal moved aside.
	workPattern = regexp.MustCompile(`^(pull-[0-9]+|rm-[0-9a-f]{64})$`)
	// removingPattern is the record of an image being removed.
	removingPattern = regexp.MustCompile(`^rm-([0-9a-f]{64})\.json$`)
	// tempRecordPattern is a record being written (atomicfile's
	// .<name>.<digits>).
	tempRecordPattern = regexp.MustCompile(`^\.[0-9a-f]{64}\.json\.[0-9]+$`)
)

// removingPath is where the record of image id waits while the image is
// removed: out of images/, so no reader finds the image, and found again
// by the next pull or remove if this one is killed.
func (s *Store) removingPath(id string) string {
	return filepath.Join(s.Root(), "tmp", "rm-"+hexOf(id)+".json")
}

// prepare makes the store's directories, finishes the removals killed
// half way, and collects what killed pulls left: their work directories,
// temporary records, and a rootfs or bundle without a record (a pull
// killed while it built the disk image). The caller holds the exclusive
// lock.
func (s *Store) prepare() error {
	for _, d := range []string{"blobs/sha256", "rootfs", "images", "tmp"} {
		if err := os.MkdirAll(filepath.Join(s.Root(), d), 0o700); err != nil {
			return fmt.Errorf("create image store %s: %w", s.Root(), err)
		}
	}
	for _, im := range s.removing() {
		if err := s.finishRemove(&im); err != nil {
			return err
		}
	}
	if err := s.removeMatching("tmp", workPattern); err != nil {
		return err
	}
	if err := s.removeMatching("images", tempRecordPattern); err != nil {
		return err
	}
	for _, dir := range []string{"rootfs", "bundles", "users"} {
		entries, err := os.ReadDir(filepath.Join(s.Root(), dir))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("clean image store %s: %w", s.Root(), err)
		}
		for _, e := range entries {
			if isDigestHex(e.Name()) && !exists(s.RecordPath(e.Name())) {
				if err := s.removeFiles("sha256:" + e.Name()); err != nil {
					return err
				}
			}
		}
	}
	return s.collect()
}

// removeMatching removes the entries of the store's directory dir whose
// names match pattern.
func (s *Store) removeMatching(dir string, pattern *regexp.Regexp) error {
	entries, err := os.ReadDir(filepath.Join(s.Root(), dir))
	if err != nil {
		return fmt.Errorf("clean image store %s: %w", s.Root(), err)
	}
	for _, e := range entries {
		if !pattern.MatchString(e.Name()) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(s.Root(), dir, e.Name())); err != nil {
			return fmt.Errorf("clean image store %s: %w", s.Root(), err)
		}
	}
	return nil
}

// removing lists the images whose removal was killed half way.
func (s *Store) removing() []Image {
	entries, _ := os.ReadDir(filepath.Join(s.Root(), "tmp"))
	var out []Image
	for _, e := range entries {
		m := removingPattern.FindStringSubmatch(e.Name())
		if m == nil {
			continue
		}
		im, err := readRecord(filepath.Join(s.Root(), "tmp", e.Name()))
		if err == nil && im.ID != "sha256:"+m[1] {
			err = errors.New("it is named for no image it holds")
		}
		if err != nil {
			logrus.Warnf("image store %s: skipping %s, which is not a record runnc wrote: %v", s.Root(), e.Name(), err)
			continue
		}
		out = append(out, *im)
	}
	return out
}

// finishRemove removes what is left of image im once its record is in
// tmp/ (see removingPath), then the record, then the blobs no image
// uses any more.
func (s *Store) finishRemove(im *Image) error {
	if err := s.removeFiles(im.ID); err != nil {
		return err
	}
	if err := os.Remove(s.removingPath(im.ID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove image %s: %w", im.ID, err)
	}
	return s.collect()
}

// removeFiles removes the rootfs, the bundle, the user records and the
// disk image hold of image id, whichever are there. The rootfs is moved aside in one step,
// then deleted, so no half rootfs stays where a bundle points.
func (s *Store) removeFiles(id string) error {
	gone := filepath.Join(s.Root(), "tmp", "rm-"+hexOf(id))
	if err := os.Rename(s.rootfsPath(id), gone); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove rootfs of image %s: %w", id, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove rootfs of image %s: %w", id, err)
	}
	if err := os.RemoveAll(s.bundlePath(id)); err != nil {
		return fmt.Errorf("remove bundle of image %s: %w", id, err)
	}
	if err := os.RemoveAll(s.UsersDir(id)); err != nil {
		return fmt.Errorf("remove the user records of image %s: %w", id, err)
	}
	if s.Disks != nil {
		if err := s.Disks.Release(diskKeeper(id)); err != nil {
			return fmt.Errorf("release the disk image of %s: %w", id, err)
		}
	}
	return nil
}
