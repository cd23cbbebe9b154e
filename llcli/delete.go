package llcli

import (
	"errors"

	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/urfave/cli"
)

var deleteCommand = cli.Command{
	Name:      "delete",
	Usage:     "delete a container and everything it holds",
	ArgsUsage: "<container-id>",
	Description: `Delete removes a stopped (or created) container: its network devices,
its disk image if no other container shares it, its state, and its record
as a user of the stored image it was made from (--image-store). With --force
a running container is killed first, and a container that does not exist is
not an error (containerd and podman clean up that way), and one whose state
cannot be read is removed, its process killed if it can still be told.

Example: runnc delete hello1`,
	Flags: []cli.Flag{
		cli.BoolFlag{Name: "force, f", Usage: "kill the container if it is running; succeed if it does not exist"},
	},
	Action: func(ctx *cli.Context) error {
		c, err := loadContainer(ctx)
		if err != nil {
			var remove func(f *libcontainer.NablaFactory, id string) error
			switch {
			case !ctx.Bool("force"):
				return err
			case errors.Is(err, libcontainer.ErrNotExist):
				// A create killed before saving state left only its
				// directory, as runc's does.
				remove = (*libcontainer.NablaFactory).RemoveAborted
			case errors.Is(err, libcontainer.ErrStateUnreadable):
				remove = (*libcontainer.NablaFactory).RemoveUnreadable
			default:
				return err
			}
			f, ferr := Factory(ctx)
			if ferr != nil {
				return ferr
			}
			return remove(f, ctx.Args().First())
		}
		err = destroy(ctx, c, ctx.Bool("force"))
		if ctx.Bool("force") && errors.Is(err, libcontainer.ErrNotExist) {
			return nil
		}
		return err
	},
}
