// Command runnc is the OCI runtime binary for Nabla containers. It picks the
// default handlers and hands over to llcli.
package main

import (
	"os"

	_ "github.com/nabla-containers/runnc/internal/firsttouch"
	"github.com/nabla-containers/runnc/llcli"
)

// gitCommit is set by the Makefile.
var gitCommit = ""

func main() {
	llcli.Main(llcli.NewApp(registry(), llcli.Version(gitCommit)), os.Args)
}
