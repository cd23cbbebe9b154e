package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Results is everything one bench run measured; it is written as
// results/bench.json and rendered into BENCHMARKS.md.
type Results struct {
	Date     time.Time `json:"date"`
	Quick    bool      `json:"quick"`
	Machine  Machine   `json:"machine"`
	Runtimes []Runtime `json:"runtimes"`
	Groups   []*Group  `json:"groups"`
	Plots    []Plot    `json:"plots,omitempty"`
	Notes    []string  `json:"notes,omitempty"`
	// Sections are prose and tables the bench does not measure itself,
	// such as the profile of a run (profile.go).
	Sections []Section `json:"sections,omitempty"`
}

// Section is a titled piece of markdown.
type Section struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Machine is what the figures were measured on.
type Machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	MemoryMB int    `json:"memory_mb"`
	Kernel   string `json:"kernel"`
	OS       string `json:"os"`
	Cgroups  string `json:"cgroups"`
	// Load is /proc/loadavg's 1-minute average when the run started and
	// ended: other work on the machine shows in the tails.
	Load     string            `json:"load"`
	Versions map[string]string `json:"versions"`
}

// Runtime is one OCI runtime the bench drove, or tried to.
type Runtime struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Flags   string `json:"flags,omitempty"`
	// Status is "ok", or one sentence saying why the runtime has no figures.
	Status string `json:"status"`
}

// Group is one table: rows measured for the same columns, with ratios
// to the Baseline column.
type Group struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Columns  []string `json:"columns"`
	Baseline string   `json:"baseline"`
	Rows     []*Row   `json:"rows"`
	Notes    []string `json:"notes,omitempty"`
}

// Row is one measurement across the group's columns.
type Row struct {
	ID             string `json:"id"`
	Title          string `json:"title"`
	Unit           string `json:"unit"`
	HigherIsBetter bool   `json:"higher_is_better,omitempty"`
	// OwnRatio rows hold ratios already (a runtime against itself): a
	// ratio to the baseline column would mean nothing.
	OwnRatio bool             `json:"own_ratio,omitempty"`
	Cells    map[string]*Cell `json:"cells"`
}

// Cell is one column's figure for a row: a distribution, a single value,
// or the reason there is none.
type Cell struct {
	Summary *Summary  `json:"summary,omitempty"`
	Value   *float64  `json:"value,omitempty"`
	Samples []float64 `json:"samples,omitempty"`
	Error   string    `json:"error,omitempty"`
	Note    string    `json:"note,omitempty"`
}

// Plot is one PNG written beside bench.json.
type Plot struct {
	Title string `json:"title"`
	File  string `json:"file"`
}

// Figure is the number a cell is compared by: the median of a
// distribution or the single value.
func (c *Cell) Figure() (float64, bool) {
	switch {
	case c == nil || c.Error != "":
		return 0, false
	case c.Summary != nil && c.Summary.N > 0:
		return c.Summary.Median, true
	case c.Value != nil:
		return *c.Value, true
	}
	return 0, false
}

// Samples makes a distribution cell that keeps its raw samples (for plots).
func SamplesCell(samples []float64) *Cell {
	s := Summarize(samples)
	return &Cell{Summary: &s, Samples: samples}
}

// ValueCell makes a single-valued cell.
func ValueCell(v float64, note string) *Cell { return &Cell{Value: &v, Note: note} }

// ErrorCell makes a cell that says why there is no figure, on one line.
func ErrorCell(format string, args ...any) *Cell {
	return &Cell{Error: strings.Join(strings.Fields(fmt.Sprintf(format, args...)), " ")}
}

// Group returns the group with that id, or nil.
func (r *Results) Group(id string) *Group {
	for _, g := range r.Groups {
		if g.ID == id {
			return g
		}
	}
	return nil
}

// Row returns the row with that id, adding it at the end when missing.
func (g *Group) Row(id, title, unit string) *Row {
	for _, r := range g.Rows {
		if r.ID == id {
			return r
		}
	}
	r := &Row{ID: id, Title: title, Unit: unit, Cells: map[string]*Cell{}}
	g.Rows = append(g.Rows, r)
	return r
}

// Ratio is a cell's figure divided by the baseline column's in the same row.
func (g *Group) Ratio(r *Row, column string) (float64, bool) {
	v, ok := r.Cells[column].Figure()
	base, bok := r.Cells[g.Baseline].Figure()
	if !ok || !bok || base == 0 {
		return 0, false
	}
	return v / base, true
}

// WriteJSON writes the results to path, creating its directory.
func (r *Results) WriteJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("make results directory: %w", err)
	}
	return os.WriteFile(path, append(data, '\n'), 0o644)
}
