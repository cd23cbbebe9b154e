package llif

// NoopFs is the "noop" fs handler: the workload gets no disk.
type NoopFs struct{}

func (NoopFs) FsCreateFunc(*FsCreateInput) (*LLState, error)   { return NewLLState(), nil }
func (NoopFs) FsRunFunc(*FsRunInput) (*LLState, error)         { return NewLLState(), nil }
func (NoopFs) FsDestroyFunc(*FsDestroyInput) (*LLState, error) { return NewLLState(), nil }

// NoneNetwork is the "none" network handler: the workload gets no NIC, even
// if the container's namespace has interfaces.
type NoneNetwork struct{}

func (NoneNetwork) NetworkCreateFunc(*NetworkCreateInput) (*LLState, error) {
	return NewLLState(), nil
}
func (NoneNetwork) NetworkRunFunc(*NetworkRunInput) (*LLState, error) { return NewLLState(), nil }
func (NoneNetwork) NetworkDestroyFunc(*NetworkDestroyInput) (*LLState, error) {
	return NewLLState(), nil
}
