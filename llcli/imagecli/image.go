// Package imagecli is `runnc image`: the image store's commands, run by
// the runnc-image binary, to which runnc hands them (see llcli's image
// command).
package imagecli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/nabla-containers/runnc/llcli"
	"github.com/nabla-containers/runnc/nabla-lib/image"
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
				im, err := pullImage(s, ctx.Args().First(), ctx.Bool("insecure"), terminalStderr())
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
			Action: listImages,
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
			Action: withStore(1, func(ctx *cli.Context, s *image.Store) error {
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
			}),
		},
		{
			Name: "prepare",
			Flags: []cli.Flag{
				cli.IntFlag{Name: "progress-fd", Usage: "show a pull's progress on this fd (runnc's terminal)"},
			},
			Hidden:    true,
			Usage:     "print the shared bundle of an image, pulling it first if the store lacks it (runnc run --image)",
			ArgsUsage: "<reference|digest>",
			Action:    withStore(1, prepare),
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

// imageStore opens the store of --image-store; it knows the containers
// below --root, so it refuses to remove an image one of them uses, and the
// disk directory, where it keeps each image's disk image (and, within
// --disk-cache, the disk images of removed images).
func imageStore(ctx *cli.Context) (*image.Store, error) {
	s, err := image.Open(ctx.GlobalString("image-store"))
	if err != nil {
		return nil, err
	}
	s.DiskDir = ctx.GlobalString("disk-dir")
	if s.DiskCacheBytes, err = llcli.DiskCacheBytes(ctx); err != nil {
		return nil, err
	}
	s.InUse = func(id string) ([]string, error) {
		f, err := llcli.Factory(ctx)
		if err != nil {
			return nil, err
		}
		ids, err := f.List()
		if err != nil {
			return nil, err
		}
		var users []string
		for _, cid := range ids {
			c, err := f.Load(cid)
			if err != nil {
				continue // deleted meanwhile
			}
			if st, err := c.State(); err == nil && st.Annotations[image.AnnotationImage] == id {
				users = append(users, cid)
			}
		}
		return users, nil
	}
	return s, nil
}

// pullImage pulls, showing each layer's progress on progress, if not nil.
func pullImage(s *image.Store, ref string, insecure bool, progress io.Writer) (*image.Image, error) {
	return s.Pull(ref, image.PullOptions{Insecure: insecure, Progress: progress})
}

// terminalStderr is stderr when it is a terminal, for a pull's progress,
// which only a terminal can show.
func terminalStderr() io.Writer {
	if llcli.IsTerminal(os.Stderr) {
		return os.Stderr
	}
	return nil
}

func listImages(ctx *cli.Context) error {
	if err := llcli.CheckArgs(ctx, 0); err != nil {
		return err
	}
	s, err := imageStore(ctx)
	if err != nil {
		return err
	}
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

// prepare is runnc run --image REF's part in runnc-image: it prints, as
// llcli.PreparedImage, the directory of REF's shared bundle in the store
// (pulling REF first if the store lacks it) and REF's Entrypoint. runnc
// then holds the store (imagelock) while it makes the container. runnc
// reads this process's stderr for a failure's message, so a pull's
// progress goes to --progress-fd, runnc's terminal, if given.
func prepare(ctx *cli.Context, s *image.Store) error {
	ref := ctx.Args().First()
	if _, err := s.Find(ref); err != nil {
		if _, perr := image.ParseReference(ref); perr != nil {
			return err // a digest not in the store
		}
		var progress io.Writer
		if fd := ctx.Int("progress-fd"); fd > 2 {
			progress = os.NewFile(uintptr(fd), "progress")
		}
		if _, err := pullImage(s, ref, false, progress); err != nil {
			return err
		}
	}
	dir, err := s.SharedBundle(ref, llcli.NablaSpec())
	if err != nil {
		return err
	}
	d, err := s.Inspect(ref)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(llcli.PreparedImage{Bundle: dir, Entrypoint: d.Config.Config.Entrypoint})
}
