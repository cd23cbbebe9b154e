package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// key names the image of the tree. Like rsync's quick check it hashes
// metadata only (path, type and mode, size, mtime in ns, symlink target),
// never contents: a 200 MB rootfs is keyed in milliseconds, and any change
// made by the usual tools (package managers, cp, tar, overlay copy-up)
// changes a size or an mtime. Directory mtimes are left out: they change
// when an engine adds its entries, and the entries inside a directory are
// hashed themselves. The image format goes into the hash too, so images
// made with other options are never reused. A tree whose files add up to
// more than its limit is refused here, before any build.
func (t *tree) key() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", imageFormat)
	t.size = 0
	err := filepath.WalkDir(t.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(t.root, p)
		if err != nil {
			return err
		}
		if t.skip[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		var target string
		if info.Mode()&fs.ModeSymlink != 0 {
			if target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		var mtime int64
		if !info.IsDir() {
			mtime = info.ModTime().UnixNano()
		}
		if info.Mode().IsRegular() {
			// The image holds each byte, holes included.
			if t.size += info.Size(); t.limit > 0 && t.size > t.limit {
				return tooLarge(t.name, t.limit)
			}
		}
		// NUL cannot occur in a path or a symlink target, so the record is
		// unambiguous.
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00%d\x00%s\x00",
			rel, uint32(info.Mode()), info.Size(), mtime, target)
		return nil
	})
	if errors.Is(err, ErrTooLarge) {
		return "", err
	}
	if err != nil {
		return "", fmt.Errorf("scan rootfs %s: %w", t.name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ErrTooLarge is the cause of a refusal of a rootfs whose disk image would
// pass its limit.
var ErrTooLarge = errors.New("more than the disk image limit")

// tooLarge refuses the rootfs at root: its image would pass limit bytes.
func tooLarge(root string, limit int64) error {
	return fmt.Errorf("the disk image of rootfs %s would be %w, %d bytes (--disk-limit): raise the limit or make the rootfs smaller", root, ErrTooLarge, limit)
}
