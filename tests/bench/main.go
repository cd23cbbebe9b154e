// Command bench measures runnc against runc, gVisor's runsc and crun on
// this machine, in one run, through the same OCI CLI calls containerd's
// shim makes, and writes tests/bench/results/bench.json and BENCHMARKS.md.
// `make bench` runs it; `make bench QUICK=1` (-quick) takes under two
// minutes with fewer iterations and smaller fills. It needs root and `make` first.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// config is how much to measure.
type config struct {
	quick       bool
	runIters    int           // sequential `run`s per runtime
	opIters     int           // create/start/state/kill/delete rounds per runtime
	workers     []int         // throughput rows
	tpDuration  time.Duration // per throughput cell
	bootIters   int           // interleaved rounds of the boot comparison
	sizesMB     []int         // rootfs sizes for create time
	sizeIters   int           // creates per size and runtime
	many        int           // containers running at once for memory
	netIters    int           // run -d to first HTTP response, per runtime
	wrkDuration time.Duration // wrk load per runtime
	imageIters  int           // fresh image stores (two run --image each)
	scaleLevels []int         // running containers at which create is timed
	scaleIters  int           // creates per level and runtime
	settle      time.Duration // pause before a scale level's creates (see settleHost)
	// groups, when not empty, are the IDs of the only groups to measure
	// (-groups): a profile of one group need not wait for the others.
	groups []string
}

// want tells whether group id is to be measured.
func (c config) want(id string) bool {
	return len(c.groups) == 0 || slices.Contains(c.groups, id)
}

func fullConfig() config {
	return config{runIters: 100, opIters: 50, workers: []int{1, 4, 16}, tpDuration: 5 * time.Second,
		bootIters: 300, sizesMB: []int{1, 50, 200}, sizeIters: 10, many: 50,
		netIters: 10, wrkDuration: 5 * time.Second, imageIters: 10,
		scaleLevels: []int{0, 100, 500, 1000}, scaleIters: 30, settle: 5 * time.Second}
}

// quickConfig keeps make bench QUICK=1 under the three minutes issue 20
// allows it, setup, build and the engines' benchmarks included. Its two
// largest costs were the scale group's seven pauses of the full run's 5 s
// and the memory group's 50 runsc sandboxes (four processes each, 21 s).
func quickConfig() config {
	return config{quick: true, runIters: 10, opIters: 5, workers: []int{1, 4, 16}, tpDuration: time.Second,
		bootIters: 30, sizesMB: []int{1, 50, 200}, sizeIters: 2, many: 10,
		netIters: 3, wrkDuration: 2 * time.Second, imageIters: 3,
		scaleLevels: []int{0, 30}, scaleIters: 3, settle: time.Second}
}

// options says where the results go, and what to compare with.
type options struct {
	outDir   string // bench.json and the PNGs
	markdown string // BENCHMARKS.md
	baseline string // build directory of an earlier runnc, for the lifecycle rows ("": none)
	solo5Spt string // Solo5's own solo5-spt, for the boot row ("": n/a)
}

// defaultPaths fills in the default places of bench.json and the report.
func defaultPaths(repo string, opts options) options {
	if opts.outDir == "" {
		opts.outDir = filepath.Join(repo, "tests", "bench", "results")
	}
	if opts.markdown == "" {
		opts.markdown = filepath.Join(repo, "BENCHMARKS.md")
	}
	return opts
}

