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
	// Read with plain system calls into the stack: os.ReadFile costs a
	// stat, the poller's probes and a heap buffer, and list and every
	// status check read one of these per container.
	path := "/proc/" + strconv.Itoa(pid) + "/stat"
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return procStat{}, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var buf [2048]byte // 52 fields and a 64-byte name fit
	n, err := readFull(fd, buf[:])
	unix.Close(fd)
	if err != nil {
		return procStat{}, &os.PathError{Op: "read", Path: path, Err: err}
	}
	return parseProcStat(pid, buf[:n])
}

// readFull reads fd until EOF or buf is full.
func readFull(fd int, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := unix.Read(fd, buf[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return n, nil
}

// parseProcStat reads the state letter (field 3) and the start time
// (field 22) of a /proc/<pid>/stat line.
func parseProcStat(pid int, data []byte) (procStat, error) {
	// The command name may hold spaces and parentheses: fields start after
	// the last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 || i+2 >= len(data) {
		return procStat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
	}
	var st procStat
	rest := data[i+2:]
	for field := 3; field <= 22; field++ {
		rest = bytes.TrimLeft(rest, " ")
		end := bytes.IndexAny(rest, " \n")
		if end < 0 {
			end = len(rest)
		}
		if end == 0 {
			return procStat{}, fmt.Errorf("malformed /proc/%d/stat", pid)
		}
		switch field {
		case 3:
			st.state = rest[0]
		case 22:
			start, err := strconv.ParseUint(string(rest[:end]), 10, 64)
			if err != nil {
				return procStat{}, fmt.Errorf("malformed start time in /proc/%d/stat: %w", pid, err)
			}
			st.startTime = start
		}
		rest = rest[end:]
	}
	return st, nil
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
