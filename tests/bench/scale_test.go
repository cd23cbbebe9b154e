package main

import "testing"

// The bracketed growth divides by the mean of the first level's two
// timings, so a steady drift between them cancels; a missing one gives no
// figure.
func TestBracketCellCancelsASteadyDrift(t *testing.T) {
	before, after := ValueCell(20, ""), ValueCell(30, "")
	if v, ok := bracketCell(before, after, ValueCell(25, "")).Figure(); !ok || v != 1 {
		t.Errorf("25 between 20 and 30: %v, %v; want 1", v, ok)
	}
	if _, ok := bracketCell(before, ErrorCell("failed"), ValueCell(25, "")).Figure(); ok {
		t.Error("a figure without the timing after")
	}
}
