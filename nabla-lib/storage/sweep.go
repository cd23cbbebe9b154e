package storage

import (
	"errors"
	"io/fs"

	"github.com/sirupsen/logrus"
)

// sweep prunes the stale users of the other images in dir (see
// pruneStale), so images left by containers lost in a reboot are released
// without waiting for a container of the same rootfs. It skips keys whose
// lock is busy: their holder is working on them, and a later create will
// sweep them. Then, if this runnc released an image (released, or here),
// it trims the unused images to limit bytes. One read of dir serves both,
// and unused images cost nothing more until a trim: they have no lock
// file. Failures are only logged: they must not fail a create or delete.
func sweep(dir, skip string, limit int64, released bool) {
	l, err := listDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			logrus.Warnf("sweep disk images: %v", err)
		}
		return
	}
	for _, key := range l.locked {
		if key == skip {
			continue
		}
		lk, ok, err := lockKey(dir, key, false)
		if err != nil || !ok {
			continue
		}
		im := image{dir: dir, key: key}
		var r bool
		err = im.pruneStale(lk)
		if err == nil {
			r, err = im.release(limit > 0)
		}
		lk.unlock()
		if err != nil {
			logrus.Warnf("prune stale users of disk images: %v", err)
		}
		if r {
			released = true
			l.unused[key] = true
		}
	}
	if released {
		trim(dir, l.unused, limit)
	}
}
