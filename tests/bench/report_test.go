package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleResults() *Results {
	g := &Group{ID: "lifecycle", Title: "Lifecycle", Columns: []string{"runnc", "runc", "runsc"}, Baseline: "runc"}
	run := g.Row("run", "run (create+start+wait+delete)", "ms")
	run.Cells["runnc"] = SamplesCell([]float64{10, 12, 14})
	run.Cells["runc"] = SamplesCell([]float64{40, 40, 50})
	run.Cells["runsc"] = ErrorCell("runsc | needs --network=none")
	tp := g.Row("tp1", "throughput, 1 worker", "ops/s")
	tp.HigherIsBetter = true
	tp.Cells["runnc"] = ValueCell(200, "")
	tp.Cells["runc"] = ValueCell(25, "")
	return &Results{
		Date:     time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		Machine:  Machine{CPU: "Test CPU", Cores: 2, Kernel: "6.1", Load: "0.5 → 1.5", Versions: map[string]string{"go": "go1.26"}},
		Runtimes: []Runtime{{Name: "runc", Version: "1.1.5", Status: "ok"}, {Name: "crun", Status: "not supported on this machine: hybrid cgroups"}},
		Groups:   []*Group{g},
		Plots:    []Plot{{Title: "run latency", File: "run.png"}},
	}
}

func TestRenderMarkdownTableAndRatios(t *testing.T) {
	md := RenderMarkdown(sampleResults(), "tests/bench/results")
	for _, want := range []string{
		"| | unit | runnc | runc (baseline) | runsc |",
		"| run (create+start+wait+delete) | ms | **12.0** / 13.6 / 14.0 (0.30×) | **40.0** / 48.0 / 49.8 | n/a [1] |",
		"| throughput, 1 worker | ops/s | **200** (8.00×) | **25** | – |",
		`1. runsc: runsc | needs --network=none`,
		"| crun |  |  | not supported on this machine: hybrid cgroups |",
		"![run latency](tests/bench/results/run.png)",
		"2026-11-23 10:00 UTC",
		"- go: go1.26",
		"at the start and the end of the run: 0.5 → 1.5",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestRenderMarkdownIsDeterministic(t *testing.T) {
	r := sampleResults()
	r.Machine.Versions = map[string]string{"b": "2", "a": "1", "c": "3"}
	first := RenderMarkdown(r, "p")
	for i := 0; i < 20; i++ {
		if RenderMarkdown(r, "p") != first {
			t.Fatal("two renderings of the same results differ")
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for v, want := range map[float64]string{1234.4: "1234", 45.67: "45.7", 3.14159: "3.14", 0.5123: "0.512", 0: "0", 0.000123: "0.000123"} {
		if got := FormatNumber(v); got != want {
			t.Errorf("FormatNumber(%v) = %q, want %q", v, got, want)
		}
	}
}

func TestCellFigureAndRatio(t *testing.T) {
	g := sampleResults().Groups[0]
	run := g.Rows[0]
	if r, ok := g.Ratio(run, "runnc"); !ok || r != 0.3 {
		t.Errorf("ratio runnc/runc = %v, %v; want 0.3", r, ok)
	}
	if _, ok := g.Ratio(run, "runsc"); ok {
		t.Error("a cell with an error has no ratio")
	}
	if _, ok := (*Cell)(nil).Figure(); ok {
		t.Error("a missing cell has no figure")
	}
}

func TestWriteJSONRoundTrips(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "bench.json")
	if err := sampleResults().WriteJSON(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back Results
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	v, ok := back.Group("lifecycle").Rows[0].Cells["runc"].Figure()
	if !ok || v != 40 {
		t.Errorf("runc run median after round trip = %v, %v; want 40", v, ok)
	}
}

// A row of a runtime's own ratios (the scale group's growth) shows no
// ratio to the baseline column.
func TestOwnRatioRowHasNoBaselineRatio(t *testing.T) {
	g := &Group{ID: "g", Title: "G", Columns: []string{"runnc", "runc"}, Baseline: "runc"}
	r := g.Row("growth", "growth", "×")
	r.OwnRatio = true
	r.Cells["runnc"] = growthCell(ValueCell(40, ""), ValueCell(44, ""))
	r.Cells["runc"] = growthCell(ValueCell(100, ""), nil)
	text, _ := formatCell(g, r, "runnc", r.Cells["runnc"])
	if text != "**1.10**" {
		t.Errorf("runnc's growth renders as %q, want **1.10**", text)
	}
	if _, why := formatCell(g, r, "runc", r.Cells["runc"]); why == "" {
		t.Errorf("a growth without a figure at the last level gives no reason")
	}
}

// -render renders the report again from bench.json, with this build's
// profile section and the figures as they were.
func TestRerenderAddsTheProfileToTheFigures(t *testing.T) {
	dir := t.TempDir()
	g := &Group{ID: "lifecycle", Title: "Lifecycle", Columns: []string{"runnc", "runc"}, Baseline: "runc"}
	g.Row("run", "run", "ms").Cells["runnc"] = ValueCell(57, "")
	res := &Results{Groups: []*Group{g}, Sections: []Section{{Title: "Old", Body: "an older build's text"}}}
	if err := res.WriteJSON(filepath.Join(dir, "bench.json")); err != nil {
		t.Fatal(err)
	}
	opts := options{outDir: dir, markdown: filepath.Join(dir, "B.md")}
	if err := rerender(opts); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(opts.markdown)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Lifecycle", "**57**", "## " + runProfile.Title} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if strings.Contains(string(md), "an older build's text") {
		t.Errorf("the report kept the old section")
	}
}
