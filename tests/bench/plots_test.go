package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestLogTicksLabelOneTwoFive(t *testing.T) {
	var labels []string
	for _, tk := range (logTicks{}).Ticks(3, 300) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "5 10 20 50 100 200" {
		t.Errorf("labels between 3 and 300 = %q", got)
	}
}

func TestWritePlots(t *testing.T) {
	r := sampleResults()
	sizes := &Group{ID: "create-size", Columns: []string{"runnc", "runc"}, Baseline: "runc"}
	for _, mb := range []int{1, 50} {
		for _, suffix := range []string{"", "-same"} {
			row := sizes.Row("create-"+strconv.Itoa(mb)+"mb"+suffix, "", "ms")
			row.Cells["runnc"] = SamplesCell([]float64{float64(mb), float64(mb) + 1})
			row.Cells["runc"] = SamplesCell([]float64{30, 31})
		}
	}
	r.Groups = append(r.Groups, sizes)
	dir := t.TempDir()
	plots := writePlots(r, dir)
	if len(plots) != 2 {
		t.Fatalf("writePlots wrote %v, want both plots", plots)
	}
	for _, p := range plots {
		if fi, err := os.Stat(filepath.Join(dir, p.File)); err != nil || fi.Size() == 0 {
			t.Errorf("plot %s: %v", p.File, err)
		}
	}
}
