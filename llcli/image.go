package llcli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/nabla-containers/runnc/nabla-lib/image/imagelock"
	"github.com/urfave/cli"
	"golang.org/x/sys/unix"
)

// imageCommand hands `runnc image ...` to runnc-image, the binary that
// holds the image store's code (llcli/imagecli): registries, HTTP, TLS and
// decompression would cost every start of runnc about a millisecond, and
// runnc starts three times per container.
var imageCommand = cli.Command{
	Name:            "image",
	Usage:           "pull, list, inspect and remove images, and make bundles from them (runnc image --help)",
	SkipFlagParsing: true,
	Action: func(*cli.Context) error {
		tool, err := imageTool()
		if err != nil {
			return err
		}
		return unix.Exec(tool, append([]string{tool}, os.Args[1:]...), os.Environ())
	},
}

// imageTool is the runnc-image beside this binary.
func imageTool() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find runnc-image: %w", err)
	}
	p := filepath.Join(filepath.Dir(self), "runnc-image")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("runnc-image, which runs the image commands, is missing beside %s: install it (make install)", self)
	}
	return p, nil
}

// useImage makes runnc run --image REF run a container of REF: runnc-image
// pulls REF if the store lacks it and names its shared bundle, which
// --bundle then points at. The store is held until release, which the
// caller calls once the container exists, so the image cannot be removed
// in between. Without --image it does nothing.
func useImage(ctx *cli.Context) (release func(), err error) {
	ref := ctx.String("image")
	if ref == "" {
		return func() {}, nil
	}
	if ctx.String("bundle") != "" {
		return nil, errors.New("run: give --bundle or --image, not both")
	}
	tool, err := imageTool()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, append(globalArgs(ctx), "image", "prepare", ref)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// runnc-image said why in one line, as runnc does.
		if msg := strings.TrimPrefix(strings.TrimSpace(stderr.String()), "runnc: "); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, fmt.Errorf("runnc-image image prepare %s: %w", ref, err)
	}
	dir := strings.TrimSpace(string(out))
	release, err = imagelock.Lock(ctx.GlobalString("image-store"), false)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err != nil {
		release()
		return nil, fmt.Errorf("image %s was removed while its container was being made: run it again", ref)
	}
	if err := ctx.Set("bundle", dir); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// globalArgs are the global flags given to this runnc, for runnc-image,
// but for the log: this runnc logs the outcome once.
func globalArgs(ctx *cli.Context) []string {
	var args []string
	for _, f := range ctx.App.Flags {
		name := strings.Split(f.GetName(), ",")[0]
		if name == "log" || name == "log-format" || !ctx.GlobalIsSet(name) {
			continue
		}
		if _, ok := f.(cli.BoolFlag); ok {
			args = append(args, "--"+name)
		} else {
			args = append(args, "--"+name+"="+ctx.GlobalString(name))
		}
	}
	return args
}
