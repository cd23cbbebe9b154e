// Package sandbox is the "sandbox" exec handler: the workload of a pod
// sandbox (the CRI's pause container). It runs no unikernel: the
// container's init itself stays, holding the pod's namespaces for the
// pod's containers to join, until it is told to stop.
//
// It must never import libcontainer or llcli.
package sandbox

import "github.com/nabla-containers/runnc/llif"

// Exec is the "sandbox" ExecHandler.
type Exec struct{}

// New returns the sandbox exec handler.
func New() llif.ExecHandler { return Exec{} }

func (Exec) ExecCreateFunc(*llif.ExecCreateInput) (*llif.LLState, error) {
	return llif.NewLLState(), nil
}

// ExecRunFunc keeps the container's init as the workload: it holds the
// namespaces until a stop signal, as the pause binary does.
func (Exec) ExecRunFunc(*llif.ExecRunInput) (*llif.Workload, error) {
	return nil, nil
}

func (Exec) ExecDestroyFunc(in *llif.ExecDestroyInput) (*llif.LLState, error) {
	return in.ExecState, nil
}
