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

// ExecHandler runs the workload. ExecRunFunc says what the container's init
// becomes at start: it runs after FsRun and NetworkRun, so it sees their
// states.
type ExecHandler interface {
	ExecCreateFunc(*ExecCreateInput) (*LLState, error)
	ExecRunFunc(*ExecRunInput) (*Workload, error)
	ExecDestroyFunc(*ExecDestroyInput) (*LLState, error)
}

// Workload is the program the container's init execs at start, with
// exactly this environment. A nil *Workload keeps init itself as the
// workload: it waits for SIGTERM, SIGINT or SIGHUP and exits 0, as a pod
// sandbox's pause process does.
type Workload struct {
	Path string
	Args []string
	Env  []string
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
