package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Pull stores the image ref names, unless the store has it already, and
// records ref as one of its names. Everything is fetched and checked in a
// work directory and moved into the store only when whole, so a failed
// pull leaves the store as it was.
func (s *Store) Pull(ref string, opts PullOptions) (*Image, error) {
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	src, err := r.open(opts)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.String, err)
	}
	rawManifest, err := src.RawManifest()
	if err != nil {
		return nil, fmt.Errorf("pull %s: read manifest: %w", r.String, err)
	}
	manifest, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, fmt.Errorf("pull %s: manifest: %w", r.String, err)
	}
	if err := checkDigest(manifest.Config.Digest.String()); err != nil {
		return nil, fmt.Errorf("pull %s: config: %w", r.String, err)
	}
	id := manifest.Config.Digest.String()

	// Pulls and removes go one at a time: a second pull of the same image
	// waits here and then finds it stored.
	unlock, err := s.Lock(true)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := s.prepare(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(s.RecordPath(id)); err == nil {
		return s.addRef(id, r.String)
	}
	work, err := os.MkdirTemp(filepath.Join(s.Root(), "tmp"), "pull-")
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.String, err)
	}
	defer os.RemoveAll(work)
	p := &puller{store: s, src: src, work: work, opts: opts}
	im, err := p.fetch(id, rawManifest, manifest)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.String, err)
	}
	if err := p.commit(im); err != nil {
		return nil, fmt.Errorf("pull %s: %w", r.String, err)
	}
	return s.addRef(id, r.String)
}

type puller struct {
	store *Store
	src   v1.Image
	work  string
	opts  PullOptions
}

// fetch stores every blob of the image in the work directory, checked
// against its digest, and unpacks the layers into work/rootfs.
func (p *puller) fetch(id string, rawManifest []byte, m *v1.Manifest) (*Image, error) {
	blobs := filepath.Join(p.work, "blobs")
	if err := os.Mkdir(blobs, 0o700); err != nil {
		return nil, err
	}
	if err := checkDeclared("config", m.Config, maxConfigSize); err != nil {
		return nil, err
	}
	for _, d := range m.Layers {
		if err := checkDeclared("layer", d, maxLayerSize); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(rawManifest)
	im := &Image{ID: id, Digest: "sha256:" + hex.EncodeToString(sum[:]), Pulled: time.Now().UTC()}
	if _, err := saveBlob(blobs, im.Digest, int64(len(rawManifest)), bytes.NewReader(rawManifest)); err != nil {
		return nil, err
	}
	rawConfig, err := p.src.RawConfigFile()
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	n, err := saveBlob(blobs, id, m.Config.Size, bytes.NewReader(rawConfig))
	if err != nil {
		return nil, err
	}
	im.Size = n + int64(len(rawManifest))
	cfg, err := v1.ParseConfigFile(bytes.NewReader(rawConfig))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", id, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("manifest lists %d layers but config %s lists %d", len(m.Layers), id, len(cfg.RootFS.DiffIDs))
	}
	b, err := newRootfsBuilder(filepath.Join(p.work, "rootfs"), p.store.UnpackLimitBytes)
	if err != nil {
		return nil, err
	}
	for i, d := range m.Layers {
		digest := d.Digest.String()
		if err := checkDigest(digest); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
		path, err := p.layerBlob(blobs, d)
		if err != nil {
			return nil, err
		}
		if err := unpackBlob(b, storedBlob{path: path, desc: d}, cfg.RootFS.DiffIDs[i].String()); err != nil {
			return nil, err
		}
		im.Layers = append(im.Layers, digest)
		im.Size += d.Size
	}
	return im, b.finish()
}

