// Package imagecli is `runnc image`: the image store's commands, run by
// the runnc-image binary, to which runnc hands them (see llcli's image
// command), and runnc-image's side of imageapi, which runnc run --image
// asks for an image's bundle.
package imagecli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/nabla-lib/image"
	"github.com/nabla-containers/runnc/nabla-lib/image/imageapi"
	"github.com/nabla-containers/runnc/nabla-lib/storage"
	"github.com/urfave/cli"
)

// Command is `runnc image` and its subcommands.
var Command = cli.Command{
	Name:  "image",
	Usage: "pull, list, inspect and remove images, and make bundles from them",
	Description: `images for runnc, without Docker.

The image store (--image-store, default ` + image.DefaultRoot + `) keeps images
pulled from a registry (docker://HOST/NAME:TAG), an OCI image layout
(oci:DIR[:TAG]) or a docker save archive (docker-archive:FILE), each checked
against its digest and unpacked once. Every container of one image shares
its rootfs, and so its disk image.

Example: runnc image pull docker://127.0.0.1:5000/hello:1 --insecure
         runnc run --image docker://127.0.0.1:5000/hello:1 hello1`,
	Subcommands: []cli.Command{
		{
			Name:      "pull",
			Usage:     "store an image",
			ArgsUsage: "<reference>",
			Flags: []cli.Flag{
				cli.BoolFlag{Name: "insecure", Usage: "let a docker:// pull use plain HTTP"},
			},
			Action: withStore(1, func(ctx *cli.Context, s *image.Store) error {
				im, err := s.Pull(ctx.Args().First(), image.PullOptions{Insecure: ctx.Bool("insecure"), Progress: terminalStderr()})
				if err != nil {
					return err
				}
				fmt.Println(im.ID)
				return nil
			}),
		},
		{
			Name:  "ls",
			Usage: "list the stored images",
			Flags: []cli.Flag{
				cli.StringFlag{Name: "format, f", Value: "table", Usage: "table or json"},
				cli.BoolFlag{Name: "quiet, q", Usage: "print only the image IDs"},
			},
			Action: withStore(0, listImages),
		},
		{
			Name:      "inspect",
			Usage:     "print an image's record and config as JSON",
			ArgsUsage: "<reference|digest>",
			Action: withStore(1, func(ctx *cli.Context, s *image.Store) error {
				d, err := s.Inspect(ctx.Args().First())
				if err != nil {
					return err
				}
				return llcli.PrintJSON(d)
			}),
		},
		{
			Name:      "rm",
			Usage:     "remove an image (refused while a container uses it)",
			ArgsUsage: "<reference|digest>",
			Action:    withStore(1, removeImage),
		},
		{
			Name:   imageapi.ServeCommand,
			Hidden: true,
			Usage:  "answer runnc run --image's request for an image's bundle (imageapi), read from stdin",
			Action: func(ctx *cli.Context) error {
				if err := llcli.CheckArgs(ctx, 0); err != nil {
					return err
				}
				return imageapi.Serve(os.Stdin, os.Stdout, prepare)
			},
		},
		{
			Name:      "bundle",
			Usage:     "write DIR/config.json for a container of an image",
			ArgsUsage: "<reference|digest> <dir>",
			Description: `The config is the one runnc spec writes, with process.args from the
image's Entrypoint and Cmd, env from its Env, cwd from its WorkingDir and
root.path pointing, read-only, into the store. Removing the image breaks
the bundle; runnc image rm refuses while a container made from it exists.`,
			Action: withStore(2, func(ctx *cli.Context, s *image.Store) error {
				return s.Bundle(ctx.Args().Get(0), ctx.Args().Get(1), image.BundleOptions{Base: llcli.NablaSpec()})
			}),
		},
	},
}

// withStore is the action of an image subcommand taking n arguments.
func withStore(n int, action func(*cli.Context, *image.Store) error) cli.ActionFunc {
	return func(ctx *cli.Context) error {
		if err := llcli.CheckArgs(ctx, n); err != nil {
			return err
		}
		s, err := imageStore(ctx)
		if err != nil {
			return err
		}
		return action(ctx, s)
	}
}

