package libcontainer

import (
	"os"
	"os/exec"
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
