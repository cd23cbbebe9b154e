// Package flock takes the flock(2) locks by which runnc processes take
// turns: a container's state directory, a disk image, the image store.
package flock

import (
	"os"

	"golang.org/x/sys/unix"
)

// Lock applies how (unix.LOCK_EX or LOCK_SH, perhaps with LOCK_NB) to f,
// waiting as long as it takes: a signal that interrupts the wait (a
// child's SIGCHLD, SIGWINCH of a terminal) is not a failure to lock.
func Lock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// StillAt tells whether the open file f is still the file at path. A lock
// file or directory removed by the holder while another process waited
// for its lock, and perhaps made again in its place, leaves the waiter
// holding the lock of a file no one else will look at: it must check.
func StillAt(f *os.File, path string) bool {
	opened, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(path)
	return err == nil && os.SameFile(opened, now)
}
