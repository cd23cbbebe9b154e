package storage

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/nabla-containers/runnc/internal/containerid"
	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/internal/sha256"
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
	// It is also how a container of rootfs checks the identity (keptBy).
	if _, err = (image{dir: diskDir, key: key}).use(t, holder+keeperSuffix, t.path, cacheBytes > 0); err != nil {
		return err
	}
	return indexKeeper(diskDir, t.path, holder)
}

// keeperIndexSuffix ends the file <sha256 of a rootfs path><suffix> of the
// disk directory that names the holder keeping that rootfs, so a create
// finds its keeper with one open, not by listing every user of every
// image. Its name has the form of a key, like every name runnc uses there.
const keeperIndexSuffix = ".keeper"

func keeperIndex(dir, path string) string {
	sum := sha256.Sum256([]byte(path))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+keeperIndexSuffix)
}

// indexKeeper records holder as the keeper of the rootfs at path. The
// index is only a hint: keptBy believes it when the keeper's marker says
// the same, so a torn or stale index costs a build, never a wrong image.
func indexKeeper(dir, path, holder string) error {
	if err := nopoll.WriteFile(keeperIndex(dir, path), []byte(holder), 0o600); err != nil {
		return fmt.Errorf("index keeper %s of %s: %w", holder, path, err)
	}
	return nil
}

// unindexKeeper removes the index of the keeper whose marker is at p,
// if it still names that keeper; p's content is the rootfs path. It goes
// before the marker: a runnc killed in between leaves a marker without an
// index (the next boot's full check restores it), never an index that
// outlives its keeper.
func unindexKeeper(dir, p string) error {
	holder, ok := strings.CutSuffix(filepath.Base(p), keeperSuffix)
	if !ok {
		return nil // a container's marker: every delete passes here
	}
	path, err := nopoll.ReadFile(p)
	if err != nil {
		return nil
	}
	index := keeperIndex(dir, string(path))
	if named, err := nopoll.ReadFile(index); err != nil || string(named) != holder {
		return nil
	}
	return removeFile(index, "keeper index")
}

// keptBy is the holder that keeps the image of the rootfs at path
// (resolved), or "" if none does: a tree its keeper named is named so for
// every container (see tree.key). The index and the markers are the disk
// directory's, which only root writes. Without an index (no keeper, the
// common case) it costs one open; with one, an open per image, never a
// listing of an image's users.
func keptBy(dir, path string) string {
	holder, err := nopoll.ReadFile(keeperIndex(dir, path))
	if err != nil || !containerid.Valid(string(holder)) {
		return ""
	}
	for _, users := range usersDirs(dir) {
		if data, err := nopoll.ReadFile(filepath.Join(users, string(holder)+keeperSuffix)); err == nil && string(data) == path {
			return string(holder)
		}
	}
	return ""
}

// usersDirs are the users directories of the images of dir: one listing
// of dir, whatever the number of users.
func usersDirs(dir string) []string {
	found, _ := filepath.Glob(filepath.Join(dir, "*"+usersSuffix))
	return slices.DeleteFunc(found, func(p string) bool {
		return !isKey(strings.TrimSuffix(filepath.Base(p), usersSuffix))
	})
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
	released, err := dropMarker(diskDir, holder+keeperSuffix, func(string) bool { return cacheBytes > 0 }, nil)
	if err != nil {
		return err
	}
	sweep(diskDir, "", cacheBytes, released)
	return nil
}

// dropMarker removes marker from the images of keys that have it (of
// every image, with keys nil) and releases each image left without users
// (see release; keep tells it by key whether to keep the image unused),
// reporting whether it released any.
func dropMarker(dir, marker string, keep func(key string) bool, keys []string) (released bool, err error) {
	// A stat per image rather than a glob of */marker, which would list
	// every user of every image.
	var dirs []string
	for _, key := range keys {
		dirs = append(dirs, image{dir: dir, key: key}.usersDir())
	}
	if keys == nil {
		dirs = usersDirs(dir)
	}
	for _, users := range dirs {
		p := filepath.Join(users, marker)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		key := strings.TrimSuffix(filepath.Base(users), usersSuffix)
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
