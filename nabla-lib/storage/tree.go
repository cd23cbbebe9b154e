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

// tree is a directory as it goes into a disk image: a rootfs without the
// engine's entries and without the files the container gets from the host
// instead (its per-container files, shadowed in the guest by CONFIG), or
// the directory a volume mounts, whole.
//
// It is read through a view that nothing can redirect: a detached clone
// of the directory's mounts, read-only and nosymfollow, made from the
// directory resolved once. The key's scan and genisoimage both go through
// it, so a directory of the tree swapped for a symlink while they run is
// never followed out of the tree (the kernel refuses the path: ELOOP),
// where genisoimage, which lists the tree and then opens each file by
// path, would copy the host file the symlink names. Symlinks are still
// read as symlinks.
type tree struct {
	name string   // what the tree is, for messages: "rootfs /x"
	path string   // the directory resolved
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
	src, err := resolveOnce(rootfs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("rootfs %s does not exist: check root.path in config.json", rootfs)
	}
	if err != nil {
		return nil, fmt.Errorf("rootfs %s: %w", rootfs, err)
	}
	defer src.close()
	if !src.isDir() {
		return nil, fmt.Errorf("rootfs %s is not a directory: check root.path in config.json", rootfs)
	}
	t, err := src.tree("rootfs "+rootfs, limit)
	if err != nil {
		return nil, err
	}
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

// source is a host path resolved once and open as O_PATH, so that what
// it is and what is made of it are the same file whatever is renamed
// over the path meanwhile.
type source struct {
	path string // resolved
	fd   int
	st   unix.Stat_t
}

// resolveOnce resolves the symlinks of path once, here, and opens what it
// names: a symlinked rootfs or volume is thus the tree it names (handed
// the link, genisoimage would put the link alone in the image and the
// guest would get an empty disk), and a symlink put on the resolved path
// since is refused. O_PATH opens a FIFO without waiting for a writer.
func resolveOnce(path string) (*source, error) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Openat2(unix.AT_FDCWD, resolved, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS,
	})
	if err != nil {
		return nil, err
	}
	s := &source{path: resolved, fd: fd}
	if err := unix.Fstat(fd, &s.st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return s, nil
}

func (s *source) close()       { unix.Close(s.fd) }
func (s *source) isDir() bool  { return s.st.Mode&unix.S_IFMT == unix.S_IFDIR }
func (s *source) isFile() bool { return s.st.Mode&unix.S_IFMT == unix.S_IFREG }

// tree opens the directory s as a tree named name (see tree.name), through
// its view (see tree). The caller closes the tree.
func (s *source) tree(name string, limit int64) (*tree, error) {
	view, err := unix.OpenTree(s.fd, "", unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_EMPTY_PATH|unix.AT_RECURSIVE)
	if err != nil {
		return nil, fmt.Errorf("%s: make a private view of it: %w", name, err)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSYMFOLLOW}
	if err := unix.MountSetattr(view, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &attr); err != nil {
		unix.Close(view)
		return nil, fmt.Errorf("%s: make its private view read-only: %w", name, err)
	}
	f := os.NewFile(uintptr(view), "view of "+s.path)
	ls, err := overlayAt(s.path)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &tree{name: name, path: s.path, view: f, root: viewPath(f.Fd()), skip: map[string]bool{}, limit: limit, layers: ls}, nil
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
