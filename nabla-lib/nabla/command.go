package nabla

import (
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// guestCommand is what the container asks the unikernel to run.
type guestCommand struct {
	// entry names the unikernel in the rootfs, source says where the name
	// comes from (for errors).
	entry, source string
	// argv0 is the program name a CONFIG's command line starts with, ""
	// when the image gives the command line verbatim (urunc's convention).
	argv0 string
	// args are the words after the program name: a Solo5 guest's command
	// line.
	args []string
}

// commandOf reads the command from the process, runnc's way: args[0] is
// the unikernel and args[1:] its command line. An image packaged for urunc
// names its unikernel in com.urunc.unikernel.binary instead, and urunc
// takes the whole of process.args as the command line, or the cmdline key
// when there are none; args[0] naming the binary itself is dropped, being
// the command Docker insists on.
func commandOf(p *specs.Process, u uruncConfig) guestCommand {
	if u.Binary == "" {
		c := guestCommand{source: "process.args[0]"}
		if len(p.Args) > 0 {
			c.entry, c.argv0, c.args = p.Args[0], p.Args[0], p.Args[1:]
		}
		return c
	}
	args := p.Args
	if len(args) > 0 && inRootfs(p.Cwd, args[0]) == inRootfs("/", u.Binary) {
		args = args[1:]
	}
	if len(args) == 0 {
		args = strings.Fields(u.Cmdline)
	}
	return guestCommand{entry: u.Binary, source: uruncBinary, args: args}
}

// argv is the command as a CONFIG document carries it.
func (c guestCommand) argv() []string {
	if c.argv0 == "" {
		return c.args
	}
	return append([]string{c.argv0}, c.args...)
}
