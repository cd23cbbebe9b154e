package storage

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-containers/runnc/internal/nopoll"
	"github.com/nabla-containers/runnc/internal/sha256"
	"golang.org/x/sys/unix"
)

// layers are the directories of the overlay mounted at a rootfs, as
// Docker, containerd and podman mount a container's: the image's read-only
// layers below, the container's own directory above. They name the merged
// content without reading it (see hash).
type layers struct {
	options []string // the mount's other options, sorted
	lowers  []string // top first, resolved
	upper   string   // resolved; "" for none
}

// engineLayer tells whether dir has the form of a layer in an engine's
// layer store: Docker's overlay2/<id>/diff, containers-storage's
// overlay/<id>/diff, containerd's snapshots/<n>/fs. Such a layer is
// written once, when the engine unpacks it from a digest-checked blob, and
// read-only from then on: its identity names its content. Docker's
// per-container init layer (<id>-init/diff) and any other directory are
// named by their content instead. (Not a regexp: linking package regexp
// costs every start of runnc the initialisation of its Unicode tables.)
func engineLayer(dir string) bool {
	if parent, id, ok := lastTwo(dir, "/diff"); ok {
		return isKey(id) && (strings.HasSuffix(parent, "/overlay") || strings.HasSuffix(parent, "/overlay2"))
	}
	if parent, n, ok := lastTwo(dir, "/fs"); ok {
		return n != "" && strings.Trim(n, "0123456789") == "" && strings.HasSuffix(parent, "/snapshots")
	}
	return false
}

// lastTwo splits parent/name+suffix into parent and name.
func lastTwo(path, suffix string) (parent, name string, ok bool) {
	rest, ok := strings.CutSuffix(path, suffix)
	i := strings.LastIndexByte(rest, '/')
	if !ok || i < 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// overlayAt returns the layers of the overlay mounted at dir (resolved),
// or nil if none is, or its layers cannot be told (relative paths from an
// unknown directory): the tree is then named entry by entry.
func overlayAt(dir string) (*layers, error) {
	// What is seen at dir is an overlay or not: a look at its file
	// system spares reading every mount of the host (0.1 ms) for a rootfs
	// that is none, as a bundle's from runnc spec or an image store's.
	var fs unix.Statfs_t
	if err := unix.Statfs(dir, &fs); err == nil && fs.Type != unix.OVERLAYFS_SUPER_MAGIC {
		return nil, nil
	}
	f, err := nopoll.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var opts string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint options [optional...] - type source superoptions
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 3 || unescape(fields[4]) != dir {
			continue
		}
		// The last mount at dir is the one seen there, and an overlay
		// below another mount names nothing that is seen.
		opts = ""
		if tail[0] == "overlay" {
			opts = tail[2]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read /proc/self/mountinfo: %w", err)
	}
	if opts == "" {
		return nil, nil
	}
	return parseOverlay(dir, opts), nil
}

// parseOverlay reads an overlay's super options (escaped as mountinfo
// escapes them). Relative layer paths (Docker and containerd use them when
// the options would not fit a page) are taken from the directory above
// the upper's (containerd's snapshots) or the rootfs's (Docker's home).
func parseOverlay(dir, opts string) *layers {
	l := &layers{}
	var lowers []string
	for _, o := range strings.Split(opts, ",") {
		name, value, _ := strings.Cut(o, "=")
		value = unescape(value)
		switch name {
		case "lowerdir":
			lowers = append(lowers, splitLowers(value)...)
		case "lowerdir+", "datadir+":
			lowers = append(lowers, value)
		case "upperdir":
			l.upper = value
		case "workdir":
		default:
			l.options = append(l.options, o)
		}
	}
	slices.Sort(l.options)
	var bases []string
	if filepath.IsAbs(l.upper) {
		bases = append(bases, filepath.Dir(filepath.Dir(l.upper)))
	}
	bases = append(bases, filepath.Dir(filepath.Dir(dir)))
	resolve := func(p string) string {
		if !filepath.IsAbs(p) {
			for _, b := range bases {
				if _, err := os.Lstat(filepath.Join(b, p)); err == nil {
					p = filepath.Join(b, p)
					break
				}
			}
		}
		r, err := filepath.EvalSymlinks(p)
		if err != nil || !filepath.IsAbs(r) {
			return ""
		}
		return r
	}
	for _, p := range lowers {
		r := resolve(p)
		if r == "" {
			return nil
		}
		l.lowers = append(l.lowers, r)
	}
	if l.upper != "" {
		if l.upper = resolve(l.upper); l.upper == "" {
			return nil
		}
	}
	if len(l.lowers) == 0 {
		return nil
	}
	return l
}

// splitLowers splits a lowerdir list at its colons; "\:" is a colon in a
// path, and "::" marks the data-only layers that follow.
func splitLowers(v string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v):
			i++
			cur.WriteByte(v[i])
		case v[i] == ':':
			if cur.Len() > 0 {
				out = append(out, cur.String())
			}
			cur.Reset()
		default:
			cur.WriteByte(v[i])
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// unescape undoes mountinfo's octal escapes (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// hash writes what fixes the merged content into h: the options, then
// each layer, top first: the upper directory, the container's own and
// writable, by its content; an engine's read-only layer by its identity
// (path, device, inode, change time: a layer removed and made again is
// another) unless it is small; any other lower directory (Docker's
// per-container init layer) by its content. The image's layers, nearly all of the bytes, are never
// read: a second container of an image costs a few stats and its own
// small layers.
func (l *layers) hash(h io.Writer, skip map[string]bool) error {
	fmt.Fprintf(h, "overlay %s\x00", strings.Join(l.options, ","))
	if l.upper != "" {
		if err := hashLayerContent(h, l.upper, skip); err != nil {
			return err
		}
	}
	for _, d := range l.lowers {
		// Only an engine's layer may be named by identity, so only its
		// size is worth a walk.
		small := !engineLayer(d)
		if !small {
			var err error
			if small, err = smallLayer(d, skip); err != nil {
				return err
			}
		}
		if small {
			if err := hashLayerContent(h, d, skip); err != nil {
				return err
			}
			continue
		}
		var st unix.Stat_t
		if err := unix.Stat(d, &st); err != nil {
			return err
		}
		fmt.Fprintf(h, "layer %s\x00%d\x00%d\x00%d.%d\x00", d, st.Dev, st.Ino, st.Ctim.Sec, st.Ctim.Nsec)
	}
	return nil
}

// Bounds of a small layer, named by its content even in an engine's store:
// the per-container init layer Docker makes beside the image's, as a
// snapshot of its own with containerd's snapshotter, holds a few empty
// files, and must not give each container its own key.
const (
	smallEntries = 64
	smallBytes   = 1 << 20
)

// errNotSmall stops smallLayer's walk.
var errNotSmall = errors.New("not a small layer")

// smallLayer tells whether the layer dir, but the skipped, is small.
func smallLayer(dir string, skip map[string]bool) (bool, error) {
	var entries, size int64
	err := walkSkipping(dir, skip, func(_, _ string, st *unix.Stat_t) error {
		if entries++; entries > smallEntries {
			return errNotSmall
		}
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			if size += st.Size; size > smallBytes {
				return errNotSmall
			}
		}
		return nil
	})
	if errors.Is(err, errNotSmall) {
		return false, nil
	}
	return err == nil, err
}

