package llcli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/nabla-containers/runnc/llif"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"github.com/urfave/cli"
)

// Defaults of the global flags. The state root must be right without
// --root: podman's cleanup calls `delete --force` with no global flags.
const (
	DefaultRoot      = "/run/runnc"
	DefaultDiskDir   = "/var/lib/runnc/disks"
	DefaultDiskCache = "512MiB"
	// A disk image holds every byte of its rootfs, holes included, and an
	// image's layers may compress a thousandfold: both are bounded.
	DefaultDiskLimit   = "2GiB"
	DefaultUnpackLimit = "2GiB"
	DefaultTender      = "/opt/runnc/bin/nabla-run"
)

// NewApp returns the runnc command line, using the handlers in registry.
// A command in replace takes the place of the one of its name (runnc-image
// gives the image commands that runnc hands it).
func NewApp(registry *llif.Registry, version string, replace ...cli.Command) *cli.App {
	app := cli.NewApp()
	app.Name = "runnc"
	app.Usage = `OCI runtime that runs Nabla containers

runnc runs each container as a unikernel: one process, the tender nabla-run,
confined by a seccomp allowlist of a few syscalls. It is driven like runc by
Docker, containerd, podman and Kubernetes, or by hand on an OCI bundle whose
process.args[0] is a .nabla unikernel.`
	app.Version = version
	app.Flags = []cli.Flag{
		cli.StringFlag{Name: "root", Value: DefaultRoot, Usage: "directory for container state (tmpfs)"},
		cli.StringFlag{Name: "log", Usage: "append log lines to this file (default: stderr)"},
		cli.StringFlag{Name: "log-format", Value: "text", Usage: "log format: text or json"},
		cli.BoolFlag{Name: "debug", Usage: "also log what each step did: every handler phase (with its time and the state it handed on), init, hooks, signals, delete"},
		cli.BoolFlag{Name: "systemd-cgroup", Usage: "create containers' cgroups as systemd scopes; linux.cgroupsPath is \"slice:prefix:name\" (containerd's SystemdCgroup, podman's default)"},
		cli.StringFlag{Name: "criu", Value: "criu", Usage: "accepted for runc compatibility; checkpoint and restore are not supported, so criu is never run"},
		cli.StringFlag{Name: "rootless", Value: "auto", Usage: "accepted for runc compatibility ('true', 'false' or 'auto'); runnc needs root for its tap devices and cgroups either way"},
		cli.StringFlag{Name: "disk-dir", Value: DefaultDiskDir, Usage: "directory for disk images, kept off tmpfs and shared among containers"},
		cli.StringFlag{Name: "disk-cache", Value: DefaultDiskCache, Usage: "keep disk images no container uses, least recently used evicted first, up to this total size (e.g. 1GiB; 0 keeps none)"},
		cli.StringFlag{Name: "disk-limit", Value: DefaultDiskLimit, Usage: "refuse to build a disk image larger than this (a rootfs whose files add up to more is refused at create)"},
		cli.StringFlag{Name: "unpack-limit", Value: DefaultUnpackLimit, Usage: "refuse to pull an image whose layers unpack to more than this (runnc image pull, run --image)"},
		cli.StringFlag{Name: "tender", EnvVar: "RUNNC_TENDER", Usage: "path of nabla-run (default: beside runnc, else " + DefaultTender + ")"},
		cli.StringFlag{Name: "image-store", Value: imageapi.DefaultRoot, Usage: "directory of the image store (runnc image, run --image)"},
	}
	app.Before = setupLogging
	app.Commands = []cli.Command{
		createCommand, startCommand, runCommand, stateCommand, killCommand,
		deleteCommand, listCommand, psCommand, specCommand, featuresCommand,
		pauseCommand, resumeCommand, updateCommand, eventsCommand,
		execCommand, checkpointCommand, restoreCommand, imageCommand,
	}
	for _, r := range replace {
		for i := range app.Commands {
			if app.Commands[i].Name == r.Name {
				app.Commands[i] = r
			}
		}
	}
	// A mistyped flag or command is one clear line, like every other
	// error, not the help text (containerd shows the last log line).
	app.OnUsageError = usageError
	for i := range app.Commands {
		app.Commands[i].OnUsageError = usageError
		for j := range app.Commands[i].Subcommands {
			app.Commands[i].Subcommands[j].OnUsageError = usageError
		}
	}
	app.Action = func(ctx *cli.Context) error {
		if ctx.NArg() > 0 {
			return unknownCommandError(ctx.Args().First())
		}
		return cli.ShowAppHelp(ctx)
	}
	app.Metadata = map[string]any{registryKey: registry}
	// Errors are printed by Main, once, in the form callers parse.
	app.ExitErrHandler = func(*cli.Context, error) {}
	return app
}

