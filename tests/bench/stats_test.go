package main

import (
	"math"
	"testing"
	"time"
)

func TestPercentileInterpolates(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ p, want float64 }{
		{0, 1}, {50, 5.5}, {90, 9.1}, {99, 9.91}, {100, 10}, {-5, 1}, {150, 10},
	} {
		if got := Percentile(s, c.p); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("Percentile(1..10, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := Percentile([]float64{7}, 90); got != 7 {
		t.Errorf("Percentile of one sample = %v, want 7", got)
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("Percentile of no samples should be NaN")
	}
}

func TestSummarizeDoesNotReorderItsInput(t *testing.T) {
	in := []float64{5, 1, 4, 2, 3}
	s := Summarize(in)
	want := Summary{N: 5, Min: 1, Median: 3, P90: 4.6, P99: 4.96, Max: 5, Mean: 3}
	if math.Abs(s.P90-want.P90) > 1e-9 || math.Abs(s.P99-want.P99) > 1e-9 {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
	s.P90, s.P99, want.P90, want.P99 = 0, 0, 0, 0
	if s != want {
		t.Errorf("Summarize = %+v, want %+v", s, want)
	}
	if in[0] != 5 || in[1] != 1 {
		t.Errorf("Summarize sorted its input in place: %v", in)
	}
	if (Summarize(nil) != Summary{}) {
		t.Error("Summarize(nil) should be the zero Summary")
	}
}

func TestMillis(t *testing.T) {
	got := Millis([]time.Duration{1500 * time.Microsecond, 2 * time.Second})
	if got[0] != 1.5 || got[1] != 2000 {
		t.Errorf("Millis = %v, want [1.5 2000]", got)
	}
}
