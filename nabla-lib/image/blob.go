package image

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// saveBlob copies r into dir/<hex of want>, hashing as it goes, and keeps
// the file only when its bytes hash to want: a blob that does not match
// its digest is never stored. It returns the bytes written.
func saveBlob(dir, want string, r io.Reader) (int64, error) {
	dst := filepath.Join(dir, hexOf(want))
	tmp, err := os.CreateTemp(dir, ".blob-*")
	if err != nil {
		return 0, fmt.Errorf("store blob %s: %w", want, err)
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("store blob %s: %w", want, err)
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
