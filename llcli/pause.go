package llcli

import (
	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/urfave/cli"
)

var pauseCommand = cli.Command{
	Name:      "pause",
	Usage:     "freeze a running container",
	ArgsUsage: "<container-id>",
	Description: `Pause freezes the container's cgroup: the unikernel stops where it is
and answers nothing until resumed.

Example: runnc pause web1`,
	Action: withContainer(libcontainer.Container.Pause),
}

var resumeCommand = cli.Command{
	Name:      "resume",
	Usage:     "thaw a paused container",
	ArgsUsage: "<container-id>",
	Description: `Resume thaws a paused container; the unikernel carries on.

Example: runnc resume web1`,
	Action: withContainer(libcontainer.Container.Resume),
}
