package llcli

import (
	"bytes"
	"encoding/json"
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

// PreparedImage is what `runnc-image image prepare REF` prints for run
// --image: the shared bundle of REF in the store, and REF's Entrypoint,
// which the arguments after the container id follow in place of the
// image's Cmd.
type PreparedImage struct {
	Bundle     string   `json:"bundle"`
	Entrypoint []string `json:"entrypoint"`
}

// useImage makes runnc run --image REF run a container of REF: runnc-image
// pulls REF if the store lacks it and names its shared bundle, which
// --bundle then points at. The store is held until release, which the
// caller calls once the container exists, so the image cannot be removed
// in between. args is the unikernel's command line when arguments follow
// the container id, as docker run makes it: the image's Entrypoint, then
// those arguments instead of its Cmd; else nil, the image's own. Without
// --image it does nothing.
func useImage(ctx *cli.Context) (release func(), args []string, err error) {
	ref := ctx.String("image")
	if ref == "" {
		if ctx.NArg() > 1 {
			return nil, nil, fmt.Errorf("run: arguments after the container id (%q) replace an image's command and need --image; for a bundle, edit process.args in its config.json", ctx.Args().Tail())
		}
		return func() {}, nil, nil
	}
	if ctx.String("bundle") != "" {
		return nil, nil, errors.New("run: give --bundle or --image, not both")
	}
	tool, err := imageTool()
	if err != nil {
		return nil, nil, err
	}
	prepare := append(globalArgs(ctx), "image", "prepare")
	var progress []*os.File
	// A pull shows its progress on runnc's terminal, through an fd of its
	// own: runnc-image's stderr carries the message of a failure.
	if IsTerminal(os.Stderr) {
		prepare = append(prepare, "--progress-fd=3")
		progress = []*os.File{os.Stderr}
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, append(prepare, ref)...)
	cmd.ExtraFiles = progress
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// runnc-image said why in one line, as runnc does.
		if msg := strings.TrimPrefix(strings.TrimSpace(stderr.String()), "runnc: "); msg != "" {
			return nil, nil, errors.New(msg)
		}
		return nil, nil, fmt.Errorf("runnc-image image prepare %s: %w", ref, err)
	}
	var prepared PreparedImage
	if err := json.Unmarshal(out, &prepared); err != nil {
		return nil, nil, fmt.Errorf("runnc-image image prepare %s printed %q, not the bundle it made: is runnc-image as new as runnc?", ref, out)
	}
	if ctx.NArg() > 1 {
		args = append(append([]string{}, prepared.Entrypoint...), ctx.Args().Tail()...)
	}
	release, err = imagelock.Lock(ctx.GlobalString("image-store"), false)
	if err != nil {
		return nil, nil, err
	}
	if _, err := os.Stat(filepath.Join(prepared.Bundle, "config.json")); err != nil {
		release()
		return nil, nil, fmt.Errorf("image %s was removed while its container was being made: run it again", ref)
	}
	if err := ctx.Set("bundle", prepared.Bundle); err != nil {
		release()
		return nil, nil, err
	}
	return release, args, nil
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

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
