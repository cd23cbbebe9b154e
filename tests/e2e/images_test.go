package e2e_test

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

const (
	nablaImage   = "runnc-e2e/nabla:latest"
	busyboxImage = "runnc-e2e/busybox:latest"
	indexHTML    = "<html><body>runnc e2e</body></html>\n"
	bigFileSize  = 5 << 20
)

// bigFile is the 5 MiB file the images serve: deterministic, and not all
// one byte, so a truncated or shifted transfer is caught.
var bigFile = func() []byte {
	b := make([]byte, bigFileSize)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}()

// tarEntry is one file, directory or symlink of an image.
type tarEntry struct {
	name, link string
	mode       int64
	data       []byte
	dir        bool
}

var (
	imageMu   sync.Mutex
	imageDone = map[string]bool{}
)

// nabla returns the image holding every built guest at /<name>.nabla plus
// /index.html, /big.bin and an empty /dir, importing it on first use.
func (d *daemon) nabla(t testing.TB) string {
	t.Helper()
	testenv.Binary(t, "guests/hello.nabla")
	return d.image(t, nablaImage, func() ([]tarEntry, error) {
		guests, err := filepath.Glob(filepath.Join(testenv.BuildDir(t), "guests", "*.nabla"))
		if err != nil {
			return nil, err
		}
		entries := append(webFiles(""), tarEntry{name: "dir", dir: true, mode: 0o755})
		for _, g := range guests {
			data, err := os.ReadFile(g)
			if err != nil {
				return nil, err
			}
			entries = append(entries, tarEntry{name: filepath.Base(g), mode: 0o755, data: data})
		}
		return entries, nil
	})
}

// busybox returns an image of Debian's static busybox with the applets the
// runc comparisons use, and the same web files under /www.
func (d *daemon) busybox(t testing.TB) string {
	t.Helper()
	return d.image(t, busyboxImage, func() ([]tarEntry, error) {
		bin, err := exec.LookPath("busybox")
		if err != nil {
			return nil, fmt.Errorf("busybox is not installed: run scripts/setup.sh (busybox-static)")
		}
		if err := requireStatic(bin); err != nil {
			return nil, err
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		entries := []tarEntry{
			{name: "bin", dir: true, mode: 0o755},
			{name: "bin/busybox", mode: 0o755, data: data},
			{name: "www", dir: true, mode: 0o755},
		}
		for _, applet := range []string{"sh", "echo", "true", "sleep", "httpd", "cat"} {
			entries = append(entries, tarEntry{name: "bin/" + applet, link: "busybox"})
		}
		return append(entries, webFiles("www/")...), nil
	})
}

func webFiles(prefix string) []tarEntry {
	return []tarEntry{
		{name: prefix + "index.html", mode: 0o644, data: []byte(indexHTML)},
		{name: prefix + "big.bin", mode: 0o644, data: bigFile},
	}
}

// image imports the tar of entries as name once per run.
func (d *daemon) image(t testing.TB, name string, entries func() ([]tarEntry, error)) string {
	t.Helper()
	imageMu.Lock()
	defer imageMu.Unlock()
	if imageDone[name] {
		return name
	}
	es, err := entries()
	if err != nil {
		t.Fatalf("image %s: %v", name, err)
	}
	tarPath := filepath.Join(t.TempDir(), "image.tar")
	if err := writeTar(tarPath, es); err != nil {
		t.Fatalf("image %s: %v", name, err)
	}
	d.must(t, "import", tarPath, name)
	imageDone[name] = true
	return name
}

func writeTar(path string, entries []tarEntry) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Size: int64(len(e.data)), Typeflag: tar.TypeReg}
		switch {
		case e.dir:
			h.Typeflag, h.Name = tar.TypeDir, e.name+"/"
		case e.link != "":
			h.Typeflag, h.Linkname, h.Mode = tar.TypeSymlink, e.link, 0o777
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// requireStatic refuses a dynamically linked busybox: the image holds no
// libraries.
func requireStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked: install busybox-static", path)
		}
	}
	return nil
}
