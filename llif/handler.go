package llif

// FsHandler provides the container's root filesystem to the workload.
type FsHandler interface {
	FsCreateFunc(*FsCreateInput) (*LLState, error)
	FsRunFunc(*FsRunInput) (*LLState, error)
	FsDestroyFunc(*FsDestroyInput) (*LLState, error)
}

// NetworkHandler gives the workload its network inside the container's
// network namespace.
type NetworkHandler interface {
	NetworkCreateFunc(*NetworkCreateInput) (*LLState, error)
	NetworkRunFunc(*NetworkRunInput) (*LLState, error)
	NetworkDestroyFunc(*NetworkDestroyInput) (*LLState, error)
}

// ExecHandler runs the workload. ExecRunFunc replaces the calling process
// (the container's init) with the workload and so returns only on failure.
type ExecHandler interface {
	ExecCreateFunc(*ExecCreateInput) (*LLState, error)
	ExecRunFunc(*ExecRunInput) error
	ExecDestroyFunc(*ExecDestroyInput) (*LLState, error)
}

// RunllcHandler is the set of handlers one container uses.
type RunllcHandler struct {
	FsH      FsHandler
	NetworkH NetworkHandler
	ExecH    ExecHandler
}

// Create phases may fail after making something. Every Destroy phase must
// therefore accept the state of a Create that went only part way (or not at
// all) and remove just what exists; Destroy of nothing is not an error.
