// Package imagelock is the image store's lock and default place, apart
// from the store itself: runnc, which runs containers of stored images,
// links only this, while the store's code (registries, HTTP, TLS,
// decompression) lives in runnc-image, whose start-up it would slow.
package imagelock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nabla-containers/runnc/internal/flock"
	"github.com/nabla-containers/runnc/internal/safedir"
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
	if err := safedir.Make(root, 0o700); err != nil {
		return nil, storeError(root, err)
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
	if err := flock.Lock(f, how); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock image store %s: %w", root, err)
	}
	return func() { f.Close() }, nil
}

// Check refuses a store another user could write (see safedir): its
// records name the rootfs trees that containers boot and that remove
// deletes. A missing store passes: the first pull makes it.
func Check(root string) error {
	if err := safedir.Check(root); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return storeError(root, err)
	}
	return nil
}

// storeError is err about the store at root, naming the flag that chose it.
func storeError(root string, err error) error {
	return fmt.Errorf("image store %s (--image-store): %w", root, err)
}
