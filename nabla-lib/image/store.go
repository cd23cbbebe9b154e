package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/nabla-containers/runnc/internal/atomicfile"
	"github.com/nabla-containers/runnc/internal/errclass"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
	"github.com/sirupsen/logrus"
)

// DefaultRoot is where runnc keeps images.
const DefaultRoot = imageapi.DefaultRoot

// Store is an image store rooted at one directory. Several processes may
// use one store at once. Its lock and the records of which containers use
// which image (Use, Forget, Users: Remove refuses an image in use) are
// imageapi's, which runnc links without the rest.
type Store struct {
	imageapi.Store
	// Disks, when set, builds the disk image of each image's rootfs at
	// pull and keeps it until the image is removed, so its containers
	// never wait for a build.
	Disks Disks
	// UnpackLimitBytes bounds the bytes a pull writes unpacking an image's
	// layers (--unpack-limit); 0 sets no bound.
	UnpackLimitBytes int64
}

// Disks keeps the disk images of the store's images (runnc-image gives
// nabla-lib/storage's, in runnc's disk directory). Keep builds the disk
// image of rootfs and keeps it as a user named holder; Release lets go of
// what holder keeps.
type Disks interface {
	Keep(rootfs, holder string) error
	Release(holder string) error
}

// Image is an image's record in the store.
type Image struct {
	// ID is the digest of the image's config, which fixes its rootfs.
	ID string `json:"id"`
	// Digest is the digest of the manifest it was pulled with.
	Digest string `json:"digest"`
	// Refs are the references it was pulled by, canonical.
	Refs []string `json:"refs"`
	// Layers are the digests of its layer blobs, lowest first.
	Layers []string `json:"layers"`
	// Size is the bytes of its blobs in the store.
	Size   int64     `json:"size"`
	Pulled time.Time `json:"pulled"`
}

// Details is what Inspect tells about an image.
type Details struct {
	Image
	Rootfs string         `json:"rootfs"`
	Config *v1.ConfigFile `json:"config"`
}

// Open returns the store rooted at dir; it is made on the first pull.
func Open(dir string) (*Store, error) {
	s, err := imageapi.Open(dir)
	if err != nil {
		return nil, err
	}
	return &Store{Store: s}, nil
}

func (s *Store) blobPath(digest string) string {
	return filepath.Join(s.Root(), "blobs", "sha256", hexOf(digest))
}
func (s *Store) rootfsPath(id string) string { return filepath.Join(s.Root(), "rootfs", hexOf(id)) }
func (s *Store) bundlePath(id string) string { return filepath.Join(s.Root(), "bundles", hexOf(id)) }

// hexOf is the hex part of a sha256 digest.
func hexOf(digest string) string { return strings.TrimPrefix(digest, "sha256:") }

// List returns the stored images, newest first. A *.json file in images/
// that is no record of runnc's (named by another, unreadable, or holding
// another image's ID) is skipped with a warning: the directory is the
// user's too, and one such file must not hide the store's images.
func (s *Store) List() ([]Image, error) {
	dir := filepath.Join(s.Root(), "images")
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list image store %s: %w", s.Root(), err)
	}
	var out []Image
	for _, e := range entries {
		h, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok {
			continue
		}
		im, err := readRecord(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since the directory was read
		}
		if err == nil && (!isDigestHex(h) || im.ID != "sha256:"+h) {
			err = fmt.Errorf("it is named for no image it holds")
		}
		if err != nil {
			logrus.Warnf("image store %s: skipping %s, which is not a record runnc wrote: %v", s.Root(), e.Name(), err)
			continue
		}
		out = append(out, *im)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pulled.After(out[j].Pulled) })
	return out, nil
}

func readRecord(path string) (*Image, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var im Image
	if err := json.Unmarshal(data, &im); err != nil {
		return nil, fmt.Errorf("image record %s is corrupt: %w", path, err)
	}
	return &im, nil
}

// Find returns the image named by ref: a reference (any transport), its
// ID or manifest digest, or a unique prefix of at least 4 hex digits of
// its ID.
func (s *Store) Find(ref string) (*Image, error) {
	images, err := s.List()
	if err != nil {
		return nil, err
	}
	return s.match(images, ref)
}

// match is the one of images that ref names (see Find).
func (s *Store) match(images []Image, ref string) (*Image, error) {
	canon := ref
	prefix := strings.TrimPrefix(ref, "sha256:")
	if r, err := ParseReference(ref); err == nil {
		canon = r.String
	} else if !isHex(prefix) {
		return nil, err // neither a reference nor a digest
	}
	var hits []Image
	for _, im := range images {
		switch {
		case contains(im.Refs, canon), im.ID == ref, im.Digest == ref,
			len(prefix) >= 4 && isHex(prefix) && strings.HasPrefix(hexOf(im.ID), prefix):
			hits = append(hits, im)
		}
	}
	switch len(hits) {
	case 0:
		return nil, errclass.Errorf(imageapi.ErrNotFound, "image %s is not in the store %s: pull it first (runnc image pull %s)", ref, s.Root(), ref)
	case 1:
		return &hits[0], nil
	}
	return nil, errclass.Errorf(imageapi.ErrInvalidReference, "%s matches %d images in the store: give more of the digest", ref, len(hits))
}

// Inspect returns an image's record, config and rootfs path.
func (s *Store) Inspect(ref string) (*Details, error) {
	im, err := s.Find(ref)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.blobPath(im.ID))
	if err != nil {
		return nil, fmt.Errorf("read config of image %s: %w", im.ID, err)
	}
	defer f.Close()
	cfg, err := v1.ParseConfigFile(f)
	if err != nil {
		return nil, fmt.Errorf("config of image %s: %w", im.ID, err)
	}
	return &Details{Image: *im, Rootfs: s.rootfsPath(im.ID), Config: cfg}, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isDigestHex tells whether s is the hex of a sha256 digest, the form of
// the names runnc gives blobs, rootfs trees, bundles and records.
func isDigestHex(s string) bool { return len(s) == 64 && isHex(s) }

func isHex(s string) bool {
	return strings.Trim(s, "0123456789abcdef") == ""
}

func (s *Store) writeRecord(im *Image) error {
	data, err := json.MarshalIndent(im, "", "\t")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.RecordPath(im.ID), append(data, '\n'), 0o644, true); err != nil {
		return fmt.Errorf("write record of image %s: %w", im.ID, err)
	}
	return nil
}

// PullOptions tune a pull.
type PullOptions struct {
	// Insecure lets a docker:// pull use plain HTTP.
	Insecure bool
	// Progress, when set, gets a line per layer with the bytes stored.
	Progress io.Writer
	// Context cancels the pull; nil is context.Background().
	Context context.Context
}

func (o PullOptions) context() context.Context {
	if o.Context == nil {
		return context.Background()
	}
	return o.Context
}
