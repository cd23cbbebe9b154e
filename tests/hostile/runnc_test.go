package hostile_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// env is a private runnc installation with the escape guest in a bundle.
type env struct {
	*testenv.Runnc
	scope  testenv.Scope
	bundle string
}

// startSpinning starts created container id, whose guest spins, and
// waits until the guest says so in out, its output; it returns the pid of
// the container's process. Running means init was let go; the guest
// printing means init has become the tender.
func (e *env) startSpinning(t *testing.T, id, out string) int {
	t.Helper()
	if res := e.Run("start", id); res.Code != 0 {
		t.Fatalf("start: %s", res.Stderr)
	}
	pid := e.WaitStatus(t, id, "running")
	testenv.WaitFor(t, "the guest to spin", func() bool {
		data, _ := os.ReadFile(out)
		return strings.Contains(string(data), "spinning")
	})
	return pid
}

func newEnv(t *testing.T) *env {
	t.Helper()
	r := testenv.NewRunnc(t)
	e := &env{Runnc: r, scope: testenv.NewScope(t, r, "hos")}
	e.bundle = r.Bundle([]string{"escape.nabla"}, []string{"/escape.nabla", "list"}, nil)
	return e
}

// setArgs points the bundle at the escape guest with args, and a memory
// limit (0: none).
func (e *env) setArgs(t *testing.T, memLimit int64, args ...string) {
	t.Helper()
	s := testenv.ReadSpec(t, e.bundle)
	s.Process.Args = append([]string{"/escape.nabla"}, args...)
	if memLimit > 0 {
		s.Linux.Resources.Memory.Limit = &memLimit
	}
	testenv.WriteSpec(t, e.bundle, s)
}

func (e *env) id(name string) string { return e.scope.ID(name) }

// createWithOutput creates container id from the bundle with its stdio in
// a file, whose path it returns: the guest's console output lands there.
func (e *env) createWithOutput(t *testing.T, id string) string {
	t.Helper()
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	create := e.Command("create", "--bundle", e.bundle, id)
	create.Stdout, create.Stderr = out, out
	if err := create.Run(); err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
	return out.Name()
}

// Through runnc, the guest gets the same filter: every escape action of
// the guest dies by SIGSYS (runnc run exits 128+31), creates nothing and
// leaves nothing.
func TestEscapeActionsThroughRunnc(t *testing.T) {
	e := newEnv(t)
	e.setArgs(t, 0, "list")
	list := e.Run("run", "--bundle", e.bundle, e.id("list"))
	if list.Code != 0 {
		t.Fatalf("escape list: %+v", list)
	}
	before := e.Snapshot(t, e.scope)
	for _, action := range strings.Fields(list.Stdout) {
		t.Run(action, func(t *testing.T) {
			created := filepath.Join(t.TempDir(), "created")
			e.setArgs(t, 0, action, created)
			res := e.Run("run", "--bundle", e.bundle, e.id(action))
			// Without i386 emulation the kernel faults int $0x80 (SIGSEGV)
			// before seccomp sees it: the call never runs either way.
			killed := res.Code == 128+31 || action == "int80" && res.Code == 128+11
			if !killed || strings.Contains(res.Stdout, "allowed") || strings.Contains(res.Stdout, "reached") {
				t.Errorf("escape %s through runnc: exit %d, stdout %q, stderr %q; want 159 (SIGSYS)", action, res.Code, res.Stdout, res.Stderr)
			}
			if _, err := os.Stat(created); err == nil {
				t.Errorf("escape %s created %s", action, created)
			}
		})
	}
	before.CheckNone(t, e.Snapshot(t, e.scope), "the escape containers")
}

