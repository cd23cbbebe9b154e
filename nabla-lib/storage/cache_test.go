package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func keysOf(images []unusedImage) []string {
	var keys []string
	for _, im := range images {
		keys = append(keys, im.key)
	}
	return keys
}

func TestVictims(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(1e9+int64(s), 0) }
	// Listed out of order: victims ranks by last use, then by key.
	images := []unusedImage{
		{key: "c", size: 30, lastUse: at(3)},
		{key: "a", size: 30, lastUse: at(1)},
		{key: "d", size: 30, lastUse: at(4)},
		{key: "b", size: 30, lastUse: at(2)},
	}
	for _, tc := range []struct {
		name  string
		in    []unusedImage
		limit int64
		want  []string
	}{
		{"all fit", images, 120, nil},
		{"oldest first", images, 60, []string{"a", "b"}},
		{"just over", images, 119, []string{"a"}},
		{"none fit", images, 29, []string{"a", "b", "c", "d"}},
		{"limit zero", images, 0, []string{"a", "b", "c", "d"}},
		{"nothing unused", nil, 0, nil},
		{"ties by key", []unusedImage{{key: "y", size: 1, lastUse: at(1)}, {key: "x", size: 1, lastUse: at(1)}}, 1, []string{"x"}},
		// An image larger than the limit goes even when it is the most
		// recent, and older ones that fit stay.
		{"too large", []unusedImage{{key: "old", size: 10, lastUse: at(1)}, {key: "big", size: 100, lastUse: at(2)}}, 50, []string{"big"}},
		{"empty images", []unusedImage{{key: "e", size: 0, lastUse: at(1)}}, 0, nil},
	} {
		if got := keysOf(victims(tc.in, tc.limit)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: victims(limit %d) = %v, want %v", tc.name, tc.limit, got, tc.want)
		}
	}
	if !slices.Equal(keysOf(images), []string{"c", "a", "d", "b"}) {
		t.Errorf("victims reordered its argument: %v", keysOf(images))
	}
}

// fakeUnused makes the files of an unused image of size bytes, last used
// at lastUse, as release leaves them.
func fakeUnused(t *testing.T, dir, key string, size int64, lastUse time.Time) image {
	t.Helper()
	im := image{dir: dir, key: key}
	if err := os.WriteFile(im.path(), make([]byte, size), 0o444); err != nil {
		t.Fatal(err)
	}
	if err := im.markUnused(); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(im.unusedPath(), lastUse, lastUse); err != nil {
		t.Fatal(err)
	}
	return im
}

// tags are the names the tests give keys, by key.
var tags = map[string]string{}

// key is a key as runnc makes them (a sha256 in hex), named tag in what
// dirNames lists.
func key(tag string) string {
	sum := sha256.Sum256([]byte(tag))
	k := hex.EncodeToString(sum[:])
	tags[k] = tag
	return k
}

// dirNames lists dir, sorted, with each key replaced by its tag.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		k, rest, _ := strings.Cut(e.Name(), ".")
		if tag, ok := tags[k]; ok {
			k = tag
		}
		names = append(names, k+"."+rest)
	}
	slices.Sort(names)
	return names
}

// Trim evicts the least recently used unused images, and never an image in
// use again or one whose lock is held (its holder may be reusing it).
func TestTrim(t *testing.T) {
	dir := t.TempDir()
	at := func(s int) time.Time { return time.Unix(1e9+int64(s), 0) }
	for i, tag := range []string{"k1", "k2", "k3", "k4", "k5"} {
		fakeUnused(t, dir, key(tag), 100, at(i))
	}
	// A mark whose image an older runnc removed goes too.
	if err := os.Remove(fakeUnused(t, dir, key("k6"), 100, at(6)).path()); err != nil {
		t.Fatal(err)
	}
	l, err := listDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.unused) != 6 || len(l.locked) != 0 {
		t.Fatalf("listing %+v, want 6 unused keys and no lock", l)
	}
	// After the read, k2 is in use again and k3's lock is held.
	if err := (image{dir: dir, key: key("k2")}).addUser("c1@x", dir); err != nil {
		t.Fatal(err)
	}
	lk, ok, err := lockKey(dir, key("k3"), false)
	if err != nil || !ok {
		t.Fatalf("lock k3: %v %v", ok, err)
	}
	found, gone := measureUnused(dir, l.unused)
	evict(dir, append(gone, victims(found, 100)...))
	lk.unlock()
	want := []string{"k2.iso", "k2.lock", "k2.unused", "k2.users", "k3.iso", "k3.lock", "k3.unused", "k5.iso", "k5.unused"}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after trim to one image: %v, want %v", got, want)
	}
}

// An image used and released again after trim ranked it is recent now:
// evict leaves it, and no lock file.
func TestEvictSkipsAnImageReleasedSince(t *testing.T) {
	dir := t.TempDir()
	ranked := time.Unix(1e9, 0)
	im := fakeUnused(t, dir, key("k1"), 100, ranked)
	if err := im.markUnused(); err != nil {
		t.Fatal(err)
	}
	if err := im.evict(ranked); err != nil {
		t.Fatal(err)
	}
	if got, want := dirNames(t, dir), []string{"k1.iso", "k1.unused"}; !slices.Equal(got, want) {
		t.Fatalf("after evicting an image released since: %v, want %v", got, want)
	}
	mark, err := os.Stat(im.unusedPath())
	if err != nil {
		t.Fatal(err)
	}
	if err := im.evict(mark.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Fatalf("after evicting it as ranked: %v, want nothing", got)
	}
}

// An unused image whose lock file is left (a runnc killed while changing
// it) is found and settled by the next sweep.
func TestSweepSettlesWhatAKilledRunncLeft(t *testing.T) {
	dir := t.TempDir()
	im := fakeUnused(t, dir, key("k1"), 100, time.Unix(1e9, 0))
	if err := os.WriteFile(im.lockPath(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	gone := image{dir: dir, key: key("k2")} // evicted half way: mark and lock left
	for _, p := range []string{gone.unusedPath(), gone.lockPath(), gone.path() + buildSuffix + "1"} {
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	sweep(dir, "", 1000, false)
	if got, want := dirNames(t, dir), []string{"k1.iso", "k1.unused"}; !slices.Equal(got, want) {
		t.Fatalf("after sweep: %v, want %v", got, want)
	}
	sweep(dir, "", 0, false)
	if got := dirNames(t, dir); len(got) != 2 {
		t.Fatalf("a sweep that released nothing trimmed: %v", got)
	}
	if _, err := os.Stat(im.path()); err != nil {
		t.Fatal(err)
	}
}

// EvictUsedSince removes the unused images last used at or after a time,
// and no image in use.
func TestEvictUsedSince(t *testing.T) {
	dir := t.TempDir()
	at := func(s int) time.Time { return time.Unix(1e9+int64(s), 0) }
	fakeUnused(t, dir, key("old"), 100, at(1))
	fakeUnused(t, dir, key("new"), 100, at(3))
	used := fakeUnused(t, dir, key("used"), 100, at(3))
	if err := used.addUser("c1@x", dir); err != nil {
		t.Fatal(err)
	}
	if err := EvictUsedSince(dir, at(2)); err != nil {
		t.Fatal(err)
	}
	want := []string{"old.iso", "old.unused", "used.iso", "used.unused", "used.users"}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("after EvictUsedSince: %v, want %v", got, want)
	}
	if err := EvictUsedSince(filepath.Join(dir, "missing"), at(0)); err != nil {
		t.Fatalf("EvictUsedSince of a missing directory: %v", err)
	}
}
