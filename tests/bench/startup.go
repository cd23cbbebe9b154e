package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// measureStartup times `state` of a running container, the cheapest call
// an engine makes, for runnc and runc, against an empty static Go
// program: the floor any Go runtime CLI starts from. runnc starts three
// times per container, so its start-up counts.
func measureStartup(ctx context.Context, cfg config, work string, drivers []*driver, g *Group) {
	const floor = "empty static Go program"
	row := g.Row("state", "`state` of a running container (exec → exit)", "ms")
	argv := map[string][]string{}
	var order []string
	for _, d := range drivers {
		c, err := d.create(ctx, d.newID(), d.sleep, nil)
		if err != nil {
			row.Cells[d.name] = ErrorCell("%v", err)
			continue
		}
		defer stopContainer(d, c)
		args := append([]string{d.rc.Command, "--root", d.rc.Root}, d.flags...)
		argv[d.name] = append(args, "state", c.id)
		order = append(order, d.name)
	}
	if bin, err := buildEmptyGo(work); err != nil {
		row.Cells[floor] = ErrorCell("%v", err)
	} else {
		argv[floor] = []string{bin}
		order = append(order, floor)
	}
	samples := map[string][]time.Duration{}
	for i := 0; i < cfg.bootIters && ctx.Err() == nil; i++ {
		for j := range order {
			name := order[(i+j)%len(order)]
			if row.Cells[name] != nil {
				continue
			}
			t0 := time.Now()
			if out, err := combinedOutput(exec.CommandContext(ctx, argv[name][0], argv[name][1:]...)); err != nil {
				row.Cells[name] = ErrorCell("%v: %s", err, out)
				continue
			}
			samples[name] = append(samples[name], time.Since(t0))
		}
	}
	for _, name := range order {
		if row.Cells[name] == nil {
			row.Cells[name] = SamplesCell(Millis(samples[name]))
		}
	}
	g.Notes = append(g.Notes, "Target: a runnc start at most 1.5× the empty static Go program (the baseline column).")
}

// buildEmptyGo builds `func main() {}` statically, as runnc is built.
func buildEmptyGo(work string) (string, error) {
	dir := filepath.Join(work, "emptygo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "empty")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, src)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GO111MODULE=off")
	if out, err := combinedOutput(cmd); err != nil {
		return "", fmt.Errorf("go build an empty program: %v: %s", err, out)
	}
	return bin, nil
}
