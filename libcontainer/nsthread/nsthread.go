// Package nsthread runs a function on an OS thread of its own inside a
// network namespace, as the handlers' Run phases need: netlink sockets and
// tap devices belong to the namespace of the thread that makes them.
package nsthread

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do calls f on a thread that has joined the network namespace at path
// (a /proc/<pid>/ns/net or a bind mount of one). The thread is never the
// process's main thread, whose namespace /proc/self shows and which must
// stay the runtime's, and it is thrown away afterwards instead of being
// handed back to the scheduler in a foreign namespace.
func Do(path string, f func() error) error {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("network namespace %s cannot be opened: %w", path, err)
	}
	defer unix.Close(fd)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() == unix.Getpid() {
			// Keep the main thread busy (and locked) so that the
			// goroutine below gets another one.
			done <- Do(path, f)
			runtime.UnlockOSThread()
			return
		}
		// Returning while locked ends this thread.
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			done <- fmt.Errorf("network namespace %s cannot be joined: %w", path, err)
			return
		}
		done <- f()
	}()
	return <-done
}
