package llif

import (
	"github.com/opencontainers/runc/libcontainer/configs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// RuntimeOptions are the host-side settings the runtime binary chose (global
// flags, environment); they are the same for every container of one root.
type RuntimeOptions struct {
	// Root is the state directory (--root); ContainerRoot is below it.
	Root string
	// DiskDir holds disk images, off tmpfs (--disk-dir).
	DiskDir string
	// DiskCacheBytes bounds the total size of the disk images no container
	// uses that are kept in DiskDir for later containers (--disk-cache);
	// 0 keeps none: an image goes with its last user.
	DiskCacheBytes int64
	// TenderPath is the absolute path of nabla-run.
	TenderPath string
	// InitPath is the container's init (runnc-init, or the embedding
	// program itself with libcontainer.InitArgs), which is also what
	// holds a pod sandbox's namespaces; the factory sets it.
	InitPath string
}

// Input is what every phase of every handler receives. Create runs in
// `runnc create` in the host's namespaces. Run runs in `runnc create` too,
// after the container's init exists and the prestart and createRuntime
// hooks have run, in the order FsRun, NetworkRun, ExecRun: FsRun and ExecRun
// in the host's namespaces, NetworkRun on an OS thread inside the
// container's network namespace that no other code shares. Destroy runs in
// `runnc delete`, again in the host's namespaces.
type Input struct {
	ContainerID string
	// ContainerRoot is <root>/<id>: private to runnc (0700), removed on delete.
	ContainerRoot string
	// Bundle is the absolute bundle directory.
	Bundle string
	// Config is the OCI spec converted by runc's specconv: Rootfs (absolute),
	// Mounts, Namespaces, Cgroups (with Resources), Hooks, Labels.
	Config *configs.Config
	// Process is the OCI process: args, env, cwd, terminal.
	Process *specs.Process
	// Annotations are the spec's annotations (never nil).
	Annotations map[string]string
	Runtime     RuntimeOptions

	// The states of all three handlers as the earlier phases left them
	// (never nil; empty before a handler's first phase).
	FsState      *LLState
	NetworkState *LLState
	ExecState    *LLState
}

// Per-phase inputs. They are distinct types so a phase can gain fields of
// its own without changing the others.
type (
	FsCreateInput  struct{ Input }
	FsRunInput     struct{ Input }
	FsDestroyInput struct {
		Input
		// Undo is true when the phase undoes a create that failed rather
		// than deleting a container: the handler may then drop what it
		// would keep for later containers (a cached disk image).
		Undo bool
	}
	NetworkCreateInput  struct{ Input }
	NetworkRunInput     struct{ Input }
	NetworkDestroyInput struct{ Input }
	ExecCreateInput     struct{ Input }
	ExecRunInput        struct{ Input }
	ExecDestroyInput    struct{ Input }
)
