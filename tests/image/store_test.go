package image_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// The same image from a registry, an OCI layout and a docker save
// archive is one image: same ID, same manifest digest, one rootfs.
func TestPullThreeTransports(t *testing.T) {
	e := newEnv(t)
	img := helloImage(t)
	id, manifest := digestOf(t, img)
	addr := startRegistry(t)
	push(t, addr, "hello:1", img)

	if got := e.pull("docker://"+addr+"/hello:1", "--insecure"); got != id {
		t.Fatalf("pull from the registry printed %q, want the image ID %s", got, id)
	}
	if got := e.pull("oci:" + writeLayout(t, img, "1") + ":1"); got != id {
		t.Fatalf("pull from an OCI layout printed %q, want %s", got, id)
	}
	if got := e.pull("docker-archive:" + writeArchive(t, img)); got != id {
		t.Fatalf("pull from a docker archive printed %q, want %s", got, id)
	}

	out, _ := e.run(true, "image", "ls", "--format", "json")
	var images []struct {
		ID, Digest string
		Refs       []string
	}
	if err := json.Unmarshal([]byte(out), &images); err != nil {
		t.Fatalf("image ls --format json: %v: %s", err, out)
	}
	if len(images) != 1 || images[0].ID != id || images[0].Digest != manifest || len(images[0].Refs) != 3 {
		t.Fatalf("image ls --format json = %s, want one image %s (manifest %s) with 3 references", out, id, manifest)
	}
	table, _ := e.run(true, "image", "ls")
	if !strings.Contains(table, "docker://"+addr+"/hello:1") || !strings.Contains(table, manifest) ||
		!strings.Contains(table, strings.TrimPrefix(id, "sha256:")[:12]) {
		t.Fatalf("image ls does not show the image with its digests:\n%s", table)
	}
	if quiet, _ := e.run(true, "image", "ls", "--quiet"); strings.TrimSpace(quiet) != id {
		t.Fatalf("image ls --quiet = %q, want %s", quiet, id)
	}
	if rootfs := entries(t, filepath.Join(e.store, "rootfs")); len(rootfs) != 1 {
		t.Fatalf("store holds rootfs %v, want one", rootfs)
	}

	// Inspect shows the config the bundle is made from.
	out, _ = e.run(true, "image", "inspect", "docker://"+addr+"/hello:1")
	var d struct {
		Rootfs string
		Config v1.ConfigFile
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("image inspect: %v: %s", err, out)
	}
	if !reflect.DeepEqual(d.Config.Config.Cmd, []string{"first-arg", "second arg"}) {
		t.Fatalf("image inspect shows Cmd %q", d.Config.Config.Cmd)
	}
	if _, err := os.Stat(filepath.Join(d.Rootfs, "hello.nabla")); err != nil {
		t.Fatalf("rootfs %s lacks hello.nabla: %v", d.Rootfs, err)
	}
}

func TestReferenceWithoutTransport(t *testing.T) {
	e := newEnv(t)
	_, stderr := e.run(false, "image", "pull", "hello:1")
	for _, want := range []string{"docker://", "oci:", "docker-archive:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("error %q does not list the transport %s", stderr, want)
		}
	}
}

