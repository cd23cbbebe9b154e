package sparse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCopyKeepsHoles(t *testing.T) {
	data := make([]byte, 10<<20)
	copy(data[5000:], "in the middle")
	copy(data[len(data)-block-3:], "near the end")
	for name, src := range map[string][]byte{"holes": data, "empty": nil, "odd": []byte("x"), "all zeros": make([]byte, 3*block+5)} {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		n, err := Copy(f, bytes.NewReader(src), int64(len(src)))
		if err != nil || n != int64(len(src)) {
			t.Fatalf("%s: Copy = %d, %v", name, n, err)
		}
		got, err := os.ReadFile(f.Name())
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("%s: the copy differs (%d bytes, %v)", name, len(got), err)
		}
		fi, _ := f.Stat()
		if used := fi.Sys().(*syscall.Stat_t).Blocks * 512; used > 64<<10 {
			t.Errorf("%s: the copy takes %d bytes on disk", name, used)
		}
		f.Close()
	}
}

func TestCopyStopsAtTheLimit(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := Copy(f, bytes.NewReader(make([]byte, 1<<20)), 1<<20-1); !errors.Is(err, ErrLimit) {
		t.Fatalf("Copy past the limit = %v, want ErrLimit", err)
	}
}
