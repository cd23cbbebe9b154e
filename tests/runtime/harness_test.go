// Package runtime_test drives the built runnc binary the way containerd's
// shim does (through go-runc), plus plain exec where the test needs the
// unikernel's output or runnc's own stderr.
package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gorunc "github.com/containerd/go-runc"
	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// env is one private runnc installation (testenv.Runnc: its own state
// root, disk directory and JSON log) driven also through go-runc.
type env struct {
	*testenv.Runnc
	t    *testing.T
	runc *gorunc.Runc
}

func newEnv(t *testing.T) *env {
	t.Helper()
	var e *env
	// Cleanups run last first: this one runs after NewRunnc's, which
	// deletes with --force whatever the test left; then nothing may remain.
	t.Cleanup(func() {
		if e != nil {
			e.assertRootEmpty()
		}
	})
	r := testenv.NewRunnc(t)
	e = &env{Runnc: r, t: t, runc: &gorunc.Runc{
		Command:   r.Bin,
		Root:      r.Root,
		Log:       r.Log,
		LogFormat: gorunc.JSON,
		ExtraArgs: append(r.DiskArgs(), r.Extra...),
	}}
	return e
}

// runnc_ runs runnc with the global flags and returns stdout, stderr and
// the exit code.
func (e *env) runnc_(args ...string) (string, string, int) {
	e.t.Helper()
	res := e.Run(args...)
	return res.Stdout, res.Stderr, res.Code
}

// bundle makes a bundle with the hello unikernel in its rootfs.
func (e *env) bundle(args []string, edit func(*specs.Spec)) string {
	e.t.Helper()
	return e.Bundle([]string{"hello.nabla"}, args, edit)
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
		e.t.Fatalf("create %s: %v (log: %s)", id, err, e.LastLog())
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
		e.t.Fatalf("state %s: %v (log: %s)", id, err, e.LastLog())
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

// assertRootEmpty checks that no container state and no disk image is left.
func (e *env) assertRootEmpty() {
	e.t.Helper()
	for _, dir := range []string{e.Root, e.DiskDir} {
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
