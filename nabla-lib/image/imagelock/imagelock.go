// Package imagelock is the image store's lock and default place, apart
// from the store itself: runnc, which runs containers of stored images,
// links only this, while the store's code (registries, HTTP, TLS,
// decompression) lives in runnc-image, whose start-up it would slow.
package imagelock

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// DefaultRoot is where runnc keeps images.
const DefaultRoot = "/var/lib/runnc/images"

// Lock takes the flock of the store at root, exclusive or shared, waiting
// for it. Writers (pull, remove) take it exclusively; a caller that needs
// an image to stay while it makes a container from it (runnc run --image)
// holds it shared, so no remove slips in before the container records its
// use.
func Lock(root string, exclusive bool) (unlock func(), err error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("create image store %s: %w", root, err)
	}
	path := filepath.Join(root, "lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock of image store %s: %w", root, err)
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
		return nil, fmt.Errorf("lock image store %s: %w", root, err)
	}
	return func() { f.Close() }, nil
}
