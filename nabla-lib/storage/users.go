package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// An image's users are marker files <DiskDir>/<key>.users/<marker>, one per
// container, holding the container's state directory. They are only made
// and removed under the key's lock, and the image goes with the last one.

// image is one image key in one disk directory.
type image struct{ dir, key string }

func (im image) path() string     { return filepath.Join(im.dir, im.key+".iso") }
func (im image) usersDir() string { return filepath.Join(im.dir, im.key+".users") }

// idPattern is runc's rule for container ids; it also keeps ids usable
// as file names and free of glob metacharacters.
var idPattern = regexp.MustCompile(`^[\w+.-]+$`)

// markerName names a container's marker: its id, plus a digest of the
// runtime root because two runnc roots (say Docker's and containerd's) may
// share a disk directory and reuse an id.
func markerName(in *llif.Input) (string, error) {
	id := in.ContainerID
	if !idPattern.MatchString(id) || strings.HasPrefix(id, ".") {
		return "", fmt.Errorf("container id %q cannot name a file: use letters, digits, '_', '+', '-' and '.'", id)
	}
	sum := sha256.Sum256([]byte(in.Runtime.Root))
	return id + "@" + hex.EncodeToString(sum[:6]), nil
}

// addUser records a user of the image; the caller holds the key's lock.
func (im image) addUser(marker, containerRoot string) error {
	if err := os.Mkdir(im.usersDir(), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("record user of image %s: %w", im.path(), err)
	}
	p := filepath.Join(im.usersDir(), marker)
	if err := os.WriteFile(p, []byte(containerRoot), 0o600); err != nil {
		return fmt.Errorf("record user of image %s: %w", im.path(), err)
	}
	return nil
}

// dropUser forgets a user of the image (absent is fine) and removes the
// image, its users directory and its lock file when no user is left. The
// caller holds the key's lock.
func (im image) dropUser(marker string) error {
	if err := os.Remove(filepath.Join(im.usersDir(), marker)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("forget user of image %s: %w", im.path(), err)
	}
	return im.removeIfUnused()
}

func (im image) removeIfUnused() error {
	// Removing the directory succeeds only when it is empty: that is the
	// "last user gone" test, with no window for a concurrent reader since
	// every user change holds the lock.
	err := os.Remove(im.usersDir())
	if errors.Is(err, unix.ENOTEMPTY) {
		return nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove users of image %s: %w", im.path(), err)
	}
	if err := os.Remove(im.path()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove unused image %s: %w", im.path(), err)
	}
	if err := im.removeBuilds(); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(im.dir, im.key+".lock")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove lock of unused image %s: %w", im.path(), err)
	}
	return nil
}

// pruneStale forgets the users whose container state directory is gone:
// /run/runnc is a tmpfs, so after a reboot no runnc delete will ever come
// for them and their images would stay on disk for good. The caller holds
// the key's lock.
func (im image) pruneStale() error {
	entries, err := os.ReadDir(im.usersDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list users of image %s: %w", im.path(), err)
	}
	for _, e := range entries {
		p := filepath.Join(im.usersDir(), e.Name())
		root, err := os.ReadFile(p)
		if err != nil || len(root) == 0 {
			continue
		}
		if _, err := os.Stat(string(root)); errors.Is(err, fs.ErrNotExist) {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("forget stale user of image %s: %w", im.path(), err)
			}
		}
	}
	return nil
}

// removeBuilds removes the temporary files of builds that died half way
// (a killed runnc create): builds run under the key's lock, which the
// caller holds, so none of them is in progress.
func (im image) removeBuilds() error {
	stale, _ := filepath.Glob(im.path() + buildSuffix + "*")
	for _, p := range stale {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove unfinished image %s: %w", p, err)
		}
	}
	return nil
}