const registryKey = "registry"

// factoryKey is where Factory keeps the factory it built, in app.Metadata.
const factoryKey = "factory"

// Version is what --version prints: runnc's version, the commit it was
// built from (if known) and the runtime-spec version it implements.
func Version(commit string) string {
	v := "0.1.0"
	if commit != "" {
		v += "\ncommit: " + commit
	}
	return v + "\nspec: " + specs.Version
}

// Main runs the command line and exits with the status callers expect:
// the workload's for run, 3 for an unknown command (as runc), 1 for any
// other failure, whose message goes to stderr and, with --log, as the last
// line of the log (containerd shows its msg).
func Main(app *cli.App, args []string) {
	narrow(app, args)
	err := app.Run(args)
	if err == nil {
		os.Exit(0)
	}
	var ec exitCode
	if errors.As(err, &ec) {
		os.Exit(int(ec))
	}
	var uc unknownCommandError
	if errors.As(err, &uc) {
		fatal(err, 3)
	}
	fatal(err, 1)
}

// exitCode is the workload's exit status, returned by run as an error so
// deferred cleanups run before the process exits.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// unknownCommandError is a command runnc does not have. runc exits 3 for
// it (urfave/cli's "No help topic"), and scripts that probe a runtime's
// commands test that status.
type unknownCommandError string

func (e unknownCommandError) Error() string {
	return fmt.Sprintf("unknown command %q: see runnc --help for the commands", string(e))
}

func fatal(err error, code int) {
	// A message naming a path or id with a newline in it must still be
	// one line: callers read stderr and the log line by line.
	msg := strings.ReplaceAll(err.Error(), "\n", `\n`)
	if logToFile {
		logrus.Error(msg)
	}
	fmt.Fprintln(os.Stderr, "runnc: "+msg)
	os.Exit(code)
}

// usageError is a wrong flag or argument count, named with its command.
func usageError(ctx *cli.Context, err error, _ bool) error {
	if ctx.Command.Name == "" {
		return fmt.Errorf("%w: see runnc --help", err)
	}
	name := ctx.Command.FullName()
	return fmt.Errorf("%s: %w: see runnc %s --help", name, err, name)
}

var logToFile bool

func setupLogging(ctx *cli.Context) error {
	if ctx.GlobalBool("debug") {
		logrus.SetLevel(logrus.DebugLevel)
	}
	switch f := ctx.GlobalString("log-format"); f {
	// Nanoseconds: --debug's lines time the steps of a command.
	case "json":
		logrus.SetFormatter(&logrus.JSONFormatter{TimestampFormat: time.RFC3339Nano})
	case "text", "":
		logrus.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true, TimestampFormat: time.RFC3339Nano})
	default:
		return fmt.Errorf("unknown log format %q: use text or json", f)
	}
	if path := ctx.GlobalString("log"); path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_SYNC, 0o644)
		if err != nil {
			return fmt.Errorf("cannot open log file %s: %w", path, err)
		}
		logrus.SetOutput(f)
		logToFile = true
	}
	// The first step of the command: what came before is the start of
	// the process (tests/bench/steps.go).
	if logrus.IsLevelEnabled(logrus.DebugLevel) {
		logrus.WithField("step", "command").Debugf("command line %q", os.Args)
	}
	return nil
}

