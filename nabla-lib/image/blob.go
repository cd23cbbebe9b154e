package image

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Bounds on what a manifest may declare for one blob: no image runnc can
// run has more, and sizes past them (4.6 EB was seen) only make nonsense
// of the image's size. A config is read whole into memory.
const (
	maxConfigSize = 16 << 20
	maxLayerSize  = 1 << 40
)

// checkDeclared refuses a descriptor whose declared size is negative or
// past max, before any of it is fetched.
func checkDeclared(what string, d v1.Descriptor, max int64) error {
	if d.Size < 0 || d.Size > max {
		return fmt.Errorf("the manifest declares %d bytes for %s %s: refusing it (a %s has at most %d bytes)", d.Size, what, d.Digest, what, max)
	}
	return nil
}

// sizeMismatch is the refusal of a blob of got bytes whose manifest
// declares size.
func sizeMismatch(digest string, got, size int64) error {
	return fmt.Errorf("blob %s has %d bytes, but the manifest declares %d: refusing it", digest, got, size)
}

// checkStoredSize compares a stored blob, whose bytes match its digest,
// with the size a manifest declares for it.
func checkStoredSize(path string, d v1.Descriptor) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Size() != d.Size {
		return sizeMismatch(d.Digest.String(), fi.Size(), d.Size)
	}
	return nil
}

// saveBlob copies r into dir/<hex of want>, hashing as it goes, and keeps
// the file only when its bytes hash to want and number size: a blob that
// does not match its descriptor is never stored, and no more than one
// byte past size is read. It returns the bytes written.
func saveBlob(dir, want string, size int64, r io.Reader) (int64, error) {
	dst := filepath.Join(dir, hexOf(want))
	tmp, err := os.CreateTemp(dir, ".blob-*")
	if err != nil {
		return 0, fmt.Errorf("store blob %s: %w", want, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, size+1))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("store blob %s: %w", want, err)
	}
	if n > size {
		return 0, fmt.Errorf("blob %s has more than the %d bytes the manifest declares: refusing it", want, size)
	}
	if n < size {
		return 0, sizeMismatch(want, n, size)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != want {
		return 0, fmt.Errorf("blob %s does not match its digest (its %d bytes hash to %s): refusing it", want, n, got)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return 0, fmt.Errorf("store blob %s: %w", want, err)
	}
	return n, nil
}

// checkDigest tells whether want names a sha256 digest this store keeps.
func checkDigest(want string) error {
	h := hexOf(want)
	if len(want) != len("sha256:")+64 || !isDigestHex(h) {
		return fmt.Errorf("digest %q is not a sha256 digest: only sha256 is supported", want)
	}
	return nil
}
