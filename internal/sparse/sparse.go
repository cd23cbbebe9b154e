// Package sparse copies a stream into a file without writing its blocks
// of zeros: they become holes, so a sparse file (which tar and genisoimage
// hand over as zeros) stays sparse on disk, and a layer of gigabytes of
// zeros takes no room. The copy stops at a size limit.
package sparse

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// ErrLimit is the cause of a copy stopped at its limit.
var ErrLimit = errors.New("past the size limit")

// block is the unit checked for zeros: a page, and a file system block.
const block = 4096

// buffers holds Copy's read buffers, 64 blocks each.
var buffers = sync.Pool{New: func() any { b := make([]byte, 64*block); return &b }}

// Copy copies src to the start of dst, an empty file open for writing,
// leaving a hole for every block-aligned run of zeros, and sets dst's size
// to the bytes copied. It stops with an error wrapping ErrLimit once more
// than limit bytes come; it returns the bytes copied.
func Copy(dst *os.File, src io.Reader, limit int64) (int64, error) {
	// One buffer per copy would be 256 KiB of garbage for each file of a
	// layer, tens of thousands in an image: they are reused.
	bp := buffers.Get().(*[]byte)
	defer buffers.Put(bp)
	buf := *bp
	var n int64
	for {
		k, err := io.ReadFull(src, buf)
		if n+int64(k) > limit {
			return n, fmt.Errorf("%w of %d bytes", ErrLimit, limit)
		}
		if werr := writeSparse(dst, buf[:k], n); werr != nil {
			return n, werr
		}
		n += int64(k)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return n, err
		}
	}
	// A file that ends in a hole gets its size here.
	return n, dst.Truncate(n)
}

// writeSparse writes the blocks of b that are not all zeros at offset off.
func writeSparse(dst *os.File, b []byte, off int64) error {
	for len(b) > 0 {
		// Runs of data are written in one call, runs of zeros skipped.
		k := min(block, len(b))
		zero := isZero(b[:k])
		for k < len(b) {
			next := min(k+block, len(b))
			if isZero(b[k:next]) != zero {
				break
			}
			k = next
		}
		if !zero {
			if _, err := dst.WriteAt(b[:k], off); err != nil {
				return err
			}
		}
		b, off = b[k:], off+int64(k)
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
