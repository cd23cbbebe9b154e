package libcontainer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// procStat is what /proc/<pid>/stat tells about a process: its state letter
// and its start time in clock ticks since boot, which with the pid
// identifies one process for the machine's uptime.
type procStat struct {
	state     byte
	startTime uint64
}

func readProcStat(pid int) (procStat, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, err
	}
	// The command name may hold spaces and parentheses: fields start after
	// the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	fields := bytes.Fields(data[i+2:])
	// fields[0] is field 3 (state); start time is field 22.
	if len(fields) < 20 {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	start, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return procStat{}, fmt.Errorf("malformed start time in /proc/%d/stat: %w", pid, err)
	}
	return procStat{state: fields[0][0], startTime: start}, nil
}

// alive reports whether pid is still the process that started at startTime
// and has not exited (a zombie waiting for its reaper has exited).
func alive(pid int, startTime uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := readProcStat(pid)
	if err != nil {
		return false
	}
	if st.startTime != startTime {
		return false
	}
	return st.state != 'Z' && st.state != 'X'
}

// pin returns a pidfd of pid if it is still the process that started at
// startTime, -1 if it is gone. The pidfd pins that process: a signal or a
// wait through it cannot reach another that reused the pid.
func pin(pid int, startTime uint64) (int, error) {
	if pid <= 0 {
		return -1, nil
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		return -1, nil
	}
	if err != nil {
		return -1, err
	}
	if !alive(pid, startTime) {
		unix.Close(pidfd)
		return -1, nil
	}
	return pidfd, nil
}

// pidfdSignal sends sig through a pidfd from pin; sent is false if the
// process has exited meanwhile.
func pidfdSignal(pidfd int, sig unix.Signal) (sent bool, err error) {
	err = unix.PidfdSendSignal(pidfd, sig, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return false, nil
	}
	return err == nil, err
}

// waitExit waits up to timeout for the process of a pidfd from pin to
// exit, and tells whether it did. The pidfd becomes readable when the
// process exits, a zombie included (as for alive): no polling of /proc,
// whose rounds grew with the machine's load.
func waitExit(pidfd int, timeout time.Duration) (bool, error) {
	deadline := time.Now().Add(timeout)
	for {
		ms := max(0, int(time.Until(deadline)/time.Millisecond))
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}, ms)
		if errors.Is(err, unix.EINTR) {
			continue // the Go runtime's own signals
		}
		return n > 0, err
	}
}