// Factory builds the container factory from the global flags, once per
// run of the app: run --image and delete of an image's container ask for
// it twice, and each build checks the state root's path.
func Factory(ctx *cli.Context) (*libcontainer.NablaFactory, error) {
	if f, ok := ctx.App.Metadata[factoryKey].(*libcontainer.NablaFactory); ok {
		return f, nil
	}
	reg, _ := ctx.App.Metadata[registryKey].(*llif.Registry)
	if reg == nil {
		return nil, errors.New("this binary has no container handlers (runnc-image runs only the image commands): run the container commands with runnc")
	}
	root := ctx.GlobalString("root")
	if root == "" {
		return nil, errors.New("--root is empty: give a state directory")
	}
	cache, err := diskCacheBytes(ctx)
	if err != nil {
		return nil, err
	}
	limit, err := limitBytes(ctx, "disk-limit")
	if err != nil {
		return nil, err
	}
	f, err := libcontainer.New(root, reg, libcontainer.WithRuntimeOptions(llif.RuntimeOptions{
		DiskDir:        ctx.GlobalString("disk-dir"),
		DiskCacheBytes: cache,
		DiskLimitBytes: limit,
		TenderPath:     tenderPath(ctx.GlobalString("tender")),
	}), libcontainer.WithSystemdCgroup(ctx.GlobalBool("systemd-cgroup")))
	if err != nil {
		return nil, err
	}
	ctx.App.Metadata[factoryKey] = f
	return f, nil
}

// diskCacheBytes is --disk-cache in bytes.
func diskCacheBytes(ctx *cli.Context) (int64, error) {
	return parseDiskCache(ctx.GlobalString("disk-cache"))
}

// parseDiskCache reads --disk-cache (see parseSize).
func parseDiskCache(v string) (int64, error) {
	return parseSize("disk-cache", v, 0, "512MiB or 1GiB, or 0 to keep no unused disk images")
}

// limitBytes is the size limit flag (disk-limit, unpack-limit) in bytes.
func limitBytes(ctx *cli.Context, flag string) (int64, error) {
	return parseSize(flag, ctx.GlobalString(flag), 1, "2GiB")
}

// parseSize reads flag's value v, at least least bytes, as bytes or with a
// binary unit (k, m, g, t, with or without "iB": 512MiB, 512m and 512MB
// are all 512 * 2^20 bytes); example is a good value to suggest.
func parseSize(flag, v string, least int64, example string) (int64, error) {
	n, err := units.RAMInBytes(v)
	// A number too large for int64 converts to a negative one.
	if err != nil || n < least {
		return 0, fmt.Errorf("--%s %q is not a size: use bytes or a unit, e.g. %s", flag, v, example)
	}
	return n, nil
}

// tenderPath finds nabla-run: the flag or RUNNC_TENDER, else beside this
// binary, else the upstream install path. The exec handler checks that it
// exists, so a missing tender fails create with its path in the message.
func tenderPath(flag string) string {
	if flag != "" {
		if abs, err := filepath.Abs(flag); err == nil {
			return abs
		}
		return flag
	}
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), "nabla-run")
		if _, err := os.Stat(beside); err == nil {
			return beside
		}
	}
	return DefaultTender
}

// CheckArgs checks the number of positional arguments, naming the usage.
func CheckArgs(ctx *cli.Context, n int) error {
	if ctx.NArg() != n {
		return fmt.Errorf("%s: expected %d argument(s), got %d: usage: runnc %s %s",
			ctx.Command.Name, n, ctx.NArg(), ctx.Command.Name, ctx.Command.ArgsUsage)
	}
	return nil
}

func loadContainer(ctx *cli.Context) (libcontainer.Container, error) {
	if err := CheckArgs(ctx, 1); err != nil {
		return nil, err
	}
	return loadFirst(ctx)
}

// loadFirst loads the container its first argument names, for commands
// that take more arguments after it (kill, ps).
func loadFirst(ctx *cli.Context) (libcontainer.Container, error) {
	f, err := Factory(ctx)
	if err != nil {
		return nil, err
	}
	return f.Load(ctx.Args().First())
}