// layerBlob returns the path of layer d's blob: the store's copy when it
// has one (checked when it was stored), else a fresh copy in blobs.
func (p *puller) layerBlob(blobs string, d v1.Descriptor) (string, error) {
	digest := d.Digest.String()
	if have := p.store.blobPath(digest); exists(have) {
		return have, checkStoredSize(have, d)
	}
	if have := filepath.Join(blobs, hexOf(digest)); exists(have) {
		return have, checkStoredSize(have, d) // a layer listed twice
	}
	l, err := p.src.LayerByDigest(d.Digest)
	if err != nil {
		return "", fmt.Errorf("layer %s: %w", digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return "", fmt.Errorf("layer %s: %w", digest, err)
	}
	defer rc.Close()
	var r io.Reader = rc
	if p.opts.Progress != nil {
		pr := newProgress(p.opts.Progress, digest, d.Size)
		defer pr.done()
		r = io.TeeReader(rc, pr)
	}
	if _, err := saveBlob(blobs, digest, d.Size, r); err != nil {
		return "", err
	}
	return filepath.Join(blobs, hexOf(digest)), nil
}

// storedBlob is a layer blob already checked and stored, as the
// partial.CompressedLayer from which go-containerregistry decompresses it
// (gzip, zstd or plain tar, told by its first bytes).
type storedBlob struct {
	path string
	desc v1.Descriptor
}

func (b storedBlob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b storedBlob) Compressed() (io.ReadCloser, error)  { return os.Open(b.path) }
func (b storedBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b storedBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }

// unpackBlob applies a stored layer blob and checks its uncompressed
// bytes against the config's diff ID.
func unpackBlob(b *rootfsBuilder, blob storedBlob, diffID string) error {
	digest := blob.desc.Digest.String()
	l, err := partial.CompressedToLayer(blob)
	if err != nil {
		return fmt.Errorf("layer %s: %w", digest, err)
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return fmt.Errorf("layer %s: %w", digest, err)
	}
	defer rc.Close()
	h := sha256.New()
	tee := io.TeeReader(rc, h)
	if err := b.apply(tee, digest); err != nil {
		return err
	}
	// The tar reader stops at the end marker; the digest covers all.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return fmt.Errorf("layer %s: %w", digest, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != diffID {
		return fmt.Errorf("layer %s unpacks to content with digest %s, but the config says %s: refusing it", digest, got, diffID)
	}
	return nil
}

// commit moves the checked blobs and rootfs into the store; the record,
// written last, is what makes the image exist.
func (p *puller) commit(im *Image) error {
	s := p.store
	blobs, err := os.ReadDir(filepath.Join(p.work, "blobs"))
	if err != nil {
		return err
	}
	for _, e := range blobs {
		dst := s.blobPath("sha256:" + e.Name())
		if err := os.Rename(filepath.Join(p.work, "blobs", e.Name()), dst); err != nil {
			return fmt.Errorf("store blob %s: %w", e.Name(), err)
		}
	}
	// prepare removed a rootfs without a record, left by a pull killed
	// in commit, before this pull began.
	rootfs := s.rootfsPath(im.ID)
	if err := os.Rename(filepath.Join(p.work, "rootfs"), rootfs); err != nil {
		return fmt.Errorf("store rootfs of %s: %w", im.ID, err)
	}
	if s.Disks != nil {
		if err := s.Disks.Keep(rootfs, diskKeeper(im.ID)); err != nil {
			// Undone at once: a failed pull leaves the store as it was.
			if uerr := s.removeFiles(im.ID); uerr != nil {
				logrus.Warnf("undo pull of %s: %v", im.ID, uerr)
			} else if uerr := s.collect(); uerr != nil {
				logrus.Warnf("undo pull of %s: %v", im.ID, uerr)
			}
			return fmt.Errorf("build the disk image of %s: %w", im.ID, err)
		}
	}
	return s.writeRecord(im)
}

// diskKeeper names the store's hold on an image's disk image.
func diskKeeper(id string) string { return "image-" + hexOf(id) }

// addRef records ref as a name of image id, taking it from any other
// image it named before (a tag pulled again after it moved).
func (s *Store) addRef(id, ref string) (*Image, error) {
	images, err := s.List()
	if err != nil {
		return nil, err
	}
	var target *Image
	for i := range images {
		im := &images[i]
		if im.ID == id {
			target = im
			continue
		}
		if kept := without(im.Refs, ref); len(kept) != len(im.Refs) {
			im.Refs = kept
			if err := s.writeRecord(im); err != nil {
				return nil, err
			}
		}
	}
	if target == nil {
		return nil, fmt.Errorf("image %s vanished from the store %s", id, s.Root())
	}
	if !contains(target.Refs, ref) {
		target.Refs = append(target.Refs, ref)
		if err := s.writeRecord(target); err != nil {
			return nil, err
		}
	}
	return target, nil
}

func without(list []string, s string) []string {
	var out []string
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
