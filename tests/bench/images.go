package main

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// measureImages fills the images group (issue 10): `runnc run --image` of
// an OCI layout holding the hello guest, for the first container of a
// fresh image store (pull, unpack and the disk image the store makes at
// pull, then the run) and for a second container of the stored image. The
// Linux runtimes have no image store: their column is `run` of a bundle
// already unpacked, the same figure in both rows.
func measureImages(ctx context.Context, cfg config, work, build string, drivers []*driver, g *Group) {
	first := g.Row("first-container", "run --image, first container of a fresh store (pull + unpack + disk image + run)", "ms")
	second := g.Row("second-container", "run --image, second container (image stored)", "ms")
	g.Notes = append(g.Notes, fmt.Sprintf("runnc: foreground `runnc run --image oci:DIR:1 ID` of an OCI layout holding the hello guest (Cmd /hello.nabla), "+
		"%d rounds, each with a new, private --image-store (the store makes the disk image at pull). "+
		"The others have no image store: their figure in both rows is the same foreground `run --bundle` of the busybox echo bundle, already unpacked.", cfg.imageIters))
	dir := filepath.Join(work, "images")
	ref, refErr := helloLayout(dir, build)
	n := 0
	t := interleaved(ctx, "run --image", cfg.imageIters, drivers, func(d *driver) (map[string]time.Duration, error) {
		if d.name != "runnc" {
			dt, err := runForeground(ctx, d, nil, "run", "--bundle", d.echo, d.newID())
			return map[string]time.Duration{"first": dt, "second": dt}, err
		}
		if refErr != nil {
			return nil, refErr
		}
		n++
		store := filepath.Join(dir, fmt.Sprintf("store-%d", n))
		defer os.RemoveAll(store)
		got := map[string]time.Duration{}
		for _, run := range []string{"first", "second"} {
			dt, err := runForeground(ctx, d, []string{"--image-store", store}, "run", "--image", ref, d.newID())
			if err != nil {
				return nil, err
			}
			got[run] = dt
		}
		return got, nil
	})
	for _, d := range drivers {
		first.Cells[d.name] = t.cell(d.name, "first")
		second.Cells[d.name] = t.cell(d.name, "second")
	}
}

// runForeground times one foreground `run` (the runtime creates, starts,
// waits for and deletes the container itself) with the driver's global
// flags and extra ones, and checks the container printed d.expect.
func runForeground(ctx context.Context, d *driver, extra []string, args ...string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	global := append([]string{"--root", d.rc.Root, "--log", d.rc.Log, "--log-format", "json"}, d.flags...)
	cmd := exec.CommandContext(ctx, d.rc.Command, append(append(global, extra...), args...)...)
	t0 := time.Now()
	out, err := combinedOutput(cmd)
	elapsed := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("%s %s: %v: %s", d.name, strings.Join(args, " "), err, lastLine(string(out)))
	}
	if !strings.Contains(string(out), d.expect) {
		return 0, fmt.Errorf("%s %s printed %q, not %q", d.name, strings.Join(args, " "), out, d.expect)
	}
	return elapsed, nil
}

// helloLayout writes an OCI layout under dir holding one image, tagged 1,
// of the hello guest with Cmd /hello.nabla; it returns the reference
// `run --image` takes.
func helloLayout(dir, build string) (string, error) {
	hello, err := built(build, "guests/hello.nabla")
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(hello)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "hello.nabla", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(data))}); err != nil {
		return "", err
	}
	if _, err := tw.Write(data); err != nil {
		return "", err
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(buf.Bytes())), nil
	})
	if err != nil {
		return "", err
	}
	img, err := mutate.AppendLayers(empty.Image, layer)
	if err != nil {
		return "", err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return "", err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	cf.Config.Cmd = []string{"/hello.nabla"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "layout")
	p, err := layout.Write(path, empty.Index)
	if err != nil {
		return "", fmt.Errorf("write the OCI layout %s: %w", path, err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{"org.opencontainers.image.ref.name": "1"})); err != nil {
		return "", fmt.Errorf("write the OCI layout %s: %w", path, err)
	}
	return "oci:" + path + ":1", nil
}
