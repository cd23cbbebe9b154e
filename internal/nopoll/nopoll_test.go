package nopoll

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestReadFileReadsWhatWriteFileWrote(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	// Sizes around the first read's buffer (the size plus one) and
	// past it.
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 1 << 20} {
		want := bytes.Repeat([]byte("x"), n)
		if err := WriteFile(p, want, 0o640); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%d bytes: read back %d bytes, %v", n, len(got), err)
		}
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", fi.Mode(), err)
	}
}

// A file of /proc says it has no size; it is read to its end all the same.
func TestReadFileReadsProcFilesWhole(t *testing.T) {
	want, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	// The test's own mounts do not change between the two reads.
	if !bytes.Equal(got, want) || len(got) == 0 {
		t.Errorf("read %d bytes of /proc/self/mountinfo, os.ReadFile %d", len(got), len(want))
	}
}

func TestErrorsAreThoseOfPackageOS(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	_, err := ReadFile(missing)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) || pe.Path != missing {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
	if _, err := Open(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing file: %v", err)
	}
	if err := WriteFile(filepath.Join(missing, "f"), nil, 0o600); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFile below a missing directory: %v", err)
	}
}

// Its descriptors are as package os's: blocking, and closed on exec.
func TestOpenFileIsPlain(t *testing.T) {
	f, err := OpenFile(filepath.Join(t.TempDir(), "f"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, err := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(int(f.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	var flags uint64
	for _, line := range strings.Split(string(info), "\n") {
		if v, ok := strings.CutPrefix(line, "flags:"); ok {
			flags, err = strconv.ParseUint(strings.TrimSpace(v), 8, 64)
		}
	}
	if err != nil || flags&unix.O_NONBLOCK != 0 || flags&unix.O_CLOEXEC == 0 {
		t.Errorf("flags %o (%v): want blocking and close-on-exec", flags, err)
	}
	if _, err := f.WriteString("hello"); err != nil {
		t.Fatal(err)
	}
}
