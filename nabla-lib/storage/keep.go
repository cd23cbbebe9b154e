package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// keeperSuffix ends a keeper's marker name; '@' never ends a container's
// marker (id@digest), so the two cannot meet.
const keeperSuffix = "@kept"

// Keep builds the disk image of rootfs ahead of its containers and keeps it
// for as long as rootfs exists, as a user named holder: the image store
// keeps the disk image of every image it holds, so no container of an
// image waits for a build, the first one included. The image is the one a
// container without per-container files gets (runnc run --image).
func Keep(diskDir, rootfs, holder string) error {
	if !idPattern.MatchString(holder) {
		return fmt.Errorf("disk image keeper %q cannot name a file", holder)
	}
	if err := os.MkdirAll(diskDir, 0o700); err != nil {
		return fmt.Errorf("create disk directory %s: %w", diskDir, err)
	}
	t := newTree(rootfs, nil)
	key, err := t.key()
	if err != nil {
		return err
	}
	// The marker holds rootfs, not a state directory: once the rootfs is
	// gone, pruneStale forgets the keeper like a container lost in a reboot.
	return image{dir: diskDir, key: key}.use(t, holder+keeperSuffix, rootfs)
}

// Release lets go of what holder keeps; the disk image goes with its last
// user.
func Release(diskDir, holder string) error {
	return dropMarker(diskDir, holder+keeperSuffix)
}

// dropMarker removes marker from every image that has it, and each image
// left without users.
func dropMarker(dir, marker string) error {
	found, err := filepath.Glob(filepath.Join(dir, "*.users", marker))
	if err != nil {
		return err
	}
	for _, p := range found {
		key := strings.TrimSuffix(filepath.Base(filepath.Dir(p)), ".users")
		l, _, err := lockKey(dir, key, true)
		if err != nil {
			return err
		}
		err = image{dir: dir, key: key}.dropUser(marker)
		l.unlock()
		if err != nil {
			return err
		}
	}
	return nil
}
