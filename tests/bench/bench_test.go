package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-containers/runnc/tests/testenv"
)

// TestQuickBench runs `make bench QUICK=1`'s bench into a temporary
// directory and checks that every row has a positive figure for runnc and
// runc (and the boot comparison for its programs). It checks no timings:
// only that everything was measured.
func TestQuickBench(t *testing.T) {
	testenv.RequireRoot(t)
	for _, b := range []string{"runnc", "nabla-run", "guests/hello.nabla", "bench-guests/large.nabla"} {
		testenv.Binary(t, b)
	}
	out := t.TempDir()
	opts := options{outDir: out, markdown: filepath.Join(out, "BENCHMARKS.md")}
	if _, err := Bench(context.Background(), quickConfig(), testenv.Repo(t), opts); err != nil {
		t.Fatal(err)
	}
	// Each runtime's state root was a tmpfs in the bench's work directory:
	// none may stay mounted.
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, "/runnc-bench-") {
			t.Errorf("the bench left a mount: %s", line)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "bench.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res Results
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("bench.json: %v", err)
	}
	want := map[string][]string{
		"lifecycle": {"run", "run-command", "create", "start", "state", "kill", "delete", "throughput-1", "throughput-4", "throughput-16"},
		"create-size": {"create-1mb", "create-1mb-same", "create-50mb", "create-50mb-same",
			"create-200mb", "create-200mb-same"},
		"memory":  {"rss-1", "pss-1", "rss-many", "pss-many"},
		"surface": {"syscalls"},
		"network": {"first-response", "http-rps", "http-p50", "http-p99", "http-rps-close", "http-p50-close", "http-p99-close"},
		"images":  {"first-container", "second-container"},
		"scale": {"create-at-0", "create-at-30", "growth", "create-empty", "growth-beside", "create-after", "growth-after", "join-at-0", "join-at-30", "join-growth",
			"start-at-0", "start-at-30", "start-growth", "state-at-0", "state-at-30", "state-growth",
			"kill-at-0", "kill-at-30", "kill-growth", "delete-at-0", "delete-at-30", "delete-growth", "list", "rss", "pss"},
		"startup": {"state", "list"},
	}
	// The tenants' rows are runnc's alone: runc makes nothing per rootfs.
	if scale := res.Group("scale"); scale != nil {
		for _, rid := range []string{"tenant-at-0", "tenant-at-30", "tenant-growth", "tenant-empty", "tenant-beside"} {
			checkPositive(t, scale, rid, "runnc")
		}
	}
	for gid, rows := range want {
		g := res.Group(gid)
		if g == nil {
			t.Errorf("bench.json has no %s group", gid)
			continue
		}
		for _, rid := range rows {
			checkPositive(t, g, rid, "runnc", "runc")
		}
	}
	// The floor under runnc's run rows, timed beside them.
	if lifecycle := res.Group("lifecycle"); lifecycle != nil {
		for _, rid := range []string{"run", "run-command"} {
			checkPositive(t, lifecycle, rid, runFloorColumn)
		}
	}
	// The startup group's floors (the target's baseline, its cgo twin and
	// the twin with runnc's libraries) are built by the bench itself.
	if startup := res.Group("startup"); startup != nil {
		for _, rid := range want["startup"] {
			checkPositive(t, startup, rid, floors...)
		}
	}
	if steps := res.Group("steps"); steps == nil {
		t.Error("bench.json has no steps group")
	} else {
		for _, rid := range []string{"create/command", "create/config", "start/fifo", "wait", "delete/deleted", "sum", "run"} {
			checkPositive(t, steps, rid, "runnc")
		}
	}
	boot := res.Group("boot")
	if boot == nil {
		t.Fatal("bench.json has no boot group")
	}
	checkPositive(t, boot, "first-output", "nabla-run", "static glibc program")
	checkPositive(t, boot, "exit", "nabla-run", "static glibc program", "/bin/true")
	checkPositive(t, boot, "exit-large", "nabla-run", "static glibc program")
	// Deleting every sleeper of the scale group leaves nothing in the root.
	if left := res.Group("scale"); left != nil {
		for _, r := range left.Rows {
			if v, ok := r.Cells["runnc"].Figure(); r.ID == "left" && (!ok || v != 0) {
				t.Errorf("runnc's root holds %v entries after the scale group deleted its containers", v)
			}
		}
	}
	for _, f := range []string{"BENCHMARKS.md", "run-latency.png", "create-vs-size.png", "create-vs-running.png"} {
		if fi, err := os.Stat(filepath.Join(out, f)); err != nil || fi.Size() == 0 {
			t.Errorf("the bench did not write %s: %v", f, err)
		}
	}
}

func checkPositive(t *testing.T, g *Group, rowID string, columns ...string) {
	t.Helper()
	var row *Row
	for _, r := range g.Rows {
		if r.ID == rowID {
			row = r
		}
	}
	if row == nil {
		t.Errorf("%s has no row %s", g.ID, rowID)
		return
	}
	for _, col := range columns {
		c := row.Cells[col]
		if v, ok := c.Figure(); !ok || v <= 0 {
			t.Errorf("%s/%s has no positive figure for %s: %+v", g.ID, rowID, col, c)
		}
	}
}
