package llcli

import "github.com/urfave/cli"

var startCommand = cli.Command{
	Name:      "start",
	Usage:     "start a created container",
	ArgsUsage: "<container-id>",
	Description: `Start lets the unikernel of a created container run, and returns at once.

Example: runnc start hello1`,
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			return err
		}
		return c.Exec()
	},
}