// A blob whose bytes do not match its digest fails the pull and the
// store stays as it was.
func TestCorruptBlobStoresNothing(t *testing.T) {
	e := newEnv(t)
	e.pullHello()
	before := tree(t, e.store)

	img := makeImage(t, nil, nil, testenv.Layer(t, file("hello.nabla", hello(t), 0o755), file("other", []byte("other"), 0o644)))
	dir := writeLayout(t, img, "bad")
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	ld, err := layers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(dir, "blobs", "sha256", ld.Hex)
	data, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(blob, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr := e.run(false, "image", "pull", "oci:"+dir+":bad")
	if !strings.Contains(stderr, "does not match its digest") {
		t.Errorf("pull of a corrupt blob failed with %q, want a digest mismatch", stderr)
	}
	if after := tree(t, e.store); !reflect.DeepEqual(before, after) {
		t.Fatalf("a failed pull changed the store:\nbefore %q\nafter  %q", before, after)
	}
}

// Layers that try to write outside the rootfs are refused and nothing
// lands outside the store; device nodes and setuid bits are dropped.
func TestHostileLayers(t *testing.T) {
	e := newEnv(t)
	e.pullHello()
	outside := t.TempDir() // where an escape would land
	up := strings.Repeat("../", 30)
	target := filepath.Join(outside, "pwned")
	cases := map[string][]testenv.TarEntry{
		"dot-dot":       {file(up+strings.TrimPrefix(target, "/"), []byte("x"), 0o644)},
		"absolute path": {file(target, []byte("x"), 0o644)},
		"symlink out": {
			{Name: "out", Type: tar.TypeSymlink, Link: up + strings.TrimPrefix(outside, "/")},
			file("out/pwned", []byte("x"), 0o644),
		},
		"hard link out":          {{Name: "passwd", Type: tar.TypeLink, Link: up + "etc/passwd"}},
		"absolute hard link out": {{Name: "passwd", Type: tar.TypeLink, Link: "/etc/passwd"}},
		"whiteout of the parent": {{Name: "dir/.wh..", Type: tar.TypeReg}},
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			before := tree(t, e.store)
			img := makeImage(t, nil, nil, testenv.Layer(t, append([]testenv.TarEntry{file("hello.nabla", hello(t), 0o755)}, bad...)...))
			_, stderr := e.run(false, "image", "pull", "oci:"+writeLayout(t, img, "1"))
			if !strings.Contains(stderr, "out of the rootfs") && !strings.Contains(stderr, "whiteout") {
				t.Errorf("pull failed with %q, want it to name the escape", stderr)
			}
			if got := entries(t, outside); len(got) != 0 {
				t.Fatalf("the layer wrote %v outside the store", got)
			}
			if after := tree(t, e.store); !reflect.DeepEqual(before, after) {
				t.Fatalf("a refused pull changed the store:\nbefore %q\nafter  %q", before, after)
			}
		})
	}

	// An absolute symlink is followed inside the rootfs, as the container
	// sees it; device nodes are dropped and setuid bits cleared, with a
	// warning each.
	img := makeImage(t, nil, nil, testenv.Layer(t,
		file("hello.nabla", hello(t), 0o755),
		testenv.TarEntry{Name: "abs", Type: tar.TypeSymlink, Link: outside},
		file("abs/inside", []byte("x"), 0o644),
		testenv.TarEntry{Name: "dev/null", Type: tar.TypeChar, Mode: 0o666},
		file("suid", []byte("x"), 0o4755),
	))
	_, stderr := e.run(true, "image", "pull", "oci:"+writeLayout(t, img, "1"))
	if got := entries(t, outside); len(got) != 0 {
		t.Fatalf("the layer wrote %v outside the store", got)
	}
	rootfs := rootfsOf(t, e, img)
	if _, err := os.Stat(filepath.Join(rootfs, outside, "inside")); err != nil {
		t.Errorf("abs/inside is not at %s inside the rootfs: %v", outside, err)
	}
	if _, err := os.Lstat(filepath.Join(rootfs, "dev/null")); err == nil {
		t.Errorf("the device node dev/null was unpacked")
	}
	fi, err := os.Stat(filepath.Join(rootfs, "suid"))
	if err != nil || fi.Mode()&os.ModeSetuid != 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("suid is %v (%v), want 0755 without setuid", fi.Mode(), err)
	}
	for _, want := range []string{"dropping dev/null", "setuid/setgid bits of suid"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("pull warned %q, want %q", stderr, want)
		}
	}
}

// rootfsOf is the store's rootfs of img.
func rootfsOf(t *testing.T, e *env, img v1.Image) string {
	t.Helper()
	id, _ := digestOf(t, img)
	out, _ := e.run(true, "image", "inspect", id)
	var d struct{ Rootfs string }
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	return d.Rootfs
}

// Whiteouts of a later layer delete files and empty opaque directories.
func TestWhiteouts(t *testing.T) {
	e := newEnv(t)
	img := makeImage(t, nil, nil,
		testenv.Layer(t, file("hello.nabla", hello(t), 0o755), file("gone", []byte("x"), 0o644),
			file("opaque/old", []byte("x"), 0o644), file("kept", []byte("x"), 0o644)),
		testenv.Layer(t,
			testenv.TarEntry{Name: ".wh.gone", Type: tar.TypeReg},
			testenv.TarEntry{Name: "opaque/", Type: tar.TypeDir, Mode: 0o755},
			testenv.TarEntry{Name: "opaque/.wh..wh..opq", Type: tar.TypeReg},
			file("opaque/new", []byte("y"), 0o644)))
	e.pull("oci:" + writeLayout(t, img, "1"))
	rootfs := rootfsOf(t, e, img)
	got := entries(t, rootfs)
	if want := []string{"hello.nabla", "kept", "opaque"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rootfs holds %v, want %v", got, want)
	}
	if got := entries(t, filepath.Join(rootfs, "opaque")); !reflect.DeepEqual(got, []string{"new"}) {
		t.Errorf("opaque/ holds %v, want [new]", got)
	}
}

