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

// scaleRows are the rows of the scale group one runtime's run fills.
type scaleRows struct {
	levels []*Row // create + delete at each level
	empty  *Row   // the same at the last level, in an empty root
	after  *Row   // the same with none running again, once they are gone
	// calls are the other calls of a container's life (start, state,
	// kill, delete), each timed alone, at the first and the last level.
	calls [2]map[string]*Row
	// joined is create + delete of a container that joins a network
	// namespace by path, at the first and the last level.
	joined               [2]*Row
	list, rss, pss, left *Row
}

// joinedNetns is the namespace the scale group's joining containers name
// by path, as podman's and `--network ns:PATH` do; its eth0 has an
// address in joinedSubnet, as podman's has. Before runnc takes the address
// over outside a pod it checks that no process but its own is in the
// namespace, and the kernel lists no namespace's processes: it reads
// every process's, so this create grows with the processes on the host.
var joinedNetns = fmt.Sprintf("rnbench-%d-join", os.Getpid())

// joinedSubnet is 10.194.N.0/24 of joinedNetns, apart from the network
// group's.
const joinedSubnet = 200

// measureScale fills each runtime's root with sleeping containers, level
// by level, and at each level times creates of one more container (each
// deleted again), so a create that visits the other containers shows as a
// slope. At the last level the same creates in an empty root of the same
// runtime are timed in between: the levels are minutes apart, and the
// machine's load drifts more than the target's margin meanwhile. Then it
// times list and adds up the sleepers' memory, deletes them all and checks
// the root is empty.
func measureScale(ctx context.Context, cfg config, work string, drivers []*driver, g *Group) {
	first, top := cfg.scaleLevels[0], cfg.scaleLevels[len(cfg.scaleLevels)-1]
	var r scaleRows
	for _, n := range cfg.scaleLevels {
		r.levels = append(r.levels, g.Row(fmt.Sprintf("create-at-%d", n), fmt.Sprintf("create + delete with %d running", n), "ms"))
	}
	growth := g.Row("growth", fmt.Sprintf("create + delete with %d running ÷ with %d running", top, first), "×")
	growth.OwnRatio = true
	r.empty = g.Row("create-empty", fmt.Sprintf("create + delete in an empty root, at the same moment as with %d running (interleaved)", top), "ms")
	beside := g.Row("growth-beside", fmt.Sprintf("create + delete with %d running ÷ in the empty root beside it", top), "×")
	beside.OwnRatio = true
	r.after = g.Row("create-after", fmt.Sprintf("create + delete with %d running again, once the %d are deleted", first, top), "ms")
	afterGrowth := g.Row("growth-after", fmt.Sprintf("create + delete with %d running ÷ with %d, once they are deleted", top, first), "×")
	afterGrowth.OwnRatio = true
	bracketed := g.Row("growth-bracketed", fmt.Sprintf("create + delete with %d running ÷ the mean of with %d before the fill and once they are deleted", top, first), "×")
	bracketed.OwnRatio = true
	for k, n := range []int{first, top} {
		r.joined[k] = g.Row(fmt.Sprintf("join-at-%d", n), fmt.Sprintf("create + delete joining a network namespace by path (podman, ns:PATH) with %d running", n), "ms")
	}
	joinGrowth := g.Row("join-growth", fmt.Sprintf("create + delete joining by path with %d running ÷ with %d running", top, first), "×")
	joinGrowth.OwnRatio = true
	var callGrowth []*Row
	for _, call := range scaleCalls {
		for k, n := range []int{first, top} {
			if r.calls[k] == nil {
				r.calls[k] = map[string]*Row{}
			}
			r.calls[k][call.name] = g.Row(fmt.Sprintf("%s-at-%d", call.name, n), fmt.Sprintf("%s with %d running", call.label, n), "ms")
		}
		row := g.Row(call.name+"-growth", fmt.Sprintf("%s with %d running ÷ with %d running", call.name, top, first), "×")
		row.OwnRatio = true
		callGrowth = append(callGrowth, row)
	}
	tenants := newTenantRows(g, first, top)
	if p, err := newPod(joinedNetns, joinedSubnet); err != nil {
		for _, d := range drivers {
			r.joined[0].Cells[d.name] = ErrorCell("%v", err)
		}
	} else {
		defer p.remove()
	}
	r.list = g.Row("list", fmt.Sprintf("list of %d containers", top), "ms")
	r.rss = g.Row("rss", fmt.Sprintf("RSS of %d sleeping containers (total; %d MiB guests)", top, scaleMemMiB), "MiB")
	r.pss = g.Row("pss", fmt.Sprintf("PSS of %d sleeping containers (total)", top), "MiB")
	r.left = g.Row("left", fmt.Sprintf("state left in the root after deleting all %d", top), "entries")
	for _, d := range drivers {
		bundle, err := smallSleepBundle(work, d)
		if err != nil {
			for _, row := range []*Row{r.list, r.rss, r.pss, r.left} {
				row.Cells[d.name] = ErrorCell("%v", err)
			}
			continue
		}
		scaleOne(ctx, cfg, d, bundle, r)
		measureTenants(ctx, cfg, work, d, tenants)
	}
	last := len(r.levels) - 1
	for _, d := range drivers {
		growth.Cells[d.name] = growthCell(r.levels[0].Cells[d.name], r.levels[last].Cells[d.name])
		beside.Cells[d.name] = growthCell(r.empty.Cells[d.name], r.levels[last].Cells[d.name])
		afterGrowth.Cells[d.name] = growthCell(r.after.Cells[d.name], r.levels[last].Cells[d.name])
		bracketed.Cells[d.name] = bracketCell(r.levels[0].Cells[d.name], r.after.Cells[d.name], r.levels[last].Cells[d.name])
		joinGrowth.Cells[d.name] = growthCell(r.joined[0].Cells[d.name], r.joined[1].Cells[d.name])
		for j, call := range scaleCalls {
			callGrowth[j].Cells[d.name] = growthCell(r.calls[0][call.name].Cells[d.name], r.calls[1][call.name].Cells[d.name])
		}
	}
	g.Notes = append(g.Notes,
		"Each level adds sleeping containers (created and started) to the runtime's root; at each level one more container is created and deleted, "+fmt.Sprint(cfg.scaleIters)+" times: a runtime whose create visits the others slows with the level.",
		"The growth row divides each runtime's create + delete at the last level by its own at the first (medians); the target for runnc is at most 1.1×. See the plot for the levels between.",
		"The empty root (and, for runnc, disk directory) beside the last level is the runtime's own, timed in turn with the crowded one: "+
			"its ratio leaves out the load's drift between levels, and what the kernel does more for every cgroup and process on the host, "+
			"and keeps what the runtime does more for the containers of its own root.",
		"The first level is timed again once the last level's containers are deleted (after the same sync and pause as a fill): "+
			"the growth against it tells the containers' cost from what the minutes of the fill changed on the host. "+
			"The first level's own row comes before anything was filled. The bracketed row divides by the mean of the two, "+
			"which cancels a drift of the host that is steady over the group's minutes (an A-B-A design).",
		"The calls' rows time each call after create of one more sleeper of the same bundle (its create untimed; then start, state, kill, the wait for its exit untimed, and delete), in turn with the level's creates: "+
			"the issue asks that start, state, kill and delete, not create alone, cost the same with the last level running as with the first.",
		"The joining container names a namespace made for the bench whose eth0 (10.194."+fmt.Sprint(joinedSubnet)+".2/24) is a veth to a second one; runnc takes the address over at create and gives it back at delete. "+
			"Its creates are timed in turn with the level's own. Before it takes an address over outside a pod, runnc checks that no other runtime's process is in the namespace: "+
			"the kernel lists no namespace's processes, so it reads every process's.",
		"The tenants' rows: once the sleepers are gone, each level of containers is created (not started), each with a rootfs of its own (copies of the sleeper's files and a file naming the tenant), "+
			"so that each holds a disk image of its own, as tenants' containers do; the container timed has a rootfs of its own too, and each delete of it leaves its image unused. The sleepers above share one rootfs, and so one image. "+
			"At the last level the same create + delete in an empty root and disk directory of runnc's own is timed in turn with it, as for the sleepers. runc makes nothing per rootfs.")
}

