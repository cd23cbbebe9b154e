package faults_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// spinningBundle is a bundle whose rootfs holds a symlink of 120 one-letter
// components, which makes genisoimage (1.1.11) spin for ever.
func spinningBundle(t *testing.T, e *env) string {
	t.Helper()
	b := e.Bundle([]string{"hello.nabla"}, []string{"/hello.nabla"}, nil)
	target := strings.TrimSuffix(strings.Repeat("a/", 120), "/")
	if err := os.Symlink(target, filepath.Join(b, "rootfs", "deep")); err != nil {
		t.Fatal(err)
	}
	return b
}

// runWithin runs runnc args and fails the test if it takes longer than
// limit (then it is killed).
func runWithin(t *testing.T, e *env, limit time.Duration, args ...string) testenv.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	start := time.Now()
	res := e.RunCmd(e.CommandContext(ctx, args...))
	if ctx.Err() != nil {
		t.Errorf("runnc %v hung: killed after %v", args, time.Since(start))
	}
	testenv.NoPanic(t, res)
	return res
}

// A disk image build that never ends (genisoimage spinning) is stopped at
// its time limit: create fails in one sentence and leaves nothing, and
// meanwhile kill and delete --force of the id answer at once rather than
// wait behind create's lock.
func TestEndlessBuildIsBounded(t *testing.T) {
	e := newEnv(t)
	bundle := spinningBundle(t, e)
	before := e.Snapshot(t, e.scope)

	id := e.scope.ID("spin")
	res := runWithin(t, e, time.Minute, "create", "--bundle", bundle, id)
	if res.Code == 0 || !strings.Contains(res.Stderr, "time limit") {
		t.Errorf("create with a spinning build: exit %d, %q; want a failure naming the time limit", res.Code, res.Stderr)
	}
	before.CheckNone(t, e.Snapshot(t, e.scope), "a create whose build timed out")

	id = e.scope.ID("busy")
	create := e.start(t, "create", "--bundle", bundle, id)
	exited := make(chan error, 1)
	go func() { exited <- create.Wait() }()
	building := func() bool {
		builds, _ := filepath.Glob(filepath.Join(e.DiskDir, "*.iso.build-*"))
		return len(builds) > 0
	}
	for !building() {
		select {
		case err := <-exited:
			t.Fatalf("create ended (%v) before its build began", err)
		case <-time.After(time.Millisecond):
		}
	}
	if res := runWithin(t, e, 5*time.Second, "kill", id, "KILL"); res.Code == 0 || !strings.Contains(res.Stderr, "being created") {
		t.Errorf("kill during the build: exit %d, %q; want a refusal saying it is being created", res.Code, res.Stderr)
	}
	if res := runWithin(t, e, 5*time.Second, "delete", "--force", id); res.Code != 0 {
		t.Errorf("delete --force during the build: exit %d, %q", res.Code, res.Stderr)
	}
	select {
	case err := <-exited:
		// Stopped, the create undid its work and said so.
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Errorf("the create stopped by delete --force ended with %v, want exit status 1", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("create went on after delete --force of its container")
		create.Process.Kill()
		<-exited
	}
	e.cleanUp(t, before, "a create stopped by delete --force")
}
