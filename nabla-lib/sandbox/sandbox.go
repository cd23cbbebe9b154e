// Package sandbox is the "sandbox" exec handler: the workload of a pod
// sandbox (the CRI's pause container). It runs no unikernel: the
// container's init itself stays, holding the pod's namespaces for the
// pod's containers to join, until it is told to stop.
//
// It must never import libcontainer or llcli.
package sandbox

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/nabla-containers/runnc/llif"
)

// Exec is the "sandbox" ExecHandler.
type Exec struct{}

// New returns the sandbox exec handler.
func New() llif.ExecHandler { return Exec{} }

func (Exec) ExecCreateFunc(*llif.ExecCreateInput) (*llif.LLState, error) {
	return llif.NewLLState(), nil
}

// ExecRunFunc waits, as the pause binary does, for a signal that stops a
// pod sandbox, and exits 0. SIGKILL needs no waiting.
func (Exec) ExecRunFunc(*llif.ExecRunInput) error {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	<-ch
	os.Exit(0)
	return nil
}

func (Exec) ExecDestroyFunc(in *llif.ExecDestroyInput) (*llif.LLState, error) {
	return in.ExecState, nil
}
