package llif

// The handlers that make nothing, which a pod sandbox (the CRI's pause
// container) uses: it runs no unikernel, its init only holds the pod's
// namespaces for the pod's containers to join. Each handler type T here and
// in nabla-lib is made by NewT, for Registry.

// NoopFs is the "noop" fs handler: the workload gets no disk.
type NoopFs struct{}

// NewNoopFs returns the noop fs handler.
func NewNoopFs() FsHandler { return NoopFs{} }

func (NoopFs) FsCreateFunc(*FsCreateInput) (*LLState, error)   { return NewLLState(), nil }
func (NoopFs) FsRunFunc(*FsRunInput) (*LLState, error)         { return NewLLState(), nil }
func (NoopFs) FsDestroyFunc(*FsDestroyInput) (*LLState, error) { return NewLLState(), nil }

// NoneNetwork is the "none" network handler: the workload gets no NIC, even
// if the container's namespace has interfaces.
type NoneNetwork struct{}

// NewNoneNetwork returns the none network handler.
func NewNoneNetwork() NetworkHandler { return NoneNetwork{} }

// NetworkCreateFunc plans nothing, and so no Run (NetSkipRun).
func (NoneNetwork) NetworkCreateFunc(*NetworkCreateInput) (*LLState, error) {
	st := NewLLState()
	st.Options[NetSkipRun] = "true"
	return st, nil
}
func (NoneNetwork) NetworkRunFunc(*NetworkRunInput) (*LLState, error) { return NewLLState(), nil }
func (NoneNetwork) NetworkDestroyFunc(*NetworkDestroyInput) (*LLState, error) {
	return NewLLState(), nil
}

// SandboxExec is the "sandbox" exec handler: the container's init itself
// stays as the workload and holds the namespaces until a stop signal, as
// the pause binary does.
type SandboxExec struct{}

// NewSandboxExec returns the sandbox exec handler.
func NewSandboxExec() ExecHandler { return SandboxExec{} }

func (SandboxExec) ExecCreateFunc(*ExecCreateInput) (*LLState, error) { return NewLLState(), nil }
func (SandboxExec) ExecRunFunc(*ExecRunInput) (*Workload, error)      { return nil, nil }
func (SandboxExec) ExecDestroyFunc(in *ExecDestroyInput) (*LLState, error) {
	return in.ExecState, nil
}
