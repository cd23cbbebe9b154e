// Command runnc-image runs `runnc image ...`, which runnc hands it: the
// image store's code lives here, so that runnc, which starts three times
// per container, does not load it. It takes runnc's global flags.
package main

import (
	"os"

	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/llcli/imagecli"
	"github.com/nabla-containers/runnc/runnc/handlers"
)

// gitCommit is set by the Makefile.
var gitCommit = ""

func main() {
	llcli.Main(llcli.NewApp(handlers.Registry(), llcli.Version(gitCommit), imagecli.Command), os.Args)
}
