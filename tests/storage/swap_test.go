package storage_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
)

// A directory of the rootfs swapped for a symlink to a host directory,
// back and forth, while containers are created: no disk image ever holds
// the host file the symlink leads to, each create either succeeds or says
// why, and once the swapping stops the image is the clean tree's.
func TestSwapDuringCreateNeverLeaksHostFiles(t *testing.T) {
	e := newEnv(t)
	const marker = "HOST-FILE-3c1e7d"
	const own = "the rootfs's own file"
	// Of one size: genisoimage copies as many bytes as its scan saw.
	host := writeTree(t, map[string]string{"file": marker + strings.Repeat(".", len(own)-len(marker))})
	files := map[string]string{"d/file": own, "hello.nabla": "x"}
	// Enough files that genisoimage's scan and its write are far apart.
	for i := 0; i < 3000; i++ {
		files[fmt.Sprintf("many/%d/f%d", i%30, i)] = fmt.Sprint(i)
	}
	rootfs := writeTree(t, files)
	d := filepath.Join(rootfs, "d")
	aside := filepath.Join(rootfs, "d.real")

	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Each state holds a while: genisoimage reads the tree twice,
		// listing it, then opening each file by path to copy it.
		for !stop.Load() {
			os.Rename(d, aside)
			os.Symlink(host, d)
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
			os.Remove(d)
			os.Rename(aside, d)
			time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
		}
	}()
	// A poisoned image stays unused after its container, as with
	// --disk-cache, where the clean tree's create below would find it;
	// the others go, so that every create builds.
	cached := func(id string) llif.Input {
		in := e.input(id, rootfs)
		in.Runtime.DiskCacheBytes = 1 << 30
		return in
	}
	var built, refused int
	for i := 0; i < 20; i++ {
		id := fmt.Sprintf("swap%d", i)
		st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: e.input(id, rootfs)})
		if err != nil {
			refused++
			t.Logf("create %s refused: %v", id, err)
			e.destroyQuiet(id)
			continue
		}
		built++
		data, err := os.ReadFile(st.Get(llif.FsDisk))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(marker)) {
			e.destroy(id)
			continue
		}
		t.Errorf("create %s: the disk image holds the host file %s", id, filepath.Join(host, "file"))
		if _, err := storage.NewISO().FsDestroyFunc(&llif.FsDestroyInput{Input: cached(id)}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("during the swaps: %d images built, %d creates refused", built, refused)
	if _, err := os.Lstat(aside); err == nil {
		os.Remove(d)
		if err := os.Rename(aside, d); err != nil {
			t.Fatal(err)
		}
	}
	st, err := storage.NewISO().FsCreateFunc(&llif.FsCreateInput{Input: cached("clean")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.destroyQuiet("clean") })
	data, err := os.ReadFile(st.Get(llif.FsDisk))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(marker)) || !bytes.Contains(data, []byte(own)) {
		t.Errorf("after the swaps, the image of the clean tree is not the clean tree's")
	}
}
