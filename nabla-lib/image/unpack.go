package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nabla-containers/runnc/internal/sparse"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// OCI whiteouts: .wh.NAME deletes NAME of the lower layers; the opaque
// marker in a directory hides all of that directory's lower content.
const (
	whiteoutPrefix = ".wh."
	whiteoutOpaque = ".wh..wh..opq"
)

// rootfsBuilder applies an image's layers, lowest first, to one directory.
type rootfsBuilder struct {
	root string
	// dirTimes are the mtimes to give directories once every layer is in:
	// writing into a directory changes its mtime, and the "iso" handler's
	// rootfs key hashes mtimes, so a rootfs unpacked again must get the
	// same ones. Directories no entry names get the epoch.
	dirTimes map[string]time.Time
	// left is what the layers may still write (see UnpackLimitBytes),
	// and limit the whole.
	left, limit int64
}

// newRootfsBuilder returns a builder of the rootfs at root (made here)
// that writes at most limit bytes of files; 0: no bound.
func newRootfsBuilder(root string, limit int64) (*rootfsBuilder, error) {
	if err := os.Mkdir(root, 0o755); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = math.MaxInt64
	}
	return &rootfsBuilder{root: root, dirTimes: map[string]time.Time{".": time.Unix(0, 0)}, left: limit, limit: limit}, nil
}

// ErrTooLarge is the cause of a pull refused because its layers write more
// than the store's limit.
var ErrTooLarge = errors.New("more than the unpack limit")

// apply unpacks one layer's tar stream. Entries that would land outside
// the rootfs fail the layer; device nodes and fifos are dropped and
// setuid/setgid bits cleared, each with a warning.
func (b *rootfsBuilder) apply(r io.Reader, layer string) error {
	tr := tar.NewReader(r)
	// made are this layer's own paths, which its opaque markers keep.
	made := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %s: read tar: %w", layer, err)
		}
		if err := b.entry(tr, h, layer, made); err != nil {
			return fmt.Errorf("layer %s: entry %q: %w", layer, h.Name, err)
		}
	}
}

func (b *rootfsBuilder) entry(tr *tar.Reader, h *tar.Header, layer string, made map[string]bool) error {
	name, err := cleanEntry(h.Name)
	if err != nil {
		return err
	}
	if name == "." {
		if h.Typeflag == tar.TypeDir {
			b.dirTimes["."] = h.ModTime
		}
		return nil
	}
	dir, base := filepath.Split(name)
	parent, err := resolveDir(b.root, dir)
	if err != nil {
		return err
	}
	if base == whiteoutOpaque {
		return b.opaque(parent, made)
	}
	if strings.HasPrefix(base, whiteoutPrefix) {
		victim := strings.TrimPrefix(base, whiteoutPrefix)
		if victim == "" || victim == "." || victim == ".." {
			return fmt.Errorf("whiteout names no file")
		}
		return os.RemoveAll(filepath.Join(b.root, parent, victim))
	}
	rel := filepath.Join(parent, base)
	if err := b.mkdirAll(parent); err != nil {
		return err
	}
	dst := filepath.Join(b.root, rel)
	mode := b.mode(h, layer)

	switch h.Typeflag {
	case tar.TypeDir:
		if fi, err := os.Lstat(dst); err != nil || !fi.IsDir() {
			if err := replace(dst); err != nil {
				return err
			}
			if err := os.Mkdir(dst, 0o700); err != nil {
				return err
			}
		}
		if err := os.Chmod(dst, mode); err != nil {
			return err
		}
		b.dirTimes[rel] = h.ModTime
	case tar.TypeReg:
		if err := replace(dst); err != nil {
			return err
		}
		if h.Size > b.left {
			return b.tooLarge()
		}
		n, err := writeFile(dst, tr, mode, b.left)
		if errors.Is(err, sparse.ErrLimit) {
			return b.tooLarge()
		}
		if err != nil {
			return err
		}
		b.left -= n
		if err := os.Chtimes(dst, h.ModTime, h.ModTime); err != nil {
			return err
		}
	case tar.TypeSymlink:
		// The target is stored as written: the tree is only ever walked
		// through resolveDir here, and genisoimage does not follow links.
		if err := replace(dst); err != nil {
			return err
		}
		if err := os.Symlink(h.Linkname, dst); err != nil {
			return err
		}
		tv := unix.NsecToTimeval(h.ModTime.UnixNano())
		if err := unix.Lutimes(dst, []unix.Timeval{tv, tv}); err != nil {
			return err
		}
	case tar.TypeLink:
		src, err := b.linkSource(h.Linkname)
		if err != nil {
			return err
		}
		if src == dst {
			return nil
		}
		if err := replace(dst); err != nil {
			return err
		}
		if err := os.Link(src, dst); err != nil {
			return err
		}
	default:
		logrus.Warnf("image layer %s: dropping %s: a %s cannot be part of a unikernel's disk image", layer, h.Name, typeName(h.Typeflag))
		return nil
	}
	made[rel] = true
	return nil
}

