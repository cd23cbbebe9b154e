package llcli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nabla-containers/runnc/libcontainer"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
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
// --bundle then points at, and the container is recorded as a user of the
// image (hold, for createContainer to keep or drop) before its bundle is
// read, so no image rm can take it away. args is the unikernel's command
// line when arguments follow the container id, as docker run makes it: the
// image's Entrypoint, then those arguments instead of its Cmd; else nil,
// the image's own. Without --image it does nothing.
func useImage(ctx *cli.Context) (args []string, hold *imageapi.Hold, err error) {
	ref := ctx.String("image")
	if ref == "" {
		if ctx.NArg() > 1 {
			return nil, nil, fmt.Errorf("run: arguments after the container id (%q) replace an image's command and need --image; for a bundle, edit process.args in its config.json", ctx.Args().Tail())
		}
		return nil, nil, nil
	}
	if ctx.String("bundle") != "" {
		return nil, nil, errors.New("run: give --bundle or --image, not both")
	}
	if ctx.NArg() == 0 {
		return nil, nil, CheckArgs(ctx, 1)
	}
	tool, err := imageTool()
	if err != nil {
		return nil, nil, err
	}
	opts, err := ImageOptions(ctx)
	if err != nil {
		return nil, nil, err
	}
	f, err := Factory(ctx)
	if err != nil {
		return nil, nil, err
	}
	// A pull shows its progress on runnc's terminal, through an fd of its
	// own: runnc-image's stdout carries the answer.
	var progress *os.File
	if IsTerminal(os.Stderr) {
		progress = os.Stderr
	}
	prepared, err := imageapi.Prepare(tool, opts, ref, progress)
	if err != nil {
		return nil, nil, err
	}
	if ctx.NArg() > 1 {
		args = append(append([]string{}, prepared.Entrypoint...), ctx.Args().Tail()...)
	}
	if hold, err = holdImage(ctx, f, ctx.Args().First(), prepared.ImageID); err != nil {
		return nil, nil, err
	}
	if err := ctx.Set("bundle", prepared.Bundle); err != nil {
		hold.Drop()
		return nil, nil, err
	}
	return args, hold, nil
}

// ImageOptions are the image store's settings given by the global flags.
func ImageOptions(ctx *cli.Context) (imageapi.Options, error) {
	o := imageapi.Options{Root: ctx.GlobalString("image-store"), DiskDir: ctx.GlobalString("disk-dir")}
	var err error
	if o.DiskCacheBytes, err = diskCacheBytes(ctx); err != nil {
		return o, err
	}
	if o.DiskLimitBytes, err = limitBytes(ctx, "disk-limit"); err != nil {
		return o, err
	}
	o.UnpackLimitBytes, err = limitBytes(ctx, "unpack-limit")
	return o, err
}

// holdImage records container id as a user of the stored image (an ID:
// run --image's, or the one a bundle that runnc image bundle wrote names
// in imageapi.AnnotationImage), so the image cannot be removed from under
// it; the caller keeps or drops the hold once the container is made or
// not.
func holdImage(ctx *cli.Context, f *libcontainer.NablaFactory, id, image string) (*imageapi.Hold, error) {
	s, err := imageapi.Open(ctx.GlobalString("image-store"))
	if err != nil {
		return nil, err
	}
	h, err := s.Use(image, imageapi.User{Root: f.Root(), ID: id})
	if errors.Is(err, imageapi.ErrNotFound) && ctx.String("image") != "" {
		return nil, fmt.Errorf("image %s was removed while its container was being made: run it again", ctx.String("image"))
	}
	return h, err
}

// destroy deletes c and then forgets it as a user of its stored image.
func destroy(ctx *cli.Context, c libcontainer.Container, force bool) error {
	st, err := c.State()
	if err != nil {
		return err
	}
	if err := c.Destroy(force); err != nil {
		return err
	}
	image := st.Annotations[imageapi.AnnotationImage]
	if image == "" {
		return nil
	}
	s, err := imageapi.Open(ctx.GlobalString("image-store"))
	if err != nil {
		return err
	}
	f, err := Factory(ctx)
	if err != nil {
		return err
	}
	return s.Forget(image, imageapi.User{Root: f.Root(), ID: c.ID()})
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
