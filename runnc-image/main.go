// Command runnc-image runs `runnc image ...`, which runnc hands it: the
// image store's code lives here, so that runnc, which starts three times
// per container, does not load it. It takes runnc's global flags, and has
// no container handlers: the store records the containers of its images
// itself (imageapi), so it never reads a container's state.
package main

import (
	"os"

	_ "github.com/nabla-containers/runnc/internal/firsttouch"
	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/llcli/imagecli"
)

// gitCommit is set by the Makefile.
var gitCommit = ""

func main() {
	llcli.Main(llcli.NewApp(nil, llcli.Version(gitCommit), imagecli.Command), os.Args)
}
