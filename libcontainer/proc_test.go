package libcontainer

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestReadProcStatOfSelf(t *testing.T) {
	st, err := readProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.startTime == 0 || (st.state != 'R' && st.state != 'S') {
		t.Fatalf("unexpected stat %+v", st)
	}
	if !alive(os.Getpid(), st.startTime) {
		t.Fatal("this process is not alive")
	}
	if alive(os.Getpid(), st.startTime+1) {
		t.Fatal("a different start time must not count as the same process")
	}
	if alive(0, 0) {
		t.Fatal("pid 0 is never a container")
	}
}

// A pinned process's exit is seen through its pidfd, a zombie's too (the
// container's reaper may not have collected it yet), and only that of the
// process that started at the given time is.
func TestPinAndWaitExit(t *testing.T) {
	cmd := exec.Command("sleep", "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	st, err := readProcStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if fd, err := pin(cmd.Process.Pid, st.startTime+1); err != nil || fd != -1 {
		t.Fatalf("pin of another start time: %d, %v", fd, err)
	}
	pidfd, err := pin(cmd.Process.Pid, st.startTime)
	if err != nil || pidfd < 0 {
		t.Fatalf("pin: %d, %v", pidfd, err)
	}
	defer unix.Close(pidfd)
	if exited, err := waitExit(pidfd, 0); err != nil || exited {
		t.Fatalf("a sleeping process: exited %v, %v", exited, err)
	}
	if sent, err := pidfdSignal(pidfd, unix.SIGKILL); err != nil || !sent {
		t.Fatalf("SIGKILL: %v, %v", sent, err)
	}
	// Not reaped: a zombie has exited.
	if exited, err := waitExit(pidfd, time.Minute); err != nil || !exited {
		t.Fatalf("a killed process: exited %v, %v", exited, err)
	}
	if fd, err := pin(cmd.Process.Pid, st.startTime); err != nil || fd != -1 {
		t.Fatalf("pin of a zombie: %d, %v", fd, err)
	}
}

// The state and start time come from the fields after the last ')': a
// command name may hold spaces and parentheses. A line cut short is
// refused.
func TestParseProcStat(t *testing.T) {
	tail := " 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 20 21 22\n"
	for _, c := range []struct {
		line  string
		state byte
		start uint64
	}{
		{"42 (sleep) S" + tail, 'S', 424242},
		{"42 (a) b (c) ) Z" + tail, 'Z', 424242},
		{"42 (x\ny) R" + tail, 'R', 424242},
	} {
		st, err := parseProcStat(42, []byte(c.line))
		if err != nil || st.state != c.state || st.startTime != c.start {
			t.Errorf("%q: %+v, %v; want state %c, start %d", c.line, st, err, c.state, c.start)
		}
	}
	for _, bad := range []string{"", "42 (sleep)", "42 (sleep) S 1 2 3", "42 (sleep) S" + strings.Replace(tail, "424242", "x", 1)} {
		if st, err := parseProcStat(42, []byte(bad)); err == nil {
			t.Errorf("%q: parsed as %+v, want an error", bad, st)
		}
	}
}

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("42 (sleep) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 424242 20\n"))
	f.Add([]byte("1 ()) ) ) R"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parseProcStat(1, data) // must not panic, whatever the kernel or a fake /proc says
	})
}
