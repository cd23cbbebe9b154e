package runtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	gorunc "github.com/containerd/go-runc"
	"github.com/nabla-containers/runnc/tests/testenv"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestLifecycle(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "hola", `{"bla":"ble"}`}, nil)
	out := e.create("life", b)

	c := e.state("life")
	if c.Status != "created" || c.Pid <= 0 {
		t.Fatalf("after create: status %s pid %d, want created with a pid", c.Status, c.Pid)
	}
	if err := unix.Kill(c.Pid, 0); err != nil {
		t.Fatalf("pid %d of a created container is not a live process: %v", c.Pid, err)
	}
	if c.Bundle != b {
		t.Errorf("bundle %q, want %q", c.Bundle, b)
	}
	assertInCgroup(t, c.Pid, "life")
	if err := e.runc.Start(context.Background(), "life"); err != nil {
		t.Fatalf("start: %v (%s)", err, e.LastLog())
	}
	lines := out.waitFor(t, "Hello, World")
	lines = out.waitFor(t, `{"bla":"ble"}`)
	if !containsLine(lines, "hola") {
		t.Errorf("argument hola missing from %q", lines)
	}
	e.waitStatus("life", "stopped")
	if err := e.runc.Delete(context.Background(), "life", nil); err != nil {
		t.Fatalf("delete: %v (%s)", err, e.LastLog())
	}
	if _, err := e.runc.State(context.Background(), "life"); err == nil {
		t.Fatal("state of a deleted container succeeded")
	}
	if !strings.Contains(e.LastLog(), "does not exist") {
		t.Errorf("state of a deleted container logged %q", e.LastLog())
	}
}

// assertInCgroup checks that pid joined the container's cgroup in every
// hierarchy but devices (runnc sets no device rules): /<id> below its
// parent's with cgroupfs, where init joins the v1 ones itself and is
// cloned into the v2 one; the scope runnc-<id>.scope that systemd made
// around it with --systemd-cgroup.
func assertInCgroup(t *testing.T, pid int, id string) {
	t.Helper()
	want := "/" + id
	if testenv.SystemdCgroup() {
		want = "/runnc-" + id + ".scope"
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || parts[1] == "devices" {
			continue
		}
		if !strings.HasSuffix(parts[2], want) {
			t.Errorf("pid %d is in cgroup %q, want ...%s", pid, line, want)
		}
	}
}

func containsLine(lines []string, sub string) bool {
	for _, l := range lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func TestRunReturnsGuestExitCode(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "exit=7"}, nil)
	stdout, stderr, code := e.runnc_("run", "--bundle", b, "r7")
	if code != 7 {
		t.Fatalf("run exit code %d, want 7 (stdout %q, stderr %q)", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Hello, World") {
		t.Errorf("run printed %q", stdout)
	}
	// A foreground run deletes its container.
	if _, _, code := e.runnc_("state", "r7"); code == 0 {
		t.Error("the container is still there after run")
	}
}

func TestArgsEnvCwdReachTheGuest(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", `say "hi"`, `{"bla":"ble"}`, "a b"}, func(s *specs.Spec) {
		s.Process.Env = []string{"GREETING=hello world", `QUOTED="x"`}
		s.Process.Cwd = "/srv"
	})
	stdout, stderr, code := e.runnc_("run", "--bundle", b, "args")
	if code != 0 {
		t.Fatalf("run: %d %s", code, stderr)
	}
	for _, want := range []string{`say "hi"`, `{"bla":"ble"}`, "a b", "GREETING=hello world", `QUOTED="x"`, "/srv"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("guest output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestKillStopsASleepingGuest(t *testing.T) {
	for _, sig := range []string{"TERM", "KILL", "9", "SIGKILL", "15"} {
		t.Run(sig, func(t *testing.T) {
			e := newEnv(t)
			b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
			e.create("k", b)
			if err := e.runc.Start(context.Background(), "k"); err != nil {
				t.Fatal(err)
			}
			e.waitStatus("k", "running")
			if _, stderr, code := e.runnc_("kill", "k", sig); code != 0 {
				t.Fatalf("kill %s: %s", sig, stderr)
			}
			e.waitStatus("k", "stopped")
			// Stopped: plain kill fails, kill --all succeeds (the CRI's way).
			if err := e.runc.Kill(context.Background(), "k", int(syscall.SIGKILL), nil); err == nil {
				t.Error("kill of a stopped container succeeded")
			}
			if err := e.runc.Kill(context.Background(), "k", int(syscall.SIGKILL), &gorunc.KillOpts{All: true}); err != nil {
				t.Errorf("kill --all of a stopped container: %v", err)
			}
			if err := e.runc.Delete(context.Background(), "k", nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestKillAllStopsARunningGuest(t *testing.T) {
	e := newEnv(t)
	e.create("ka", e.bundle([]string{"/hello.nabla", "sleep"}, nil))
	if err := e.runc.Start(context.Background(), "ka"); err != nil {
		t.Fatal(err)
	}
	if err := e.runc.Kill(context.Background(), "ka", int(syscall.SIGKILL), &gorunc.KillOpts{All: true}); err != nil {
		t.Fatal(err)
	}
	e.waitStatus("ka", "stopped")
}

func TestListAndPs(t *testing.T) {
	e := newEnv(t)
	e.create("l1", e.bundle([]string{"/hello.nabla", "sleep"}, nil))
	list, err := e.runc.List(context.Background())
	if err != nil || len(list) != 1 || list[0].ID != "l1" || list[0].Status != "created" {
		t.Fatalf("list: %v %+v", err, list)
	}
	stdout, _, _ := e.runnc_("list")
	if !strings.HasPrefix(stdout, "ID") || !strings.Contains(stdout, "l1") || !strings.Contains(stdout, "created") {
		t.Errorf("list table:\n%s", stdout)
	}
	stdout, _, _ = e.runnc_("list", "-q")
	if stdout != "l1\n" {
		t.Errorf("list -q: %q", stdout)
	}
	pids, err := e.runc.Ps(context.Background(), "l1")
	c := e.state("l1")
	if err != nil || len(pids) != 1 || pids[0] != c.Pid {
		t.Fatalf("ps: %v %v, want [%d]", err, pids, c.Pid)
	}
	stdout, _, _ = e.runnc_("ps", "l1")
	if !strings.Contains(stdout, "PID") || !strings.Contains(stdout, " "+strconv.Itoa(c.Pid)+" ") {
		t.Errorf("ps table:\n%s", stdout)
	}
	var raw []int
	stdout, _, _ = e.runnc_("ps", "--format", "json", "l1")
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil || len(raw) != 1 {
		t.Errorf("ps json %q: %v", stdout, err)
	}
}

// A bundle path holding a newline shows escaped: one row per container.
func TestListEscapesTheBundlePath(t *testing.T) {
	e := newEnv(t)
	b := e.bundle([]string{"/hello.nabla", "sleep"}, nil)
	odd := b + "\nx\ty"
	if err := os.Rename(b, odd); err != nil {
		t.Fatal(err)
	}
	e.create("cl-odd", odd)
	stdout, stderr, _ := e.runnc_("list")
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `\nx\ty`) {
		t.Errorf("list of a container whose bundle holds a newline and a tab:\n%s%s", stdout, stderr)
	}
}
