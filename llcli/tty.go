package llcli

import (
	"fmt"
	"net"
	"os"

	"github.com/containerd/console"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// newConsole makes a pty for a terminal container, of process.consoleSize
// if the spec gives one (Docker sends its terminal's), sends its master to
// the caller's console socket as runc does (one message: the name, with
// the fd as SCM_RIGHTS), and returns the slave, which becomes the
// unikernel's console. The send happens before create returns: the shim
// receives only after that.
func newConsole(socketPath string, size *specs.Box) (*os.File, error) {
	master, slavePath, err := console.NewPty()
	if err != nil {
		return nil, fmt.Errorf("make a pty for the terminal: %w", err)
	}
	defer master.Close()
	if size != nil {
		// checkOptions bounds both to a terminal's 16 bits.
		if err := master.Resize(console.WinSize{Height: uint16(size.Height), Width: uint16(size.Width)}); err != nil {
			return nil, fmt.Errorf("size the terminal to process.consoleSize: %w", err)
		}
	}
	slave, err := os.OpenFile(slavePath, os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open pty %s: %w", slavePath, err)
	}
	if err := sendFd(socketPath, master.Name(), master.Fd()); err != nil {
		slave.Close()
		return nil, err
	}
	return slave, nil
}

func sendFd(socketPath, name string, fd uintptr) error {
	conn, err := net.Dial("unix", socketPath)
	if err != nil {
		return fmt.Errorf("console socket %s cannot be reached: %w", socketPath, err)
	}
	defer conn.Close()
	uc, ok := conn.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("console socket %s is not a unix socket", socketPath)
	}
	if _, _, err := uc.WriteMsgUnix([]byte(name), unix.UnixRights(int(fd)), nil); err != nil {
		return fmt.Errorf("send pty to console socket %s: %w", socketPath, err)
	}
	return nil
}
