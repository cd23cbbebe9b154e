// Command runnc is the OCI runtime binary for Nabla containers. It picks the
// default handlers and hands over to llcli.
package main

import (
	"os"

	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/nabla"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/nabla-lib/sandbox"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
)

// version and gitCommit are set by the Makefile.
var (
	version   = "0.1.0"
	gitCommit = ""
)

func registry() *llif.Registry {
	return &llif.Registry{
		Fs: map[string]func() llif.FsHandler{
			"iso":  storage.NewISO,
			"noop": func() llif.FsHandler { return llif.NoopFs{} },
		},
		Network: map[string]func() llif.NetworkHandler{
			"tap":  network.New,
			"none": func() llif.NetworkHandler { return llif.NoneNetwork{} },
		},
		Exec: map[string]func() llif.ExecHandler{
			"nabla":   nabla.NewNabla,
			"sandbox": sandbox.New,
		},
		DefaultFs:      "iso",
		DefaultNetwork: "tap",
		DefaultExec:    "nabla",
		Sandbox:        llif.Names{Fs: "noop", Network: "none", Exec: "sandbox"},
	}
}

func main() {
	v := version
	if gitCommit != "" {
		v += "\ncommit: " + gitCommit
	}
	v += "\nspec: 1.3.0"
	llcli.Main(llcli.NewApp(registry(), v), os.Args)
}
