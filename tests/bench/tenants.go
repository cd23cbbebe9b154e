package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// tenantRows are the scale group's rows of containers that each have a
// rootfs, and so a disk image, of their own, as tenants' have: the other
// rows' sleepers share one rootfs, and so one image.
type tenantRows struct {
	at     [2]*Row // create + delete at the first and the last level
	growth *Row
	empty  *Row // the last level's, in an empty root and disk directory
	beside *Row
}

func newTenantRows(g *Group, first, top int) tenantRows {
	var r tenantRows
	for k, n := range []int{first, top} {
		r.at[k] = g.Row(fmt.Sprintf("tenant-at-%d", n), fmt.Sprintf("create + delete of a container with a rootfs of its own, with %d others created, each with its own", n), "ms")
	}
	r.growth = g.Row("tenant-growth", fmt.Sprintf("the same with %d others ÷ with %d", top, first), "×")
	r.growth.OwnRatio = true
	r.empty = g.Row("tenant-empty", fmt.Sprintf("the same in an empty root and disk directory, at the same moment as with %d others (interleaved)", top), "ms")
	r.beside = g.Row("tenant-beside", fmt.Sprintf("the same with %d others ÷ in the empty root beside it", top), "×")
	r.beside.OwnRatio = true
	return r
}

// measureTenants fills d's root with created containers (not started:
// what is measured is the images they hold), each of a rootfs of its own,
// and times the create + delete of one more tenant's container at the
// first and the last level. runnc builds a disk image per rootfs and
// records each container as a user of its image; runc makes nothing per
// rootfs, so its cells say so. At the last level the same creates in an
// empty root and disk directory of runnc's own are timed in turn, as the
// sleepers' are (see scaleOne): the levels are minutes apart, and the
// fill writes an image per tenant.
func measureTenants(ctx context.Context, cfg config, work string, d *driver, r tenantRows) {
	if d.name != "runnc" {
		for _, row := range []*Row{r.at[0], r.at[1], r.empty} {
			row.Cells[d.name] = ErrorCell("%s makes nothing per rootfs: the rows are runnc's", d.name)
		}
		r.growth.Cells[d.name] = ErrorCell("%s makes nothing per rootfs", d.name)
		r.beside.Cells[d.name] = r.growth.Cells[d.name]
		return
	}
	empty := emptyTwin(d, "-tenants-empty", r.empty)
	if empty != nil {
		defer empty.cleanup()
	}
	var made []*container
	defer func() {
		for _, c := range made {
			stopContainer(d, c)
		}
	}()
	tenant := func(name string) (string, error) { return tenantBundle(work, d, name) }
	traced, err := tenant("traced")
	for k, n := range []int{cfg.scaleLevels[0], cfg.scaleLevels[len(cfg.scaleLevels)-1]} {
		for len(made) < n && ctx.Err() == nil && err == nil {
			var b string
			if b, err = tenant(strconv.Itoa(len(made))); err == nil {
				var c *container
				if c, err = d.create(ctx, d.newID(), b, nil); err == nil {
					made = append(made, c)
				}
			}
		}
		if err != nil {
			r.at[k].Cells[d.name] = ErrorCell("%v", err)
			break
		}
		progress("scale %s: %d tenants", d.name, n)
		settleHost(cfg)
		kinds := []*timedKind{createKind(r.at[k], d, traced)}
		if k == 1 && empty != nil {
			kinds = append(kinds, createKind(r.empty, empty, traced))
		}
		timeInTurn(ctx, cfg.scaleIters, kinds)
	}
	r.growth.Cells[d.name] = growthCell(r.at[0].Cells[d.name], r.at[1].Cells[d.name])
	if empty != nil {
		r.beside.Cells[d.name] = growthCell(r.empty.Cells[d.name], r.at[1].Cells[d.name])
	}
}

// tenantBundle is a bundle of d's scale sleeper whose rootfs holds copies
// of the sleep bundle's files and a file naming the tenant: a rootfs of
// its own, whose image no other tenant's shares. Copies, not hard links:
// each link would change the shared inode's ctime, which names an image
// (see nabla-lib/storage's tree key), and so the image of every bundle
// that holds the file, the timed one's and the sleepers'.
func tenantBundle(work string, d *driver, name string) (string, error) {
	dir := filepath.Join(work, "tenants-"+d.name, name)
	rootfs := filepath.Join(dir, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return "", err
	}
	shared := filepath.Join(d.sleep, "rootfs")
	entries, err := os.ReadDir(shared)
	if err != nil {
		return "", err
	}
	for _, e := range entries {
		if err := copyFile(filepath.Join(shared, e.Name()), filepath.Join(rootfs, e.Name())); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(rootfs, "tenant"), []byte(name), 0o644); err != nil {
		return "", err
	}
	return sleeperBundle(dir, d, rootfs)
}