// mode is the entry's permission bits, minus setuid and setgid: a
// unikernel has no users to switch to, and the bits serve only attacks.
func (b *rootfsBuilder) mode(h *tar.Header, layer string) os.FileMode {
	fm := h.FileInfo().Mode()
	if fm&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
		logrus.Warnf("image layer %s: clearing the setuid/setgid bits of %s", layer, h.Name)
	}
	return fm & (fs.ModePerm | fs.ModeSticky)
}

// linkSource is the host path of a hard link's target, which must be a
// file already in the rootfs.
func (b *rootfsBuilder) linkSource(linkname string) (string, error) {
	name, err := cleanEntry(linkname)
	if err != nil {
		return "", fmt.Errorf("hard link target: %w", err)
	}
	dir, base := filepath.Split(name)
	parent, err := resolveDir(b.root, dir)
	if err != nil {
		return "", fmt.Errorf("hard link target: %w", err)
	}
	src := filepath.Join(b.root, parent, base)
	fi, err := os.Lstat(src)
	if err != nil {
		return "", fmt.Errorf("hard link target %s is not in the rootfs: %w", linkname, err)
	}
	if fi.IsDir() {
		return "", fmt.Errorf("hard link target %s is a directory", linkname)
	}
	return src, nil
}

// opaque empties directory rel of everything the lower layers put there.
func (b *rootfsBuilder) opaque(rel string, made map[string]bool) error {
	entries, err := os.ReadDir(filepath.Join(b.root, rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		child := filepath.Join(rel, e.Name())
		if !made[child] {
			if err := os.RemoveAll(filepath.Join(b.root, child)); err != nil {
				return err
			}
		}
	}
	return nil
}

// mkdirAll makes the missing directories of rel, which resolveDir
// returned and so holds no symlink.
func (b *rootfsBuilder) mkdirAll(rel string) error {
	if rel == "" {
		return nil
	}
	for p := rel; p != "." && p != ""; p = filepath.Dir(p) {
		if _, ok := b.dirTimes[p]; !ok {
			b.dirTimes[p] = time.Unix(0, 0)
		}
	}
	return os.MkdirAll(filepath.Join(b.root, rel), 0o755)
}

// finish gives the directories their recorded mtimes. A later layer may
// have put a symlink where a directory was, or on its path, naming a host
// directory: nothing is followed, and a directory that is none any more
// (gone, or reached only through a symlink) keeps the time it has.
func (b *rootfsBuilder) finish() error {
	root, err := unix.Open(b.root, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %s: %w", b.root, err)
	}
	defer unix.Close(root)
	for rel, t := range b.dirTimes {
		err := setDirTime(root, rel, t)
		// ELOOP: a symlink on the path; EXDEV: one leading out.
		if err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTDIR) &&
			!errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.EXDEV) {
			return fmt.Errorf("set mtime of %s: %w", rel, err)
		}
	}
	return nil
}

// setDirTime sets the mtime (and atime) of directory rel below the rootfs
// open at root, through fd-relative calls that follow no symlink: openat2
// resolves the parent with RESOLVE_NO_SYMLINKS, and the last component is
// checked to be a directory and changed with AT_SYMLINK_NOFOLLOW.
func setDirTime(root int, rel string, t time.Time) error {
	dir, base := filepath.Split(rel)
	if dir == "" {
		dir = "."
	}
	parent, err := unix.Openat2(root, dir, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH,
	})
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	var st unix.Stat_t
	if err := unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return unix.ENOTDIR
	}
	ts := unix.NsecToTimespec(t.UnixNano())
	return unix.UtimesNanoAt(parent, base, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW)
}

// replace removes what is at dst, so that a new entry never writes
// through an old symlink or into an old file's other hard links.
func replace(dst string) error {
	err := os.RemoveAll(dst)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// tooLarge refuses the image: its layers write more than the limit.
func (b *rootfsBuilder) tooLarge() error {
	return fmt.Errorf("the image's layers unpack to %w of %d bytes (--unpack-limit): raise the limit or use a smaller image", ErrTooLarge, b.limit)
}

// writeFile writes the file dst with r's bytes, at most limit of them,
// keeping its runs of zeros as holes (tar hands a sparse file over as
// zeros); it returns the bytes written.
func writeFile(dst string, r io.Reader, mode os.FileMode, limit int64) (int64, error) {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return 0, err
	}
	n, err := sparse.Copy(f, r, limit)
	if err == nil {
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func typeName(t byte) string {
	switch t {
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "fifo"
	}
	return fmt.Sprintf("tar entry of type %q", t)
}
