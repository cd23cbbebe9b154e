package llcli

import (
	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/urfave/cli"
)

var startCommand = cli.Command{
	Name:      "start",
	Usage:     "start a created container",
	ArgsUsage: "<container-id>",
	Description: `Start lets the unikernel of a created container run, and returns at once.

Example: runnc start hello1`,
	Action: withContainer(libcontainer.Container.Exec),
}

// withContainer is the action of a command that calls one method of the
// container its one argument names.
func withContainer(do func(libcontainer.Container) error) cli.ActionFunc {
	return func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return do(c)
	}
}
