package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"
)

// The steps group: where one run of hello goes (create, start, wait,
// delete, as the lifecycle rows drive them), measured in every bench run
// from runnc's own --debug log. Each line of it that ends a step carries
// the step's name ("step", or "phase" for a handler phase) and a time in
// nanoseconds; a step's time runs from the line before it, the first from
// the exec of runnc, and the exit from the last line to the reaping of
// the process. The steps of the three calls and the wait between them add
// up to the run.

// stepTitles say what each step covers, by call and step name; a step
// runnc adds without a title here is shown by its name.
var stepTitles = map[string]string{
	"create/command":        "create: exec → command line read (the Go runtime's start, package inits, urfave/cli, the log opened)",
	"create/config":         "create: config.json read, decoded and converted (runc's specconv)",
	"create/state":          "create: state directory made and locked, the cgroup's paths planned, state.json saved, the cgroup begun beside the next steps",
	"create/FsCreate":       "create: FsCreate (the rootfs's disk image, from the cache, and its user marker)",
	"create/NetworkCreate":  "create: state saved, NetworkCreate",
	"create/ExecCreate":     "create: state saved, ExecCreate (the guest's ELF notes)",
	"create/cgroup":         "create: state saved, locked again (the state just saved reused, unless changed meanwhile), exec fifo, the cgroup's directories and limits made (the wait for them)",
	"create/init":           "create: runnc-init cloned into a new network namespace and the cgroup, exec'd; state saved",
	"create/ready":          "create: init joins its v1 cgroups and says it is ready",
	"create/FsRun":          "create: FsRun",
	"create/NetworkRun":     "create: NetworkRun (a thread in init's network namespace: the tap device)",
	"create/ExecRun":        "create: ExecRun (the tender's argv)",
	"create/workload":       "create: the workload sent to init",
	"create/exit":           "create: state saved, exit (→ reaped)",
	"start/command":         "start: exec → command line read",
	"start/load":            "start: state loaded",
	"start/fifo":            "start: locked, state read again, exec fifo opened: init execs the tender",
	"start/exit":            "start: exit (→ reaped)",
	"wait":                  "wait: start returned → the guest has printed and exited (the tender's boot, mostly during start's exit)",
	"delete/command":        "delete: exec → command line read",
	"delete/load":           "delete: state loaded",
	"delete/config":         "delete: locked, state read again, config decoded (runc's configs.Config)",
	"delete/ExecDestroy":    "delete: the cgroup's removal begun beside the phases, ExecDestroy",
	"delete/NetworkDestroy": "delete: NetworkDestroy (the network namespace went with init)",
	"delete/FsDestroy":      "delete: FsDestroy (the disk image's user marker)",
	"delete/deleted":        "delete: the cgroup's directories removed (the wait for them), state directory removed",
	"delete/exit":           "delete: exit (→ reaped)",
}

// stepNotes explain the steps group's table.
var stepNotes = []string{
	"Each step runs from the log line before it (the first from the exec of runnc, as the bench starts it) to the line that ends it, " +
		"so a save of state.json that follows a handler phase counts in the next step. The last step of a call runs to its reaping. " +
		"The share after each median is of the steps' medians added up.",
	"Timed through a twin of the lifecycle's runnc with --debug and its log on tmpfs (/dev/shm), after one run that builds the disk image: " +
		"each log line costs a little (tens of µs), so the run here is a little slower than the lifecycle group's.",
	"The kernel's share is inside the steps: the cgroup's directories (the cpuset's mkdir turns the kernel's cpuset static key on when no other cpuset cgroup exists, 2.2 ms of CPU here; " +
		"they are made on another thread from the first save of state.json on, beside FsCreate, NetworkCreate and ExecCreate, and the cgroup step is what is left to wait for), " +
		"the network namespace and the clone and exec of runnc-init, and the tender's boot in the wait.",
}

// stepLine is what the bench reads of a --debug log line.
type stepLine struct {
	Time  time.Time `json:"time"`
	Step  string    `json:"step"`
	Phase string    `json:"phase"`
}

// timedCall is one runnc process of a run, as the bench timed it.
type timedCall struct {
	name       string
	exec, done time.Time
}

