package main

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The startup group's floors, cheapest first: an empty static Go program,
// the target's baseline; the same linked as runnc is, with cgo and musl
// (runc's specconv needs cgo: its user-namespace code is C) and its heap
// on huge pages (internal/firsttouch); and the same importing, and so
// linking and initialising, every library runnc's own packages import.
// The last is the floor of any runtime made of these libraries, whatever
// its own code does.
const (
	floorGo   = "empty static Go program"
	floorCgo  = "the same with cgo, linked as runnc"
	floorLibs = "the same importing runnc's libraries"
)

var floors = []string{floorGo, floorCgo, floorLibs}

// measureStartup times the cheapest calls of a runtime's CLI, for runnc
// and runc, against an empty static Go program: the floor any Go runtime
// CLI starts from. `state` of a running container is the call an engine
// makes when it only wants to know; `list` of an empty state root does
// nothing but start. runnc starts three times per container, so its
// start-up counts.
func measureStartup(ctx context.Context, cfg config, progs *floorPrograms, drivers []*driver, g *Group) {
	state := g.Row("state", "`state` of a running container (exec → exit)", "ms")
	list := g.Row("list", "`list` of an empty state root (exec → exit)", "ms")
	type call struct {
		row  *Row
		name string
		argv []string
	}
	var calls []call
	emptyRoot, err := os.MkdirTemp(progs.work, "startup-root-")
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
	for _, floor := range floors {
		if bin, err := progs.get(floor); err != nil {
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
		"On this kind of machine (a VM whose first touch of a 4 KiB page of anonymous memory costs about 10 µs, and of a "+
		"page of a file about 7 µs unless its neighbours were touched) a start costs mostly its first touches: `perf stat -e "+
		"page-faults` counts the faults. runnc's heap is on 2 MiB pages and its writable segment is mapped in one call "+
		"(internal/firsttouch), which took a start of `state` from 292 faults to 90 and from 2.1× the baseline to 1.6×. The last two columns are the parts "+
		"of runnc's start no change to runnc's own code can remove while it uses these libraries: an empty program linked as "+
		"runnc is (runtime/cgo statically with musl, since runc's specconv needs cgo, and the heap on huge pages; the "+
		"baseline does neither), and the same importing every package outside this module that runnc's own packages import "+
		"(runc's specconv and configs, opencontainers/cgroups, netlink, urfave/cli, logrus and the rest: `go list` finds "+
		"them at each run), which links them and runs their package inits and nothing else.")
}

// argv is the command line of a call of d's CLI with root as its state
// root.
func (d *driver) argv(root string, args ...string) []string {
	argv := append([]string{d.rc.Command, "--root", root}, d.flags...)
	return append(argv, args...)
}

// floorPrograms builds each floor's program once, for every group that
// times it: the startup group, and the lifecycle group's run floor.
type floorPrograms struct {
	repo, work string
	built      map[string]builtFloor
}

type builtFloor struct {
	path string
	err  error
}

func newFloorPrograms(repo, work string) *floorPrograms {
	return &floorPrograms{repo: repo, work: work, built: map[string]builtFloor{}}
}

// get returns the program of floor, built on first use and then dropped
// from the page cache, as the runtimes were at set-up (see uncache).
func (p *floorPrograms) get(floor string) (string, error) {
	b, ok := p.built[floor]
	if !ok {
		b.path, b.err = buildFloor(p.repo, p.work, floor)
		if b.err == nil {
			uncache(b.path)
		}
		p.built[floor] = b
	}
	return b.path, b.err
}

// firstTouch is the package that puts runnc's heap on huge pages and maps
// its writable segment ahead, as the Makefile links runnc.
const firstTouch = runncModule + "/internal/firsttouch"

// buildFloor builds the program of one of the floors: `func main() {}`
// statically in pure Go, or, for the two linked as runnc is, by the
// Makefile's own rule for runnc (make go-like-runnc), with
// internal/firsttouch and for floorLibs runnc's libraries imported too.
// Those two are built inside the module, whose go.mod pins the libraries'
// versions and holds internal/firsttouch, each in a directory below an
// "_" one, which the go tool's ./... skips.
func buildFloor(repo, work, floor string) (string, error) {
	if floor == floorGo {
		dir := filepath.Join(work, "emptygo")
		bin := filepath.Join(work, "empty")
		if err := writeMain(dir, nil); err != nil {
			return "", err
		}
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GO111MODULE=off", "GOFLAGS=")
		if out, err := combinedOutput(cmd); err != nil {
			return "", fmt.Errorf("go build the %s: %v: %s", floor, err, out)
		}
		return bin, nil
	}
	name, imports := "empty-cgo", []string{firstTouch}
	if floor == floorLibs {
		libs, err := runncLibraries(repo)
		if err != nil {
			return "", err
		}
		name, imports = "empty-libs", append(libs, imports...)
	}
	dir := filepath.Join(buildDir(repo), "_startup-floor", name)
	if err := writeMain(dir, imports); err != nil {
		return "", err
	}
	rel, err := filepath.Rel(repo, dir)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(work, name)
	cmd := exec.Command("make", "-s", "go-like-runnc", "PKG=./"+rel, "OUT="+bin)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := combinedOutput(cmd); err != nil {
		return "", fmt.Errorf("build the %s (make go-like-runnc): %v: %s", floor, err, out)
	}
	return bin, nil
}

// writeMain writes into dir the program `func main() {}` with blank
// imports of imports (sorted, as gofmt would have them).
func writeMain(dir string, imports []string) error {
	var b strings.Builder
	b.WriteString("package main\n\n")
	if len(imports) > 0 {
		b.WriteString("import (\n")
		for _, l := range slices.Sorted(slices.Values(imports)) {
			fmt.Fprintf(&b, "\t_ %q\n", l)
		}
		b.WriteString(")\n\n")
	}
	b.WriteString("func main() {}\n")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.go"), []byte(b.String()), 0o644)
}

// runncLibraries are the packages from outside this module that runnc's
// own packages import, as runnc is built: with the build tags the built
// runnc records (the Makefile's: they drop urfave/cli's man-page
// generator and the C resolver, and so change what a start initialises).
func runncLibraries(repo string) ([]string, error) {
	info, err := buildinfo.ReadFile(filepath.Join(buildDir(repo), "runnc"))
	if err != nil {
		return nil, fmt.Errorf("the built runnc's build settings: %w", err)
	}
	var tags string
	for _, s := range info.Settings {
		if s.Key == "-tags" {
			tags = s.Value
		}
	}
	cmd := exec.Command("go", "list", "-deps", "-tags", tags,
		"-f", `{{if .Module}}{{if .Module.Main}}{{join .Imports "\n"}}{{end}}{{end}}`, "./runnc")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list runnc's imports: %w", err)
	}
	return libraries(strings.Fields(string(out)), runncModule), nil
}

// runncModule is the path of this module: its packages are runnc's own.
const runncModule = "github.com/nabla-containers/runnc"

// libraries are the distinct imports that are neither the standard
// library's (whose first element has no dot) nor module's, sorted.
func libraries(imports []string, module string) []string {
	var libs []string
	for _, p := range imports {
		first, _, _ := strings.Cut(p, "/")
		if strings.Contains(first, ".") && p != module && !strings.HasPrefix(p, module+"/") {
			libs = append(libs, p)
		}
	}
	slices.Sort(libs)
	return slices.Compact(libs)
}
