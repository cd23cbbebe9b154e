package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// engineEntries are what container engines create in every container's
// rootfs (Docker's init layer, podman's marker) with fresh timestamps. A
// unikernel has no use for them (it has no /dev, /proc or /sys), and
// keeping them would give every container of one image its own disk image.
var engineEntries = []string{".dockerenv", ".containerenv", "run/.containerenv", "dev", "proc", "sys", "etc/mtab"}

// tree is a rootfs as it goes into a disk image: without the engine's
// entries and without the files the container gets from the host instead
// (its per-container files, shadowed in the guest by CONFIG).
//
// It is read through a view that nothing can redirect: a detached clone
// of the rootfs's mounts, read-only and nosymfollow, made from the rootfs
// resolved once. The key's scan and genisoimage both go through it, so a
// directory of the rootfs swapped for a symlink while they run is never
// followed out of the tree (the kernel refuses the path: ELOOP), where
// genisoimage, which lists the tree and then opens each file by path,
// would copy the host file the symlink names. Symlinks are still read as
// symlinks.
type tree struct {
	name string   // the rootfs as root.path names it, for messages
	path string   // the rootfs resolved
	view *os.File // the detached clone's root
	root string   // the view's path in this process
	skip map[string]bool
	// What names its content (see key): the identity its keeper gave it,
	// else the layers of the overlay mounted there, else neither.
	identity string
	layers   *layers
	// limit bounds the image's size (see DiskLimitBytes); 0: no bound.
	limit int64
	// size is what its files add up to, once key has scanned it.
	size int64
}

// viewPath is the path of the directory open at fd, as a process with it
// open at fd sees it. The final "." makes the magic link resolve: the path
// is the directory, where the link itself would be a symlink.
func viewPath(fd uintptr) string { return fmt.Sprintf("/proc/self/fd/%d/.", fd) }

// openTree opens the tree of rootfs, whose image may have at most limit
// bytes. The caller closes it.
func openTree(rootfs string, limit int64) (*tree, error) {
	path, view, err := openView(rootfs)
	if err != nil {
		return nil, err
	}
	ls, err := overlayAt(path)
	if err != nil {
		view.Close()
		return nil, fmt.Errorf("rootfs %s: %w", rootfs, err)
	}
	t := &tree{name: rootfs, path: path, view: view, root: viewPath(view.Fd()), skip: map[string]bool{}, limit: limit, layers: ls}
	for _, e := range engineEntries {
		t.skip[e] = true
	}
	return t, nil
}

func (t *tree) close() { t.view.Close() }

// shadow leaves out the per-container files (guest path -> host path).
func (t *tree) shadow(files map[string]string) {
	for guest := range files {
		t.skip[strings.TrimPrefix(filepath.Clean(guest), "/")] = true
	}
}

// openView resolves the symlinks of root.path once, here, and returns the
// view of the directory it names (see tree). A symlinked root.path is thus
// the tree it names: handed the link, genisoimage would put the link alone
// in the image and the guest would get an empty disk. It returns the
// resolved path too.
func openView(path string) (string, *os.File, error) {
	rootfs, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("rootfs %s does not exist: check root.path in config.json", path)
	}
	if err != nil {
		return "", nil, fmt.Errorf("rootfs %s: %w", path, err)
	}
	// Resolved already: a symlink put on the path since is refused.
	dir, err := unix.Openat2(unix.AT_FDCWD, rootfs, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS,
	})
	if err != nil {
		return "", nil, fmt.Errorf("rootfs %s: %w", path, err)
	}
	defer unix.Close(dir)
	var st unix.Stat_t
	if err := unix.Fstat(dir, &st); err != nil {
		return "", nil, fmt.Errorf("rootfs %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return "", nil, fmt.Errorf("rootfs %s is not a directory: check root.path in config.json", path)
	}
	view, err := unix.OpenTree(dir, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return "", nil, fmt.Errorf("rootfs %s: make a private view of it: %w", path, err)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSYMFOLLOW}
	if err := unix.MountSetattr(view, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
		unix.Close(view)
		return "", nil, fmt.Errorf("rootfs %s: make its private view read-only: %w", path, err)
	}
	return rootfs, os.NewFile(uintptr(view), "view of "+rootfs), nil
}

// skipped lists the skipped paths that exist in the rootfs, sorted.
func (t *tree) skipped() []string {
	var out []string
	for rel := range t.skip {
		if _, err := os.Lstat(filepath.Join(t.root, rel)); err == nil {
			out = append(out, rel)
		}
	}
	sort.Strings(out)
	return out
}