// Two processes pulling one image at once both succeed and the store
// keeps one copy.
func TestConcurrentPull(t *testing.T) {
	e := newEnv(t)
	img := helloImage(t)
	id, _ := digestOf(t, img)
	ref := "oci:" + writeLayout(t, img, "1") + ":1"
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range outs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			cmd := e.cmd("image", "pull", ref)
			outs[i], errs[i] = cmd.CombinedOutput()
		}(i)
	}
	wg.Wait()
	for i := range outs {
		if errs[i] != nil || strings.TrimSpace(string(outs[i])) != id {
			t.Errorf("pull %d: %v: %s", i, errs[i], outs[i])
		}
	}
	if got := entries(t, filepath.Join(e.store, "rootfs")); len(got) != 1 {
		t.Errorf("store holds rootfs %v, want one", got)
	}
	if got := entries(t, filepath.Join(e.store, "images")); len(got) != 1 {
		t.Errorf("store holds records %v, want one", got)
	}
	// manifest, config and the one layer
	if got := entries(t, filepath.Join(e.store, "blobs", "sha256")); len(got) != 3 {
		t.Errorf("store holds blobs %v, want 3", got)
	}
	if got := entries(t, filepath.Join(e.store, "tmp")); len(got) != 0 {
		t.Errorf("store's tmp holds %v after the pulls", got)
	}
}

// Layers come gzip'd, zstd'd or as plain tar; each is unpacked.
func TestLayerCompressions(t *testing.T) {
	e := newEnv(t)
	plain := testenv.Tar(t, file("plain", []byte("p"), 0o644))
	zstdData := testenv.Tar(t, file("zstd", []byte("z"), 0o644))
	zl, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(zstdData)), nil
	}, tarball.WithCompression(compression.ZStd), tarball.WithMediaType(types.OCILayerZStd))
	if err != nil {
		t.Fatal(err)
	}
	img := makeImage(t, nil, nil, testenv.Layer(t, file("hello.nabla", hello(t), 0o755)),
		static.NewLayer(plain, types.OCIUncompressedLayer), zl)
	e.pull("oci:" + writeLayout(t, img, "1"))
	if got, want := entries(t, rootfsOf(t, e, img)), []string{"hello.nabla", "plain", "zstd"}; !reflect.DeepEqual(got, want) {
		t.Errorf("rootfs holds %v, want %v", got, want)
	}
}

// image bundle writes the runnc spec template filled from the image.
func TestBundle(t *testing.T) {
	e := newEnv(t)
	img := helloImage(t)
	id := e.pull("oci:" + writeLayout(t, img, "1"))
	dir := filepath.Join(t.TempDir(), "bundle")
	e.run(true, "image", "bundle", id, dir)
	spec := testenv.ReadSpec(t, dir)
	if want := []string{"/hello.nabla", "first-arg", "second arg"}; !reflect.DeepEqual(spec.Process.Args, want) {
		t.Errorf("process.args = %q, want %q", spec.Process.Args, want)
	}
	if want := []string{"PATH=/bin", "GREETING=from-the-image"}; !reflect.DeepEqual(spec.Process.Env, want) {
		t.Errorf("process.env = %q, want %q (the image's PATH replaces the template's)", spec.Process.Env, want)
	}
	if spec.Root.Path != rootfsOf(t, e, img) || !spec.Root.Readonly {
		t.Errorf("root = %+v, want the store's rootfs, read-only", spec.Root)
	}
	if spec.Annotations["org.nabla.runnc.image"] != id {
		t.Errorf("annotations = %v, want org.nabla.runnc.image=%s", spec.Annotations, id)
	}
	if spec.Linux == nil || len(spec.Linux.Namespaces) == 0 || spec.Hostname != "nabla" {
		t.Errorf("the bundle is not made from the runnc spec template: %+v", spec)
	}
	// A second bundle into the same directory is refused.
	if _, stderr := e.run(false, "image", "bundle", id, dir); !strings.Contains(stderr, "exists") {
		t.Errorf("a second bundle into %s failed with %q", dir, stderr)
	}
}

// Removing one of an image's references only untags it; the last one
// removes the image.
func TestRemoveUntags(t *testing.T) {
	e := newEnv(t)
	img := helloImage(t)
	layoutRef := "oci:" + writeLayout(t, img, "1")
	archiveRef := "docker-archive:" + writeArchive(t, img)
	id := e.pull(layoutRef)
	e.pull(archiveRef)
	if out, _ := e.run(true, "image", "rm", layoutRef); !strings.HasPrefix(out, "Untagged: ") {
		t.Errorf("image rm of one of two references printed %q, want Untagged", out)
	}
	if out, _ := e.run(true, "image", "ls", "--quiet"); strings.TrimSpace(out) != id {
		t.Errorf("after untagging, image ls --quiet = %q, want %s", out, id)
	}
	if out, _ := e.run(true, "image", "rm", archiveRef); !strings.Contains(out, "Deleted: "+id) {
		t.Errorf("image rm of the last reference printed %q, want Deleted", out)
	}
	if _, stderr := e.run(false, "image", "inspect", id); !strings.Contains(stderr, "not in the store") {
		t.Errorf("inspect of a removed image failed with %q", stderr)
	}
}
