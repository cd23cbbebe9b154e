package llcli

import (
	"fmt"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli"
	"golang.org/x/sys/unix"
)

var killCommand = cli.Command{
	Name:      "kill",
	Usage:     "send a signal to a container's unikernel",
	ArgsUsage: "<container-id> [signal]",
	Description: `Kill sends a signal (default SIGTERM) to the container's process, the
tender running the unikernel. The signal is a number (15), a name (TERM) or
a name with SIG (SIGTERM). Signal 0 sends nothing: as with runc, it only
checks that the container is running (exit status 0) or not (1).

Example: runnc kill hello1 KILL`,
	Flags: []cli.Flag{
		cli.BoolFlag{Name: "all, a", Usage: "signal every process of the container; a stopped container is then not an error"},
	},
	Action: func(ctx *cli.Context) error {
		if ctx.NArg() < 1 || ctx.NArg() > 2 {
			return fmt.Errorf("kill: expected a container id and an optional signal: usage: runnc kill %s", ctx.Command.ArgsUsage)
		}
		sig := syscall.SIGTERM
		if ctx.NArg() == 2 {
			var err error
			if sig, err = parseSignal(ctx.Args().Get(1)); err != nil {
				return err
			}
		}
		c, err := loadFirst(ctx)
		if err != nil {
			return err
		}
		return c.Signal(sig, ctx.Bool("all"))
	},
}

// parseSignal reads a signal as a number or a name, with or without SIG.
func parseSignal(s string) (syscall.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 64 {
			return 0, fmt.Errorf("signal %q is not valid: use a number from 0 to 64 or a name like TERM", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("signal %q is not valid: use a number from 0 to 64 or a name like TERM", s)
}
