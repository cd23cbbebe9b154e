package llif

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Annotations a bundle uses to choose handlers other than the defaults.
const (
	AnnotationFs      = "org.nabla.runnc.fs"
	AnnotationNetwork = "org.nabla.runnc.network"
	AnnotationExec    = "org.nabla.runnc.exec"
)

// Registry maps handler names to constructors. The runtime binary fills one
// and names the defaults; a bundle may pick others by annotation.
type Registry struct {
	Fs      map[string]func() FsHandler
	Network map[string]func() NetworkHandler
	Exec    map[string]func() ExecHandler

	DefaultFs, DefaultNetwork, DefaultExec string
	// Sandbox are the handlers of a pod sandbox (the CRI's pause
	// container): it runs no unikernel, it only holds the pod's
	// namespaces for the pod's containers to join.
	Sandbox Names
}

// Names are the handler names one container was created with; they are
// saved in its state so every later phase uses the same handlers.
type Names struct {
	Fs      string `json:"fs"`
	Network string `json:"network"`
	Exec    string `json:"exec"`
}

// Choose picks the handler names for a container: the Sandbox names for a
// pod sandbox, else the defaults overridden by the spec's annotations. It
// checks that each name is registered.
func (r *Registry) Choose(spec *specs.Spec) (Names, error) {
	if IsSandbox(spec) {
		if _, err := r.Handlers(r.Sandbox); err != nil {
			return Names{}, err
		}
		return r.Sandbox, nil
	}
	annotations := spec.Annotations
	n := Names{Fs: r.DefaultFs, Network: r.DefaultNetwork, Exec: r.DefaultExec}
	if v, ok := annotations[AnnotationFs]; ok {
		n.Fs = v
	}
	if v, ok := annotations[AnnotationNetwork]; ok {
		n.Network = v
	}
	if v, ok := annotations[AnnotationExec]; ok {
		n.Exec = v
	}
	if _, err := r.Handlers(n); err != nil {
		return Names{}, err
	}
	return n, nil
}

// Handlers constructs the handlers named by n.
func (r *Registry) Handlers(n Names) (RunllcHandler, error) {
	fs, ok := r.Fs[n.Fs]
	if !ok {
		return RunllcHandler{}, unknown("fs", AnnotationFs, n.Fs, keys(r.Fs))
	}
	net, ok := r.Network[n.Network]
	if !ok {
		return RunllcHandler{}, unknown("network", AnnotationNetwork, n.Network, keys(r.Network))
	}
	ex, ok := r.Exec[n.Exec]
	if !ok {
		return RunllcHandler{}, unknown("exec", AnnotationExec, n.Exec, keys(r.Exec))
	}
	return RunllcHandler{FsH: fs(), NetworkH: net(), ExecH: ex()}, nil
}

func unknown(kind, annotation, name string, known []string) error {
	return fmt.Errorf("unknown %s handler %q (annotation %s): use one of %s",
		kind, name, annotation, strings.Join(known, ", "))
}

func keys[T any](m map[string]T) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// IsSandbox reports whether spec is a pod sandbox: the CRI says so in an
// annotation (containerd, CRI-O), or the process is a pause binary.
func IsSandbox(spec *specs.Spec) bool {
	a := spec.Annotations
	if a["io.kubernetes.cri.container-type"] == "sandbox" || a["io.kubernetes.cri-o.ContainerType"] == "sandbox" {
		return true
	}
	return spec.Process != nil && len(spec.Process.Args) > 0 && filepath.Base(spec.Process.Args[0]) == "pause"
}
