// Package atomicfile writes files that readers see whole or not at all:
// container state, which another runnc may read at any moment, and the
// image store's records and bundles.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write puts data at path with mode by renaming a temporary file of the
// same directory over it. With durable, the data reaches the disk before
// the rename: a crash then leaves the old file or the new one, never an
// empty one. State on tmpfs needs no such care.
func Write(path string, data []byte, mode os.FileMode, durable bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if durable {
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
