// Package clients_test drives runnc through the clients users run it
// with besides Docker: containerd's ctr, podman (with conmon) and
// Kubernetes' CRI as containerd's CRI plugin serves it. Each test starts
// its own containerd or podman with all state under a temporary
// directory, makes its images from the built guests, and removes
// everything again, also on failure. ../../../shared/CLIENTS.md records
// how these clients call the runtime.
package clients_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/tests/testenv"
)

// lookTool finds a client program, failing with the package that brings it.
func lookTool(t testing.TB, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: run scripts/setup.sh (Debian package %s)", name, pkg)
	}
	return p
}

// runnc returns the runtime binary the clients are pointed at, after
// checking that the tender beside it was built too. Every test environment
// starts here, so this is also where it waits for the host to be its own,
// and where it arranges to remove at its very end (cleanups run last
// first) the disk images its containers left unused: the clients call
// runnc with its default --disk-dir and --disk-cache.
func runnc(t testing.TB) string {
	t.Helper()
	testenv.RequireRoot(t)
	lockHost(t)
	testenv.Binary(t, "nabla-run")
	testenv.CleanUpDiskImages(t, llcli.DefaultDiskDir)
	return testenv.Binary(t, "runnc")
}

// daemon is a long-running client process (containerd) started by a test.
type daemon struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

// startDaemon starts bin in its own session, with stdin from /dev/null,
// output in dir/name.log and no descriptor above 2: whatever it inherited
// would reach the runtime and the tender through the shim. The test's
// cleanup stops it (TERM, then KILL) and waits for it.
func startDaemon(t testing.TB, dir, name, bin string, args ...string) *daemon {
	t.Helper()
	testenv.CloseExtraFdsOnExec()
	log := filepath.Join(dir, name+".log")
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	d := &daemon{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() { cmd.Wait(); close(d.done) }()
	t.Cleanup(d.stop)
	return d
}

func (d *daemon) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		d.cmd.Process.Kill()
		<-d.done
	}
}

// waitSocket waits until the daemon accepts connections on sock.
func (d *daemon) waitSocket(t testing.TB, sock string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-d.done:
			t.Fatalf("%s exited at start: %s", d.name, testenv.Tail(d.log, 20))
		default:
		}
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s within 30s: %s", d.name, sock, testenv.Tail(d.log, 20))
}

// result is what one client command did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
}

// must is the stdout of client command what, which must have succeeded.
func (r result) must(t testing.TB, what string) string {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: %s", what, r)
	}
	return r.stdout
}

// checkHello checks what a client's run of hello with argument arg did,
// named what: exit 0, and hello's greeting and argument on stdout.
func (r result) checkHello(t *testing.T, what, arg string) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: %s", what, r)
	}
	for _, want := range []string{"Hello, World", "arg[1]: " + arg} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("%s: no %q in stdout %q", what, want, r.stdout)
		}
	}
}

// run runs a client command to its end (two minutes at most), in its own
// process group so a timeout kills all of it.
func run(t testing.TB, env []string, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %s: %v", filepath.Base(bin), strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %s: still running after 2 minutes (%s)", filepath.Base(bin), strings.Join(args, " "), r)
	}
	return r
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runQuiet runs a clean-up command whose failure is expected when there
// is nothing to clean, with env added to the test's, and returns its
// stdout.
func runQuiet(env []string, bin string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, _ := cmd.Output()
	return string(out)
}

// shortTempDir is a temporary directory with a short path, removed at the
// end of the test: podman refuses a run root longer than 50 characters,
// which t.TempDir's names (made of the test's name) may exceed.
func shortTempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rncl-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Errorf("remove %s: %v", dir, err)
		}
	})
	return dir
}
