package testenv

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// WriteFiles makes files (path -> content) below dir, and dir and the
// directories between, as a rootfs or a volume of a test.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, content := range files {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ReadFile is the content of the file at path; a file that cannot be read
// fails the test.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// FIFOAndSocket makes, in dir, a FIFO and a Unix socket that listens until
// the test ends: sources a disk cannot be made of, which runnc must refuse
// without opening (an open of the FIFO would wait for a writer).
func FIFOAndSocket(t testing.TB, dir string) (fifo, sock string) {
	t.Helper()
	fifo = filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sock = filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return fifo, sock
}

// RawDisk is a new disk image file of size bytes, each fill, with mode
// perm: a file volume, or a block device for the tender. It returns the
// path and the content.
func RawDisk(t testing.TB, size int, fill byte, perm os.FileMode) (string, []byte) {
	t.Helper()
	data := bytes.Repeat([]byte{fill}, size)
	p := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Chmod, not WriteFile's mode: the umask must not take write bits a
	// read-only-by-mode test relies on, or leave them.
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	return p, data
}