// scaleCalls are the calls after create that the scale group times at its
// first and last levels: the issue asks that none of them, not create
// alone, cost more with a thousand containers running.
var scaleCalls = []struct{ name, label string }{
	{"start", "start of a created container"},
	{"state", "state of a running container"},
	{"kill", "kill (SIGKILL) of a running container"},
	{"delete", "delete of a stopped container"},
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

// bracketCell is the ratio of last's median to the mean of before's and
// after's, or why there is none.
func bracketCell(before, after, last *Cell) *Cell {
	a, aok := before.Figure()
	b, bok := after.Figure()
	if !aok || !bok {
		return ErrorCell("no figure before and after")
	}
	return growthCell(ValueCell((a+b)/2, ""), last)
}

// createDelete times the create and the delete of one more container.
func createDelete(ctx context.Context, d *driver, bundle string) (time.Duration, error) {
	t0 := time.Now()
	c, err := d.create(ctx, d.newID(), bundle, nil)
	if err == nil {
		err = d.delete(ctx, c, true)
	}
	return time.Since(t0), err
}

// timedKind is one kind of measurement taken at a level, in turn with the
// others: measure returns one duration for each of rows' keys, and the
// kind keeps their samples, or its first error in every row.
type timedKind struct {
	rows    map[string]*Row
	d       *driver
	measure func(context.Context) (map[string]time.Duration, error)
	samples map[string][]time.Duration
}

// createKind times the create + delete of one more container of bundle
// in row.
func createKind(row *Row, d *driver, bundle string) *timedKind {
	return &timedKind{rows: map[string]*Row{"": row}, d: d, measure: func(ctx context.Context) (map[string]time.Duration, error) {
		dt, err := createDelete(ctx, d, bundle)
		return map[string]time.Duration{"": dt}, err
	}}
}

// callsKind times each call of one more container of bundle that rows
// names (start, state, kill, delete: see opsOnce).
func callsKind(rows map[string]*Row, d *driver, bundle string) *timedKind {
	return &timedKind{rows: rows, d: d, measure: func(ctx context.Context) (map[string]time.Duration, error) {
		return opsOnce(ctx, d, bundle)
	}}
}

func (k *timedKind) failed() bool {
	for _, row := range k.rows {
		if row.Cells[k.d.name] != nil {
			return true
		}
	}
	return false
}

func (k *timedKind) time(ctx context.Context) {
	if k.failed() {
		return
	}
	got, err := k.measure(ctx)
	if err != nil {
		for _, row := range k.rows {
			row.Cells[k.d.name] = ErrorCell("%v", err)
		}
		return
	}
	if k.samples == nil {
		k.samples = map[string][]time.Duration{}
	}
	for what := range k.rows {
		k.samples[what] = append(k.samples[what], got[what])
	}
}

func (k *timedKind) done() {
	for what, row := range k.rows {
		if row.Cells[k.d.name] == nil {
			row.Cells[k.d.name] = SamplesCell(Millis(k.samples[what]))
		}
	}
}

// timeInTurn times each of kinds once a round, iters rounds, and fills
// their rows.
func timeInTurn(ctx context.Context, iters int, kinds []*timedKind) {
	for j := 0; j < iters && ctx.Err() == nil; j++ {
		for _, k := range kinds {
			k.time(ctx)
		}
	}
	for _, k := range kinds {
		k.done()
	}
}

// emptyTwin is d's twin (see driver.twin) with a root and disk directory
// of its own, kept empty, timed in turn with a crowded level; nil, with
// row's cell saying why, if it cannot be had.
func emptyTwin(d *driver, suffix string, row *Row) *driver {
	t, err := d.twin(suffix)
	if err != nil {
		row.Cells[d.name] = ErrorCell("%v", err)
		return nil
	}
	return t
}

// joinedBundle is a bundle beside the scale bundle that runs the same
// sleeper in joinedNetns, named by path.
func joinedBundle(bundle string) (string, error) {
	dir := bundle + "-joined"
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := copyFile(filepath.Join(bundle, "config.json"), filepath.Join(dir, "config.json")); err != nil {
		return "", err
	}
	return dir, editSpec(dir, func(s *specs.Spec) {
		for i := range s.Linux.Namespaces {
			if s.Linux.Namespaces[i].Type == specs.NetworkNamespace {
				s.Linux.Namespaces[i].Path = "/var/run/netns/" + joinedNetns
			}
		}
	})
}

func scaleOne(ctx context.Context, cfg config, d *driver, bundle string, r scaleRows) {
	var sleepers []*container
	defer func() {
		for _, c := range sleepers {
			stopContainer(d, c)
		}
	}()
	empty := emptyTwin(d, "-empty", r.empty)
	if empty != nil {
		defer empty.cleanup()
	}
	joined := ""
	if r.joined[0].Cells[d.name] == nil { // else: no namespace to join
		var err error
		if joined, err = joinedBundle(bundle); err != nil {
			r.joined[0].Cells[d.name] = ErrorCell("%v", err)
		}
	}
	last := len(cfg.scaleLevels) - 1
	for i, n := range cfg.scaleLevels {
		for len(sleepers) < n && ctx.Err() == nil {
			c, err := d.create(ctx, d.newID(), bundle, nil)
			if err == nil {
				sleepers = append(sleepers, c)
				err = d.start(ctx, c)
			}
			if err != nil {
				r.levels[i].Cells[d.name] = ErrorCell("%v", err)
				return
			}
		}
		progress("scale %s: %d running", d.name, n)
		settleHost(cfg)
		// The level's own creates, and in turn with them the others of
		// this level.
		kinds := []*timedKind{createKind(r.levels[i], d, bundle)}
		if i == last && empty != nil {
			kinds = append(kinds, createKind(r.empty, empty, bundle))
		}
		if k := min(i, 1); i == 0 || i == last {
			kinds = append(kinds, callsKind(r.calls[k], d, bundle))
			if joined != "" {
				kinds = append(kinds, createKind(r.joined[k], d, joined))
			}
		}
		timeInTurn(ctx, cfg.scaleIters, kinds)
		if r.levels[i].Cells[d.name].Error != "" {
			return
		}
	}
	var samples []time.Duration
	for j := 0; j < cfg.scaleIters && ctx.Err() == nil; j++ {
		t0 := time.Now()
		if _, err := d.rc.List(ctx); err != nil {
			r.list.Cells[d.name] = ErrorCell("%v", d.fail("list", "", err))
			break
		}
		samples = append(samples, time.Since(t0))
	}
	if r.list.Cells[d.name] == nil {
		r.list.Cells[d.name] = SamplesCell(Millis(samples))
	}
	var rss, pss uint64
	for _, pid := range containerProcesses(d, sleepers) {
		pr, pp, err := smapsRollup(pid)
		if err != nil {
			continue // exited meanwhile: counted as nothing
		}
		rss, pss = rss+pr, pss+pp
	}
	r.rss.Cells[d.name] = ValueCell(float64(rss)/1024, fmt.Sprintf("%d containers", len(sleepers)))
	r.pss.Cells[d.name] = ValueCell(float64(pss)/1024, fmt.Sprintf("%d containers", len(sleepers)))
	for _, c := range sleepers {
		stopContainer(d, c)
	}
	sleepers = nil
	entries, err := os.ReadDir(d.rc.Root)
	if err != nil {
		r.left.Cells[d.name] = ErrorCell("%v", err)
		return
	}
	r.left.Cells[d.name] = ValueCell(float64(len(entries)), "")
	settleHost(cfg)
	timeInTurn(ctx, cfg.scaleIters, []*timedKind{createKind(r.after, d, bundle)})
}

// settleHost lets the machine finish what filling a level, or deleting the
// last one, left behind before the next creates are timed: the hundreds
// of files just written or removed (state, disk image users) go to disk,
// and the kernel's deferred work runs. Timed at once, the first creates after a fill of 500 paid for
// it, runnc and runc alike: 64 ms for a run with 1,000 running, then
// 56-57 ms from 30 s on, and 60 ms with none. The full run pauses 5 s;
// a quick run, whose fills are 30 containers, 1 s.
func settleHost(cfg config) {
	unix.Sync()
	time.Sleep(cfg.settle)
}

// smallSleepBundle is the driver's sleep bundle with a scaleMemMiB memory
// limit (runnc gives its guest that much), sharing the sleep bundle's
// rootfs.
func smallSleepBundle(work string, d *driver) (string, error) {
	return sleeperBundle(filepath.Join(work, "scale-"+d.name), d, filepath.Join(d.sleep, "rootfs"))
}

// sleeperBundle writes in dir the config of the driver's sleep bundle with
// rootfs as its root and a scaleMemMiB memory limit.
func sleeperBundle(dir string, d *driver, rootfs string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := copyFile(filepath.Join(d.sleep, "config.json"), filepath.Join(dir, "config.json")); err != nil {
		return "", err
	}
	limit := int64(scaleMemMiB << 20)
	return dir, editSpec(dir, func(s *specs.Spec) {
		s.Root.Path = rootfs
		if s.Linux.Resources == nil {
			s.Linux.Resources = &specs.LinuxResources{}
		}
		s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &limit}
	})
}
