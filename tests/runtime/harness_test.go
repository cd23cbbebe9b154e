// Package runtime_test drives the built runnc binary the way containerd's
// shim does (through go-runc), plus plain exec where the test needs the
// unikernel's output or runnc's own stderr.
package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gorunc "github.com/containerd/go-runc"
	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// env is one private runnc installation: its own state root, disk
// directory and JSON log, so tests never see each other's containers.
type env struct {
	t       *testing.T
	runnc   string
	root    string
	diskDir string
	log     string
	runc    *gorunc.Runc
}

func newEnv(t *testing.T) *env {
	t.Helper()
	testenv.RequireRoot(t)
	dir := t.TempDir()
	e := &env{
		t:       t,
		runnc:   testenv.Binary(t, "runnc"),
		root:    filepath.Join(dir, "root"),
		diskDir: filepath.Join(dir, "disks"),
		log:     filepath.Join(dir, "log.json"),
	}
	testenv.Binary(t, "nabla-run")
	e.runc = &gorunc.Runc{
		Command:   e.runnc,
		Root:      e.root,
		Log:       e.log,
		LogFormat: gorunc.JSON,
	}
	// Whatever a test leaves running is killed and deleted, and then
	// nothing of it may remain.
	t.Cleanup(func() {
		ids, _ := os.ReadDir(e.root)
		for _, id := range ids {
			e.runnc_("delete", "--force", id.Name())
		}
		e.assertRootEmpty()
	})
	return e
}

// globalArgs are the flags containerd passes before every subcommand,
// plus the disk directory.
func (e *env) globalArgs() []string {
	return []string{"--root", e.root, "--log", e.log, "--log-format", "json", "--disk-dir", e.diskDir}
}

// runnc_ runs runnc with the global flags and returns stdout, stderr and
// the exit code. Its stdio are files, not pipes: a container created here
// inherits them and may outlive this call.
func (e *env) runnc_(args ...string) (string, string, int) {
	e.t.Helper()
	cmd := exec.Command(e.runnc, append(e.globalArgs(), args...)...)
	stdout, stderr := tempFile(e.t), tempFile(e.t)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("runnc %v: %v", args, err)
	}
	return readAll(e.t, stdout), readAll(e.t, stderr), code
}

func tempFile(t *testing.T) *os.File {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func readAll(t *testing.T, f *os.File) string {
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// bundle makes a bundle from `runnc spec` with the hello unikernel in its
// rootfs, process.args = args, then lets edit change the spec.
func (e *env) bundle(args []string, edit func(*specs.Spec)) string {
	e.t.Helper()
	dir := e.t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		e.t.Fatal(err)
	}
	for _, g := range []string{"hello.nabla"} {
		copyFile(e.t, testenv.Binary(e.t, "guests/"+g), filepath.Join(rootfs, g))
	}
	if _, stderr, code := e.runnc_("spec", "--bundle", dir); code != 0 {
		e.t.Fatalf("runnc spec: %s", stderr)
	}
	spec := readSpec(e.t, dir)
	spec.Process.Args = args
	if edit != nil {
		edit(spec)
	}
	writeSpec(e.t, dir, spec)
	return dir
}

func readSpec(t *testing.T, bundle string) *specs.Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return &s
}

func writeSpec(t *testing.T, bundle string, s *specs.Spec) {
	t.Helper()
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

// create runs `runnc create` the way the shim does, with pipes for the
// container's stdio, and returns a reader of the unikernel's stdout.
func (e *env) create(id, bundle string) *output {
	e.t.Helper()
	io, err := gorunc.NewPipeIO(0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { io.Close() })
	pidFile := filepath.Join(e.t.TempDir(), "init.pid")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out := newOutput(io.Stdout())
	go drain(io.Stderr())
	if err := e.runc.Create(ctx, id, bundle, &gorunc.CreateOpts{IO: io, PidFile: pidFile}); err != nil {
		e.t.Fatalf("create %s: %v (log: %s)", id, err, e.lastLog())
	}
	io.Stdin().Close()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		e.t.Fatalf("pid file: %v", err)
	}
	if bytes.HasSuffix(data, []byte("\n")) {
		e.t.Errorf("pid file %q ends in a newline; runc writes none", data)
	}
	return out
}

func drain(r io.Reader) { io.Copy(io.Discard, r) }

// output collects a container's stdout as it arrives.
type output struct {
	lines chan string
	all   []string
}

func newOutput(r io.Reader) *output {
	o := &output{lines: make(chan string, 1024)}
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			o.lines <- strings.TrimRight(s.Text(), "\r")
		}
		close(o.lines)
	}()
	return o
}

// waitFor waits for a line containing want and returns every line so far.
func (o *output) waitFor(t *testing.T, want string) []string {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case l, ok := <-o.lines:
			if !ok {
				t.Fatalf("output ended without %q; got %q", want, o.all)
			}
			o.all = append(o.all, l)
			if strings.Contains(l, want) {
				return o.all
			}
		case <-timeout:
			t.Fatalf("no %q in output after a minute; got %q", want, o.all)
		}
	}
}

func (e *env) state(id string) *gorunc.Container {
	e.t.Helper()
	c, err := e.runc.State(context.Background(), id)
	if err != nil {
		e.t.Fatalf("state %s: %v (log: %s)", id, err, e.lastLog())
	}
	return c
}

// waitStatus polls until the container reaches status.
func (e *env) waitStatus(id, status string) *gorunc.Container {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		c := e.state(id)
		if c.Status == status {
			return c
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("container %s is %s, never became %s", id, c.Status, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lastLog is the msg of the last line of the JSON log, as containerd
// shows it to the user.
func (e *env) lastLog() string {
	data, _ := os.ReadFile(e.log)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var entry struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &entry); err != nil {
		return ""
	}
	return entry.Msg
}

// assertRootEmpty checks that no container state and no disk image is left.
func (e *env) assertRootEmpty() {
	e.t.Helper()
	for _, dir := range []string{e.root, e.diskDir} {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			e.t.Errorf("read %s: %v", dir, err)
		}
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		if len(names) > 0 {
			e.t.Errorf("%s still holds %v", dir, names)
		}
	}
}