// measureSteps fills g with the steps of cfg.runIters runs of d's echo
// bundle (hello) through a twin of d that logs with --debug, after one
// run that warms its disk image cache.
func measureSteps(ctx context.Context, cfg config, d *driver, g *Group) {
	fail := func(err error) {
		g.Rows = append(g.Rows, &Row{ID: "run", Title: "the run", Unit: "ms", Cells: map[string]*Cell{d.name: ErrorCell("%v", err)}})
	}
	t, err := d.twin("-steps")
	if err != nil {
		fail(err)
		return
	}
	defer t.cleanup()
	t.rc.Debug = true
	// O_SYNC writes of the log cost 0.2-0.5 ms a line on a disk: on
	// tmpfs they cost what the line does.
	if dir, err := os.MkdirTemp("/dev/shm", "runnc-bench-steps-"); err == nil && isTmpfs(dir) {
		defer os.RemoveAll(dir)
		t.rc.Log = filepath.Join(dir, "log.json")
	}
	samples := map[string][]float64{}
	var order []string // the steps' keys, in the order of a run
	var run []float64
	for i := 0; i <= cfg.runIters && ctx.Err() == nil; i++ {
		steps, total, err := timeSteps(ctx, t)
		if err != nil {
			fail(err)
			return
		}
		if i == 0 {
			continue // the disk image is built once
		}
		run = append(run, total)
		for _, s := range steps {
			if _, ok := samples[s.key]; !ok {
				order = append(order, s.key)
			}
			samples[s.key] = append(samples[s.key], s.ms)
		}
	}
	var sum float64
	for _, key := range order {
		sum += Summarize(samples[key]).Median
	}
	for _, key := range order {
		title, ok := stepTitles[key]
		if !ok {
			title = key
		}
		cell := SamplesCell(samples[key])
		cell.Note = fmt.Sprintf("%.0f%%", 100*cell.Summary.Median/sum)
		g.Rows = append(g.Rows, &Row{ID: key, Title: title, Unit: "ms", Cells: map[string]*Cell{d.name: cell}})
	}
	g.Rows = append(g.Rows,
		&Row{ID: "sum", Title: "the steps' medians added up", Unit: "ms", Cells: map[string]*Cell{d.name: ValueCell(sum, "")}},
		&Row{ID: "run", Title: "the run, exec of create → delete reaped", Unit: "ms", Cells: map[string]*Cell{d.name: SamplesCell(run)}})
}

// step is one step of a run and its time.
type step struct {
	key string
	ms  float64
}

// timeSteps runs hello once through t (create, start, wait, delete) and
// returns its steps in order, and the run's time in milliseconds.
func timeSteps(ctx context.Context, t *driver) ([]step, float64, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := os.Truncate(t.rc.Log, 0); err != nil && !os.IsNotExist(err) {
		return nil, 0, err
	}
	var calls []timedCall
	timed := func(name string, fn func() error) error {
		c := timedCall{name: name, exec: time.Now()}
		err := fn()
		c.done = time.Now()
		calls = append(calls, c)
		return err
	}
	var c *container
	err := timed("create", func() (err error) {
		c, err = t.create(ctx, t.newID(), t.echo, nil)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := timed("start", func() error { return t.start(ctx, c) }); err != nil {
		t.delete(ctx, c, true)
		return nil, 0, err
	}
	started := calls[1].done
	status, err := t.wait(ctx, c)
	exited := time.Now()
	if err != nil {
		t.delete(ctx, c, true)
		return nil, 0, err
	}
	if err := timed("delete", func() error { return t.delete(ctx, c, false) }); err != nil {
		return nil, 0, err
	}
	if status != 0 {
		return nil, 0, fmt.Errorf("%s: container %s exited with status %d (stderr: %s)", t.name, c.id, status, t.stderrTail())
	}
	lines, err := readStepLines(t.rc.Log)
	if err != nil {
		return nil, 0, err
	}
	steps := callSteps(calls[0], lines)
	steps = append(steps, callSteps(calls[1], lines)...)
	steps = append(steps, step{"wait", ms(exited.Sub(started))})
	steps = append(steps, callSteps(calls[2], lines)...)
	return steps, ms(calls[2].done.Sub(calls[0].exec)), nil
}

// callSteps are the steps of c: its log lines between its exec and its
// reaping, each timed from the one before, and its exit.
func callSteps(c timedCall, lines []stepLine) []step {
	var steps []step
	last := c.exec
	for _, l := range lines {
		if l.Time.Before(c.exec) || l.Time.After(c.done) {
			continue
		}
		name := l.Step
		if name == "" {
			name = l.Phase
		}
		key := c.name + "/" + name
		// A name met twice in one call keeps both, apart.
		for n := 2; slices.ContainsFunc(steps, func(s step) bool { return s.key == key }); n++ {
			key = fmt.Sprintf("%s/%s#%d", c.name, name, n)
		}
		steps = append(steps, step{key, ms(l.Time.Sub(last))})
		last = l.Time
	}
	return append(steps, step{c.name + "/exit", ms(c.done.Sub(last))})
}

// readStepLines reads the lines of a --debug log that end a step.
func readStepLines(path string) ([]stepLine, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []stepLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var l stepLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if l.Step != "" || l.Phase != "" {
			lines = append(lines, l)
		}
	}
	return lines, sc.Err()
}

func isTmpfs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.TMPFS_MAGIC
}
