package storage

import (
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"
)

// sweep prunes the stale users of the other images in dir (see
// pruneStale), so images left by containers lost in a reboot go away
// without waiting for a container of the same rootfs. It skips keys whose
// lock is busy: their holder is working on them, and a later create will
// sweep them. Failures are only logged: they must not fail a create.
func sweep(dir, skip string) {
	locks, _ := filepath.Glob(filepath.Join(dir, "*.lock"))
	for _, p := range locks {
		key := strings.TrimSuffix(filepath.Base(p), ".lock")
		if key == skip {
			continue
		}
		l, ok, err := lockKey(dir, key, false)
		if err != nil || !ok {
			continue
		}
		im := image{dir: dir, key: key}
		err = im.pruneStale()
		if err == nil {
			err = im.removeIfUnused()
		}
		if err != nil {
			logrus.Warnf("prune stale users of disk images: %v", err)
		}
		l.unlock()
	}
}
