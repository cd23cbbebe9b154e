// Package atomicfile writes files that readers see whole or not at all:
// container state, which another runnc may read at any moment, and the
// image store's records and bundles.
package atomicfile

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Write puts data at path with mode by renaming a temporary file of the
// same directory over it. With durable, the data reaches the disk before
// the rename: a crash then leaves the old file or the new one, never an
// empty one. State on tmpfs needs no such care. A create writes its
// container's state seven times: Write makes five system calls (Go's
// os.Rename and a deferred os.Remove would add a stat and two unlinks).
func Write(path string, data []byte, mode os.FileMode, durable bool) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err = tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	// rename(2) replaces a file, and refuses to put a file over a
	// directory (EISDIR): what os.Rename checks with a stat first.
	if err = unix.Rename(tmp.Name(), path); err != nil {
		return &os.LinkError{Op: "rename", Old: tmp.Name(), New: path, Err: err}
	}
	return nil
}
