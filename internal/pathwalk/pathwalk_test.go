package pathwalk

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// walkLinks walks p over a tree with no files, where links maps a
// component to its symlink target, and returns the steps taken.
func walkLinks(p string, links map[string]string) ([]string, error) {
	var steps []string
	err := Walk(p, Steps{
		Up:  func() error { steps = append(steps, "up"); return nil },
		Top: func() { steps = append(steps, "top") },
		Enter: func(c string, last bool) (string, bool, error) {
			if target, ok := links[c]; ok {
				steps = append(steps, "link "+c)
				return target, true, nil
			}
			if last {
				c += " (last)"
			}
			steps = append(steps, c)
			return "", false, nil
		},
	})
	return steps, err
}

func TestWalk(t *testing.T) {
	steps, err := walkLinks("/a/./l/../b/", map[string]string{"l": "/x/y"})
	want := []string{"a", "link l", "top", "x", "y", "up", "b (last)"}
	if err != nil || !slices.Equal(steps, want) {
		t.Errorf("steps %v, %v; want %v", steps, err, want)
	}
	steps, err = walkLinks("loop/x", map[string]string{"loop": "loop"})
	if !errors.Is(err, ErrLoop) || len(steps) != maxLinks+1 || !strings.HasPrefix(steps[0], "link") {
		t.Errorf("a symlink loop: %d steps, %v; want %d and ErrLoop", len(steps), err, maxLinks+1)
	}
}
