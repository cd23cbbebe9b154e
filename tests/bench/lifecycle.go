package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// measureLifecycle fills the lifecycle group: `run` sequential, as an
// engine drives it (four calls) and as one foreground `run` call, then
// create, start, kill and delete timed separately, then throughput. The
// run rows have a column of their floor (runFloor), timed in their rounds.
func measureLifecycle(ctx context.Context, cfg config, drivers []*driver, floor runFloor, g *Group) {
	run := g.Row("run", "run: create + start + wait + delete, sequential", "ms")
	runCmd := g.Row("run-command", "the same in one call: `run` (no --detach)", "ms")
	g.Columns = append(g.Columns, runFloorColumn)
	rows := map[string]*Row{
		"run":    run,
		"create": g.Row("create", "create", "ms"),
		"start":  g.Row("start", "start", "ms"),
		"state":  g.Row("state", "state (running container)", "ms"),
		"kill":   g.Row("kill", "kill (SIGKILL)", "ms"),
		"delete": g.Row("delete", "delete (stopped container)", "ms"),
	}
	// The floor takes its turn in the rounds as a runtime would: a driver
	// of its name, which no other call sees.
	floorTurn := &driver{name: runFloorColumn}
	runDrivers := drivers
	if floor.err != nil {
		run.Cells[runFloorColumn] = ErrorCell("%v", floor.err)
		runCmd.Cells[runFloorColumn] = ErrorCell("%v", floor.err)
	} else {
		runDrivers = append(slices.Clone(drivers), floorTurn)
	}
	runs := interleaved(ctx, "run", cfg.runIters, runDrivers, func(d *driver) (map[string]time.Duration, error) {
		if d == floorTurn {
			return floor.once(ctx)
		}
		dt, err := d.lifecycle(ctx, d.echo, nil)
		if err != nil {
			return nil, err
		}
		one, err := runForeground(ctx, d, nil, "run", "--bundle", d.echo, d.newID())
		return map[string]time.Duration{"run": dt, "run-command": one}, err
	})
	ops := interleaved(ctx, "create/start/state/kill/delete", cfg.opIters, drivers, func(d *driver) (map[string]time.Duration, error) {
		return opsOnce(ctx, d, d.sleep)
	})
	if floor.err == nil {
		run.Cells[runFloorColumn] = runs.cell(runFloorColumn, "run")
		runCmd.Cells[runFloorColumn] = runs.cell(runFloorColumn, "run-command")
	}
	g.Notes = append(g.Notes, runFloorNote)
	for _, d := range drivers {
		run.Cells[d.name] = runs.cell(d.name, "run")
		runCmd.Cells[d.name] = runs.cell(d.name, "run-command")
		for _, op := range []string{"create", "start", "state", "kill", "delete"} {
			rows[op].Cells[d.name] = ops.cell(d.name, op)
		}
	}
	for _, w := range cfg.workers {
		r := g.Row(fmt.Sprintf("throughput-%d", w), fmt.Sprintf("lifecycle throughput, %d concurrent workers", w), "ops/s")
		r.HigherIsBetter = true
		for _, d := range drivers {
			progress("throughput %s, %d workers, %s", d.name, w, cfg.tpDuration)
			opsPerSec, n, err := throughput(ctx, d, w, cfg.tpDuration)
			if err != nil {
				r.Cells[d.name] = ErrorCell("%v", err)
			} else {
				r.Cells[d.name] = ValueCell(opsPerSec, fmt.Sprintf("%d runs", n))
			}
		}
	}
}

// runFloorColumn is the lifecycle group's column of what a run of hello
// would cost if runnc's own work took no time (see runFloor).
const runFloorColumn = "runnc's floor"

const runFloorNote = "runnc's floor is what runnc's run rows cannot go below while runnc is a Go program made of its libraries and nabla-run " +
	"boots the guest, whatever runnc's own code does: the starts and exits of a Go program that links runnc's libraries and does nothing " +
	"(the startup group's last column), three for the run row (create, start and delete) and one for the run-command row, then nabla-run " +
	"booting hello with no runtime around it (exec → exit, as in the boot group), timed in the same rounds as the runtimes. " +
	"It leaves out the kernel's share of a run (the network namespace, the cgroup's directories, the clone and exec of runnc-init), " +
	"so the true floor is higher."

// runFloor times the floor of runnc's run rows: the floor program's
// starts and the tender's boot of hello, one after the other.
type runFloor struct {
	prog   string   // the startup group's floorLibs program
	tender []string // nabla-run booting hello
	err    error    // why the floor cannot be timed
}

