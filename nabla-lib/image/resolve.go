package image

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/internal/pathwalk"
)

// errEscape is a path or symlink that leads out of the rootfs.
var errEscape = errors.New("leads out of the rootfs: refused")

// cleanEntry checks a tar entry's name (or a hard link's target) and
// returns it relative to the rootfs. Absolute names and names climbing
// out with ".." are refused: a layer has no business naming them.
func cleanEntry(name string) (string, error) {
	if path.IsAbs(name) {
		return "", fmt.Errorf("absolute path %w", errEscape)
	}
	c := path.Clean(name)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path with .. %w", errEscape)
	}
	return c, nil
}

// resolveDir returns the real location, relative to root, of directory
// rel, following the symlinks already unpacked as the container will see
// them: an absolute target starts again at the rootfs's root. A symlink
// whose target climbs above the root ("../../etc") is refused, so no write
// can be steered out of the tree. The result has no symlink in it, so the
// caller may create below it with ordinary (host) path calls.
func resolveDir(root, rel string) (string, error) {
	var done []string
	culprit := "path " + rel // or the last symlink followed
	err := pathwalk.Walk(rel, pathwalk.Steps{
		Up: func() error {
			if len(done) == 0 {
				return fmt.Errorf("%s %w", culprit, errEscape)
			}
			done = done[:len(done)-1]
			return nil
		},
		Top: func() { done = nil },
		Enter: func(c string, _ bool) (string, bool, error) {
			cur := filepath.Join(root, filepath.Join(done...), c)
			fi, err := os.Lstat(cur)
			if err != nil || fi.Mode()&os.ModeSymlink == 0 {
				done = append(done, c) // a directory, or to be made one
				return "", false, nil
			}
			culprit = "symlink " + filepath.Join(filepath.Join(done...), c)
			target, err := os.Readlink(cur)
			return target, true, err
		},
	})
	if errors.Is(err, pathwalk.ErrLoop) {
		return "", fmt.Errorf("path %q: %w", rel, err)
	}
	if err != nil {
		return "", err
	}
	return filepath.Join(done...), nil
}
