// Package atomicfile writes files that readers see whole or not at all:
// container state, which another runnc may read at any moment, and the
// image store's records and bundles.
package atomicfile

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"golang.org/x/sys/unix"
)

// Write puts data at path with mode by renaming a temporary file of the
// same directory over it. With durable, the data reaches the disk before
// the rename: a crash then leaves the old file or the new one, never an
// empty one. State on tmpfs needs no such care. A create writes its
// container's state seven times: Write makes five system calls (six when
// durable) on a descriptor of its own; os.CreateTemp's *os.File would add
// the poller's five (see package nopoll), os.Rename a stat and a deferred
// os.Remove two unlinks.
func Write(path string, data []byte, mode os.FileMode, durable bool) error {
	fd, tmp, err := createTemp(filepath.Dir(path), "."+filepath.Base(path)+".")
	if err != nil {
		return err
	}
	err = nopoll.Write(fd, data)
	if err == nil {
		err = unix.Fchmod(fd, uint32(mode.Perm()))
	}
	if err == nil && durable {
		err = unix.Fsync(fd)
	}
	if cerr := unix.Close(fd); err == nil {
		err = cerr
	}
	if err != nil {
		unix.Unlink(tmp)
		return &os.PathError{Op: "write", Path: tmp, Err: err}
	}
	// rename(2) replaces a file, and refuses to put a file over a
	// directory (EISDIR): what os.Rename checks with a stat first.
	if err := unix.Rename(tmp, path); err != nil {
		unix.Unlink(tmp)
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err}
	}
	return nil
}

// createTemp makes a new file, readable and writable by its owner alone,
// of a name in dir starting with prefix, as os.CreateTemp does.
func createTemp(dir, prefix string) (int, string, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+strconv.FormatUint(uint64(rand.Uint32()), 10))
		fd, err := unix.Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
		switch {
		case err == nil:
			return fd, name, nil
		case (errors.Is(err, unix.EEXIST) && try < 10000) || err == unix.EINTR:
			continue
		default:
			return -1, "", &os.PathError{Op: "createtemp", Path: filepath.Join(dir, prefix+"*"), Err: err}
		}
	}
}
