// Package nopoll opens the files whose reads and writes never wait
// (regular files, directories, and the kernel's files in /proc and /sys)
// without offering them to Go's poller, as os.Open and os.OpenFile do with
// every file they open. On Linux that offer is four fcntl calls and an
// epoll_ctl, which the kernel refuses for such a file: five system calls
// per open, the first also making the poller. A `runnc run` opens some
// twenty-five of them (0.25 ms of its 20 ms on the VMs this runs on).
//
// Pipes, FIFOs, terminals and sockets, which can wait, belong in the
// poller: open them with package os.
package nopoll

import (
	"os"

	"golang.org/x/sys/unix"
)

// OpenFile is os.OpenFile for a file that never waits. Its *os.File is
// outside the poller, so its reads and writes are plain system calls.
func OpenFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	fd, err := open(name, flag, perm)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// Open is os.Open for a file that never waits.
func Open(name string) (*os.File, error) {
	return OpenFile(name, os.O_RDONLY, 0)
}

// ReadFile is os.ReadFile for a file that never waits.
func ReadFile(name string) ([]byte, error) {
	fd, err := open(name, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	// As os.ReadFile: the size fstat gives, and room to see the end in
	// the same read; files in /proc say 0.
	size := 512
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && st.Size > 0 && st.Size < 1<<30 {
		size = int(st.Size) + 1
	}
	data := make([]byte, 0, size)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := unix.Read(fd, data[len(data):cap(data)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return nil, &os.PathError{Op: "read", Path: name, Err: err}
		case n == 0:
			return data, nil
		}
		data = data[:len(data)+n]
	}
}

// WriteFile is os.WriteFile for a file that never waits.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	fd, err := open(name, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if err := Write(fd, data); err != nil {
		unix.Close(fd)
		return &os.PathError{Op: "write", Path: name, Err: err}
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: name, Err: err}
	}
	return nil
}

// Write writes all of data to fd.
func Write(fd int, data []byte) error {
	for len(data) > 0 {
		n, err := unix.Write(fd, data)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// open opens name close-on-exec, retrying on EINTR as package os does,
// and returns the errors package os would.
func open(name string, flag int, perm os.FileMode) (int, error) {
	for {
		fd, err := unix.Open(name, flag|unix.O_CLOEXEC, uint32(perm.Perm()))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: name, Err: err}
		}
		return fd, nil
	}
}
