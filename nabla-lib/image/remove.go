package image

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/errclass"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
)

// Removed tells what Remove did.
type Removed struct {
	// Untagged is the reference dropped from an image that has others.
	Untagged string
	// Image is the image deleted with all its files, if any.
	Image *Image
}

// Remove forgets ref. Named by a reference that is one of several names
// of its image, only that name goes; otherwise the image goes, with its
// rootfs and every blob no other image uses, unless a container uses it
// (see imageapi's Use): then the error wraps imageapi.ErrInUse.
func (s *Store) Remove(ref string) (*Removed, error) {
	unlock, err := s.Lock(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	im, err := s.Find(ref)
	if err != nil {
		// A remove of ref killed half way: run again, it finishes.
		if gone, gerr := s.match(s.removing(), ref); gerr == nil {
			if err := s.finishRemove(gone); err != nil {
				return nil, err
			}
			return &Removed{Image: gone}, nil
		}
		return nil, err
	}
	if r, err := ParseReference(ref); err == nil && contains(im.Refs, r.String) && len(im.Refs) > 1 {
		im.Refs = without(im.Refs, r.String)
		if err := s.writeRecord(im); err != nil {
			return nil, err
		}
		return &Removed{Untagged: r.String}, nil
	}
	users, err := s.Users(im.ID)
	if err != nil {
		return nil, fmt.Errorf("remove image %s: find its containers: %w", ref, err)
	}
	switch {
	case len(users) == 1:
		return nil, errclass.Errorf(imageapi.ErrInUse, "image %s (%s) is used by container %s: delete the container first",
			ref, im.ID, users[0])
	case len(users) > 1:
		return nil, errclass.Errorf(imageapi.ErrInUse, "image %s (%s) is used by containers %s: delete them first",
			ref, im.ID, strings.Join(users, ", "))
	}
	if err := s.prepare(); err != nil {
		return nil, err
	}
	// The record goes first, into tmp/: from then on no reader finds the
	// image, and a remove killed half way is finished by the next.
	if err := os.Rename(s.RecordPath(im.ID), s.removingPath(im.ID)); err != nil {
		return nil, fmt.Errorf("remove image %s: %w", im.ID, err)
	}
	if err := s.finishRemove(im); err != nil {
		return nil, err
	}
	return &Removed{Image: im}, nil
}

// collect deletes the blobs no stored image refers to. The caller holds
// the exclusive lock.
func (s *Store) collect() error {
	images, err := s.List()
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, im := range images {
		keep[hexOf(im.ID)] = true
		keep[hexOf(im.Digest)] = true
		for _, l := range im.Layers {
			keep[hexOf(l)] = true
		}
	}
	entries, err := os.ReadDir(filepath.Join(s.Root(), "blobs", "sha256"))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !keep[e.Name()] && isDigestHex(e.Name()) {
			if err := os.Remove(filepath.Join(s.Root(), "blobs", "sha256", e.Name())); err != nil {
				return fmt.Errorf("remove unused blob %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}
