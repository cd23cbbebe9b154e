// Package safedir checks that a directory runnc keeps its files in (the
// state root, the disk directory, the image store) can be written by root
// alone, along its whole path: runnc runs hooks and removes files named by
// what it finds there, so a directory another user could write would let
// that user choose what root runs and removes.
package safedir

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/nabla-containers/runnc/internal/pathwalk"
)

// ErrUnsafe is the cause of every refusal: a path that a user other than
// root (or the user runnc runs as) could change.
var ErrUnsafe = errors.New("could be written by another user")

// Check returns nil if dir exists and only root could change what it
// names: every directory on its path, symlinks followed, is owned by root
// and writable by its owner alone. A parent may be world-writable with the
// sticky bit (/tmp): no other user can then rename or remove the entries
// root owns in it. A missing dir gives an error wrapping fs.ErrNotExist.
func Check(dir string) error {
	return remedy(walk(dir, 0))
}

// Make is Check, making the missing directories first: the last with
// mode, those above it 0711 (others may pass through to what the owner
// shares below, as /var/lib does).
func Make(dir string, mode os.FileMode) error {
	return remedy(walk(dir, mode))
}

// remedy ends a refusal with what to do about it.
func remedy(err error) error {
	if errors.Is(err, ErrUnsafe) {
		return fmt.Errorf("%w: use a directory that root owns and alone can write", err)
	}
	return err
}

// Trusted tells whether the file at path, whose Lstat is fi, was made by
// root (or by the user runnc runs as) and can be written by its owner
// alone.
func Trusted(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: no owner known", path)
	}
	if st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s %w (it is owned by uid %d)", path, ErrUnsafe, st.Uid)
	}
	if fi.Mode()&fs.ModeSymlink == 0 && st.Mode&0o022 != 0 {
		return fmt.Errorf("%s %w (its mode is %04o)", path, ErrUnsafe, st.Mode&0o7777)
	}
	return nil
}

// walk resolves dir one component at a time from /, checking each, and
// makes the missing ones when mode is not 0.
func walk(dir string, mode os.FileMode) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("directory %q: %w", dir, err)
	}
	// Each directory is lstat'ed once, on the way: curInfo is cur's, for
	// the last check. Going up, it is lstat'ed again (rare: a symlink
	// with "..").
	cur := "/"
	curInfo, err := os.Lstat(cur)
	if err != nil {
		return err
	}
	if err := checkDir(cur, curInfo, true); err != nil {
		return err
	}
	err = pathwalk.Walk(abs, pathwalk.Steps{
		// cur holds no symlink, so its parent is its textual one.
		Up: func() (err error) {
			cur = filepath.Dir(cur)
			curInfo, err = os.Lstat(cur)
			return err
		},
		Top: func() { cur, curInfo = "/", nil },
		Enter: func(c string, last bool) (string, bool, error) {
			next := filepath.Join(cur, c)
			fi, err := os.Lstat(next)
			if errors.Is(err, fs.ErrNotExist) && mode != 0 {
				m := os.FileMode(0o711)
				if last {
					m = mode
				}
				// EEXIST: someone made it since the Lstat; it is checked
				// below like any other.
				if err := os.Mkdir(next, m); err != nil && !errors.Is(err, fs.ErrExist) {
					return "", false, err
				}
				fi, err = os.Lstat(next)
			}
			if err != nil {
				return "", false, err
			}
			switch {
			case fi.Mode()&fs.ModeSymlink != 0:
				if err := Trusted("symlink "+next, fi); err != nil {
					return "", false, err
				}
				target, err := os.Readlink(next)
				return target, true, err
			case fi.IsDir():
				cur, curInfo = next, fi
				return "", false, checkDir(next, fi, true)
			}
			return "", false, fmt.Errorf("%s is not a directory", next)
		},
	})
	if errors.Is(err, pathwalk.ErrLoop) {
		return fmt.Errorf("%s: %w", abs, err)
	}
	if err != nil {
		return err
	}
	// Checked again as the directory itself, which no sticky bit excuses.
	if curInfo == nil { // back at / by an absolute symlink
		if curInfo, err = os.Lstat(cur); err != nil {
			return err
		}
	}
	return checkDir(cur, curInfo, false)
}

// checkDir checks a directory on the path, whose Lstat is fi; a parent may
// be a sticky world-writable one owned by root.
func checkDir(dir string, fi fs.FileInfo, parent bool) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if parent && ok && st.Uid == 0 && fi.Mode()&fs.ModeSticky != 0 {
		return nil
	}
	return Trusted(dir, fi)
}
