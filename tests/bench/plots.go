package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// writePlots draws the PNGs into dir and returns the ones it wrote; a plot
// that cannot be drawn is reported on stderr and left out.
func writePlots(r *Results, dir string) []Plot {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		progress("plots: %v", err)
		return nil
	}
	var plots []Plot
	for _, p := range []struct {
		title, file string
		draw        func(*Results) (*plot.Plot, error)
	}{
		{"run latency per runtime (create + start + wait + delete)", "run-latency.png", runLatencyPlot},
		{"create time against rootfs size", "create-vs-size.png", createSizePlot},
		{"create time against the number of running containers", "create-vs-running.png", createScalePlot},
	} {
		pl, err := p.draw(r)
		if err == nil {
			err = pl.Save(7*vg.Inch, 4.5*vg.Inch, filepath.Join(dir, p.file))
		}
		if err != nil {
			progress("plot %s: %v", p.file, err)
			continue
		}
		plots = append(plots, Plot{Title: p.title, File: p.file})
	}
	return plots
}

// runLatencyPlot is a box plot per runtime of the `run` samples, on a log
// scale: the runtimes differ by an order of magnitude.
func runLatencyPlot(r *Results) (*plot.Plot, error) {
	g := r.Group("lifecycle")
	if g == nil {
		return nil, fmt.Errorf("no lifecycle results")
	}
	row := g.Row("run", "", "")
	p := plot.New()
	p.Title.Text = "run (create + start + wait + delete), sequential"
	p.Y.Label.Text = "ms (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	var names []string
	for _, col := range g.Columns {
		c := row.Cells[col]
		if c == nil || len(c.Samples) == 0 {
			continue
		}
		box, err := plotter.NewBoxPlot(vg.Points(30), float64(len(names)), plotter.Values(c.Samples))
		if err != nil {
			return nil, err
		}
		box.FillColor = plotutil.Color(len(names))
		p.Add(box)
		names = append(names, fmt.Sprintf("%s (n=%d)", col, len(c.Samples)))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no runtime has run samples")
	}
	p.NominalX(names...)
	p.Add(plotter.NewGrid())
	return p, nil
}

// createSizePlot draws the median create time against the data added to
// the rootfs, per runtime; runnc's unchanged-rootfs line is dashed.
func createSizePlot(r *Results) (*plot.Plot, error) {
	return linePlot(r, "create-size", "create-vs-size", "create against rootfs size (median)", "MB of files added to the rootfs",
		func(g *Group, col string) []line {
			var lines []line
			for _, variant := range []struct {
				suffix, label string
			}{{"", "changed"}, {"-same", "unchanged, another container of it exists"}} {
				pts := points(g, col, func(id string) (mb int, ok bool) {
					n, _ := fmt.Sscanf(id, "create-%dmb", &mb)
					return mb, n == 1 && id == fmt.Sprintf("create-%dmb%s", mb, variant.suffix)
				})
				lines = append(lines, line{pts, col + ", rootfs " + variant.label, variant.suffix != ""})
			}
			return lines
		})
}

// createScalePlot draws the median create + delete time against the
// containers already running, per runtime: flat is the goal.
func createScalePlot(r *Results) (*plot.Plot, error) {
	return linePlot(r, "scale", "scale", "create + delete against running containers (median)", "containers running",
		func(g *Group, col string) []line {
			pts := points(g, col, func(id string) (n int, ok bool) {
				c, _ := fmt.Sscanf(id, "create-at-%d", &n)
				return n, c == 1
			})
			return []line{{pts, col, false}}
		})
}

// line is one line of a line plot: its points, its legend, dashed or not.
type line struct {
	pts    plotter.XYs
	label  string
	dashed bool
}

// linePlot draws the lines that lines gives for each runtime of group
// (named what in errors), in ms from 0 against xLabel.
func linePlot(r *Results, group, what, title, xLabel string, lines func(g *Group, col string) []line) (*plot.Plot, error) {
	g := r.Group(group)
	if g == nil {
		return nil, fmt.Errorf("no %s results", what)
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xLabel
	p.Y.Label.Text = "ms"
	p.Legend.Top = true
	p.Legend.Left = true
	drawn := 0
	for i, col := range g.Columns {
		for _, l := range lines(g, col) {
			added, err := addLine(p, l.pts, i, l.label, l.dashed)
			if err != nil {
				return nil, err
			}
			drawn += added
		}
	}
	if drawn == 0 {
		return nil, fmt.Errorf("no runtime has %s figures", what)
	}
	p.Add(plotter.NewGrid())
	p.Y.Min = 0
	return p, nil
}

// points are runtime col's figures of the rows of g whose id x reads as
// an x value.
func points(g *Group, col string, x func(id string) (int, bool)) plotter.XYs {
	var pts plotter.XYs
	for _, row := range g.Rows {
		v, ok := row.Cells[col].Figure()
		if n, isX := x(row.ID); isX && ok {
			pts = append(pts, plotter.XY{X: float64(n), Y: v})
		}
	}
	return pts
}

// addLine draws pts as line i of p (its colour), dashed or not, with its
// legend; it returns how many lines it drew: none for no points.
func addLine(p *plot.Plot, pts plotter.XYs, i int, label string, dashed bool) (int, error) {
	if len(pts) == 0 {
		return 0, nil
	}
	l, s, err := plotter.NewLinePoints(pts)
	if err != nil {
		return 0, err
	}
	l.Color, s.Color = plotutil.Color(i), plotutil.Color(i)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	p.Add(l, s)
	p.Legend.Add(label, l, s)
	return 1, nil
}

// logTicks labels 1, 2 and 5 of every decade: gonum's LogTicks labels
// powers of ten only, and runtimes a decade apart would get one label.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for dec := math.Pow(10, math.Floor(math.Log10(min))); dec <= max; dec *= 10 {
		for m := 1; m < 10; m++ {
			v := float64(m) * dec
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
