package llcli

import (
	"fmt"

	"github.com/urfave/cli"
)

// Verbs that have no meaning for a unikernel exist so that callers get one
// clear sentence (containerd shows it as "OCI runtime exec failed: ...").
func unsupported(name, why string) cli.Command {
	return cli.Command{
		Name:            name,
		Usage:           "not supported by unikernel containers",
		ArgsUsage:       "<container-id>",
		SkipArgReorder:  true,
		SkipFlagParsing: true,
		Action: func(ctx *cli.Context) error {
			return fmt.Errorf("%s is not supported by unikernel containers: %s", name, why)
		},
	}
}

var (
	execCommand = unsupported("exec",
		"a Nabla container runs exactly one unikernel and has no other processes to start")
	checkpointCommand = unsupported("checkpoint",
		"the tender's state cannot be dumped; stop and re-create the container instead")
	restoreCommand = unsupported("restore",
		"the tender's state cannot be dumped; stop and re-create the container instead")
)
