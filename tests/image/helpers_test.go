// Package image_test checks the image store through the built runnc
// binary: images made here from the built hello guest, served by a real
// registry on loopback, by an OCI layout and by a docker save archive.
package image_test

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// env is one private runnc installation: its own image store, state
// root and disk directory.
type env struct {
	t       *testing.T
	runnc   string
	store   string
	root    string
	diskDir string
	// diskCache is --disk-cache: "0" (newEnv's), so removing what a test
	// made leaves nothing in diskDir; "" gives runnc's default.
	diskCache string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	testenv.RequireRoot(t)
	dir := t.TempDir()
	e := &env{
		t:         t,
		runnc:     testenv.Binary(t, "runnc"),
		store:     filepath.Join(dir, "images"),
		root:      filepath.Join(dir, "root"),
		diskDir:   filepath.Join(dir, "disks"),
		diskCache: "0",
	}
	testenv.Binary(t, "runnc-image")
	t.Cleanup(func() {
		ids, _ := os.ReadDir(e.root)
		for _, id := range ids {
			e.cmd("delete", "--force", id.Name()).Run()
		}
	})
	return e
}

func (e *env) cmd(args ...string) *exec.Cmd {
	global := []string{"--root", e.root, "--disk-dir", e.diskDir, "--image-store", e.store}
	if e.diskCache != "" {
		global = append(global, "--disk-cache", e.diskCache)
	}
	return exec.Command(e.runnc, append(global, args...)...)
}

// run runs runnc and returns its stdout and stderr; it fails the test
// unless the exit status is 0 (ok) or not (!ok).
func (e *env) run(ok bool, args ...string) (string, string) {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	c := e.cmd(args...)
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		e.t.Fatalf("runnc %v: %v", args, err)
	}
	if ok && err != nil {
		e.t.Fatalf("runnc %v failed: %v: %s", args, err, stderr.String())
	}
	if !ok && err == nil {
		e.t.Fatalf("runnc %v succeeded, want a failure; stdout: %s", args, stdout.String())
	}
	return stdout.String(), stderr.String()
}

// pull pulls ref and returns the image ID runnc prints.
func (e *env) pull(ref string, flags ...string) string {
	e.t.Helper()
	out, _ := e.run(true, append([]string{"image", "pull", ref}, flags...)...)
	return strings.TrimSpace(out)
}

// pullHello pulls the hello image from a fresh OCI layout; it returns the
// reference and the image ID.
func (e *env) pullHello() (ref, id string) {
	e.t.Helper()
	ref = "oci:" + writeLayout(e.t, helloImage(e.t), "1")
	return ref, e.pull(ref)
}

// file is a regular file of a test layer.
func file(name string, body []byte, mode int64) testenv.TarEntry {
	return testenv.TarEntry{Name: name, Type: tar.TypeReg, Mode: mode, Body: body}
}

// hello returns the built hello guest.
func hello(t *testing.T) []byte {
	t.Helper()
	return testenv.ReadFile(t, testenv.Binary(t, "guests/hello.nabla"))
}

// makeImage is an image of layers whose config runs /hello.nabla with
// cmd and env.
func makeImage(t *testing.T, cmd, env []string, layers ...v1.Layer) v1.Image {
	t.Helper()
	return testenv.Image(t, v1.Config{Entrypoint: []string{"/hello.nabla"}, Cmd: cmd, Env: env, WorkingDir: "/"}, layers...)
}

// helloImage is the hello guest with Cmd arguments and Env.
func helloImage(t *testing.T) v1.Image {
	return makeImage(t, []string{"first-arg", "second arg"}, []string{"GREETING=from-the-image", "PATH=/bin"},
		testenv.Layer(t, file("hello.nabla", hello(t), 0o755)))
}

func digestOf(t *testing.T, img v1.Image) (id, manifest string) {
	t.Helper()
	c, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return c.String(), m.String()
}

// writeLayout writes img into a fresh OCI layout tagged tag; it returns
// the directory.
func writeLayout(t *testing.T, img v1.Image, tag string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag,
	})); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeArchive writes img as docker save does; it returns the file.
func writeArchive(t *testing.T, img v1.Image) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hello.tar")
	tag, err := name.NewTag("hello:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := tarball.WriteToFile(path, tag, img); err != nil {
		t.Fatal(err)
	}
	return path
}

// startRegistry runs Debian's docker-registry on a free loopback port with
// a private config and storage, stopped when the test ends; it returns
// host:port.
func startRegistry(t *testing.T) string {
	t.Helper()
	bin := "/usr/bin/docker-registry"
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run make setup (it installs the docker-registry package)", bin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	config := filepath.Join(dir, "config.yml")
	data := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	if err := os.WriteFile(config, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", config)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("docker-registry exited: %v: %s", err, logs.String())
		default:
		}
		if i == 1000 {
			t.Fatalf("docker-registry on %s does not answer: %v: %s", addr, err, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// push puts img into the registry at addr as repo:tag.
func push(t *testing.T, addr, repoTag string, img v1.Image) {
	t.Helper()
	ref, err := name.ParseReference(addr+"/"+repoTag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

// tree lists every path below dir with its type and size, to compare a
// directory before and after.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		size := info.Size()
		if d.IsDir() {
			size = 0
		}
		out = append(out, fmt.Sprintf("%s %v %d", rel, info.Mode().Type(), size))
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// entries lists the names in dir (none if it is missing).
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// requireRuntime checks that the whole runtime is built: run needs the
// tender.
func requireRuntime(t *testing.T) {
	t.Helper()
	testenv.Binary(t, "nabla-run")
}
