package storage

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/nabla-containers/runnc/internal/sha256"
	"golang.org/x/sys/unix"
)

// key names the image of the tree by what provably fixes its content, so
// that two trees share an image only if their content is the same (a key
// of sizes and mtimes shared one image between two tenants' trees that
// differed only in their bytes, and between every pair of reproducible
// builds):
//   - a tree its keeper named (the image store's rootfs of an image, see
//     Keep): that identity, the image's digest;
//   - an overlay of an engine's layers (a Docker, containerd or podman
//     container): the layers' identities and the content of the rest (see
//     layers.hash), without reading the image's bytes;
//   - any other tree: each entry's path, type and mode, size and symlink
//     target, and for all but directories its device, inode and change
//     time, which the kernel sets and no tar extraction or touch can
//     forge: a tree is then shared only with itself, until it changes.
//
// The image format and the skipped paths go into the hash too.
func (t *tree) key() (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", imageFormat)
	skipped := make([]string, 0, len(t.skip))
	for rel := range t.skip {
		skipped = append(skipped, rel)
	}
	slices.Sort(skipped)
	for _, rel := range skipped {
		fmt.Fprintf(h, "skip %s\x00", rel)
	}
	var err error
	switch {
	case t.identity != "":
		fmt.Fprintf(h, "kept %s\x00", t.identity)
	case t.layers != nil:
		err = t.layers.hash(h, t.skip)
	default:
		err = t.hashEntries(h)
	}
	if err != nil {
		return "", fmt.Errorf("scan %s: %w", t.name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashEntries writes every entry of the tree but the skipped into h, as
// key says.
func (t *tree) hashEntries(h hash.Hash) error {
	return t.walk(func(rel string, p string, st *unix.Stat_t) error {
		target, err := linkTarget(p, st)
		if err != nil {
			return err
		}
		// NUL cannot occur in a path or a symlink target, so the record is
		// unambiguous. A directory's identity is left out: an engine adds
		// its entries to it, which are skipped.
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00%s\x00", rel, st.Mode, st.Size, target)
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			fmt.Fprintf(h, "%d\x00%d\x00%d.%d\x00", st.Dev, st.Ino, st.Ctim.Sec, st.Ctim.Nsec)
		}
		return nil
	})
}

// measure sets the tree's size, what its files add up to (an image holds
// each byte, holes included), refusing a tree past its limit.
func (t *tree) measure() error {
	t.size = 0
	err := t.walk(func(_, _ string, st *unix.Stat_t) error {
		if st.Mode&unix.S_IFMT == unix.S_IFREG {
			if t.size += st.Size; t.limit > 0 && t.size > t.limit {
				return tooLarge(t.name, t.limit)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrTooLarge) {
		return fmt.Errorf("scan %s: %w", t.name, err)
	}
	return err
}

// walk calls visit for every entry of the tree but the skipped, through
// its view (see walkSkipping).
func (t *tree) walk(visit func(rel, p string, st *unix.Stat_t) error) error {
	return walkSkipping(t.root, t.skip, visit)
}

// walkSkipping calls visit for every entry below dir but those skip names
// (paths relative to dir), with its path relative to dir, its path and its
// Lstat.
func walkSkipping(dir string, skip map[string]bool, visit func(rel, p string, st *unix.Stat_t) error) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if skip[rel] {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		return visit(rel, p, &st)
	})
}

// linkTarget is the target of p if it is a symlink (st its Lstat), else "".
func linkTarget(p string, st *unix.Stat_t) (string, error) {
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		return "", nil
	}
	return os.Readlink(p)
}

// ErrTooLarge is the cause of a refusal of a tree whose disk image would
// pass its limit.
var ErrTooLarge = errors.New("more than the disk image limit")

// tooLarge refuses the tree named name (see tree.name): its image would
// pass limit bytes.
func tooLarge(name string, limit int64) error {
	return fmt.Errorf("the disk image of %s would be %w, %d bytes (--disk-limit): raise the limit or make it smaller", name, ErrTooLarge, limit)
}
