package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// scaleMemMiB is the guest memory of the scale group's sleepers: small
// guests, as a node packed with a thousand of them would have.
const scaleMemMiB = 16

// measureScale fills each runtime's root with sleeping containers, level
// by level, and at each level times creates of one more container (each
// deleted again), so a create that visits the other containers shows as a
// slope. At the last level it times list and adds up the sleepers' memory,
// then deletes them all and checks the root is empty.
func measureScale(ctx context.Context, cfg config, work string, drivers []*driver, g *Group) {
	top := cfg.scaleLevels[len(cfg.scaleLevels)-1]
	rows := make([]*Row, len(cfg.scaleLevels))
	for i, n := range cfg.scaleLevels {
		rows[i] = g.Row(fmt.Sprintf("create-at-%d", n), fmt.Sprintf("create + delete with %d running", n), "ms")
	}
	growth := g.Row("growth", fmt.Sprintf("create + delete with %d running ÷ with %d running", top, cfg.scaleLevels[0]), "×")
	growth.OwnRatio = true
	list := g.Row("list", fmt.Sprintf("list of %d containers", top), "ms")
	rss := g.Row("rss", fmt.Sprintf("RSS of %d sleeping containers (total; %d MiB guests)", top, scaleMemMiB), "MiB")
	pss := g.Row("pss", fmt.Sprintf("PSS of %d sleeping containers (total)", top), "MiB")
	left := g.Row("left", fmt.Sprintf("state left in the root after deleting all %d", top), "entries")
	for _, d := range drivers {
		bundle, err := smallSleepBundle(work, d)
		if err != nil {
			for _, r := range []*Row{list, rss, pss, left} {
				r.Cells[d.name] = ErrorCell("%v", err)
			}
			continue
		}
		scaleOne(ctx, cfg, d, bundle, rows, list, rss, pss, left)
	}
	for _, d := range drivers {
		growth.Cells[d.name] = growthCell(rows[0].Cells[d.name], rows[len(rows)-1].Cells[d.name])
	}
	g.Notes = append(g.Notes,
		"Each level adds sleeping containers (created and started) to the runtime's root; at each level one more container is created and deleted, "+fmt.Sprint(cfg.scaleIters)+" times: a runtime whose create visits the others slows with the level.",
		"The growth row divides each runtime's create + delete at the last level by its own at the first (medians); the target for runnc is at most 1.1×. See the plot for the levels between.")
}

// growthCell is the ratio of the medians of two cells of one runtime, or
// why there is none.
func growthCell(first, last *Cell) *Cell {
	a, aok := first.Figure()
	b, bok := last.Figure()
	if !aok || !bok || a == 0 {
		return ErrorCell("no figure at both levels")
	}
	return ValueCell(b/a, "")
}

func scaleOne(ctx context.Context, cfg config, d *driver, bundle string, rows []*Row, list, rss, pss, left *Row) {
	var sleepers []*container
	defer func() {
		for _, c := range sleepers {
			stopContainer(d, c)
		}
	}()
	for i, n := range cfg.scaleLevels {
		for len(sleepers) < n && ctx.Err() == nil {
			c, err := d.create(ctx, d.newID(), bundle, nil)
			if err == nil {
				sleepers = append(sleepers, c)
				err = d.start(ctx, c)
			}
			if err != nil {
				rows[i].Cells[d.name] = ErrorCell("%v", err)
				return
			}
		}
		progress("scale %s: %d running", d.name, n)
		settleAfterFill()
		var samples []time.Duration
		for j := 0; j < cfg.scaleIters && ctx.Err() == nil; j++ {
			t0 := time.Now()
			c, err := d.create(ctx, d.newID(), bundle, nil)
			if err == nil {
				err = d.delete(ctx, c, true)
			}
			if err != nil {
				rows[i].Cells[d.name] = ErrorCell("%v", err)
				return
			}
			samples = append(samples, time.Since(t0))
		}
		rows[i].Cells[d.name] = SamplesCell(Millis(samples))
	}
	var samples []time.Duration
	for j := 0; j < cfg.scaleIters && ctx.Err() == nil; j++ {
		t0 := time.Now()
		if _, err := d.rc.List(ctx); err != nil {
			list.Cells[d.name] = ErrorCell("%v", d.fail("list", "", err))
			break
		}
		samples = append(samples, time.Since(t0))
	}
	if list.Cells[d.name] == nil {
		list.Cells[d.name] = SamplesCell(Millis(samples))
	}
	var r, p uint64
	for _, pid := range containerProcesses(d, sleepers) {
		pr, pp, err := smapsRollup(pid)
		if err != nil {
			continue // exited meanwhile: counted as nothing
		}
		r, p = r+pr, p+pp
	}
	rss.Cells[d.name] = ValueCell(float64(r)/1024, fmt.Sprintf("%d containers", len(sleepers)))
	pss.Cells[d.name] = ValueCell(float64(p)/1024, fmt.Sprintf("%d containers", len(sleepers)))
	for _, c := range sleepers {
		stopContainer(d, c)
	}
	sleepers = nil
	entries, err := os.ReadDir(d.rc.Root)
	if err != nil {
		left.Cells[d.name] = ErrorCell("%v", err)
		return
	}
	left.Cells[d.name] = ValueCell(float64(len(entries)), "")
}

// settleAfterFill lets the machine finish what filling a level left
// behind before the level is timed: the hundreds of files just written
// (state, disk image users) go to disk, and the kernel's deferred work
// runs. Timed at once, the first creates after a fill of 500 paid for
// it, runnc and runc alike: 64 ms for a run with 1,000 running, then
// 56-57 ms from 30 s on, and 60 ms with none.
func settleAfterFill() {
	unix.Sync()
	time.Sleep(fillSettle)
}

// fillSettle is the pause after a level's fill and its sync.
const fillSettle = 5 * time.Second

// smallSleepBundle is the driver's sleep bundle with a scaleMemMiB memory
// limit (runnc gives its guest that much), sharing the sleep bundle's
// rootfs.
func smallSleepBundle(work string, d *driver) (string, error) {
	dir := filepath.Join(work, "scale-"+d.name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := copyFile(filepath.Join(d.sleep, "config.json"), filepath.Join(dir, "config.json")); err != nil {
		return "", err
	}
	limit := int64(scaleMemMiB << 20)
	return dir, editSpec(dir, func(s *specs.Spec) {
		s.Root.Path = filepath.Join(d.sleep, "rootfs")
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
	})
}
