package llcli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli"
)

var specCommand = cli.Command{
	Name:  "spec",
	Usage: "write a config.json template for a Nabla bundle",
	Description: `Spec writes config.json into the bundle directory: it runs
rootfs/hello.nabla with a fresh network namespace. Put the unikernel and
its files into rootfs/ and edit process.args.

Example: mkdir -p b/rootfs && cp build/guests/hello.nabla b/rootfs/ && runnc spec --bundle b`,
	Flags: []cli.Flag{
		cli.StringFlag{Name: "bundle, b", Usage: "bundle directory (default: the current directory)"},
		cli.BoolFlag{Name: "rootless", Usage: "refused: runnc runs containers as root only"},
	},
	Action: func(ctx *cli.Context) error {
		if err := CheckArgs(ctx, 0); err != nil {
			return err
		}
		if ctx.Bool("rootless") {
			return errors.New("spec --rootless: runnc has no rootless template, because it needs root to make each container's tap device and cgroups; run runnc spec without --rootless, and runnc as root")
		}
		path := filepath.Join(ctx.String("bundle"), "config.json")
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("%s exists already: remove it first", path)
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		data, err := json.MarshalIndent(NablaSpec(), "", "\t")
		if err != nil {
			return err
		}
		return os.WriteFile(path, append(data, '\n'), 0o644)
	},
}

// NablaSpec is the template bundle's spec: what a unikernel needs and
// nothing a unikernel cannot use.
func NablaSpec() *specs.Spec {
	return &specs.Spec{
		Version: specs.Version,
		Root:    &specs.Root{Path: "rootfs", Readonly: true},
		Process: &specs.Process{
			Args: []string{"/hello.nabla"},
			Env:  []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
			Cwd:  "/",
		},
		Hostname: "nabla",
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{{Type: specs.NetworkNamespace}},
			Resources:  &specs.LinuxResources{Memory: &specs.LinuxMemory{}},
		},
	}
}
