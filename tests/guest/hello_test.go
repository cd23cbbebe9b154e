package guest_test

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// runHello runs hello with CONFIG cfg, which must succeed.
func runHello(t *testing.T, cfg string) result {
	t.Helper()
	r := runGuest(t, "hello", nil, cfg)
	if r.status != 0 {
		t.Fatalf("hello failed: %v", r)
	}
	return r
}

func wantLines(t *testing.T, r result, want ...string) {
	t.Helper()
	got := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("hello printed\n%s\nwant\n%s\n(%v)", strings.Join(got, "\n"), strings.Join(want, "\n"), r)
	}
}

func TestHelloArgvEnvCwd(t *testing.T) {
	cfg := configJSON(t,
		"cmdline", "ignored because argv wins",
		"env", "K=V",
		"env", `QUOTE=say "hi"`,
		"net", map[string]string{"if": "ukvmif0", "cloner": "True", "type": "inet",
			"method": "static", "addr": "10.0.0.2", "mask": "24", "gw": "10.0.0.1"},
		"blk", map[string]string{"source": "etfs", "path": "/dev/ld0a", "fstype": "blk", "mountpoint": "/"},
		"cwd", "/srv/www",
		"argv", []string{"hello.nabla", "a b", `{"bla":"ble"}`, `esc"aped\quote`, "héllo ☃"},
		"unknown", map[string]any{"deep": []any{1, 2.5, true, nil}},
	)
	wantLines(t, runHello(t, cfg),
		"Hello, World",
		"arg[0]: hello.nabla",
		"arg[1]: a b",
		`arg[2]: {"bla":"ble"}`,
		`arg[3]: esc"aped\quote`,
		"arg[4]: héllo ☃",
		"env: K=V",
		`env: QUOTE=say "hi"`,
		"cwd: /srv/www",
		"mem: 512 MiB",
		"net: 10.0.0.2/24 gw 10.0.0.1",
	)
}

// Without "argv", cmdline is split on spaces as rumprun does: no quoting,
// so a JSON argument arrives verbatim.
func TestHelloCmdline(t *testing.T) {
	cfg := configJSON(t, "cmdline", `hello.nabla {"bla":"ble"}   say\"hi`, "cwd", "/")
	wantLines(t, runHello(t, cfg),
		"Hello, World",
		"arg[0]: hello.nabla",
		`arg[1]: {"bla":"ble"}`,
		`arg[2]: say\"hi`,
		"cwd: /",
		"mem: 512 MiB",
	)
}

func TestHelloExitStatus(t *testing.T) {
	r := runGuest(t, "hello", nil, configJSON(t, "argv", []string{"hello.nabla", "exit=3"}))
	if r.status != 3 {
		t.Fatalf("hello exit=3: %v", r)
	}
}

func TestHelloMemory(t *testing.T) {
	for _, mem := range []string{"2", "16", "64", "1024"} {
		r := runGuest(t, "hello", []string{"--mem=" + mem}, "{}")
		if r.status != 0 || !strings.Contains(r.stdout, "\nmem: "+mem+" MiB\n") {
			t.Fatalf("hello --mem=%s: %v", mem, r)
		}
	}
}

func TestHelloSleepSeconds(t *testing.T) {
	r := runGuest(t, "hello", nil, configJSON(t, "argv", []string{"hello.nabla", "sleep=1"}))
	if r.status != 0 {
		t.Fatalf("hello sleep=1: %v", r)
	}
}

// startHello starts hello with the given argument and returns once it has
// printed everything, so it is in nb_yield when the caller signals it.
func startHello(t *testing.T, arg string) (*exec.Cmd, io.Reader) {
	t.Helper()
	testenv.RequireRoot(t)
	cmd := exec.CommandContext(context.Background(), testenv.Binary(t, "nabla-run"), "--",
		testenv.Binary(t, "guests/hello.nabla"), configJSON(t, "argv", []string{"hello.nabla", arg}))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	r := bufio.NewReader(out)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("hello %s ended before printing its memory size: %v", arg, err)
		}
		if strings.HasPrefix(line, "mem: ") {
			return cmd, r
		}
	}
}

// "sleep" waits in nb_yield (timerfd_settime and epoll_pwait, allowed)
// until killed: the filter must not kill it first, and it must die of the
// signal it is sent.
func TestHelloSleepUntilKilled(t *testing.T) {
	cmd, out := startHello(t, "sleep")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, out)
	err := cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("hello sleep should die of SIGTERM, got %v (%v)", cmd.ProcessState, err)
	}
}

// A stopped and continued guest resumes its wait (epoll_pwait fails with
// EINTR and is asked again; a restart through restart_syscall would be
// killed by the filter) and ends normally.
func TestHelloSleepSurvivesStopAndContinue(t *testing.T) {
	cmd, out := startHello(t, "sleep=1")
	for _, sig := range []syscall.Signal{syscall.SIGSTOP, syscall.SIGCONT} {
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
	}
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("hello sleep=1, stopped and continued: %v (%v)", err, cmd.ProcessState)
	}
}

// A CONFIG the guest cannot parse stops it before main, with the reason.
func TestHelloMalformedConfig(t *testing.T) {
	for _, cfg := range []string{`{"cwd":1}`, `{"env":"x"`, `[]`, `{"env":"NOEQUALS"}`} {
		r := runGuest(t, "hello", nil, cfg)
		if r.status != 1 || !strings.HasPrefix(r.stdout, "nabla: CONFIG: ") || strings.Contains(r.stdout, "Hello") {
			t.Fatalf("hello with CONFIG %s: %v", cfg, r)
		}
	}
}
