package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// rootfsKey names the image of a rootfs. Like rsync's quick check it hashes
// metadata only (path, type and mode, size, mtime in ns, symlink target),
// never contents: a 200 MB rootfs is keyed in milliseconds, and any change
// made by the usual tools (package managers, cp, tar, overlay copy-up)
// changes a size or an mtime. The image format goes into the hash too, so
// images made with other options are never reused.
func rootfsKey(rootfs string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", imageFormat)
	err := filepath.WalkDir(rootfs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(rootfs, p)
		if err != nil {
			return err
		}
		var target string
		if info.Mode()&fs.ModeSymlink != 0 {
			if target, err = os.Readlink(p); err != nil {
				return err
			}
		}
		// NUL cannot occur in a path or a symlink target, so the record is
		// unambiguous.
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00%d\x00%s\x00",
			rel, uint32(info.Mode()), info.Size(), info.ModTime().UnixNano(), target)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("scan rootfs %s: %w", rootfs, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
