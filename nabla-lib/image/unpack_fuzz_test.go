package image

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// FuzzApply feeds the layer unpacker arbitrary tar streams, two layers of
// each: whatever they hold, it never panics, never writes or retimes
// anything outside the rootfs, and never writes past its limit.
func FuzzApply(f *testing.F) {
	type ent struct {
		name, link string
		typ        byte
		body       string
	}
	seed := func(es ...ent) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, e := range es {
			tw.WriteHeader(&tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o755,
				Size: int64(len(e.body)), ModTime: time.Unix(1e9, 0)})
			tw.Write([]byte(e.body))
		}
		tw.Close()
		return buf.Bytes()
	}
	for _, s := range [][]byte{
		seed(ent{name: "a/", typ: tar.TypeDir}, ent{name: "a/f", typ: tar.TypeReg, body: "x"}),
		seed(ent{name: "out", typ: tar.TypeSymlink, link: "../../.."}, ent{name: "out/f", typ: tar.TypeReg, body: "x"}),
		seed(ent{name: "abs", typ: tar.TypeSymlink, link: "/"}, ent{name: "abs/etc/f", typ: tar.TypeReg, body: "x"}),
		seed(ent{name: "a/", typ: tar.TypeDir}, ent{name: "a", typ: tar.TypeSymlink, link: "/tmp"}),
		seed(ent{name: "h", typ: tar.TypeLink, link: "../../etc/passwd"}),
		seed(ent{name: "d/.wh..wh..opq", typ: tar.TypeReg}, ent{name: ".wh.d", typ: tar.TypeReg}),
		seed(ent{name: "big", typ: tar.TypeReg, body: strings.Repeat("y", 5000)}),
		[]byte("not a tar at all"),
	} {
		f.Add(s, seed(ent{name: "a/g", typ: tar.TypeReg, body: "z"}))
	}
	// The unpacker's warnings (a dropped device node) would flood the
	// fuzzer's output.
	logrus.SetOutput(io.Discard)
	f.Fuzz(func(t *testing.T, layer1, layer2 []byte) {
		base := t.TempDir()
		outside := filepath.Join(base, "outside")
		if err := os.Mkdir(outside, 0o755); err != nil {
			t.Fatal(err)
		}
		stamp := time.Unix(123, 0)
		if err := os.Chtimes(outside, stamp, stamp); err != nil {
			t.Fatal(err)
		}
		const limit = 4096
		b, err := newRootfsBuilder(filepath.Join(base, "rootfs"), limit)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range [][]byte{layer1, layer2} {
			if b.apply(bytes.NewReader(l), "fuzz") != nil {
				return
			}
		}
		b.finish()
		entries, err := os.ReadDir(outside)
		if err != nil || len(entries) != 0 {
			t.Fatalf("the layers wrote %v outside the rootfs (%v)", entries, err)
		}
		if fi, err := os.Stat(outside); err != nil || !fi.ModTime().Equal(stamp) {
			t.Fatalf("the layers retimed a directory outside the rootfs")
		}
		var written int64
		filepath.Walk(b.root, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				written += fi.Size()
			}
			return nil
		})
		if written > limit {
			t.Fatalf("the layers wrote %d bytes, past the limit of %d", written, limit)
		}
	})
}