func newRunFloor(progs *floorPrograms, build string) runFloor {
	prog, perr := progs.get(floorLibs)
	tender, terr := built(build, "nabla-run")
	guest, gerr := built(build, "guests/hello.nabla")
	if err := errors.Join(perr, terr, gerr); err != nil {
		return runFloor{err: err}
	}
	return runFloor{prog: prog, tender: tenderArgv(tender, guest)}
}

// once times the floor of the run row (three starts and the boot) and of
// the run-command row (one start and the boot).
func (f runFloor) once(ctx context.Context) (map[string]time.Duration, error) {
	t := map[string]time.Duration{}
	for _, r := range []struct {
		row    string
		starts int
	}{{"run", 3}, {"run-command", 1}} {
		t0 := time.Now()
		for range r.starts {
			if out, err := combinedOutput(exec.CommandContext(ctx, f.prog)); err != nil {
				return nil, fmt.Errorf("%s: %v: %s", f.prog, err, out)
			}
		}
		if out, err := combinedOutput(exec.CommandContext(ctx, f.tender[0], f.tender[1:]...)); err != nil {
			return nil, fmt.Errorf("%s: %v: %s", strings.Join(f.tender, " "), err, out)
		}
		t[r.row] = time.Since(t0)
	}
	return t, nil
}

// timings are the samples interleaved collected: runtime -> what -> samples,
// and the error that stopped a runtime.
type timings struct {
	samples map[string]map[string][]time.Duration
	failed  map[string]error
}

// cell is the distribution of one runtime's samples of what, or the error
// that stopped it: a partial row would understate the tail.
func (t timings) cell(runtime, what string) *Cell {
	if err := t.failed[runtime]; err != nil {
		return ErrorCell("%v", err)
	}
	return SamplesCell(Millis(t.samples[runtime][what]))
}

// interleaved calls fn n times for each driver, one call per driver a
// round in a rotating order, so that the machine's drifting load (other
// work, page cache, thermal) weighs on every runtime alike. A driver's
// first error stops its calls.
func interleaved(ctx context.Context, what string, n int, drivers []*driver, fn func(*driver) (map[string]time.Duration, error)) timings {
	t := timings{samples: map[string]map[string][]time.Duration{}, failed: map[string]error{}}
	for _, d := range drivers {
		t.samples[d.name] = map[string][]time.Duration{}
	}
	for i := 0; i < n; i++ {
		for j := range drivers {
			d := drivers[(i+j)%len(drivers)]
			if t.failed[d.name] != nil {
				continue
			}
			if err := ctx.Err(); err != nil {
				t.failed[d.name] = err
				continue
			}
			got, err := fn(d)
			if err != nil {
				t.failed[d.name] = err
				continue
			}
			for k, dt := range got {
				t.samples[d.name][k] = append(t.samples[d.name][k], dt)
			}
		}
		if (i+1)%max(1, n/5) == 0 || i+1 == n {
			progress("%s: %d/%d rounds", what, i+1, n)
		}
	}
	return t
}

// opsOnce runs one sleeping container of bundle through its lifecycle,
// timing each call; waiting for the killed process is not timed.
func opsOnce(ctx context.Context, d *driver, bundle string) (map[string]time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	t := map[string]time.Duration{}
	t0 := time.Now()
	c, err := d.create(ctx, d.newID(), bundle, nil)
	if err != nil {
		return nil, err
	}
	t["create"] = time.Since(t0)
	fail := func(err error) (map[string]time.Duration, error) {
		d.delete(ctx, c, true)
		return nil, err
	}
	t0 = time.Now()
	if err := d.start(ctx, c); err != nil {
		return fail(err)
	}
	t["start"] = time.Since(t0)
	t0 = time.Now()
	if err := d.state(ctx, c); err != nil {
		return fail(err)
	}
	t["state"] = time.Since(t0)
	t0 = time.Now()
	if err := d.kill(ctx, c, unix.SIGKILL); err != nil {
		return fail(err)
	}
	t["kill"] = time.Since(t0)
	if _, err := d.wait(ctx, c); err != nil {
		return fail(err)
	}
	t0 = time.Now()
	if err := d.delete(ctx, c, false); err != nil {
		return nil, err
	}
	t["delete"] = time.Since(t0)
	return t, nil
}

// throughput runs `run` lifecycles on workers goroutines for dur and
// returns completed runs per second (every run started before the
// deadline is finished and counted) and how many there were.
func throughput(ctx context.Context, d *driver, workers int, dur time.Duration) (float64, int64, error) {
	var (
		done     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	t0 := time.Now()
	deadline := t0.Add(dur)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if _, err := d.lifecycle(ctx, d.echo, nil); err != nil {
					errOnce.Do(func() { firstErr = err })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	n := done.Load()
	return float64(n) / time.Since(t0).Seconds(), n, nil
}
