package libcontainer

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Process is the stdio the container's workload gets, and, once started,
// the handle to wait for it (only in the invocation that started it).
type Process struct {
	// Stdin, Stdout and Stderr are passed to the workload as its fds 0-2;
	// nil means /dev/null.
	Stdin, Stdout, Stderr *os.File
	// ExtraFiles are passed as fds 3 and up (--preserve-fds).
	ExtraFiles []*os.File
	// Terminal makes Stdin the controlling terminal of a new session, so
	// the terminal's ^C reaches the unikernel as SIGINT.
	Terminal bool

	pid int
}

// Pid is the host pid of the container's process once started.
func (p *Process) Pid() (int, error) {
	if p.pid == 0 {
		return 0, errors.New("process not started")
	}
	return p.pid, nil
}

// Wait waits for the workload and returns its exit code the way a shell
// reports it: the guest's status, or 128 + the signal that killed it.
func (p *Process) Wait() (int, error) {
	if p.pid == 0 {
		return -1, errors.New("process not started by this program")
	}
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(p.pid, &ws, 0, nil)
		if err == nil {
			break
		}
		if err != unix.EINTR {
			return -1, fmt.Errorf("wait for container process: %w", err)
		}
	}
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}
