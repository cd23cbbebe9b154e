package main

import (
	"math"
	"sort"
	"time"
)

// Summary describes one distribution of samples, in the row's unit.
type Summary struct {
	N      int     `json:"n"`
	Min    float64 `json:"min"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P99    float64 `json:"p99"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
}

// Summarize sorts a copy of samples and returns their summary; an empty
// slice gives the zero Summary.
func Summarize(samples []float64) Summary {
	if len(samples) == 0 {
		return Summary{}
	}
	s := append([]float64(nil), samples...)
	sort.Float64s(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	return Summary{
		N:      len(s),
		Min:    s[0],
		Median: Percentile(s, 50),
		P90:    Percentile(s, 90),
		P99:    Percentile(s, 99),
		Max:    s[len(s)-1],
		Mean:   sum / float64(len(s)),
	}
}

// Percentile returns the p-th percentile (0..100) of sorted samples,
// interpolating linearly between the two nearest ranks (the method most
// tools call "type 7"), so a small sample still gives a p99 below its max.
func Percentile(sorted []float64, p float64) float64 {
	switch {
	case len(sorted) == 0:
		return math.NaN()
	case p <= 0:
		return sorted[0]
	case p >= 100:
		return sorted[len(sorted)-1]
	}
	pos := p / 100 * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	frac := pos - float64(lo)
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo] + frac*(sorted[lo+1]-sorted[lo])
}

// Millis converts durations into the float milliseconds the rows use.
func Millis(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = ms(d)
	}
	return out
}

// ms is d in the float milliseconds the rows use.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
