package testenv

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// NoPanic fails the test if runnc crashed rather than failing with a
// sentence.
func NoPanic(t testing.TB, res Result) {
	t.Helper()
	for _, bad := range []string{"panic", "goroutine ", "fatal error"} {
		if strings.Contains(res.Stderr, bad) || strings.Contains(res.Stdout, bad) {
			t.Fatalf("runnc %v printed %q:\n%s%s", res.Args, bad, res.Stdout, res.Stderr)
		}
	}
}

// State is `runnc state id`: the container's status and pid, or "" and 0
// if it does not exist.
func (r *Runnc) State(t testing.TB, id string) (status string, pid int) {
	t.Helper()
	res := r.Run("state", id)
	NoPanic(t, res)
	if res.Code != 0 {
		if strings.Contains(res.Stderr, "does not exist") {
			return "", 0
		}
		t.Fatalf("state %s: %s", id, res.Stderr)
	}
	var st struct {
		Status string `json:"status"`
		Pid    int    `json:"pid"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &st); err != nil {
		t.Fatalf("state %s printed %q: %v", id, res.Stdout, err)
	}
	return st.Status, st.Pid
}

// WaitStatus waits until the container has status and returns its pid.
func (r *Runnc) WaitStatus(t testing.TB, id, status string) int {
	t.Helper()
	var st string
	var pid int
	WaitFor(t, id+" to be "+status, func() bool {
		st, pid = r.State(t, id)
		return st == status
	})
	return pid
}

// WaitFor polls cond until it holds and fails the test if it still does
// not after a minute.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// IP runs ip(8) and returns what it printed; a failure fails the test,
// with that output.
func IP(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// SleepIn starts a sleep in the named network namespace (ns "" for this
// one) and returns its pid once it is there; the test's cleanup stops it.
func SleepIn(t testing.TB, ns string) int {
	t.Helper()
	argv := []string{"sleep", "60"}
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// ip netns exec has joined the namespace once it has become sleep.
	WaitFor(t, "process "+strconv.Itoa(cmd.Process.Pid)+" to become sleep", func() bool {
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/comm")
		return strings.TrimSpace(string(comm)) == "sleep"
	})
	return cmd.Process.Pid
}

// WaitSeccomp waits until pid, a tender, has installed its seccomp filter
// (just before the jump to the guest, after it switched user) and returns
// its /proc status then.
func WaitSeccomp(t testing.TB, pid int) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\nSeccomp:\t2\n") {
			return string(b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("pid %d never installed its seccomp filter:\n%s", pid, b)
		}
	}
}
