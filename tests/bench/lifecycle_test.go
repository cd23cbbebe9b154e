package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestInterleavedRotatesAndStopsAFailingRuntime(t *testing.T) {
	drivers := []*driver{{name: "a"}, {name: "b"}, {name: "c"}}
	var order []string
	calls := map[string]int{}
	got := interleaved(context.Background(), "test", 3, drivers, func(d *driver) (map[string]time.Duration, error) {
		order = append(order, d.name)
		calls[d.name]++
		if d.name == "b" && calls["b"] == 2 {
			return nil, errors.New("b broke")
		}
		return map[string]time.Duration{"x": time.Duration(calls[d.name]) * time.Millisecond}, nil
	})
	if s := strings.Join(order, ""); s != "abcbcaca" {
		t.Errorf("call order %q, want abc bca ca (b stopped after its error)", s)
	}
	if c := got.cell("a", "x"); c.Summary == nil || c.Summary.N != 3 || c.Summary.Median != 2 {
		t.Errorf("a's cell = %+v, want 3 samples with median 2 ms", c)
	}
	if c := got.cell("b", "x"); c.Error != "b broke" {
		t.Errorf("b's cell = %+v, want the error", c)
	}
}

func TestInterleavedStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got := interleaved(ctx, "test", 2, []*driver{{name: "a"}}, func(*driver) (map[string]time.Duration, error) {
		t.Fatal("fn called after cancel")
		return nil, nil
	})
	if got.cell("a", "x").Error == "" {
		t.Error("a cancelled run must give an error cell")
	}
}