// imageStore opens the store the global flags name.
func imageStore(ctx *cli.Context) (*image.Store, error) {
	o, err := llcli.ImageOptions(ctx)
	if err != nil {
		return nil, err
	}
	return openStore(o)
}

// openStore opens the store of o. It keeps each image's disk image in
// o.DiskDir, built by the "iso" fs handler's code so that containers of
// the image find it, and, within o.DiskCacheBytes, the disk images of
// removed images.
func openStore(o imageapi.Options) (*image.Store, error) {
	s, err := image.Open(o.Root)
	if err != nil {
		return nil, err
	}
	if o.DiskDir != "" {
		s.Disks = storage.Keeper{Dir: o.DiskDir, CacheBytes: o.DiskCacheBytes, LimitBytes: o.DiskLimitBytes}
	}
	s.UnpackLimitBytes = o.UnpackLimitBytes
	return s, nil
}

// terminalStderr is stderr when it is a terminal, for a pull's progress,
// which only a terminal can show.
func terminalStderr() io.Writer {
	if llcli.IsTerminal(os.Stderr) {
		return os.Stderr
	}
	return nil
}

func listImages(ctx *cli.Context, s *image.Store) error {
	images, err := s.List()
	if err != nil {
		return err
	}
	if ctx.Bool("quiet") {
		for _, im := range images {
			fmt.Println(im.ID)
		}
		return nil
	}
	switch ctx.String("format") {
	case "json":
		if images == nil {
			images = []image.Image{}
		}
		return llcli.PrintJSON(images)
	case "table":
		return imageTable(os.Stdout, images)
	}
	return fmt.Errorf("unknown format %q: use table or json", ctx.String("format"))
}

// removeImage removes the image or the reference named, saying which.
func removeImage(ctx *cli.Context, s *image.Store) error {
	r, err := s.Remove(ctx.Args().First())
	if err != nil {
		return err
	}
	if r.Untagged != "" {
		fmt.Println("Untagged: " + r.Untagged)
	} else {
		fmt.Println("Deleted: " + r.Image.ID)
	}
	return nil
}

// imageTable prints a row per reference (an image with none shows
// <none>): its ID, the manifest digest it was pulled with, its size.
func imageTable(out io.Writer, images []image.Image) error {
	w := tabwriter.NewWriter(out, 12, 1, 3, ' ', 0)
	fmt.Fprint(w, "REFERENCE\tIMAGE ID\tDIGEST\tSIZE\tPULLED\n")
	for _, im := range images {
		refs := im.Refs
		if len(refs) == 0 {
			refs = []string{"<none>"}
		}
		for _, r := range refs {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", llcli.TableCell(r), image.ShortID(im.ID),
				im.Digest, units.HumanSize(float64(im.Size)), im.Pulled.Format(time.RFC3339))
		}
	}
	return w.Flush()
}

// prepare answers runnc run --image REF (see imageapi.Prepare): it names
// REF's shared bundle in the store, pulling REF first if the store lacks
// it, and showing the pull's progress on progress if not nil.
func prepare(req *imageapi.Request, progress io.Writer) (*imageapi.Prepared, error) {
	s, err := openStore(req.Store)
	if err != nil {
		return nil, err
	}
	p, err := sharedBundle(s, req.Ref)
	if !errors.Is(err, imageapi.ErrNotFound) {
		return p, err
	}
	if _, perr := image.ParseReference(req.Ref); perr != nil {
		return nil, err // a digest not in the store
	}
	if _, err := s.Pull(req.Ref, image.PullOptions{Progress: progress}); err != nil {
		return nil, err
	}
	return sharedBundle(s, req.Ref)
}

// sharedBundle makes the shared bundle of image ref, holding the store so
// that the bundle and the answer are of one image, which no remove takes
// away meanwhile.
func sharedBundle(s *image.Store, ref string) (*imageapi.Prepared, error) {
	unlock, err := s.Lock(false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	dir, err := s.SharedBundle(ref, llcli.NablaSpec())
	if err != nil {
		return nil, err
	}
	d, err := s.Inspect(ref)
	if err != nil {
		return nil, err
	}
	return &imageapi.Prepared{ImageID: d.ID, Bundle: dir, Entrypoint: d.Config.Config.Entrypoint}, nil
}
