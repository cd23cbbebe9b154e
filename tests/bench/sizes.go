package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// measureSizes times `create` of a bundle whose rootfs carries 1, 50 and
// 200 MB of files besides the workload: runnc turns the rootfs into an ISO
// disk image at create, the others bind-mount it. Each size is timed
// twice: with the rootfs changed before every create (runnc must build a
// new image), and while another container of the same, unchanged rootfs
// exists (runnc shares that container's image, as it would reuse one left
// unused in its --disk-cache).
func measureSizes(ctx context.Context, cfg config, work string, drivers []*driver, g *Group) {
	for _, mb := range cfg.sizesMB {
		cold := g.Row(fmt.Sprintf("create-%dmb", mb), fmt.Sprintf("create, rootfs + %d MB, changed before each create", mb), "ms")
		warm := g.Row(fmt.Sprintf("create-%dmb-same", mb), fmt.Sprintf("create, rootfs + %d MB, unchanged, while another container of it exists", mb), "ms")
		fail := func(d *driver, err error) {
			cold.Cells[d.name], warm.Cells[d.name] = ErrorCell("%v", err), ErrorCell("%v", err)
		}
		data := filepath.Join(work, fmt.Sprintf("data-%dmb", mb))
		if err := fillRootfs(data, mb); err != nil {
			for _, d := range drivers {
				fail(d, err)
			}
			continue
		}
		bundles := map[string]string{}
		var ready []*driver
		for _, d := range drivers {
			b, err := sizedBundle(d, data, mb)
			if err != nil {
				fail(d, err)
				continue
			}
			bundles[d.name] = b
			ready = append(ready, d)
		}
		n := 0
		changed := interleaved(ctx, fmt.Sprintf("create, rootfs + %d MB, changed", mb), cfg.sizeIters, ready, func(d *driver) (map[string]time.Duration, error) {
			n++
			stamp := filepath.Join(bundles[d.name], "rootfs", "stamp")
			if err := os.WriteFile(stamp, []byte(strconv.Itoa(n)), 0o644); err != nil {
				return nil, err
			}
			dt, err := timeCreate(ctx, d, bundles[d.name])
			return map[string]time.Duration{"create": dt}, err
		})
		shared := sharedCreates(ctx, cfg, ready, bundles, mb)
		for _, d := range ready {
			cold.Cells[d.name] = changed.cell(d.name, "create")
			warm.Cells[d.name] = shared.cell(d.name, "create")
			os.RemoveAll(bundles[d.name])
		}
		os.RemoveAll(data)
	}
}

// sharedCreates times creates of each driver's bundle while one container
// of it (not timed) exists.
func sharedCreates(ctx context.Context, cfg config, drivers []*driver, bundles map[string]string, mb int) timings {
	var holding []*driver
	holdErr := map[string]error{}
	for _, d := range drivers {
		holder, err := d.create(ctx, d.newID(), bundles[d.name], nil)
		if err != nil {
			holdErr[d.name] = err
			continue
		}
		defer stopContainer(d, holder)
		holding = append(holding, d)
	}
	t := interleaved(ctx, fmt.Sprintf("create, rootfs + %d MB, unchanged", mb), cfg.sizeIters, holding, func(d *driver) (map[string]time.Duration, error) {
		dt, err := timeCreate(ctx, d, bundles[d.name])
		return map[string]time.Duration{"create": dt}, err
	})
	for name, err := range holdErr {
		t.failed[name] = err
	}
	return t
}

// sizedBundle copies the driver's echo bundle and hard-links the data
// files into its rootfs (same content for every runtime, written once).
func sizedBundle(d *driver, data string, mb int) (string, error) {
	bundle := filepath.Join(d.dir, fmt.Sprintf("size-%dmb", mb))
	if err := os.CopyFS(bundle, os.DirFS(d.echo)); err != nil {
		return "", fmt.Errorf("copy bundle %s: %w", d.echo, err)
	}
	dst := filepath.Join(bundle, "rootfs", "data")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return "", err
	}
	entries, err := os.ReadDir(filepath.Join(data, "data"))
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if err := os.Link(filepath.Join(data, "data", e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return "", err
		}
	}
	return bundle, nil
}

// timeCreate times one create; the delete after it is not timed.
func timeCreate(ctx context.Context, d *driver, bundle string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := d.create(ctx, d.newID(), bundle, nil)
	if err != nil {
		return 0, err
	}
	elapsed := time.Since(t0)
	if err := d.delete(ctx, c, true); err != nil {
		return 0, err
	}
	return elapsed, nil
}
