package image

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lock takes the store's flock, exclusive or shared, waiting for it.
// Writers (pull, remove) take it exclusively; a caller that needs an image
// to stay while it makes a container from it (runnc run --image) holds it
// shared, so no remove slips in before the container records its use.
func (s *Store) lock(exclusive bool) (unlock func(), err error) {
	if err := os.MkdirAll(s.root, 0o700); err != nil {
		return nil, fmt.Errorf("create image store %s: %w", s.root, err)
	}
	path := filepath.Join(s.root, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock of image store %s: %w", s.root, err)
	}
	how := unix.LOCK_SH
	if exclusive {
		how = unix.LOCK_EX
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock image store %s: %w", s.root, err)
	}
	return func() { f.Close() }, nil
}

// Hold keeps the images of the store from being removed until release is
// called; pulls and removes wait meanwhile. runnc run --image holds it
// from making the bundle until the container's state records the image.
func (s *Store) Hold() (release func(), err error) {
	return s.lock(false)
}