// A guest that spins without a syscall is still the runtime's: it can
// be paused (its cgroup frozen, no CPU time used), resumed and killed.
// While it runs, the tender holds no capabilities and is under seccomp
// with no_new_privs.
func TestSpinningGuestIsPausableAndKillable(t *testing.T) {
	e := newEnv(t)
	e.setArgs(t, 0, "spin")
	before := e.Snapshot(t, e.scope)
	id := e.id("spin")
	pid := e.startSpinning(t, id, e.createWithOutput(t, id))

	status := procStatus(t, pid)
	for key, want := range map[string]string{
		"CapInh": "0000000000000000", "CapPrm": "0000000000000000", "CapEff": "0000000000000000",
		"CapBnd": "0000000000000000", "CapAmb": "0000000000000000", "NoNewPrivs": "1", "Seccomp": "2",
	} {
		if status[key] != want {
			t.Errorf("tender %s is %q, want %q", key, status[key], want)
		}
	}

	if res := e.Run("pause", id); res.Code != 0 {
		t.Fatalf("pause: %s", res.Stderr)
	}
	e.WaitStatus(t, id, "paused")
	if st := freezerState(t, pid); st != "FROZEN" {
		t.Errorf("freezer.state of the paused tender is %q", st)
	}
	frozen := cpuTicks(t, pid)
	time.Sleep(200 * time.Millisecond)
	if now := cpuTicks(t, pid); now != frozen {
		t.Errorf("the paused tender used CPU: %d ticks, then %d", frozen, now)
	}
	if res := e.Run("resume", id); res.Code != 0 {
		t.Fatalf("resume: %s", res.Stderr)
	}
	e.WaitStatus(t, id, "running")
	testenv.WaitFor(t, "the resumed guest to use CPU", func() bool { return cpuTicks(t, pid) > frozen })

	if res := e.Run("kill", id, "KILL"); res.Code != 0 {
		t.Fatalf("kill: %s", res.Stderr)
	}
	e.WaitStatus(t, id, "stopped")
	if res := e.Run("delete", id); res.Code != 0 {
		t.Fatalf("delete: %s", res.Stderr)
	}
	before.CheckNone(t, e.Snapshot(t, e.scope), "the spinning container")
}

// A guest that touches all its heap under a tight memory limit ends past
// the end of its memory (SIGSEGV) or by the cgroup's OOM killer
// (SIGKILL): either way it alone dies, and is cleaned up.
func TestGuestMemoryExhaustionUnderALimit(t *testing.T) {
	e := newEnv(t)
	e.setArgs(t, 32<<20, "exhaust-heap")
	before := e.Snapshot(t, e.scope)
	res := e.Run("run", "--bundle", e.bundle, e.id("oom"))
	if res.Code != 128+11 && res.Code != 128+9 {
		t.Errorf("exhaust-heap under 32 MiB: exit %d, stdout %q, stderr %q; want 139 (SIGSEGV) or 137 (SIGKILL)", res.Code, res.Stdout, res.Stderr)
	}
	t.Logf("exhaust-heap under a 32 MiB limit: exit %d, %s", res.Code, strings.TrimSpace(res.Stdout))
	before.CheckNone(t, e.Snapshot(t, e.scope), "the exhausted container")
}

func procStatus(t *testing.T, pid int) map[string]string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// cpuTicks is the process's user+system time, in clock ticks.
func cpuTicks(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// Fields after the command name, which ends at the last ')'.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

// freezerState reads the freezer state of the process's cgroup (v1
// freezer controller, or cgroup.freeze on v2).
func freezerState(t *testing.T, pid int) string {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if f[1] == "freezer" {
			st, _ := os.ReadFile("/sys/fs/cgroup/freezer" + f[2] + "/freezer.state")
			return strings.TrimSpace(string(st))
		}
		if f[0] == "0" && f[1] == "" {
			if st, err := os.ReadFile("/sys/fs/cgroup" + f[2] + "/cgroup.freeze"); err == nil && strings.TrimSpace(string(st)) == "1" {
				return "FROZEN"
			}
		}
	}
	return "unknown"
}
