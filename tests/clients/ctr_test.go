package clients_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// ctrNamespace is the containerd namespace of the ctr tests, and so the
// cgroup parent of their containers (cgroupsPath "/<namespace>/<id>").
const ctrNamespace = "runnc-clients-ctr"

// ctrEnv is a private containerd (CRI plugin off) and the ctr command
// line that drives runnc through it.
type ctrEnv struct {
	dir, sock, runcRoot, fifoDir string
	ctr, runnc                   string
}

func newCtrEnv(t testing.TB) *ctrEnv {
	t.Helper()
	e := &ctrEnv{runnc: runnc(t), dir: t.TempDir()}
	containerd := lookTool(t, "containerd", "containerd")
	e.ctr = lookTool(t, "ctr", "containerd")
	e.sock = filepath.Join(e.dir, "containerd.sock")
	e.runcRoot = filepath.Join(e.dir, "runc-root")
	e.fifoDir = filepath.Join(e.dir, "fifo")
	cfg, err := testenv.WriteContainerdConfig(e.dir, e.sock)
	if err != nil {
		t.Fatal(err)
	}
	removeCgroups(t, ctrNamespace)
	removeEmptyDirsIfNew(t, "/run/containerd", "/run/containerd/s")
	d := startDaemon(t, e.dir, "containerd", containerd, "--config", cfg)
	d.waitSocket(t, e.sock)
	// Runs before the daemon stops: whatever a failed test left is
	// killed and deleted, so its mounts go too.
	t.Cleanup(e.removeAll)
	e.must(t, "images", "import", nablaArchive(t, e.dir))
	return e
}

func (e *ctrEnv) args(args ...string) []string {
	return append([]string{"--address", e.sock, "--namespace", ctrNamespace}, args...)
}

func (e *ctrEnv) ctrRun(t testing.TB, args ...string) result {
	t.Helper()
	return run(t, nil, e.ctr, e.args(args...)...)
}

func (e *ctrEnv) must(t testing.TB, args ...string) string {
	t.Helper()
	return e.ctrRun(t, args...).must(t, "ctr "+strings.Join(args, " "))
}

// runArgs are `ctr run`'s flags that make the shim call runnc with a
// private state root.
func (e *ctrEnv) runArgs(extra ...string) []string {
	return append([]string{"run", "--runtime", "io.containerd.runc.v2", "--runc-binary", e.runnc,
		"--runc-root", e.runcRoot, "--fifo-dir", e.fifoDir}, extra...)
}

// removeAll kills and deletes every task and container left in the
// namespace.
func (e *ctrEnv) removeAll() {
	out, _ := os.ReadDir(filepath.Join(e.dir, "state", "io.containerd.runtime.v2.task", ctrNamespace))
	for _, b := range out {
		id := b.Name()
		quiet := func(args ...string) { runQuiet(nil, e.ctr, e.args(args...)...) }
		quiet("task", "kill", "-s", "SIGKILL", id)
		quiet("task", "delete", "--force", id)
	}
	r := runQuiet(nil, e.ctr, e.args("containers", "list", "--quiet")...)
	for _, id := range strings.Fields(r) {
		runQuiet(nil, e.ctr, e.args("containers", "delete", id)...)
	}
}

// taskStatus is the STATUS column of `ctr task ls` for id.
func (e *ctrEnv) taskStatus(t testing.TB, id string) string {
	t.Helper()
	for _, line := range strings.Split(e.must(t, "task", "ls"), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == id {
			return f[2]
		}
	}
	return ""
}

func TestCtr(t *testing.T) {
	e := newCtrEnv(t)

	t.Run("output", func(t *testing.T) {
		e.ctrRun(t, e.runArgs("--rm", nablaImage, "ctr-hello", "/hello.nabla", "from-ctr")...).checkHello(t, "ctr run hello", "from-ctr")
	})

	t.Run("exit code", func(t *testing.T) {
		r := e.ctrRun(t, e.runArgs("--rm", nablaImage, "ctr-exit", "/hello.nabla", "exit=7")...)
		if r.code != 7 {
			t.Fatalf("ctr run hello exit=7: want exit 7, got %s", r)
		}
	})

	t.Run("detached lifecycle", func(t *testing.T) {
		const id = "ctr-sleep"
		e.must(t, e.runArgs("-d", nablaImage, id, "/hello.nabla", "sleep")...)
		if s := e.taskStatus(t, id); s != "RUNNING" {
			t.Fatalf("after run -d: task status %q, want RUNNING", s)
		}
		if ps := strings.Fields(e.must(t, "task", "ps", id)); len(ps) < 3 || ps[0] != "PID" {
			t.Errorf("task ps: no process listed: %q", ps)
		} else {
			checkTender(t, ps[2])
		}
		r := e.ctrRun(t, "task", "exec", "--fifo-dir", e.fifoDir, "--exec-id", "e1", id, "/hello.nabla")
		t.Logf("task exec: %s", r)
		if r.code == 0 || !strings.Contains(r.stderr, "not supported") {
			t.Errorf("task exec: want a refusal saying \"not supported\", got %s", r)
		}
		e.must(t, "task", "pause", id)
		if s := e.taskStatus(t, id); s != "PAUSED" {
			t.Errorf("after pause: task status %q, want PAUSED", s)
		}
		e.must(t, "task", "resume", id)
		if s := e.taskStatus(t, id); s != "RUNNING" {
			t.Errorf("after resume: task status %q, want RUNNING", s)
		}
		e.must(t, "task", "kill", "-s", "SIGKILL", id)
		if !waitFor(30*time.Second, func() bool { return e.taskStatus(t, id) == "STOPPED" }) {
			t.Fatalf("after kill: task status %q, want STOPPED", e.taskStatus(t, id))
		}
		e.must(t, "task", "delete", id)
		e.must(t, "containers", "delete", id)
	})

	checkEmptyDir(t, "runnc", filepath.Join(e.runcRoot, ctrNamespace))
	checkNoCgroupsFor(t, ctrNamespace, "ctr-hello", "ctr-exit", "ctr-sleep")
	checkNoMountsUnder(t, e.dir)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
