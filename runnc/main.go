// Command runnc is the OCI runtime binary for Nabla containers. It picks the
// default handlers and hands over to llcli.
package main

import (
	"os"

	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/runnc/handlers"
)

// gitCommit is set by the Makefile.
var gitCommit = ""

func main() {
	llcli.Main(llcli.NewApp(handlers.Registry(), llcli.Version(gitCommit)), os.Args)
}
