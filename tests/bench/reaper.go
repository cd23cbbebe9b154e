package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"time"

	gorunc "github.com/containerd/go-runc"
	"golang.org/x/sys/unix"
)

// reaper makes the bench a child subreaper, as containerd's shim is: a
// container's process outlives `create` and is re-parented here, so its
// exit can be waited for without polling `state`, and every orphan
// (runsc's sandbox and gofer, a runtime's helpers) is reaped instead of
// piling up as zombies. Because it reaps every child, it is also go-runc's
// ProcessMonitor: exec.Cmd.Wait alone would race with it.
type reaper struct {
	mu      sync.Mutex
	waiters map[int]chan gorunc.Exit
	// gate is held while reaping, and by whoever ptraces a child: a
	// tracee's stops are reported to every wait of the tracer's process.
	gate sync.Mutex
}

var (
	reaperOnce sync.Once
	theReaper  *reaper
	reaperErr  error
)

// startReaper starts the process's one reaper (a second would steal the
// first one's exits).
func startReaper() (*reaper, error) {
	reaperOnce.Do(func() {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			reaperErr = fmt.Errorf("become a child subreaper: %w", err)
			return
		}
		r := &reaper{waiters: map[int]chan gorunc.Exit{}}
		sig := make(chan os.Signal, 64)
		signal.Notify(sig, unix.SIGCHLD)
		go func() {
			for range sig {
				r.reapAll()
			}
		}()
		gorunc.Monitor = r
		theReaper = r
	})
	return theReaper, reaperErr
}

// reapAll collects every exited child and hands each exit to its waiter;
// exits nobody waits for (orphans) are dropped.
func (r *reaper) reapAll() {
	r.gate.Lock()
	defer r.gate.Unlock()
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			return
		}
		status := ws.ExitStatus()
		if ws.Signaled() {
			status = 128 + int(ws.Signal())
		}
		r.mu.Lock()
		if ch, ok := r.waiters[pid]; ok {
			ch <- gorunc.Exit{Timestamp: time.Now(), Pid: pid, Status: status}
			delete(r.waiters, pid)
		}
		r.mu.Unlock()
	}
}

// Watch returns a channel that receives pid's exit. The caller must call
// it while pid is alive and our descendant (a created container's
// process, blocked until start), so its exit cannot be missed.
func (r *reaper) Watch(pid int) chan gorunc.Exit {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch := make(chan gorunc.Exit, 1)
	r.waiters[pid] = ch
	return ch
}

// Forget drops the watch ch of pid, if it is still there: its exit will
// never be waited for. (A newer watch of a reused pid stays.)
func (r *reaper) Forget(pid int, ch chan gorunc.Exit) {
	r.mu.Lock()
	if r.waiters[pid] == ch {
		delete(r.waiters, pid)
	}
	r.mu.Unlock()
}

// Start starts c and registers it before the reaper can see its exit.
func (r *reaper) Start(c *exec.Cmd) (chan gorunc.Exit, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.Start(); err != nil {
		return nil, err
	}
	ch := make(chan gorunc.Exit, 1)
	r.waiters[c.Process.Pid] = ch
	return ch, nil
}

// StartLocked is what go-runc calls when Pdeathsig is set, which the bench
// never sets: it is Start.
func (r *reaper) StartLocked(c *exec.Cmd) (chan gorunc.Exit, error) {
	return r.Start(c)
}

// Wait waits for the exit the reaper collected, then lets exec.Cmd finish
// copying the output (its own wait fails: the child is already reaped).
func (r *reaper) Wait(c *exec.Cmd, ch chan gorunc.Exit) (int, error) {
	e := <-ch
	_ = c.Wait()
	return e.Status, nil
}

// combinedOutput runs cmd to completion through go-runc's monitor (once
// the reaper runs, exec.Cmd's own wait would race with it) and returns its
// stdout and stderr together.
func combinedOutput(cmd *exec.Cmd) ([]byte, error) {
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	ch, err := gorunc.Monitor.Start(cmd)
	if err != nil {
		return nil, err
	}
	status, err := gorunc.Monitor.Wait(cmd, ch)
	if err == nil && status != 0 {
		err = fmt.Errorf("%s exited with status %d", cmd.Path, status)
	}
	return buf.Bytes(), err
}
