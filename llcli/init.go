package llcli

import (
	"errors"
	"fmt"
	"os"

	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/urfave/cli"
)

// initCommand is the container's process before it becomes the unikernel;
// runnc create starts it, never a user.
var initCommand = cli.Command{
	Name:   "init",
	Hidden: true,
	Action: func(ctx *cli.Context) error {
		f, err := factory(ctx)
		if err != nil {
			return err
		}
		err = f.StartInitialization()
		// Past create, this reaches the user only through the container's
		// stderr (docker logs); before, runnc create reports it.
		if !errors.Is(err, libcontainer.ErrInitReported) {
			fmt.Fprintf(os.Stderr, "runnc init: %v\n", err)
		}
		os.Exit(1)
		return nil
	},
}
