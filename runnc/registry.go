package main

import (
	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/nabla"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
)

// registry returns the handlers runnc offers and its defaults.
func registry() *llif.Registry {
	return &llif.Registry{
		Fs: map[string]func() llif.FsHandler{
			"iso":  storage.NewISO,
			"noop": llif.NewNoopFs,
		},
		Network: map[string]func() llif.NetworkHandler{
			"tap":  network.NewTap,
			"none": llif.NewNoneNetwork,
		},
		Exec: map[string]func() llif.ExecHandler{
			"nabla":   nabla.NewNabla,
			"sandbox": llif.NewSandboxExec,
		},
		DefaultFs:      "iso",
		DefaultNetwork: "tap",
		DefaultExec:    "nabla",
		Sandbox:        llif.Names{Fs: "noop", Network: "none", Exec: "sandbox"},
	}
}
