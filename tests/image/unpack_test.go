package image_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// A later layer puts a symlink to a host directory where an earlier layer
// had a directory, or had one on the directory's path: setting the
// directories' mtimes once the layers are in never follows it, and the
// host directories keep their times.
func TestPullNeverRetimesHostFiles(t *testing.T) {
	e := newEnv(t)
	host := t.TempDir()
	inner := filepath.Join(host, "c")
	if err := os.Mkdir(inner, 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Unix(1e9, 0)
	for _, p := range []string{host, inner} {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	dir := func(name string) testenv.TarEntry {
		return testenv.TarEntry{Name: name, Type: tar.TypeDir, Mode: 0o755}
	}
	img := makeImage(t, nil, nil,
		testenv.Layer(t, file("hello.nabla", hello(t), 0o755), dir("a/"), dir("b/"), dir("b/c/"), dir("d/"), file("d/e/f", nil, 0o644)),
		testenv.Layer(t,
			testenv.TarEntry{Name: "a", Type: tar.TypeSymlink, Link: host},
			testenv.TarEntry{Name: "b", Type: tar.TypeSymlink, Link: host},
		))
	e.pull("oci:" + writeLayout(t, img, "1"))
	for _, p := range []string{host, inner} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(old) {
			t.Errorf("the pull set the mtime of the host directory %s to %v", p, fi.ModTime())
		}
	}
	rootfs := rootfsOf(t, e, img)
	// Directories that stay directories get their times all the same.
	for p, want := range map[string]time.Time{"d": time.Unix(1700000000, 0), "d/e": time.Unix(0, 0)} {
		if fi, err := os.Lstat(filepath.Join(rootfs, p)); err != nil || !fi.ModTime().Equal(want) {
			t.Errorf("directory %s of the rootfs has mtime %v (%v), want %v", p, fi.ModTime(), err, want)
		}
	}
	for _, name := range []string{"a", "b"} {
		if target, err := os.Readlink(filepath.Join(rootfs, name)); err != nil || target != host {
			t.Errorf("%s in the rootfs is %q (%v), want a symlink to %s", name, target, err, host)
		}
	}
}

// zerosLayer is a gzip layer holding hello.nabla and a file of size
// zeros, made as it is read: a layer of a few hundred KB that unpacks to
// size bytes.
func zerosLayer(t *testing.T, size int64) v1.Layer {
	t.Helper()
	guest := hello(t)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() {
			tw := tar.NewWriter(pw)
			write := func(name string, size int64, body io.Reader) error {
				h := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o755, Size: size, ModTime: time.Unix(1700000000, 0)}
				if err := tw.WriteHeader(h); err != nil {
					return err
				}
				_, err := io.Copy(tw, body)
				return err
			}
			err := write("hello.nabla", int64(len(guest)), bytes.NewReader(guest))
			if err == nil {
				err = write("zeros", size, io.LimitReader(zeroReader{}, size))
			}
			if err == nil {
				err = tw.Close()
			}
			pw.CloseWithError(err)
		}()
		return pr, nil
	}, tarball.WithCompressionLevel(gzip.BestSpeed))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

type zeroReader struct{}

func (zeroReader) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}

