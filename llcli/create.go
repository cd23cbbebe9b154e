package llcli

import (
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"

	"github.com/nabla-containers/runnc/internal/atomicfile"
	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
	"github.com/urfave/cli"
	"golang.org/x/sys/unix"
)

var createFlags = []cli.Flag{
	cli.StringFlag{Name: "bundle, b", Usage: "bundle directory (default: the current directory)"},
	cli.StringFlag{Name: "pid-file", Usage: "write the container's host pid to this file"},
	cli.StringFlag{Name: "console-socket", Usage: "unix socket to receive the pty master of a terminal container"},
	cli.IntFlag{Name: "preserve-fds", Usage: "pass this many fds after stdio to the container (the tender closes them)"},
	cli.BoolFlag{Name: "no-pivot", Usage: "accepted for runc compatibility (a unikernel has no mount namespace to pivot)"},
	cli.BoolFlag{Name: "no-new-keyring", Usage: "accepted for runc compatibility (a unikernel never uses the kernel keyring)"},
}

var createCommand = cli.Command{
	Name:      "create",
	Usage:     "create a container",
	ArgsUsage: "<container-id>",
	Description: `Create makes the container from the bundle: it builds (or reuses) the
disk image of the rootfs, prepares the network, starts the container's
process in its network namespace, runs the prestart hooks and leaves the
process waiting for "runnc start". The unikernel has not run yet.

Example: runnc create --bundle /containers/hello hello1`,
	Flags: createFlags,
	Action: func(ctx *cli.Context) error {
		c, _, err := createContainer(ctx, nil, nil)
		if err != nil {
			return err
		}
		// Without its pid file the caller cannot manage the container:
		// like runc, do not leave it behind.
		if err := writePidFile(ctx.String("pid-file"), c); err != nil {
			destroy(ctx, c, true)
			return err
		}
		return nil
	},
}

// createContainer creates the container named by the first argument from
// the bundle and starts its init; args, unless nil, replace the bundle's
// process.args. hold is run --image's record of the container as a user of
// its image, else nil: then the record is made here if the bundle is an
// image's. On failure nothing is left behind.
func createContainer(ctx *cli.Context, args []string, hold *imageapi.Hold) (_ libcontainer.Container, _ *libcontainer.Process, err error) {
	// A delete --force that finds this create (or run) under way sends it
	// SIGTERM, on which libcontainer's Create stops between its phases.
	// One sent just as the phases end, from a state read a moment before,
	// must not kill this runnc with nothing said: it finishes, and the
	// delete, which waits for the container's lock, removes the container.
	signal.Notify(make(chan os.Signal, 1), unix.SIGTERM)
	made := false // the container exists: its record stays
	defer func() {
		if made {
			hold.Keep()
		} else {
			hold.Drop()
		}
	}()
	id, cfg, err := containerConfig(ctx, args)
	if err != nil {
		return nil, nil, err
	}
	f, err := Factory(ctx)
	if err != nil {
		return nil, nil, err
	}
	proc, err := newProcess(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	if image := cfg.Spec.Annotations[imageapi.AnnotationImage]; hold == nil && image != "" {
		if hold, err = holdImage(ctx, f, id, image); err != nil {
			return nil, nil, err
		}
	}
	c, err := f.Create(id, cfg)
	if err != nil {
		return nil, nil, err
	}
	if err := c.Start(proc); err != nil {
		if derr := c.Destroy(true); derr != nil {
			made = true
			return nil, nil, fmt.Errorf("%w (and cleaning up failed: %v)", err, derr)
		}
		return nil, nil, err
	}
	made = true
	return c, proc, nil
}

// containerConfig reads the bundle of the container the first argument
// names; args, unless nil, replace its process.args.
func containerConfig(ctx *cli.Context, args []string) (string, *libcontainer.Config, error) {
	if args == nil {
		if err := CheckArgs(ctx, 1); err != nil {
			return "", nil, err
		}
	}
	id := ctx.Args().First()
	bundle := ctx.String("bundle")
	if bundle == "" {
		bundle = "."
	}
	bundle, err := filepath.Abs(bundle)
	if err != nil {
		return "", nil, fmt.Errorf("bundle %q: %w", ctx.String("bundle"), err)
	}
	// A relative --pid-file is relative to where runnc was started.
	if pid := ctx.String("pid-file"); pid != "" {
		abs, err := filepath.Abs(pid)
		if err != nil {
			return "", nil, fmt.Errorf("pid file %q: %w", pid, err)
		}
		ctx.Set("pid-file", abs)
	}
	// Like runc, work from the bundle: hooks run with it as their cwd.
	if err := os.Chdir(bundle); err != nil {
		return "", nil, fmt.Errorf("bundle %s cannot be entered: %w", bundle, err)
	}
	cfg, err := libcontainer.LoadBundle(bundle)
	if err != nil {
		return "", nil, err
	}
	if args != nil {
		// The bundle may be shared (an image's): the change stays in this
		// container's copy of the spec, checked like the bundle's own.
		spec := *cfg.Spec
		proc := *spec.Process
		proc.Args = args
		spec.Process = &proc
		if cfg, err = libcontainer.NewConfig(bundle, &spec); err != nil {
			return "", nil, err
		}
	}
	return id, cfg, nil
}

// newProcess gives the container this invocation's stdio, as containerd's
// shim and conmon expect, plus any preserved fds.
func newProcess(ctx *cli.Context, cfg *libcontainer.Config) (*libcontainer.Process, error) {
	p := &libcontainer.Process{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
	// A terminal container with a console socket gets a new pty; without
	// one (runc run -t in a terminal) it simply uses runnc's own stdio.
	if sock := ctx.String("console-socket"); sock != "" {
		if !cfg.Spec.Process.Terminal {
			return nil, fmt.Errorf("--console-socket was given but process.terminal is false: set terminal to true or drop the flag")
		}
		slave, err := newConsole(sock, cfg.Spec.Process.ConsoleSize)
		if err != nil {
			return nil, err
		}
		p.Stdin, p.Stdout, p.Stderr = slave, slave, slave
		p.Terminal = true
	} else if cfg.Spec.Process.Terminal && ctx.Command.Name == "create" {
		return nil, fmt.Errorf("process.terminal is true but no --console-socket was given: create needs a socket to hand the terminal to")
	}
	for i := 0; i < ctx.Int("preserve-fds"); i++ {
		p.ExtraFiles = append(p.ExtraFiles, os.NewFile(uintptr(3+i), fmt.Sprintf("preserved-fd-%d", 3+i)))
	}
	return p, nil
}

// writePidFile writes the pid the way runc does: no trailing newline,
// into a new temporary file of the same directory (created with O_EXCL,
// so a symlink planted under its name is never followed) renamed over
// path (which replaces a symlink at path rather than writing through it).
// The shim reads the file as soon as create returns: it must be whole.
func writePidFile(path string, c libcontainer.Container) error {
	if path == "" {
		return nil
	}
	st, err := c.State()
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, []byte(strconv.Itoa(st.InitPid)), 0o644, false); err != nil {
		return fmt.Errorf("write pid file %s: %w", path, err)
	}
	return nil
}