func main() {
	quick := flag.Bool("quick", false, "fewer iterations: a rough run in under two minutes")
	out := flag.String("out", "", "directory of bench.json and the plots (default tests/bench/results)")
	md := flag.String("md", "", "path of the markdown report (default BENCHMARKS.md at the repository root)")
	baseline := flag.String("baseline", "", "build directory of an earlier runnc (make bench BASELINE=<commit> makes one): its lifecycle rows appear as "+baselineName)
	solo5Spt := flag.String("solo5-spt", "", "Solo5's solo5-spt tender (make bench SOLO5_SPT=PATH): the boot row runs the same hello under it")
	render := flag.Bool("render", false, "measure nothing: render the markdown report again from bench.json with this build's text (the profile section)")
	groups := flag.String("groups", "", "comma-separated IDs of the only groups to measure ("+strings.Join(groupIDs, ", ")+"); give -md and -out elsewhere, or the partial run replaces the full report")
	flag.Parse()
	if *render {
		repo, err := repoRoot()
		if err == nil {
			err = rerender(defaultPaths(repo, options{outDir: *out, markdown: *md}))
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench: -render:", err)
			os.Exit(1)
		}
		return
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "bench: needs root (containers, cgroups, network namespaces): run make bench as root")
		os.Exit(1)
	}
	repo, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	opts := defaultPaths(repo, options{outDir: *out, markdown: *md, baseline: *baseline, solo5Spt: *solo5Spt})
	cfg := fullConfig()
	if *quick {
		cfg = quickConfig()
	}
	if *groups != "" {
		cfg.groups = strings.Split(*groups, ",")
		for _, id := range cfg.groups {
			if !slices.Contains(groupIDs, id) {
				fmt.Fprintf(os.Stderr, "bench: -groups names %q, which is no group: choose among %s\n", id, strings.Join(groupIDs, ", "))
				os.Exit(2)
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, unix.SIGTERM)
	defer stop()
	if _, err := Bench(ctx, cfg, repo, opts); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// Bench measures everything cfg asks for and writes the results; it
// returns them too (the test reads them back from the JSON anyway).
func Bench(ctx context.Context, cfg config, repo string, opts options) (*Results, error) {
	started := time.Now()
	loadBefore := loadAverage()
	res := &Results{Date: started.UTC(), Quick: cfg.quick}
	if err := installMissing(); err != nil {
		res.Notes = append(res.Notes, "set-up: "+err.Error())
		progress("%v", err)
	}
	work, err := os.MkdirTemp("", "runnc-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	reap, err := startReaper()
	if err != nil {
		return nil, err
	}
	build := buildDir(repo)
	drivers := setUpDrivers(ctx, work, build, opts.baseline, reap)
	// Every driver, the baseline's too: drivers is narrowed below.
	defer func(all []*driver) {
		for _, d := range all {
			d.cleanup()
		}
	}(drivers)
	for _, d := range drivers {
		flags := strings.ReplaceAll(strings.Join(d.flags, " "), work, "$WORK")
		flags = strings.ReplaceAll(flags, repo+"/", "")
		res.Runtimes = append(res.Runtimes, Runtime{Name: d.name, Version: d.version, Flags: flags, Status: d.status})
	}
	progs := newFloorPrograms(repo, work)
	// The baseline is compared in the lifecycle rows only: the others
	// measure what this change did not touch, and time is short.
	if cfg.want("lifecycle") {
		lifecycle := newGroup("lifecycle", "Lifecycle of one container (busybox echo / hello unikernel)", drivers)
		res.Groups = append(res.Groups, lifecycle)
		measureLifecycle(ctx, cfg, usable(drivers), newRunFloor(progs, build), lifecycle)
		if opts.baseline != "" {
			lifecycle.Notes = append(lifecycle.Notes, profileNote)
		}
	}
	if cfg.want("steps") {
		if i := slices.IndexFunc(drivers, func(d *driver) bool { return d.name == "runnc" && d.ok() }); i >= 0 {
			steps := &Group{ID: "steps", Title: "Where a run goes: runnc's steps, from its --debug log (hello: create + start + wait + delete)",
				Columns: []string{"runnc"}, Notes: stepNotes}
			res.Groups = append(res.Groups, steps)
			measureSteps(ctx, cfg, drivers[i], steps)
		}
	}
	all := drivers
	drivers = slices.DeleteFunc(slices.Clone(all), func(d *driver) bool { return d.name == baselineName })
	running := usable(drivers)
	// runnc and runc only in the scale group: a thousand runsc sandboxes
	// would need 45 GB.
	scaled := slices.DeleteFunc(slices.Clone(drivers), func(d *driver) bool { return d.name != "runnc" && d.name != "runc" })

	if cfg.want("boot") {
		boot := &Group{ID: "boot", Title: "Boot: exec of the tender to the guest's output (no runtime around it)",
			Columns: bootColumns, Baseline: bootBaseline}
		res.Groups = append(res.Groups, boot)
		measureBoot(ctx, cfg, work, build, opts.solo5Spt, reap, boot)
	}
	if cfg.want("create-size") {
		sizes := newGroup("create-size", "create against rootfs size (runnc builds the ISO disk image at create)", drivers)
		res.Groups = append(res.Groups, sizes)
		measureSizes(ctx, cfg, work, running, sizes)
	}
	if cfg.want("memory") {
		memory := newGroup("memory", fmt.Sprintf("Memory of running containers (sleeping workload; %d at once for the totals)", cfg.many), drivers)
		res.Groups = append(res.Groups, memory)
		measureMemory(ctx, cfg, running, memory)
	}
	if cfg.want("startup") {
		startup := &Group{ID: "startup", Title: "Start-up: one runtime CLI call against the Go floor",
			Columns: append([]string{"runnc", "runc"}, floors...), Baseline: floorGo}
		res.Groups = append(res.Groups, startup)
		measureStartup(ctx, cfg, progs, usable(scaled), startup)
	}
	if cfg.want("scale") {
		scale := newGroup("scale", "Scale: create and the other calls with many containers running, list, and their memory", scaled)
		res.Groups = append(res.Groups, scale)
		measureScale(ctx, cfg, work, usable(scaled), scale)
	}
	if cfg.want("surface") {
		surface := newGroup("surface", "Attack surface: host syscalls the workload's process may make", drivers)
		res.Groups = append(res.Groups, surface)
		measureSurface(ctx, work, build, drivers, surface)
	}
	if cfg.want("network") {
		network := newGroup("network", "Network: an HTTP server in a pod's network namespace, reached over a veth (httpd unikernel / busybox httpd)", drivers)
		res.Groups = append(res.Groups, network)
		measureNetwork(ctx, cfg, build, running, network)
	}
	if cfg.want("images") {
		images := newGroup("images", "Images: runnc run --image of an OCI layout (hello) against run of an unpacked bundle", drivers)
		res.Groups = append(res.Groups, images)
		measureImages(ctx, cfg, work, build, running, images)
	}

	for _, g := range res.Groups {
		markUnavailable(g, all)
	}
	res.Machine = describeMachine(versions(all))
	res.Machine.Load = loadBefore + " → " + loadAverage()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	res.Sections = append(res.Sections, runProfile, startProfile)
	res.Plots = writePlots(res, opts.outDir)
	res.Notes = append(res.Notes, methodNotes(cfg, time.Since(started))...)
	if err := res.WriteJSON(filepath.Join(opts.outDir, "bench.json")); err != nil {
		return nil, err
	}
	if err := writeMarkdown(res, opts); err != nil {
		return nil, err
	}
	progress("done in %s: %s and %s", time.Since(started).Round(time.Second), filepath.Join(opts.outDir, "bench.json"), opts.markdown)
	return res, nil
}

// writeMarkdown renders the results into the markdown report, whose plots
// are beside bench.json.
func writeMarkdown(res *Results, opts options) error {
	rel, err := filepath.Rel(filepath.Dir(opts.markdown), opts.outDir)
	if err != nil {
		rel = opts.outDir
	}
	return os.WriteFile(opts.markdown, []byte(RenderMarkdown(res, filepath.ToSlash(rel))), 0o644)
}

// rerender renders the report again from bench.json with this build's
// text (the profile section), measuring nothing: for a change to what the
// report says, not to what was measured.
func rerender(opts options) error {
	data, err := os.ReadFile(filepath.Join(opts.outDir, "bench.json"))
	if err != nil {
		return err
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(opts.outDir, "bench.json"), err)
	}
	res.Sections = []Section{runProfile, startProfile}
	if err := res.WriteJSON(filepath.Join(opts.outDir, "bench.json")); err != nil {
		return err
	}
	return writeMarkdown(&res, opts)
}

// groupIDs are the groups Bench measures, in its order (-groups).
var groupIDs = []string{"lifecycle", "steps", "boot", "create-size", "memory", "startup", "scale", "surface", "network", "images"}

func newGroup(id, title string, drivers []*driver) *Group {
	g := &Group{ID: id, Title: title, Baseline: "runc"}
	for _, d := range drivers {
		g.Columns = append(g.Columns, d.name)
	}
	return g
}

func usable(drivers []*driver) []*driver {
	var out []*driver
	for _, d := range drivers {
		if d.ok() {
			out = append(out, d)
		}
	}
	return out
}

// markUnavailable fills the cells of runtimes that could not run with
// the reason.
func markUnavailable(g *Group, drivers []*driver) {
	for _, d := range drivers {
		if d.ok() || !slices.Contains(g.Columns, d.name) {
			continue
		}
		for _, r := range g.Rows {
			if r.Cells[d.name] == nil {
				r.Cells[d.name] = ErrorCell("%s", d.status)
			}
		}
	}
}

func versions(drivers []*driver) map[string]string {
	v := map[string]string{"go": runtime.Version()}
	for _, d := range drivers {
		v[d.name] = strings.SplitN(d.version, "; ", 2)[0]
	}
	v["busybox"] = commandVersion("busybox")
	v["gcc"] = commandVersion("gcc", "--version")
	return v
}

// profileNote says what the profile of the slowest runnc row (run) showed
// and what changed since the baseline, whose column is beside it.
const profileNote = "runnc-before is the runnc of the commit make bench gets as BASELINE (by default d3582f8, the first landing; its version line names it), built from git and timed in the same interleaved rounds. " +
	"Its `run` profiled (perf, strace -T, timestamps per phase): writing init's pid to the first cgroup v1 cgroup.procs took 9-19 ms " +
	"(the kernel's cgroup_threadgroup_rwsem, taken for writing, waits for an RCU grace period; runc pays it too); " +
	"`runnc init`, a second start of the Go binary, 4-5 ms; rebuilding the ISO of a rootfs whose image had gone with its last container, 4-5 ms; " +
	"each start of runnc about 4 ms, a quarter of it the image store's packages; encoding/json building its codecs for runc's configs.Config, 0.5 ms per state read; " +
	"start polling the exec fifo every 200 µs. What changed: init is runnc-init, a small C program cloned into the cgroup v2 directory (CLONE_INTO_CGROUP) " +
	"that joins the v1 hierarchies by writing 0 to their tasks files (moving itself alone takes no global lock), while the Run phases run in runnc create; " +
	"unused disk images stay in a bounded cache (--disk-cache); the image commands moved to runnc-image, and runnc is linked statically; " +
	"start, state and kill read the config lazily and start polls the fifo. What remains: three starts of a Go program (create, start, delete), " +
	"each about 1.8× an empty one's (the steps group times them in a run, the startup group against its floors); creating the network namespace and the cgroup directories."

func methodNotes(cfg config, took time.Duration) []string {
	return []string{
		fmt.Sprintf("Iterations: run %d, create/start/state/kill/delete %d, throughput %s per cell, boot %d interleaved rounds, create-vs-size %d per size; the run took %s.",
			cfg.runIters, cfg.opIters, cfg.tpDuration, cfg.bootIters, cfg.sizeIters, took.Round(time.Second)),
		"Every runtime is driven by go-runc exactly as containerd's shim drives it (create with a pid file, start, kill, delete), each with its own --root; the bench is a child subreaper, as the shim is, and waits for the container's process directly.",
		"Bundles: runnc runs build/guests/hello.nabla in a bundle from `runnc spec` (sleep workload: `hello.nabla sleep`); the others run a static busybox `echo hi` in a bundle from `runc spec` with terminal false (sleep workload: `busybox sleep 1000`).",
		"runsc runs with --platform=ptrace --network=none: on this machine the KVM platform hangs (nested virtualisation) and the default sandbox network refuses the new network namespace the spec asks for (\"cannot run with network enabled in root network namespace\"); with no network the sandbox has loopback only, like runc's empty namespace.",
		"crun is tried once and reported, not timed, when it cannot run here (crun 1.8 refuses hybrid cgroups).",
	}
}
