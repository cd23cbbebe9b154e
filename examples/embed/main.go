// Command embed is a program that embeds libcontainer in one Go binary, the
// way the README's library section describes: it is its own containers'
// init (InitArgs and StartInitialization, no runnc-init needed) and brings
// its own exec handler, which runs a host program instead of a unikernel,
// alone in the container's new network namespace and cgroup.
//
//	embed [-root DIR] [COMMAND ARG...]
//
// runs COMMAND (default: one that prints the container's network
// interfaces) as a container, prints what it prints and its exit status,
// and deletes the container. It needs root, as any container does.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/nabla-containers/runnc/llif"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// initArg is the argument with which the factory starts this program again
// as a container's init.
const initArg = "init"

func init() {
	// An init function runs on the main thread, where the init must stay
	// (it joins the container's network namespace and execs from there).
	if len(os.Args) > 1 && os.Args[1] == initArg {
		log.Fatal(libcontainer.StartInitialization())
	}
}

// hostExec is an exec handler that runs process.args[0], a host program,
// as the container's workload.
type hostExec struct{}

func (hostExec) ExecCreateFunc(in *llif.ExecCreateInput) (*llif.LLState, error) {
	// Refused at create, before anything runs, as every handler should.
	if _, err := exec.LookPath(in.Process.Args[0]); err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", in.Process.Args[0], err)
	}
	return llif.NewLLState(), nil
}

func (hostExec) ExecRunFunc(in *llif.ExecRunInput) (*llif.Workload, error) {
	path, err := exec.LookPath(in.Process.Args[0])
	if err != nil {
		return nil, fmt.Errorf("cannot run %s: %w", in.Process.Args[0], err)
	}
	return &llif.Workload{Path: path, Args: in.Process.Args, Env: in.Process.Env}, nil
}

func (hostExec) ExecDestroyFunc(in *llif.ExecDestroyInput) (*llif.LLState, error) {
	return in.ExecState, nil
}

func main() {
	root := flag.String("root", "/run/embed", "directory for container state")
	flag.Parse()
	args := flag.Args()
	if len(args) == 0 {
		args = []string{"/bin/sh", "-c", `echo "interfaces:" $(tail -n +3 /proc/net/dev | cut -d: -f1)`}
	}
	code, err := run(*root, args)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("exit status", code)
}

// run runs args as a container below root and returns its exit status.
func run(root string, args []string) (int, error) {
	handlers := &llif.Registry{
		Fs:        map[string]func() llif.FsHandler{"noop": llif.NewNoopFs},
		Network:   map[string]func() llif.NetworkHandler{"none": llif.NewNoneNetwork},
		Exec:      map[string]func() llif.ExecHandler{"host": func() llif.ExecHandler { return hostExec{} }},
		DefaultFs: "noop", DefaultNetwork: "none", DefaultExec: "host",
	}
	f, err := libcontainer.New(root, handlers, libcontainer.InitArgs(os.Args[0], initArg))
	if err != nil {
		return 0, err
	}
	// A host program needs no root filesystem of its own, but a bundle
	// names one.
	bundle, err := os.MkdirTemp("", "embed-bundle-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(bundle)
	if err := os.Mkdir(filepath.Join(bundle, "rootfs"), 0o755); err != nil {
		return 0, err
	}
	cfg, err := libcontainer.NewConfig(bundle, &specs.Spec{
		Version: specs.Version,
		Root:    &specs.Root{Path: "rootfs"},
		Process: &specs.Process{Args: args, Env: []string{"PATH=/usr/bin:/bin"}, Cwd: "/"},
		Linux:   &specs.Linux{Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace}}},
	})
	if err != nil {
		return 0, err
	}
	c, err := f.Create(fmt.Sprintf("embed-%d", os.Getpid()), cfg)
	if err != nil {
		return 0, err
	}
	defer c.Destroy(true)
	p := &libcontainer.Process{Stdout: os.Stdout, Stderr: os.Stderr}
	if err := c.Start(p); err != nil { // create: init is in the container, waiting
		return 0, err
	}
	if err := c.Exec(); err != nil { // start: init execs the workload
		return 0, err
	}
	return p.Wait()
}
