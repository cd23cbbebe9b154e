package dirsample

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFirstReadsAWindowOfALargeDirectory(t *testing.T) {
	dir := t.TempDir()
	all := map[string]bool{}
	for i := range 1000 {
		name := fmt.Sprintf("container-%04d@0123456789ab", i)
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		all[name] = true
	}
	names, err := First(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 || len(names) > Window/24 {
		t.Fatalf("First read %d names of 1000, want a window's worth", len(names))
	}
	for _, n := range names {
		if !all[n] {
			t.Errorf("First returned %q, which is not in the directory", n)
		}
	}
	if slices.Contains(names, ".") || slices.Contains(names, "..") {
		t.Errorf("First returned . or ..: %v", names)
	}
}

func TestFirstOfAMissingDirectory(t *testing.T) {
	if _, err := First(filepath.Join(t.TempDir(), "gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("got %v, want fs.ErrNotExist", err)
	}
}

func TestPickTakesAFewOfThoseKept(t *testing.T) {
	dir := t.TempDir()
	for i := range 10 {
		for _, name := range []string{fmt.Sprintf("keep-%d", i), fmt.Sprintf(".tmp-%d", i)} {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	kept := func(n string) bool { return n[0] != '.' }
	names, err := Pick(dir, 3, kept)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if len(names) != 3 || len(slices.Compact(slices.Clone(names))) != 3 || slices.ContainsFunc(names, func(n string) bool { return !kept(n) }) {
		t.Fatalf("Pick(3) of 10 kept names gave %q, want 3 distinct kept ones", names)
	}
	if all, _ := Pick(dir, 100, nil); len(all) != 20 {
		t.Fatalf("Pick(100) of 20 names gave %d", len(all))
	}
}

func TestEmpty(t *testing.T) {
	dir := t.TempDir()
	if empty, err := Empty(dir); err != nil || !empty {
		t.Fatalf("Empty of an empty directory: %v, %v", empty, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "user"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if empty, err := Empty(dir); err != nil || empty {
		t.Fatalf("Empty of a directory with a name: %v, %v", empty, err)
	}
	if _, err := Empty(filepath.Join(dir, "gone")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Empty of a missing directory: %v, want fs.ErrNotExist", err)
	}
}

func TestEmptyFindsTheLongestName(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, strings.Repeat("n", 255)), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if empty, err := Empty(dir); err != nil || empty {
		t.Fatalf("Empty of a directory with a name of 255 bytes: %v, %v", empty, err)
	}
}
