// Package handlers is the choice of low-level handlers that both runnc
// binaries (runnc and runnc-image) share: runnc-image loads containers to
// tell which images they use, and must read their states as runnc does.
package handlers

import (
	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/nabla"
	"github.com/nabla-containers/runnc/nabla-lib/network"
	"github.com/nabla-containers/runnc/nabla-lib/sandbox"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
)

// Registry returns the handlers runnc offers and its defaults.
func Registry() *llif.Registry {
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
