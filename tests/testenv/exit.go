package testenv

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"
)

// Exit tells how a command whose Run returned err ended: its exit status,
// or -1 and the signal that killed it. An err that is no exit (the command
// did not start) fails the test, naming the command what.
func Exit(t testing.TB, err error, what string) (status int, signal syscall.Signal) {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, 0
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			return -1, ws.Signal()
		}
		return ws.ExitStatus(), 0
	}
	t.Fatalf("%s: %v", what, err)
	return 0, 0
}
