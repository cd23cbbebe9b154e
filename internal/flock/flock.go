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
