package storage

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/nabla-containers/runnc/llif"
	"golang.org/x/sys/unix"
)

// sectorBytes is the block size the tender gives a raw volume: a file
// that is not a whole number of blocks would fail only at start.
const sectorBytes = 512

// openVolume resolves the source of a volume once (see resolveOnce): a
// symlink inside a directory stays a symlink in its image, never followed
// on the host. It refuses a source that is neither a directory nor a
// regular file a block device can be made of. The caller closes it.
func openVolume(v volumeMount) (*source, error) {
	src, err := resolveOnce(v.src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the source %s of the bind mount at %s does not exist: create it, or correct the mount", v.src, v.dst)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", v.what(), err)
	}
	switch {
	case src.isDir():
		return src, nil
	case src.isFile():
		if size := src.st.Size; size == 0 || size%sectorBytes != 0 {
			src.close()
			return nil, fmt.Errorf("the file %s mounted at %s is %d bytes, which the unikernel cannot read as a block device of %d-byte blocks: make its size a non-zero multiple of %[4]d (truncate -s)", v.src, v.dst, size, sectorBytes)
		}
		return src, nil
	}
	src.close()
	return nil, fmt.Errorf("the source %s of the bind mount at %s is a %s, which %w: mount a directory (the guest reads a snapshot of it) or a regular file (a block device) instead, or %s",
		v.src, v.dst, fileType(src.st.Mode), llif.ErrMountUnreachable, llif.LeaveOut(v.dst))
}

// makeVolume makes the disk of a volume whose source openVolume opened:
// of a directory, a read-only image of its content at this moment, named,
// shared and kept as a rootfs's image is (see useTree); of a regular
// file, the file itself, writable unless the mount is read-only.
func makeVolume(v volumeMount, src *source, in *llif.Input, marker string, keys *diskKeys) (llif.Volume, error) {
	if !src.isDir() {
		return llif.Volume{Destination: v.dst, Disk: src.path, Type: llif.VolumeRaw, ReadOnly: v.readOnly}, nil
	}
	t, err := src.tree(fmt.Sprintf("the directory %s mounted at %s", v.src, v.dst), in.Runtime.DiskLimitBytes)
	if err != nil {
		return llif.Volume{}, err
	}
	defer t.close()
	im, err := useTree(t, in, marker, keys)
	if err != nil {
		return llif.Volume{}, err
	}
	return llif.Volume{Destination: v.dst, Disk: im.path(), Type: llif.VolumeISO9660, ReadOnly: true}, nil
}

// fileType names the type of a file that is neither a directory nor a
// regular file.
func fileType(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "FIFO"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFCHR:
		return "character device"
	case unix.S_IFBLK:
		return "block device"
	}
	return fmt.Sprintf("file of mode %#o", mode)
}

// useTree makes (or reuses) the disk image of t and records this
// container as one of its users (see image.use), adding its key to keys.
func useTree(t *tree, in *llif.Input, marker string, keys *diskKeys) (image, error) {
	key, err := t.key()
	if err != nil {
		return image{}, err
	}
	im := image{dir: in.Runtime.DiskDir, key: key}
	b, err := im.use(t, marker, in.ContainerRoot, in.Runtime.DiskCacheBytes > 0)
	if err != nil {
		return image{}, err
	}
	keys.used = append(keys.used, key)
	if b {
		keys.built = append(keys.built, key)
	}
	return im, nil
}
