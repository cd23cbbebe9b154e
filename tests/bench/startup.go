package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// The startup group's floors: an empty static Go program, the target's
// baseline, and the same linked as runnc is, with cgo and musl (runc's
// specconv needs cgo: its user-namespace code is C).
const (
	floorGo  = "empty static Go program"
	floorCgo = "the same with cgo, linked as runnc"
)

// measureStartup times the cheapest calls of a runtime's CLI, for runnc
// and runc, against an empty static Go program: the floor any Go runtime
// CLI starts from. `state` of a running container is the call an engine
// makes when it only wants to know; `list` of an empty state root does
// nothing but start. runnc starts three times per container, so its
// start-up counts.
func measureStartup(ctx context.Context, cfg config, work string, drivers []*driver, g *Group) {
	state := g.Row("state", "`state` of a running container (exec → exit)", "ms")
	list := g.Row("list", "`list` of an empty state root (exec → exit)", "ms")
	type call struct {
		row  *Row
		name string
		argv []string
	}
	var calls []call
	emptyRoot, err := os.MkdirTemp(work, "startup-root-")
	for _, d := range drivers {
		if err != nil {
			list.Cells[d.name] = ErrorCell("%v", err)
		} else {
			calls = append(calls, call{list, d.name, d.argv(emptyRoot, "list")})
		}
		c, err := d.create(ctx, d.newID(), d.sleep, nil)
		if err != nil {
			state.Cells[d.name] = ErrorCell("%v", err)
			continue
		}
		defer stopContainer(d, c)
		if err := d.start(ctx, c); err != nil {
			state.Cells[d.name] = ErrorCell("%v", err)
			continue
		}
		calls = append(calls, call{state, d.name, d.argv(d.rc.Root, "state", c.id)})
	}
	for _, floor := range []string{floorGo, floorCgo} {
		if bin, err := buildEmptyGo(work, floor == floorCgo); err != nil {
			state.Cells[floor] = ErrorCell("%v", err)
			list.Cells[floor] = ErrorCell("%v", err)
		} else {
			calls = append(calls, call{state, floor, []string{bin}}, call{list, floor, []string{bin}})
		}
	}
	samples := map[*Row]map[string][]time.Duration{state: {}, list: {}}
	for i := 0; i < cfg.bootIters && ctx.Err() == nil; i++ {
		for j := range calls {
			c := calls[(i+j)%len(calls)]
			if c.row.Cells[c.name] != nil {
				continue
			}
			t0 := time.Now()
			if out, err := combinedOutput(exec.CommandContext(ctx, c.argv[0], c.argv[1:]...)); err != nil {
				c.row.Cells[c.name] = ErrorCell("%v: %s", err, out)
				continue
			}
			samples[c.row][c.name] = append(samples[c.row][c.name], time.Since(t0))
		}
	}
	for _, c := range calls {
		if c.row.Cells[c.name] == nil {
			c.row.Cells[c.name] = SamplesCell(Millis(samples[c.row][c.name]))
		}
	}
	g.Notes = append(g.Notes, "Target: a runnc start at most 1.5× the empty static Go program (the baseline column). "+
		"On this kind of machine (a VM whose first touch of a page costs about 12 µs) a start costs mostly its page faults: "+
		"`perf stat -e page-faults` counts them. The last column is the part of runnc's start no change to runnc's own code can "+
		"remove while it uses runc's specconv: an empty program that links runtime/cgo statically with musl, as runnc does "+
		"(with glibc, as before 2026-12-06, that program took 1.33× the baseline, and runnc's start 1.3 ms more).")
}

// argv is the command line of a call of d's CLI with root as its state
// root.
func (d *driver) argv(root string, args ...string) []string {
	argv := append([]string{d.rc.Command, "--root", root}, d.flags...)
	return append(argv, args...)
}

// buildEmptyGo builds `func main() {}` statically: pure Go, or with cgo
// linked externally against a static musl, as the Makefile links runnc.
func buildEmptyGo(work string, cgo bool) (string, error) {
	dir := filepath.Join(work, "emptygo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name, prog, ldflags, env := "empty", "package main\n\nfunc main() {}\n", "-s -w", []string{"CGO_ENABLED=0"}
	if cgo {
		name, prog = "empty-cgo", "package main\n\nimport _ \"runtime/cgo\"\n\nfunc main() {}\n"
		ldflags, env = "-s -w -linkmode external -extldflags -static", []string{"CGO_ENABLED=1", "CC=musl-gcc"}
	}
	src := filepath.Join(dir, name+".go")
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, src)
	cmd.Env = append(append(os.Environ(), env...), "GOFLAGS=", "GO111MODULE=off")
	if out, err := combinedOutput(cmd); err != nil {
		return "", fmt.Errorf("go build an empty program: %v: %s", err, out)
	}
	return bin, nil
}
