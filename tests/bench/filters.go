package main

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const ptraceSeccompGetFilter = 0x420c

// runningFilter starts a container of bundle (a sleeping workload) and
// returns the x86_64 syscalls the seccomp filters of its process can
// allow, as read from the running process; extra names more processes to
// read (as "name": command line substring, among those naming the
// driver's root) for the note.
func runningFilter(ctx context.Context, d *driver, bundle string, extra map[string]string) ([]string, string, error) {
	c, err := d.create(ctx, d.newID(), bundle, nil)
	if err != nil {
		return nil, "", err
	}
	defer stopContainer(d, c)
	if err := d.start(ctx, c); err != nil {
		return nil, "", err
	}
	time.Sleep(settle)
	names, err := filterSurface(d.reaper, c.pid)
	if err != nil {
		return nil, "", fmt.Errorf("read the seccomp filter of %s's container process: %w", d.name, err)
	}
	var notes []string
	_, cmdline := processTable()
	for name, needle := range extra {
		for pid, cl := range cmdline {
			if strings.Contains(cl, d.rc.Root) && strings.Contains(cl, needle) {
				if m, err := filterSurface(d.reaper, pid); err == nil {
					notes = append(notes, fmt.Sprintf("the %s's allows %d", name, len(m)))
				}
			}
		}
	}
	return names, strings.Join(notes, "; "), nil
}

// filterSurface returns the sorted names of the x86_64 syscalls the
// seccomp filters of pid can allow for some arguments.
func filterSurface(r *reaper, pid int) ([]string, error) {
	progs, err := readFilters(r, pid)
	if err != nil {
		return nil, err
	}
	if len(progs) == 0 {
		return nil, fmt.Errorf("pid %d has no seccomp filter", pid)
	}
	table, err := x86Syscalls()
	if err != nil {
		return nil, err
	}
	var names []string
	for name, nr := range table {
		allowed := true
		for _, p := range progs {
			ok, err := mayAllow(p, uint32(nr))
			if err != nil {
				return nil, err
			}
			allowed = allowed && ok
		}
		if allowed {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// readFilters stops pid with ptrace just long enough to copy its seccomp
// filters out (PTRACE_SECCOMP_GET_FILTER, which needs root).
func readFilters(r *reaper, pid int) ([][]bpfInsn, error) {
	r.gate.Lock()
	defer r.gate.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := unix.PtraceSeize(pid); err != nil {
		return nil, fmt.Errorf("ptrace seize %d: %w", pid, err)
	}
	if err := unix.PtraceInterrupt(pid); err != nil {
		return nil, fmt.Errorf("ptrace interrupt %d: %w", pid, err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return nil, fmt.Errorf("wait for %d to stop: %w", pid, err)
	}
	defer unix.PtraceDetach(pid)
	var progs [][]bpfInsn
	for i := 0; ; i++ {
		n, _, errno := unix.Syscall6(unix.SYS_PTRACE, ptraceSeccompGetFilter, uintptr(pid), uintptr(i), 0, 0, 0)
		if errno == unix.ENOENT {
			return progs, nil
		}
		if errno != 0 {
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d of pid %d: %w", i, pid, errno)
		}
		buf := make([]byte, n*8)
		if _, _, errno := unix.Syscall6(unix.SYS_PTRACE, ptraceSeccompGetFilter, uintptr(pid), uintptr(i), uintptr(unsafe.Pointer(&buf[0])), 0, 0); errno != 0 {
			return nil, fmt.Errorf("PTRACE_SECCOMP_GET_FILTER %d of pid %d: %w", i, pid, errno)
		}
		progs = append(progs, decodeBPF(buf))
	}
}
