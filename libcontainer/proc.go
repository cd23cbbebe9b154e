package libcontainer

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
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
