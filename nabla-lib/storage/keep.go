package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/containerid"
)

// keeperSuffix ends a keeper's marker name; '@' never ends a container's
// marker (id@digest), so the two cannot meet.
const keeperSuffix = "@kept"

// Keep builds the disk image of rootfs ahead of its containers and keeps it
// for as long as rootfs exists, as a user named holder: the image store
// keeps the disk image of every image it holds, so no container of an
// image waits for a build, the first one included. The image is the one a
// container without per-container files gets (runnc run --image).
// cacheBytes is the --disk-cache limit, which matters only if Keep fails;
// limitBytes bounds the disk image (see llif.RuntimeOptions.DiskLimitBytes).
func Keep(diskDir string, cacheBytes, limitBytes int64, rootfs, holder string) error {
	if !containerid.Valid(holder) {
		return fmt.Errorf("disk image keeper %q cannot name a file", holder)
	}
	if err := checkDiskDir(diskDir, true); err != nil {
		return err
	}
	t, err := openTree(rootfs, limitBytes)
	if err != nil {
		return err
	}
	defer t.close()
	t.identity = holder
	key, err := t.key()
	if err != nil {
		return err
	}
	// The marker holds rootfs, not a state directory: once the rootfs is
	// gone, pruneStale forgets the keeper like a container lost in a reboot.
	// It is also how a container of rootfs finds the identity (keptBy).
	_, err = image{dir: diskDir, key: key}.use(t, holder+keeperSuffix, t.path, cacheBytes > 0)
	return err
}

// keptBy is the holder that keeps the image of the rootfs at path
// (resolved), or "" if none does: a tree its keeper named is named so for
// every container (see tree.key). The markers are the disk directory's,
// which only root writes.
func keptBy(dir, path string) string {
	found, _ := filepath.Glob(filepath.Join(dir, "*"+usersSuffix, "*"+keeperSuffix))
	for _, p := range found {
		if !isKey(strings.TrimSuffix(filepath.Base(filepath.Dir(p)), usersSuffix)) {
			continue
		}
		if data, err := os.ReadFile(p); err == nil && string(data) == path {
			return strings.TrimSuffix(filepath.Base(p), keeperSuffix)
		}
	}
	return ""
}

// Release lets go of what holder keeps: without other users the disk
// image stays unused while the unused images fit in cacheBytes (the
// --disk-cache limit), so pulling the image again finds it.
func Release(diskDir string, cacheBytes int64, holder string) error {
	if err := checkDiskDir(diskDir, false); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	released, err := dropMarker(diskDir, holder+keeperSuffix, func(string) bool { return cacheBytes > 0 })
	if err != nil {
		return err
	}
	sweep(diskDir, "", cacheBytes, released)
	return nil
}

// dropMarker removes marker from every image that has it and releases each
// image left without users (see release; keep tells it by key whether to
// keep the image unused), reporting whether it released any.
func dropMarker(dir, marker string, keep func(key string) bool) (released bool, err error) {
	found, err := filepath.Glob(filepath.Join(dir, "*"+usersSuffix, marker))
	if err != nil {
		return false, err
	}
	for _, p := range found {
		key := strings.TrimSuffix(filepath.Base(filepath.Dir(p)), usersSuffix)
		if !isKey(key) {
			continue // another's directory that happens to hold the name
		}
		l, _, err := lockKey(dir, key, true)
		if err != nil {
			return released, err
		}
		r, err := image{dir: dir, key: key}.dropUser(marker, keep(key))
		l.unlock()
		if err != nil {
			return released, err
		}
		released = released || r
	}
	return released, nil
}
