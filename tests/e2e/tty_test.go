package e2e_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// TestTTY: docker run -t hands runnc a console socket; the guest's console
// is the pty, so its output reaches the terminal.
func TestTTY(t *testing.T) {
	d := dockerd(t)
	s := d.terminal(t, "run", "--rm", "-t", "--runtime=runnc", d.nabla(t), "/hello.nabla", "tty-arg")
	s.waitFor(t, "arg[1]: tty-arg")
	if code := s.wait(t); code != 0 {
		t.Errorf("docker run -t exited %d, want 0:\n%s", code, s.output())
	}
}

// TestTTYInterrupt: in `docker run -it`, Ctrl-C reaches the unikernel's
// terminal as SIGINT and stops it (exit 128+2).
func TestTTYInterrupt(t *testing.T) {
	d := dockerd(t)
	s := d.terminal(t, "run", "--rm", "-it", "--runtime=runnc", d.nabla(t), "/hello.nabla", "sleep")
	s.waitFor(t, "Hello, World")
	if _, err := s.stdin.Write([]byte{3}); err != nil {
		t.Fatalf("type Ctrl-C: %v", err)
	}
	if code := s.wait(t); code != 130 {
		t.Errorf("docker run -it exited %d after Ctrl-C, want 130 (SIGINT):\n%s", code, s.output())
	}
}

// session is a docker CLI call on a terminal: script(1) gives it a pty,
// as a user's shell would.
type session struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   testenv.Buffer
	done  chan struct{}
	err   error // from Wait
}

func (d *daemon) terminal(t *testing.T, args ...string) *session {
	t.Helper()
	quoted := []string{shellQuote(d.cli)}
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	t.Cleanup(cancel)
	s := &session{done: make(chan struct{})}
	s.cmd = exec.CommandContext(ctx, "script", "-qec", strings.Join(quoted, " "), os.DevNull)
	s.cmd.Env = d.cliEnv()
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("script: %v", err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.stdin.Close(); cancel(); <-s.done })
	return s
}

func (s *session) output() string { return s.out.String() }

// waitFor waits until the terminal shows want.
func (s *session) waitFor(t *testing.T, want string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !strings.Contains(s.output(), want) {
		select {
		case <-s.done:
			if strings.Contains(s.output(), want) {
				return
			}
			t.Fatalf("the terminal session ended without showing %q:\n%q", want, s.output())
		case <-deadline:
			t.Fatalf("the terminal did not show %q within 30 s:\n%q", want, s.output())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// wait returns the exit code of the docker CLI (script -e passes it on).
func (s *session) wait(t *testing.T) int {
	t.Helper()
	<-s.done
	if s.cmd.ProcessState == nil {
		t.Fatalf("script did not run: %v", s.err)
	}
	if !s.cmd.ProcessState.Exited() {
		t.Fatalf("script did not finish within %v (%v):\n%q", cliTimeout, s.err, s.output())
	}
	return s.cmd.ProcessState.ExitCode()
}