// hashLayerContent writes a layer named by its content into h. Not its
// path: each container's init layer and upper have their own.
func hashLayerContent(h io.Writer, dir string, skip map[string]bool) error {
	fmt.Fprint(h, "content\x00")
	return hashContent(h, dir, skip)
}

// hashContent writes every entry below dir into h, but the skipped: path,
// type and mode, size, symlink target, device number (overlay whiteouts
// are 0:0 devices), the overlay's own extended attributes (opaque
// directories, redirects), and the bytes of each file.
func hashContent(h io.Writer, dir string, skip map[string]bool) error {
	return walkSkipping(dir, skip, func(rel, p string, st *unix.Stat_t) error {
		target, err := linkTarget(p, st)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00%d\x00%s\x00", rel, st.Mode, st.Size, st.Rdev, target)
		if err := hashOverlayXattrs(h, p); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			return hashFile(h, p)
		}
		return nil
	})
}

// overlayXattr tells whether name is one of the overlay's attributes that
// change what the merged tree shows (trusted. or user.overlay.*); the
// others (origin, impure, nlink) are bookkeeping the overlay may add as
// the tree is read.
func overlayXattr(name string) bool {
	rest, ok := strings.CutPrefix(name, "trusted.overlay.")
	if !ok {
		rest, ok = strings.CutPrefix(name, "user.overlay.")
	}
	switch rest {
	case "opaque", "redirect", "metacopy", "whiteout", "whiteouts":
		return ok
	}
	return false
}

// hashOverlayXattrs writes p's overlay attributes (overlayXattr) into h, sorted.
func hashOverlayXattrs(h io.Writer, p string) error {
	// Sized first: most files have no attribute, and this runs for every
	// entry of the layers hashed by content.
	size, err := unix.Llistxattr(p, nil)
	if errors.Is(err, unix.ENOTSUP) || (err == nil && size == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	buf := make([]byte, size)
	n, err := unix.Llistxattr(p, buf)
	if err != nil {
		return err
	}
	var names []string
	for _, name := range strings.Split(string(buf[:n]), "\x00") {
		if overlayXattr(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		val := make([]byte, 64<<10)
		m, err := unix.Lgetxattr(p, name, val)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "xattr %s\x00%d\x00%s\x00", name, m, val[:m])
	}
	return nil
}

// hashFile writes the sha256 of the file at p into h.
func hashFile(h io.Writer, p string) error {
	f, err := os.OpenFile(p, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return err
	}
	fmt.Fprintf(h, "%x\x00", sum.Sum(nil))
	return nil
}
