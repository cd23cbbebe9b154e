// Package faults_test kills runnc and its containers at bad moments, runs
// many operations on one container at once and many containers at once,
// and loops like a daemon: afterwards `runnc delete --force` and `runnc
// list` still work and nothing is left on the host.
package faults_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// injected counts the faults (kills) injected, for the summary.
var injected atomic.Int64

func TestMain(m *testing.M) {
	code := m.Run()
	fmt.Printf("faults: %d faults injected\n", injected.Load())
	os.Exit(code)
}

// envInt is the integer in environment variable name, or def: the long
// runs are affordable in CI only when shortened.
func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q is not a positive number", name, v)
	}
	return n
}

type env struct {
	*testenv.Runnc
	scope  testenv.Scope
	bundle string // hello.nabla sleep, 64 MiB
	init   string // runnc-init, the container's process until start
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := testenv.NewRunnc(t)
	e := &env{Runnc: r, scope: testenv.NewScope(t, r, "flt"), init: testenv.Binary(t, "runnc-init")}
	e.bundle = r.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla", "sleep"}, func(s *specs.Spec) {
		limit := int64(64 << 20)
		s.Linux.Resources.Memory.Limit = &limit
	})
	return e
}

// start begins `runnc ARGS` without waiting; its stdio (and the
// container's) go to a file.
func (e *env) start(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	out, err := os.CreateTemp(e.Dir, "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := e.Command(args...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// must runs runnc and fails the test unless it succeeds.
func (e *env) must(t *testing.T, args ...string) testenv.Result {
	t.Helper()
	res := e.Run(args...)
	if res.Code != 0 {
		t.Fatalf("runnc %v: exit %d: %s", args, res.Code, res.Stderr)
	}
	testenv.NoPanic(t, res)
	return res
}

// create creates id from the bundle with its stdio in a file.
func (e *env) create(t *testing.T, id string) {
	t.Helper()
	cmd := e.start(t, "create", "--bundle", e.bundle, id)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
}

// cleanUp is what a daemon does after a crash: list, then delete --force
// everything listed and the ids it knows; then nothing may be left.
func (e *env) cleanUp(t *testing.T, before testenv.Leftovers, what string, ids ...string) {
	t.Helper()
	list := e.must(t, "list", "--quiet")
	ids = append(ids, strings.Fields(list.Stdout)...)
	for _, id := range ids {
		e.must(t, "delete", "--force", id)
	}
	if list := e.must(t, "list", "--quiet"); strings.TrimSpace(list.Stdout) != "" {
		t.Errorf("after delete --force, list still shows %q", list.Stdout)
	}
	before.CheckNone(t, e.Snapshot(t, e.scope), what)
}

func kill9(t *testing.T, pid int) {
	t.Helper()
	injected.Add(1)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func stateFile(e *env, id string) string { return filepath.Join(e.Root, id, "state.json") }