// A layer that unpacks to more than --unpack-limit is refused in one
// sentence and the store stays as it was; within the limit its zeros
// take no room, in the rootfs or in the disk image.
func TestUnpackIsBounded(t *testing.T) {
	e := newEnv(t)
	const size = 256 << 20
	img := makeImage(t, nil, nil, zerosLayer(t, size))
	ref := "oci:" + writeLayout(t, img, "1")
	e.pullHello()
	before := tree(t, e.store)
	_, stderr := e.run(false, "--unpack-limit", "128MiB", "image", "pull", ref)
	if !strings.Contains(stderr, "more than the unpack limit") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
		t.Errorf("pull past --unpack-limit failed with %q, want one sentence naming the limit", stderr)
	}
	if after := tree(t, e.store); !reflect.DeepEqual(before, after) {
		t.Errorf("a refused pull changed the store:\nbefore %q\nafter  %q", before, after)
	}
	_, stderr = e.run(false, "--disk-limit", "128MiB", "image", "pull", ref)
	if !strings.Contains(stderr, "more than the disk image limit") {
		t.Errorf("pull past --disk-limit failed with %q, want it to name the limit", stderr)
	}
	if after := tree(t, e.store); !reflect.DeepEqual(before, after) {
		t.Errorf("a pull refused for its disk image changed the store:\nbefore %q\nafter  %q", before, after)
	}

	e.pull(ref)
	zeros := filepath.Join(rootfsOf(t, e, img), "zeros")
	var st syscall.Stat_t
	if err := syscall.Stat(zeros, &st); err != nil || st.Size != size || st.Blocks*512 > 1<<20 {
		t.Errorf("the unpacked file of %d zeros: size %d, %d bytes on disk (%v), want it sparse", size, st.Size, st.Blocks*512, err)
	}
	isos, _ := filepath.Glob(filepath.Join(e.diskDir, "*.iso"))
	for _, iso := range isos {
		if err := syscall.Stat(iso, &st); err != nil || st.Blocks*512 > 8<<20 {
			t.Errorf("disk image %s takes %d bytes on disk (%v), want the zeros as holes", iso, st.Blocks*512, err)
		}
	}
}

// An image whose disk image build never ends (a symlink that makes
// genisoimage spin) fails the pull at the build's time limit, leaving the
// store as it was and its lock free.
func TestEndlessBuildFailsThePull(t *testing.T) {
	e := newEnv(t)
	e.pullHello()
	before := tree(t, e.store)
	deep := strings.TrimSuffix(strings.Repeat("a/", 120), "/")
	img := makeImage(t, nil, nil, testenv.Layer(t, file("hello.nabla", hello(t), 0o755),
		testenv.TarEntry{Name: "deep", Type: tar.TypeSymlink, Link: deep}))
	start := time.Now()
	_, stderr := e.run(false, "image", "pull", "oci:"+writeLayout(t, img, "1"))
	if !strings.Contains(stderr, "time limit") || time.Since(start) > time.Minute {
		t.Errorf("pull of an image genisoimage spins on: %q after %v, want a failure naming the time limit", stderr, time.Since(start))
	}
	if after := tree(t, e.store); !reflect.DeepEqual(before, after) {
		t.Errorf("the failed pull changed the store:\nbefore %q\nafter  %q", before, after)
	}
	e.run(true, "image", "ls")
}

// Two digest-checked images whose layers hold the same names, sizes and
// mtimes but other bytes: each has its own disk image, holding its own
// bytes, and a container of each gets it.
func TestTwoImagesNeverShareADiskImage(t *testing.T) {
	e := newEnv(t)
	requireRuntime(t)
	secret := func(s string) v1.Image {
		return makeImage(t, nil, nil, testenv.Layer(t, file("hello.nabla", hello(t), 0o755), file("secret", []byte(s), 0o644)))
	}
	refs := map[string]string{}
	for _, s := range []string{"image-A-secret-1", "image-B-secret-2"} {
		refs[s] = "oci:" + writeLayout(t, secret(s), "1")
		e.pull(refs[s])
	}
	if isos, _ := filepath.Glob(filepath.Join(e.diskDir, "*.iso")); len(isos) != 2 {
		t.Errorf("the disk directory holds images %v, want one per image", isos)
	}
	for s, ref := range refs {
		id := strings.TrimPrefix(s, "image-")[:1]
		e.run(true, "run", "-d", "--image", ref, id)
		data, err := os.ReadFile(diskOf(t, e, id))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("the container of the image holding %q got a disk image without it", s)
		}
		e.run(true, "delete", "--force", id)
	}
}
